"""Issue 13, item 12: Ctrl-C while the post-copy hook runs. A real `copier copy` with a real slow
step (counting a ~50 MB dataset) gets SIGINT on its whole process group, as a terminal's Ctrl-C
does, once the hook has logged VERIFY_MODEL: no traceback, the log ends with an interrupted
COMPLETE_DESIGN failure entry that `ck-validate --log` accepts, and the printed command finishes
the design (verifications, log, the commit of the template's files)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from test_hostile_exit import ctrl_c_as_at_a_terminal
from copier_support import (
    CK_VALIDATE,
    COPIER,
    answers_for,
    clean_env,
    git,
    log_actions,
    make_scratch,
    shared_template,
)


def _log_ok(log, env):
    r = subprocess.run([CK_VALIDATE, "--log", str(log)], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "CK3" not in r.stdout, r.stdout


def test_ctrl_c_in_the_hook_logs_the_interruption_and_says_how_to_finish(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    rows = [{"input": f"word{i}", "output": f"WORD{i}"} for i in range(1_000_000)]
    Path(res["dataset"]).write_text(json.dumps({"train": rows, "validation": rows[:100], "test": rows[:100]}))
    data = tmp_path / "answers.yml"
    data.write_text(yaml.safe_dump(answers_for(res)))
    dst = tmp_path / "exp"
    log = dst / "logs" / "design-experiment.log"
    p = subprocess.Popen([COPIER, "copy", "--trust", "--defaults", "--data-file", str(data), str(template), str(dst)],
                         cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, preexec_fn=ctrl_c_as_at_a_terminal)
    # Wait until the hook is past VERIFY_MODEL, i.e. counting the dataset. The bound only catches
    # a hang (how fast the hook gets there is not what is tested).
    deadline = time.monotonic() + 300
    while p.poll() is None and not (log.exists() and "] VERIFY_MODEL" in log.read_text()):
        if time.monotonic() > deadline:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            pytest.fail(f"the hook did not reach VERIFY_MODEL within 300 s; copier said:\n{out}\n{err}")
        time.sleep(0.01)
    assert p.poll() is None, "copier ended before the hook reached the dataset"
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=600)

    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "ck-design: interrupted (Ctrl-C) while verifying the models, dataset and task scripts" in err
    assert "logs/design-experiment.log ends with the interruption; nothing was committed" in err
    last = log.read_text().rstrip("\n").split("\n\n")[-1]
    assert "] COMPLETE_DESIGN" in last.splitlines()[0]
    assert "Error: Interrupted - Ctrl-C while verifying" in last and last.endswith("Result: failure")
    assert "GENERATE_RUNS" not in log_actions(dst)
    _log_ok(log, env)
    assert not (dst / ".git").exists()

    # do what it says
    command = re.search(r"To finish: run `([^`]+)` there", err).group(1)
    r = subprocess.run(shlex.split(command), cwd=dst, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "experiment design ready" in r.stdout
    actions = log_actions(dst)
    assert actions.count("START_DESIGN") == 2 and actions[-1] == "COMPLETE_DESIGN"
    assert "Details: Resuming the interrupted post-copy hook" in log.read_text()
    _log_ok(log, env)
    assert "logs/design-experiment.log" in git(["ls-files"], dst).stdout
    assert git(["status", "--porcelain"], dst).stdout == ""
