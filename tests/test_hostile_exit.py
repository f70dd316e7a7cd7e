"""Issue 13, item 15: ck-validate's exit status is 0/1/2 by the findings alone, 130 on Ctrl-C,
and a closed stdout (`| head`) never changes it. Real processes, real pipes, real SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CK_VALIDATE = str(Path(sys.executable).parent / "ck-validate")
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"
MISTAKES = REPO / "examples" / "typical-mistakes.yaml"


def ctrl_c_as_at_a_terminal() -> None:
    """In the child before exec: SIGINT at its default, as for a command a person runs at a
    terminal. A suite started in the background of a non-interactive shell (`make test &`)
    inherits SIGINT ignored (POSIX), and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _status_with_closed_stdout(args: list[str]) -> tuple[int, str]:
    """Run with stdout a pipe whose reader is already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        r = subprocess.run(args, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    return r.returncode, r.stderr


def _warnings_only(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text().replace("wandb_project: ck-capitalization", "wandb_project: ck-capitalization\n  extra_key: 1")
    f = tmp_path / "experiment_summary.yaml"
    f.write_text(text)
    return f


def test_warnings_only_run_exits_0_with_closed_stdout(tmp_path):
    design = _warnings_only(tmp_path)
    open_run = subprocess.run([CK_VALIDATE, str(design)], capture_output=True, text=True, timeout=120)
    assert open_run.returncode == 0 and "warning" in open_run.stdout
    code, stderr = _status_with_closed_stdout([CK_VALIDATE, str(design)])
    assert code == 0, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_errors_exit_1_with_closed_stdout():
    code, stderr = _status_with_closed_stdout([CK_VALIDATE, str(MISTAKES)])
    assert code == 1, stderr
    assert "Traceback" not in stderr


def test_ctrl_c_exits_130_without_traceback(tmp_path):
    # A FIFO would be refused unread, so block the child on something it must wait for:
    # stdin of a Python wrapper that imports and runs ck-validate's main after a signal.
    script = tmp_path / "slow.py"
    script.write_text(
        "import sys, time\n"
        "from ck_design.validate import cli\n"
        "orig = cli.run\n"
        "def slow(argv=None):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
        "    return orig(argv)\n"
        "cli.run = slow\n"
        "sys.exit(cli.main([sys.argv[1]]))\n"
    )
    p = subprocess.Popen([sys.executable, str(script), str(EXAMPLE)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_at_a_terminal)
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 130
    assert stderr.strip() == "ck-validate: interrupted"


def test_readme_documents_every_exit_code():
    readme = (REPO / "README.md").read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 130 |"):
        assert code in readme
