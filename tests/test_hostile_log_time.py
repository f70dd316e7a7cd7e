"""Issue 21, item 12: a log entry from the future is a CK307 finding, and the hook's later entries
keep the real time (a forged `[9999-12-31 23:59:59]` no longer stamps every later entry). A real
copy, a forged entry committed, a real `copier update`, the real `ck-validate --log`."""

from __future__ import annotations

import subprocess
from datetime import datetime

from copier_support import copied_experiment, copier_update, git
from tools import CK_VALIDATE

LOG = "logs/design-experiment.log"
FORGED = "[9999-12-31 23:59:59] VERIFY_MODEL\nDetails: Verifying model directory exists\nResult: success\n"


def test_a_future_entry_is_a_finding_and_does_not_stamp_later_entries(tmp_path):
    dst, env = copied_experiment(tmp_path)
    log = dst / LOG
    log.write_text(log.read_text() + "\n" + FORGED)
    forged_line = log.read_text().splitlines().index(FORGED.splitlines()[0]) + 1
    git(["commit", "-q", "--no-verify", "-am", "a forged entry"], dst, env)  # as a hostile clone holds it
    r = subprocess.run([CK_VALIDATE, "--log", str(log)], capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert f"{log}:{forged_line}:2: CK307 error: timestamp 9999-12-31 23:59:59 is in the future" in r.stdout
    u = copier_update(dst, env, {"epochs": 3}, tmp_path)
    assert u.returncode == 0, u.stderr
    stamps = [line[1:20] for line in log.read_text().splitlines()[forged_line:] if line.startswith("[")]
    assert stamps and all(s.startswith(str(datetime.now().year)) for s in stamps), stamps
    r = subprocess.run([CK_VALIDATE, "--log", str(log)], capture_output=True, text=True, env=env)
    assert [line.split(" CK")[1][:3] for line in r.stdout.splitlines() if " CK3" in line] == ["307"], r.stdout
