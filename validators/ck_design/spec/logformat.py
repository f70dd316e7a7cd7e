"""The format of design-experiment.log, the audit trail of a design (docs/rules.md, CK300-CK309).

Defined once, here: the post-copy hook and ck-scaffold write entries with `format_entry`
(facts/designlog.py appends them) and `ck-validate --log` reads them back
(validate/rules/log.py).

    [2026-11-25 14:30:01] VERIFY_MODEL
    Details: Verifying model directory exists
    Model: Llama-3.2-1B-Instruct
    Path: /scratch/.../Llama-3.2-1B-Instruct
    Size: 2.4 GB
    Result: success
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

ACTION_TYPES: tuple[str, ...] = (
    "START_DESIGN",
    "CONSULT_PRIOR_EXPERIMENT",
    "CONSULT_DOCUMENTATION",
    "VERIFY_MODEL",
    "VERIFY_DATASET",
    "COUNT_DATASET_SAMPLES",
    "VERIFY_EVAL_TASK",
    "SEARCH_PRIOR_RUNS",
    "EXTRACT_TRAINING_SPEED",
    "CALCULATE_TRAINING_TIME",
    "CHECK_DISK_SPACE",
    "CALCULATE_DISK_USAGE",
    "USER_QUESTION",
    "USER_RESPONSE",
    "DESIGN_DECISION",
    "GENERATE_RUNS",
    "GENERATE_EVAL_MATRIX",
    "CREATE_YAML",
    "SCAFFOLD_JOBS",
    "CREATE_LOG",
    "COMPLETE_DESIGN",
    "UPDATE_DESIGN",
)
RESULTS = ("success", "failure", "warning")
# How far ahead of this machine's clock an entry's time may be (another machine's clock, the
# hook on a login node) and still count: later is CK307, and the hook stamps new entries with
# the real time instead of following it.
CLOCK_SKEW = timedelta(minutes=10)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
HEADER_RE = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\] ([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$")


# Every character some reader takes as a line break (Python's str.splitlines, editors, the
# web: \v \f \x1c-\x1e \x85 U+2028 U+2029 besides \r \n), and every other control character:
# an answer holding one would split a log line and could forge an entry (docs/security.md).
_ESCAPES = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\t"}
_NEEDS_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    return _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def _one_line(value: Any) -> str:
    """Values are single-line: a line break in a user's answer would forge a new log line."""
    return _NEEDS_ESCAPE.sub(_escape, str(value))


def problem_key(result: str) -> str:
    """The key of the line that says what went wrong: `Warning:` in a warning entry (it is
    not an error), `Error:` in a failure. SPEC.md section 8 writes `Error:` for both; logs
    written before this distinction stay valid (ck-validate --log accepts `Error:` there too)."""
    return "Warning" if result == "warning" else "Error"


def format_entry(
    action: str,
    details: str,
    fields: Mapping[str, Any] | None = None,
    result: str = "success",
    error: str | None = None,
    when: datetime | None = None,
) -> str:
    """One entry, without the blank separator line. `error` is "<Type> - <message>", written on a
    `Warning:` or `Error:` line (problem_key)."""
    if action not in ACTION_TYPES:
        raise ValueError(f"unknown log action {action!r}; expected one of {', '.join(ACTION_TYPES)}")
    if result not in RESULTS:
        raise ValueError(f"log result must be one of {', '.join(RESULTS)}, not {result!r}")
    if result != "success" and not error:
        raise ValueError(f"a {result} entry needs a {problem_key(result)} line (Type - message)")
    when = when or datetime.now()
    lines = [f"[{when.strftime(TIMESTAMP_FORMAT)}] {action}", f"Details: {_one_line(details)}"]
    for key, value in (fields or {}).items():
        lines.append(f"{key}: {_one_line(value)}")
    if error and result != "success":
        lines.append(f"{problem_key(result)}: {_one_line(error)}")
    lines.append(f"Result: {result}")
    return "\n".join(lines)
