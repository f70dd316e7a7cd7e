"""Issue 9 item 16: a `copier update` that changes nothing appends one short entry; an update
re-verifies (and logs) only what its changed answers touch; the log records numbers as numbers.
The hook runs in-process on a real design directory (tests/test_hook.py's helpers)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ck_design.validate.rules.log import check_log_file

from test_hook import ANSWERS, entries, run_hook, write_design
from copier_support import make_scratch


def _copied(tmp_path: Path, answers: dict | None = None) -> Path:
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    # as a real copy renders it: every measured value as measured (an update refreshes a stale
    # one: tests/test_update_facts.py)
    write_design(dst, res, size_kb=round(Path(res["dataset"]).stat().st_size / 1024))
    (dst / ".copier-answers.yml").write_text(yaml.safe_dump(answers or ANSWERS))  # what copier recorded (committed)
    assert run_hook(dst)[0] == 0
    return dst


def test_16_update_that_changes_nothing_appends_one_short_entry(tmp_path, env):
    dst = _copied(tmp_path)
    before = entries(dst)
    rc, out = run_hook(dst, operation="update", stage="after", answers=dict(ANSWERS))
    assert rc == 0
    added = entries(dst)[len(before):]
    assert len(added) == 1, added
    (entry,) = added
    assert entry[0].endswith("UPDATE_DESIGN") and entry[1] == "Details: copier update: no change"
    assert "Answers changed: 0" in entry and entry[-1] == "Result: success"
    assert "no change" in out
    assert check_log_file(dst / "logs" / "design-experiment.log") == []


def test_16_an_answer_spelled_differently_is_no_change(tmp_path, env):
    # '1e-4' (a YAML 1.1 string, as copier reads a number typed in a YAML question) is 0.0001.
    dst = _copied(tmp_path, {**ANSWERS, "lr": 0.0001})
    before = len(entries(dst))
    respelled = {**ANSWERS, "lr": "1e-4"}
    run_hook(dst, operation="update", stage="after", answers=respelled)
    assert len(entries(dst)) == before + 1


def test_16_update_logs_only_what_changed_with_numbers_as_numbers(tmp_path, env):
    dst = _copied(tmp_path)
    before = len(entries(dst))
    changed = {**ANSWERS, "variables": {"lora_rank": [4, 8], "lr": ["1e-5", "1e-4"]}}
    run_hook(dst, operation="update", stage="after", answers=changed)
    added = entries(dst)[before:]
    actions = [e[0].split("] ", 1)[1] for e in added]
    # No model, dataset, task or disk re-verification: those answers did not change.
    assert not {"VERIFY_MODEL", "VERIFY_DATASET", "VERIFY_TASKS", "CHECK_DISK", "CALCULATE_DISK_USAGE"} & set(actions), actions
    assert actions[0] == "UPDATE_DESIGN" and "USER_RESPONSE" in actions and "GENERATE_RUNS" in actions
    assert len(added) < 13
    response = next(e for e in added if e[0].endswith("USER_RESPONSE"))
    assert 'Response: {"lora_rank": [4, 8], "lr": [1e-05, 0.0001]}' in response
    assert check_log_file(dst / "logs" / "design-experiment.log") == []
