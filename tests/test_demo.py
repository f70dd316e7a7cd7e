"""`make demo` on a fresh clone, from a clean environment: the README's first command works.

The test clones the repository it runs from (committed files only, as a newcomer gets them) into a
temporary directory and runs `make demo` there with an environment that has no trace of this
checkout's virtualenv. The clone creates its own .venv and pip-installs the project (PyPI, or the
pip cache), which takes a while; that is the point.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tools import needs
import yaml

from clone_support import REPO, clean_env, fresh_clone, readme_block, readme_command

pytestmark = [
    needs("make", "git"),
]


def run_demo(clone: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "demo"], cwd=clone, env=clean_env(), capture_output=True,
                          text=True, timeout=900)


def demo_dir(clone: Path, stdout: str) -> Path:
    m = re.search(r"^Demo experiment: (.+)$", stdout, re.M)
    assert m, stdout
    dst = Path(m.group(1).strip())
    assert dst.is_relative_to(clone / "demo-output"), dst
    return dst


def test_make_demo_on_a_fresh_clone(tmp_path):
    demo_clone = fresh_clone(tmp_path)
    env = clean_env()
    assert "VIRTUAL_ENV" not in env and ".venv" not in env["PATH"]
    first = run_demo(demo_clone)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    dst = demo_dir(demo_clone, first.stdout)

    # A valid experiment: design, plan, log, under git.
    summary = dst / "experiment_summary.yaml"
    # The editor modeline resolves: for the clone's editable install, the schema in the clone.
    m = re.match(r"# yaml-language-server: \$schema=(\S+)\n", summary.read_text(encoding="utf-8"))
    assert m, summary.read_text(encoding="utf-8")[:200]
    schema = Path(m.group(1))
    assert schema.is_absolute() and schema.is_file() and schema.resolve().is_relative_to(demo_clone.resolve()), schema
    assert json.loads(schema.read_text()) == json.loads((demo_clone / "schemas" / schema.name).read_text())
    design = yaml.safe_load(summary.read_text(encoding="utf-8"))
    assert design["experiment"]["name"] == dst.name
    assert design["data"]["training"]["splits"] == {"train": 400, "validation": 50, "test": 50}
    assert {r["name"] for r in design["runs"]} >= {"Llama-3.2-1B-Instruct_rank4", "Llama-3.2-3B-Instruct_base"}
    for path in (design["data"]["training"]["path"], *(t["script"] for t in design["evaluation"]["tasks"]),
                 *(m["path"] for m in design["models"]["base"])):
        assert Path(path).is_absolute() and Path(path).exists(), path
    assert (dst / "README.md").is_file()
    log = (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")
    assert "START_DESIGN" in log and "COMPLETE_DESIGN" in log
    ck_validate = demo_clone / ".venv" / "bin" / "ck-validate"
    check = subprocess.run([str(ck_validate), "--check-resources", str(summary)], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    log_check = subprocess.run([str(ck_validate), "--log", str(dst / "logs" / "design-experiment.log")],
                               env=env, capture_output=True, text=True)
    assert log_check.returncode == 0, log_check.stdout + log_check.stderr

    # The demo output is git-ignored: the clone stays clean.
    status = subprocess.run(["git", "status", "--porcelain"], cwd=demo_clone, env=env,
                            capture_output=True, text=True, check=True)
    assert status.stdout == "", status.stdout

    # The README's excerpt of a rendered plan is what the demo renders.
    rendered = (dst / "README.md").read_text(encoding="utf-8")
    table_lines = [line for line in readme_block("rendered-readme").splitlines() if line.startswith("|")]
    assert len(table_lines) >= 10
    for line in table_lines:
        assert line in rendered, f"README.md excerpt line not in the rendered plan: {line!r}"

    # Running it again starts over instead of failing on the previous output.
    (dst / "stale-file").write_text("left by the previous demo")
    second = run_demo(demo_clone)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert not (dst / "stale-file").exists()
    assert (dst / "experiment_summary.yaml").is_file()

    # README step 4 in the experiment the demo rendered, as the demo's last lines say.
    assert "copier update --trust --vcs-ref HEAD" in first.stdout
    readme_copier_update(demo_clone, dst)


def readme_copier_update(demo_clone: Path, dst: Path) -> None:
    """README step 4 inside the experiment `make demo` rendered (a third rank), with the
    `--vcs-ref HEAD` the demo rendered from: README step 4 and the demo's last lines say so (the
    newest release tag is older than HEAD, and copier refuses to downgrade)."""
    env = clean_env()
    argv = [*readme_command("copier update"), "--vcs-ref", "HEAD"]
    argv[0] = str(demo_clone / ".venv" / "bin" / "copier")
    env["CK_LOCAL_CONFIG"] = str(demo_clone / "demo-output" / "claude.local.md")
    env["PATH"] = f"{demo_clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(argv, cwd=dst, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text(encoding="utf-8"))
    assert design["variables"]["lora_rank"] == [4, 8, 16]
    assert "Llama-3.2-1B-Instruct_rank16" in {r["name"] for r in design["runs"]}
    assert "UPDATE_DESIGN" in (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")
    check = subprocess.run([str(demo_clone / ".venv" / "bin" / "ck-validate"), "--check-resources",
                            str(dst / "experiment_summary.yaml")], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_prepare_demo_makes_every_path_absolute(tmp_path):
    """The demo never hands copier a relative path: they would resolve against copier's cwd."""
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "examples" / "prepare_demo.py"), str(out)], check=True,
                   capture_output=True)
    fields = dict(re.findall(r"^- \*\*([^*]+)\*\*: `([^`]*)`", (out / "claude.local.md").read_text(), re.M))
    assert fields["Scratch directory"] == str(out / "scratch") and (out / "scratch").is_dir()
    models = Path(fields["Models directory"])
    assert models.is_absolute() and (models / "Llama-3.2-1B-Instruct" / "config.json").is_file()
    answers = yaml.safe_load((out / "answers.yml").read_text())
    assert Path(answers["dataset_path"]).is_absolute() and Path(answers["dataset_path"]).is_file()
    for task in answers["eval_tasks"]:
        assert Path(task["script"]).is_absolute() and Path(task["script"]).is_file()
    # everything else is the example's answers, unchanged
    example = yaml.safe_load((REPO / "examples" / "capitalization" / "answers.yml").read_text())
    assert {k: v for k, v in answers.items() if k not in ("dataset_path", "eval_tasks")} == \
        {k: v for k, v in example.items() if k not in ("dataset_path", "eval_tasks")}
