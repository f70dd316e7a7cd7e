"""design-experiment.log: the audit trail of a design (SPEC section 8).

Writing lives here (the post-copy hook appends one entry per finished action) and so does
reading/validating (`ck-validate --log`), so the format is defined in exactly one place.

    [2026-11-25 14:30:01] VERIFY_MODEL
    Details: Verifying model directory exists
    Model: Llama-3.2-1B-Instruct
    Path: /scratch/.../Llama-3.2-1B-Instruct
    Size: 2.4 GB
    Result: success
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
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
    "CREATE_LOG",
    "COMPLETE_DESIGN",
    "UPDATE_DESIGN",
)
RESULTS = ("success", "failure", "warning")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
HEADER_RE = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\] ([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$")
KEY_VALUE_RE = re.compile(r"^([A-Z][A-Za-z0-9 /()_-]*): (.*)$")


def _one_line(value: Any) -> str:
    """Values are single-line: a newline in a user's answer would forge a new log line."""
    text = str(value)
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def format_entry(
    action: str,
    details: str,
    fields: Mapping[str, Any] | None = None,
    result: str = "success",
    error: str | None = None,
    when: datetime | None = None,
) -> str:
    """One entry, without the blank separator line. `error` is "<Type> - <message>"."""
    if action not in ACTION_TYPES:
        raise ValueError(f"unknown log action {action!r}; expected one of {', '.join(ACTION_TYPES)}")
    if result not in RESULTS:
        raise ValueError(f"log result must be one of {', '.join(RESULTS)}, not {result!r}")
    if result != "success" and not error:
        raise ValueError(f"a {result} entry needs an Error line (Type - message)")
    when = when or datetime.now()
    lines = [f"[{when.strftime(TIMESTAMP_FORMAT)}] {action}", f"Details: {_one_line(details)}"]
    for key, value in (fields or {}).items():
        lines.append(f"{key}: {_one_line(value)}")
    if error and result != "success":
        lines.append(f"Error: {_one_line(error)}")
    lines.append(f"Result: {result}")
    return "\n".join(lines)


def append_entry(path: str | os.PathLike[str], entry: str) -> None:
    """Append one entry and flush it to disk, so a crash later leaves every finished entry."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    needs_separator = p.exists() and p.stat().st_size > 0
    with open(p, "a", encoding="utf-8") as fh:
        fh.write(("\n" if needs_separator else "") + entry + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def last_timestamp(path: str | os.PathLike[str]) -> datetime | None:
    """The newest header timestamp in an existing log, so new entries never go backwards."""
    p = Path(path)
    if not p.exists():
        return None
    newest = None
    for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
        m = HEADER_RE.match(line)
        if m:
            ts = datetime.strptime(m.group(1), TIMESTAMP_FORMAT)
            newest = ts if newest is None or ts > newest else newest
    return newest
