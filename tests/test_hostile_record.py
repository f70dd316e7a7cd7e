"""Issue 21, item 11: a tampered logs/resource-facts.json (`[` x 200,000) is read bounded and said
in one line: the update finishes, the log ends with COMPLETE_DESIGN and `ck-validate --log` is
clean, and the record is written anew. Real copy, real commit, real `copier update`."""

from __future__ import annotations

import json
import subprocess

from copier_support import copied_experiment, copier_update, git, log_actions
from tools import CK_VALIDATE

FACTS = "logs/resource-facts.json"


def test_a_deeply_nested_record_is_a_note_not_a_crash(tmp_path):
    dst, env = copied_experiment(tmp_path)
    (dst / FACTS).write_text("[" * 200_000)
    git(["commit", "-q", "--no-verify", "-am", "tampered record"], dst, env)
    r = copier_update(dst, env, {"epochs": 3}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "RecursionError" not in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert (f"note: {FACTS} could not be read ({dst / FACTS}: the JSON nests too deeply to read): measured "
            "values are compared with nothing this time, and the file is written anew") in r.stdout
    assert log_actions(dst)[-1] == "COMPLETE_DESIGN"
    v = subprocess.run([CK_VALIDATE, "--log", str(dst / "logs" / "design-experiment.log")],
                       capture_output=True, text=True, env=env)
    assert v.returncode == 0 and "CK3" not in v.stdout, v.stdout
    assert isinstance(json.loads((dst / FACTS).read_text())["facts"], dict)
