"""`make demo-interactive` tells the person what the wizard will offer: its instructions must
match the wizard's defaults with the demo's claude.local.md (examples/prepare_demo.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _instructions() -> str:
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = make.split("\ndemo-interactive:", 1)[1].split("\n\n", 1)[0]
    return " ".join(" ".join(re.findall(r"@echo '([^']*)'", recipe)).split())


def test_the_task_script_the_instructions_describe_is_the_one_offered(tmp_path: Path) -> None:
    out = tmp_path / "demo-output"
    subprocess.run([sys.executable, str(REPO / "examples" / "prepare_demo.py"), str(out)], check=True,
                   capture_output=True, text=True)
    code = ("import sys\nfrom ck_design.wizard.defaults import default_task_script\n"
            "print(default_task_script(sys.argv[1]))")
    dataset = REPO / "examples" / "capitalization" / "data" / "words_8L_500.json"
    env = {"CK_LOCAL_CONFIG": str(out / "claude.local.md"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    offered = subprocess.run([sys.executable, "-c", code, str(dataset)], env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
    assert Path(offered).is_file(), offered  # the example's script, found: not a guess that is missing
    text = _instructions()
    assert "guessed" not in text, text
    assert "offers" in text and "task:" in text, text
