"""Issue 13, item 5: `copier update` with a read-only design log says in one message what happened
and what to do (no traceback, no "please report"), and the printed command then writes the
entries; a deleted log is re-created with a first entry saying it was started fresh, and
`ck-validate --log` passes. Real copier CLI, real git; as root, the copier process runs without
CAP_DAC_OVERRIDE (setpriv) so the file's mode bits hold, as for any user."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
from tools import unprivileged

from copier_support import (
    CK_VALIDATE,
    COPIER,
    answers_for,
    clean_env,
    copier_copy,
    git,
    log_actions,
    make_scratch,
    shared_template,
)

LOG = "logs/design-experiment.log"


@pytest.fixture
def experiment(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "exp"
    assert copier_copy(template, dst, answers_for(res), env, tmp_path).returncode == 0
    return dst, env


def _update(dst, env, epochs):
    return subprocess.run(unprivileged([COPIER, "update", "--trust", "--defaults", "--data", f"epochs={epochs}"]),
                          cwd=dst, env=env, capture_output=True, text=True, timeout=600)


def _log_ok(dst, env):
    r = subprocess.run([CK_VALIDATE, "--log", str(dst / LOG)], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "CK3" not in r.stdout, r.stdout


def test_read_only_log_on_update_is_one_clear_message_and_resumable(experiment):
    dst, env = experiment
    log = dst / LOG
    before = log.read_bytes()
    log.chmod(0o444)
    r = _update(dst, env, 3)
    assert r.returncode == 1, r.stderr  # not a success: the log has no entry for this update
    assert "Traceback" not in r.stderr and "report this" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("ck-design:")]
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith(f"ck-design: the design was updated, but {LOG} cannot be written (Permission denied)")
    assert f"chmod u+w {LOG}" in line
    assert log.read_bytes() == before  # nothing half-written
    assert "epochs: 3" in (dst / ".copier-answers.yml").read_text()
    # do what it says: make it writable and run the printed command
    log.chmod(0o644)
    command = re.search(r"then run `([^`]+)`", line).group(1)
    resumed = subprocess.run(shlex.split(command), cwd=dst, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "epochs: 2 -> 3" in resumed.stdout
    assert log.read_bytes().startswith(before)
    assert log_actions(dst)[-1] == "COMPLETE_DESIGN" and "UPDATE_DESIGN" in log_actions(dst)
    _log_ok(dst, env)


def test_deleted_log_is_started_fresh_and_says_so(experiment):
    dst, env = experiment
    (dst / LOG).unlink()
    git(["commit", "-q", "-am", "lost the log"], dst, env)
    r = _update(dst, env, 3)
    assert r.returncode == 0, r.stderr
    text = (dst / LOG).read_text()
    first = text.split("\n\n", 1)[0]
    assert first.splitlines()[0].endswith("] CREATE_LOG")
    assert "started fresh" in first and "Result: warning" in first
    assert f"Warning: LogMissing - {LOG} was missing; its earlier history is in git" in first
    assert log_actions(dst)[1] == "UPDATE_DESIGN"
    _log_ok(dst, env)
