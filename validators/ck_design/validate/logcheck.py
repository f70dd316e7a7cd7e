"""`ck-validate --log`: checks design-experiment.log against its format (spec/logformat.py)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from ..spec.logformat import ACTION_TYPES, RESULTS, TIMESTAMP_FORMAT
from .findings import Finding

# --- Validation (`ck-validate --log`) --------------------------------------------------------
# Codes CK300-CK309 are public like the CK0xx-CK2xx ones (users --ignore them); their docs live
# in the rule registry (ck_design.rules), which takes severity and summary from here.

LOG_RULES: dict[str, tuple[str, str]] = {
    "CK300": ("error", "The log cannot be read as text, or holds no entries."),
    "CK301": ("error", "An entry header is not `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE`, or its timestamp is not a real date and time."),
    "CK302": ("error", "An entry's action type is not one of the known action types."),
    "CK303": ("error", "An entry's second line is not its `Details:` line."),
    "CK304": ("error", "A line inside an entry is not a `Key: value` line."),
    "CK305": ("error", "An entry does not end with `Result: success|failure|warning`."),
    "CK306": ("error", "A failure or warning entry has no `Error: <Type> - <message>` line, or it is malformed."),
    "CK307": ("error", "An entry's timestamp is earlier than the entry before it."),
    "CK308": ("warning", "Entries are not separated by exactly one blank line."),
    "CK309": ("warning", "START_DESIGN lacks Experiment/Type/Directory, or COMPLETE_DESIGN lacks Duration."),
}

MAX_LOG_BYTES = 10 * 1024 * 1024
# Loose on purpose, so a near-miss header is reported as a bad header, not as stray text.
_HEADER_LIKE_RE = re.compile(r"^\s*\[([^\]]*)\]\s*(.*?)\s*$")
_TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_ACTION_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
# `Key:` with nothing after it is allowed: trailing-whitespace hooks strip "Key: ".
_BODY_LINE_RE = re.compile(r"^([A-Z][A-Za-z0-9 /()_.-]*):(?: (.*))?$")
_ERROR_VALUE_RE = re.compile(r"^(\S+) - (\S.*)$")
_REQUIRED_KEYS = {
    "START_DESIGN": ("Experiment", "Type", "Directory"),
    "COMPLETE_DESIGN": ("Duration",),
}


def _finding(path: str, line: int, column: int, code: str, message: str, hint: str | None = None) -> Finding:
    return Finding(path, line, column, code, LOG_RULES[code][0], message, hint)


def _closest_action(action: str) -> str | None:
    import difflib

    upper = action.upper().replace("-", "_").replace(" ", "_")
    if upper in ACTION_TYPES:
        return upper
    match = difflib.get_close_matches(upper, ACTION_TYPES, n=1, cutoff=0.6)
    return match[0] if match else None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_log(text: str | bytes, path: str = "<string>") -> list[Finding]:
    """Findings (ck_design.findings.Finding) for a design-experiment.log against SPEC 8."""
    if isinstance(text, bytes):
        if len(text) > MAX_LOG_BYTES:
            return [_finding(path, 1, 1, "CK300", "the log is larger than 10 MB; a design log is at most 10 MB")]
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text.count(b"\n", 0, exc.start) + 1
            column = exc.start - (text.rfind(b"\n", 0, exc.start) + 1) + 1
            return [
                _finding(path, line, column, "CK300", f"not UTF-8 text: byte 0x{text[exc.start]:02x} cannot be decoded",
                         "the log is written as UTF-8; re-save it as UTF-8")
            ]
    if "\x00" in text:
        return [_finding(path, 1, 1, "CK300", "the log holds NUL bytes: it is binary, not a design log")]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [_finding(path, 1, 1, "CK300", "the log holds no entries",
                         "a design log starts with a START_DESIGN entry")]

    findings: list[Finding] = []
    # Group lines into entries: a blank line ends one; a header line starts one even without the
    # blank line before it (reported as CK308), so one missing separator costs one finding.
    entries: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    blank_run = 0
    first_blank_line = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line:
            if blank_run == 0:
                first_blank_line = number
            blank_run += 1
            if current:
                entries.append(current)
                current = []
            continue
        starts_entry = _HEADER_LIKE_RE.match(line) is not None
        if current and starts_entry:
            findings.append(_finding(path, number, 1, "CK308", "no blank line before this entry",
                                     "separate entries with one blank line"))
            entries.append(current)
            current = []
        elif blank_run > 1 and (entries or current):
            findings.append(_finding(path, first_blank_line + 1, 1, "CK308",
                                     f"{blank_run} blank lines between entries; the format uses exactly one",
                                     "separate entries with one blank line"))
        elif blank_run and not entries and not current:
            findings.append(_finding(path, 1, 1, "CK308", f"the log starts with {blank_run} blank line(s)",
                                     "start the log with its first entry's header"))
        blank_run = 0
        current.append((number, line))
    if current:
        entries.append(current)

    previous: tuple[datetime, int] | None = None
    for entry in entries:
        when = _check_entry(entry, path, findings)
        if when is not None:
            if previous is not None and when < previous[0]:
                findings.append(
                    _finding(
                        path, entry[0][0], 2, "CK307",
                        f"timestamp {when.strftime(TIMESTAMP_FORMAT)} is earlier than "
                        f"{previous[0].strftime(TIMESTAMP_FORMAT)} (the entry at line {previous[1]})",
                        "entries are appended in order; fix the clock or the edited timestamp",
                    )
                )
            if previous is None or when >= previous[0]:
                previous = (when, entry[0][0])
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def _check_entry(entry: list[tuple[int, str]], path: str, findings: list[Finding]) -> datetime | None:
    """Check one entry's lines; return its timestamp when the header has a real one."""
    header_no, header = entry[0]
    m = _HEADER_LIKE_RE.match(header)
    if m is None:
        findings.append(
            _finding(path, header_no, 1, "CK301",
                     f"expected an entry header `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE`, found {_short(header)!r}",
                     "each entry starts with its header line, after one blank line")
        )
        return None
    stamp, action = m.group(1), m.group(2)
    when: datetime | None = None
    if not _TIMESTAMP_RE.match(stamp):
        findings.append(
            _finding(path, header_no, 2, "CK301", f"timestamp {stamp!r} is not `YYYY-MM-DD HH:MM:SS`",
                     "write it as e.g. [2026-11-25 14:30:01]")
        )
    else:
        try:
            when = datetime.strptime(stamp, TIMESTAMP_FORMAT)
        except ValueError as exc:
            findings.append(_finding(path, header_no, 2, "CK301", f"timestamp {stamp!r} is not a real date and time ({exc})"))
    action_col = header.index("]") + 2 if "]" in header else 1
    if not action:
        findings.append(_finding(path, header_no, action_col, "CK301", f"the header {_short(header)!r} names no action type",
                                 "follow the timestamp with an ACTION_TYPE such as VERIFY_MODEL"))
    elif action not in ACTION_TYPES:
        closest = _closest_action(action)
        shape = "" if _ACTION_RE.match(action) else " (action types are UPPER_SNAKE_CASE)"
        findings.append(
            _finding(path, header_no, action_col, "CK302", f"unknown action type {_short(action)!r}{shape}",
                     f"did you mean {closest}?" if closest else f"use one of {', '.join(ACTION_TYPES)}")
        )

    body = entry[1:]
    if not body or not body[0][1].startswith("Details:"):
        at = body[0][0] if body else header_no
        findings.append(
            _finding(path, at, 1, "CK303",
                     f"the {action or 'entry'} entry's second line is not `Details: ...`"
                     + (f" (found {_short(body[0][1])!r})" if body else " (the entry has only its header)"),
                     "put a `Details: <what was done>` line right after the header")
        )

    keys: dict[str, tuple[int, str]] = {}
    for number, line in body:
        kv = _BODY_LINE_RE.match(line)
        if kv is None:
            findings.append(
                _finding(path, number, 1, "CK304", f"{_short(line)!r} is not a `Key: value` line",
                         "continuation text must stay on its key's line (newlines are written as \\n)")
            )
            continue
        keys.setdefault(kv.group(1), (number, kv.group(2) or ""))

    last_no, last = body[-1] if body else (header_no, header)
    result_line = keys.get("Result")
    result: str | None = None
    result_at = last_no
    if last.startswith("Result:"):
        result = last.partition(":")[2].strip()
    elif result_line is not None:
        findings.append(_finding(path, result_line[0], 1, "CK305",
                                 f"`Result:` is not the last line of the {action or 'entry'} entry",
                                 "move the Result line to the end of its entry"))
        result, result_at = result_line[1].strip(), result_line[0]
    else:
        findings.append(_finding(path, last_no, 1, "CK305", f"the {action or 'entry'} entry has no `Result:` line",
                                 "end the entry with `Result: success`, `Result: failure` or `Result: warning`"))
    if result is not None and result not in RESULTS:
        findings.append(_finding(path, result_at, 1, "CK305",
                                 f"result {_short(result)!r} is not success, failure or warning",
                                 "write `Result: success`, `Result: failure` or `Result: warning`"))
        result = None

    error_line = keys.get("Error")
    if result in ("failure", "warning"):
        if error_line is None:
            findings.append(_finding(path, last_no, 1, "CK306",
                                     f"the {action or 'entry'} entry's result is {result} but it has no `Error:` line",
                                     "add `Error: <Type> - <message>` before the Result line, e.g. "
                                     "`Error: FileNotFoundError - model directory missing`"))
    if error_line is not None and not _ERROR_VALUE_RE.match(error_line[1].strip()):
        findings.append(_finding(path, error_line[0], 1, "CK306",
                                 f"error {_short(error_line[1])!r} is not `<Type> - <message>`",
                                 "write e.g. `Error: FileNotFoundError - model directory missing`"))

    missing = [k for k in _REQUIRED_KEYS.get(action, ()) if k not in keys]
    if missing:
        findings.append(_finding(path, header_no, 1, "CK309",
                                 f"the {action} entry has no {', '.join(missing)} line{'s' if len(missing) > 1 else ''}",
                                 f"add {', '.join(f'`{k}: ...`' for k in missing)}"))
    return when


def check_log_file(path: str | os.PathLike[str]) -> list[Finding]:
    """Read and check a log. OSError propagates (the CLI turns it into exit 2)."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_LOG_BYTES:
        return [_finding(str(path), 1, 1, "CK300", f"the log is {size / 1e6:.1f} MB; a design log is at most 10 MB")]
    # Bounded read: a device or pipe reports size 0 and may never end.
    with open(p, "rb") as fh:
        data = fh.read(MAX_LOG_BYTES + 1)
    return check_log(data, str(path))
