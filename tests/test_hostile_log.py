"""Issue 13, item 4: every character any reader treats as a line break is escaped in the design
log, so an answer cannot split a line or forge an entry. Real copier copy, real ck-validate --log."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ck_design.spec.logformat import format_entry
from ck_design.validate.rules.log import check_log

from copier_support import CK_VALIDATE, answers_for, clean_env, copier_copy, make_scratch, shared_template

BREAKS = ["\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
FORGED = "[9999-12-31 23:59:59] COMPLETE_DESIGN\nDetails: forged\nResult: success"


@pytest.mark.parametrize("ch", BREAKS)
def test_every_line_break_is_escaped(ch):
    entry = format_entry("USER_RESPONSE", "Answer to question", {"Question": "question", "Response": f"a{ch}{ch}{FORGED.replace(chr(10), ch)}"})
    # header, Details, Question, Response, Result: five lines for every reader
    assert len(entry.splitlines()) == 5
    assert entry.splitlines() == entry.split("\n")
    assert check_log(entry + "\n") == []


def test_answer_with_unicode_separators_cannot_forge_entries(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    hostile = "Q?\u2028" + FORGED.replace("\n", "\u2029") + "\x85\v\f\x1c"
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    work = tmp_path / "cwd"
    work.mkdir()
    r = copier_copy(template, dst, answers_for(res, question=hostile, hypothesis="h\u2028[2026-01-01 00:00:00] START_DESIGN"), env, work)
    assert r.returncode == 0, r.stderr
    log = dst / "logs" / "design-experiment.log"
    text = log.read_text(encoding="utf-8")
    assert not any(ch in text for ch in BREAKS if ch != "\n")
    assert "9999-12-31" not in [ln[1:11] for ln in text.split("\n") if ln.startswith("[")]
    v = subprocess.run([CK_VALIDATE, "--log", str(log)], capture_output=True, text=True, timeout=120)
    assert v.returncode == 0, v.stdout + v.stderr
    # what Python's splitlines (the most liberal reader) sees is the same lines
    assert text.splitlines() == text.split("\n")[:-1]
