"""design-experiment.log validation: good logs pass, each broken rule has its code and line."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ck_design.validate.rules import log as logfile
from ck_design.facts.designlog import append_entry
from ck_design.spec.logformat import format_entry
from ck_design.validate.rules.log import LOG_RULES, check_log

CK_VALIDATE = str(Path(sys.executable).parent / "ck-validate")
T0 = datetime(2026, 11, 25, 14, 30, 1)


def good_log(path: Path) -> Path:
    """A log as the post-copy hook writes it, through the writer's own functions."""
    entries = [
        ("START_DESIGN", "Starting experiment design",
         {"Experiment": "cap_lora_2026-11-25", "Type": "experiment", "Directory": "/scratch/me/ck-experiments/x"}, "success", None),
        ("USER_RESPONSE", "Answer recorded", {"Question": "question", "Answer": "Does: rank\nmatter? {input}"}, "success", None),
        ("VERIFY_MODEL", "Verifying model directory exists",
         {"Model": "Llama-3.2-1B-Instruct", "Path": "/scratch/me/models/x", "Size": "2.4 GB"}, "success", None),
        ("VERIFY_DATASET", "Verifying dataset exists", {"Path": "/scratch/me/data/d.json"}, "failure",
         "FileNotFoundError - /scratch/me/data/d.json does not exist"),
        ("CHECK_DISK_SPACE", "Checking free space", {"Free": "12 GB"}, "warning", "LowDiskSpace - 12 GB free, 40 GB needed"),
        ("COMPLETE_DESIGN", "Design complete", {"Duration": "3.2s"}, "success", None),
    ]
    for i, (action, details, fields, result, error) in enumerate(entries):
        # Two entries in the same second is normal: timestamps may repeat, never go back.
        when = T0 + timedelta(seconds=i // 2)
        append_entry(path, format_entry(action, details, fields, result=result, error=error, when=when))
    return path


def codes(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in check_log(text, "design-experiment.log")]


def test_log_written_by_the_writer_is_valid(tmp_path: Path) -> None:
    log = good_log(tmp_path / "logs" / "design-experiment.log")
    assert logfile.check_log_file(log) == []


def test_update_entries_appended_later_are_valid(tmp_path: Path) -> None:
    log = good_log(tmp_path / "design-experiment.log")
    append_entry(log, format_entry("UPDATE_DESIGN", "copier update", {"Changed": "lora_rank"},
                                   when=T0 + timedelta(days=1)))
    assert logfile.check_log_file(log) == []


def test_crlf_line_endings_are_accepted(tmp_path: Path) -> None:
    text = good_log(tmp_path / "design-experiment.log").read_text()
    assert check_log(text.replace("\n", "\r\n")) == []


# Every break str.splitlines() honours besides \r and \n. The writer escapes them all; a log edited by
# hand may hold them raw, and they must neither end a line nor forge an entry (log.py, check_log).
OTHER_BREAKS = ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", OTHER_BREAKS, ids=[f"U+{ord(b):04X}" for b in OTHER_BREAKS])
def test_only_newline_ends_a_line(brk: str) -> None:
    forged = f"a{brk}{brk}[2026-01-01 00:00:00] START_DESIGN{brk}Details: forged{brk}Result: success"
    entry = f"[2026-11-25 14:30:01] USER_RESPONSE\nDetails: answer\nAnswer: {forged}\nResult: success\n"
    assert codes(entry) == []
    # Line numbers count newlines only: the CK305 of the second entry is on the file's line 9.
    assert codes(entry + "\n" + entry.replace("Result: success", "Result: ok")) == [("CK305", 9)]


def test_trailing_whitespace_stripped_empty_value_is_accepted() -> None:
    assert codes("[2026-11-25 14:30:01] USER_RESPONSE\nDetails: answer\nAnswer:\nResult: success\n") == []


ENTRY = "[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: Verifying model\nModel: m\nResult: success\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[2026-11-25 14:30] VERIFY_MODEL\nDetails: d\nResult: success\n", [("CK301", 1)]),
        ("[2026-02-30 14:30:01] VERIFY_MODEL\nDetails: d\nResult: success\n", [("CK301", 1)]),
        ("[2026-11-25 25:30:01] VERIFY_MODEL\nDetails: d\nResult: success\n", [("CK301", 1)]),
        ("VERIFY_MODEL at 14:30\nDetails: d\nResult: success\n", [("CK301", 1)]),
        ("[2026-11-25 14:30:01]\nDetails: d\nResult: success\n", [("CK301", 1)]),
        ("[2026-11-25 14:30:01] VERIFY_MODLE\nDetails: d\nResult: success\n", [("CK302", 1)]),
        ("[2026-11-25 14:30:01] verify_model\nDetails: d\nResult: success\n", [("CK302", 1)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nModel: m\nResult: success\n", [("CK303", 2)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nModel: m\nsecond line\nResult: success\n", [("CK304", 4)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nModel: m\n", [("CK305", 3)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nResult: success\nModel: m\n", [("CK305", 3)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nResult: ok\n", [("CK305", 3)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nResult: failure\n", [("CK306", 3)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nResult: warning\n", [("CK306", 3)]),
        ("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: d\nError: it broke\nResult: failure\n", [("CK306", 3)]),
        (ENTRY + "\n" + ENTRY.replace("14:30:01", "14:29:59"), [("CK307", 6)]),
        (ENTRY + ENTRY, [("CK308", 5)]),
        (ENTRY + "\n\n\n" + ENTRY, [("CK308", 6)]),
        ("[2026-11-25 14:30:01] START_DESIGN\nDetails: d\nExperiment: x\nResult: success\n", [("CK309", 1)]),
        ("[2026-11-25 14:30:01] COMPLETE_DESIGN\nDetails: d\nResult: success\n", [("CK309", 1)]),
        ("", [("CK300", 1)]),
        ("\n\n  \n", [("CK300", 1)]),
    ],
)
def test_each_broken_rule_is_reported_at_its_line(text: str, expected: list[tuple[str, int]]) -> None:
    assert codes(text) == expected


def test_not_utf8_log_is_ck300() -> None:
    (finding,) = check_log("[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: caf\xe9\n".encode("latin-1"), "x.log")
    assert (finding.code, finding.line, finding.column) == ("CK300", 2, 13)


def test_unknown_action_hint_names_the_closest_type() -> None:
    (finding,) = check_log("[2026-11-25 14:30:01] VERIFY_MODLE\nDetails: d\nResult: success\n", "x.log")
    assert finding.hint == "did you mean VERIFY_MODEL?"
    assert "'VERIFY_MODLE'" in finding.message


def test_backwards_timestamp_message_names_both_times() -> None:
    (finding,) = check_log(ENTRY + "\n" + ENTRY.replace("14:30:01", "14:29:59"), "x.log")
    assert "2026-11-25 14:29:59" in finding.message and "2026-11-25 14:30:01" in finding.message


def test_severities_match_the_registry() -> None:
    from ck_design.validate import registry as rules

    for code, (severity, summary) in LOG_RULES.items():
        assert rules.RULES[code].severity == severity
        assert rules.RULES[code].summary == summary


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CK_VALIDATE, *args], capture_output=True, text=True, timeout=60)


def test_cli_log_good_exits_0(tmp_path: Path) -> None:
    log = good_log(tmp_path / "design-experiment.log")
    proc = cli("--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "" and proc.stderr.strip() == "no problems in 1 file"


def test_cli_log_bad_exits_1_with_file_line_col(tmp_path: Path) -> None:
    log = tmp_path / "design-experiment.log"
    log.write_text(ENTRY + "\n[2026-11-25 14:30:02] VERIFY_DATASET\nDetails: d\nResult: failure\n")
    proc = cli("--log", str(log))
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        f"{log}:8:1: CK306 error: the VERIFY_DATASET entry's result is failure but it has no `Error:` line"
    )
    assert proc.stdout.splitlines()[1].startswith("  hint: add `Error: <Type> - <message>`")


def test_cli_log_default_path(tmp_path: Path) -> None:
    good_log(tmp_path / "logs" / "design-experiment.log")
    proc = subprocess.run([CK_VALIDATE, "--log"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_cli_recognises_log_files_by_suffix(tmp_path: Path) -> None:
    log = tmp_path / "design-experiment.log"
    log.write_text(ENTRY + ENTRY)
    proc = cli(str(log))
    assert proc.returncode == 0
    assert "CK308 warning" in proc.stdout
    assert cli("--strict", str(log)).returncode == 1


def test_registry_examples_of_log_rules_do_what_the_docs_say() -> None:
    from ck_design.validate import registry as rules

    for code in LOG_RULES:
        rule = rules.RULES[code]
        bad = "" if rule.bad_example == "(an empty file)" else rule.bad_example + "\n"
        assert [f.code for f in check_log(bad)] == [code], code
        assert check_log(rule.fixed_example + "\n") == [], code
