"""CK300-CK309: `ck-validate --log` checks design-experiment.log against its format
(spec/logformat.py): one entry per action, `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE`, then `Key: value`
lines ending with the Result, entries separated by one blank line, in time order."""

from __future__ import annotations

import os
import re
from datetime import datetime

from ...spec.logformat import ACTION_TYPES, CLOCK_SKEW, RESULTS, TIMESTAMP_FORMAT, problem_key
from ..findings import Finding
from . import LOG, Rule, rule

# Codes CK300-CK309 are public like the CK0xx-CK2xx ones (users --ignore them): (severity, summary)
# of each, what the checker emits; DOCS below adds what docs/rules.md shows.

LOG_RULES: dict[str, tuple[str, str]] = {
    "CK300": ("error", "The log cannot be read as text, or holds no entries."),
    "CK301": ("error", "An entry header is not `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE`, or its timestamp is not a real date and time."),
    "CK302": ("error", "An entry's action type is not one of the known action types."),
    "CK303": ("error", "An entry's second line is not its `Details:` line."),
    "CK304": ("error", "A line inside an entry is not a `Key: value` line."),
    "CK305": ("error", "An entry does not end with `Result: success|failure|warning`."),
    "CK306": ("error", "A failure entry has no `Error: <Type> - <message>` line (a warning: `Warning:`), or it is malformed."),
    "CK307": ("error", "An entry's timestamp is earlier than the entry before it, or in the future."),
    "CK308": ("warning", "Entries are not separated by exactly one blank line."),
    "CK309": ("warning", "START_DESIGN lacks Experiment/Type/Directory, or COMPLETE_DESIGN lacks Duration."),
}

_GOOD_ENTRY = """
    [2026-11-25 14:30:01] VERIFY_MODEL
    Details: Verifying model directory exists
    Model: Llama-3.2-1B-Instruct
    Result: success
    """


def _log_rule(code: str, why: str, hint: str, bad: str, fixed: str = _GOOD_ENTRY) -> Rule:
    severity, summary = LOG_RULES[code]
    return rule(code, severity, LOG, summary, why, hint, bad, fixed)


DOCS: list[Rule] = [
    _log_rule(
        "CK300",
        """The log is the audit trail of a design; a binary, non-UTF-8 or empty file cannot be
        one, and nothing else in it can be checked.""",
        "Restore the log from git; it is only ever appended to.",
        """
        (an empty file)
        """,
    ),
    _log_rule(
        "CK301",
        """Entries are found and ordered by their header; a malformed header or an impossible
        timestamp (2026-02-30) makes the trail unreadable to tools and people.""",
        "Write the header as `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE` with a real date and time.",
        """
        [2026-11-25 14:30] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success
        """,
    ),
    _log_rule(
        "CK302",
        """Action types are a closed list so that a log can be searched and compared
        across experiments; a misspelt type silently drops out of those searches.""",
        "Use one of the known action types; the hint names the closest.",
        """
        [2026-11-25 14:30:01] VERIFY_MODLE
        Details: Verifying model directory exists
        Result: success
        """,
    ),
    _log_rule(
        "CK303",
        "Every entry says what was done on its second line; readers rely on finding it there.",
        "Put a `Details: <what was done>` line right after the header.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Model: Llama-3.2-1B-Instruct
        Result: success
        """,
    ),
    _log_rule(
        "CK304",
        """Entries are `Key: value` lines so they can be parsed; free text (often a value that
        spilled onto a second line) cannot be attributed to a key.""",
        "Keep each value on its key's line (the writer escapes newlines as \\n).",
        """
        [2026-11-25 14:30:01] USER_RESPONSE
        Details: Question answered
        Answer: first line
        second line
        Result: success
        """,
    ),
    _log_rule(
        "CK305",
        """The result is what a reader looks for first; it must be the entry's last line and
        one of success, failure or warning.""",
        "End the entry with `Result: success`, `Result: failure` or `Result: warning`.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: ok
        """,
    ),
    _log_rule(
        "CK306",
        """A failure or warning without its reason cannot be acted on; prerequisites listed in
        the README come from these lines. A failure says it on an `Error:` line, a warning on a
        `Warning:` line (a warning is not an error; logs written before 0.3 put it on `Error:`,
        which stays valid).""",
        "Add `Error: <Type> - <message>` (a warning: `Warning: <Type> - <message>`) before the Result line.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: failure
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Error: FileNotFoundError - /scratch/me/models/Llama-3.2-1B-Instruct does not exist
        Result: failure
        """,
    ),
    _log_rule(
        "CK307",
        """The log is append-only: an entry older than the one before it means the file was
        edited by hand or merged out of order, and the trail no longer shows what happened when.
        An entry stamped later than now (beyond 10 minutes of clock skew) was forged or written
        on a wrong clock: `[9999-12-31 23:59:59]` would put every later entry out of order.""",
        "Keep entries in the order they were written; do not edit timestamps.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:29:00] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
    ),
    _log_rule(
        "CK308",
        """One blank line is what separates entries; a missing one glues two entries together
        for simple readers (e.g. `awk -v RS=`), extra ones are harmless but not the format.""",
        "Separate entries with exactly one blank line.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success
        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
    ),
    _log_rule(
        "CK309",
        """START_DESIGN says which experiment the log belongs to and COMPLETE_DESIGN how long the
        design took; without them a log found on its own cannot be placed.""",
        "Add the missing `Key: value` lines.",
        """
        [2026-11-25 14:30:01] START_DESIGN
        Details: Starting experiment design
        Result: success
        """,
        """
        [2026-11-25 14:30:01] START_DESIGN
        Details: Starting experiment design
        Experiment: words_8L_500_lora_rank_comparison_2026-11-25
        Type: experiment
        Directory: /scratch/me/ck-experiments/words_8L_500_lora_rank_comparison_2026-11-25
        Result: success
        """,
    ),
]

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


def _as_text(text: str | bytes, path: str) -> str | Finding:
    """The log as text, or the CK300 finding that says why it is not text."""
    if isinstance(text, bytes):
        if len(text) > MAX_LOG_BYTES:
            return _finding(path, 1, 1, "CK300", "the log is larger than 10 MB; a design log is at most 10 MB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text.count(b"\n", 0, exc.start) + 1
            column = exc.start - (text.rfind(b"\n", 0, exc.start) + 1) + 1
            return _finding(path, line, column, "CK300", f"not UTF-8 text: byte 0x{text[exc.start]:02x} cannot be decoded",
                            "the log is written as UTF-8; re-save it as UTF-8")
    if "\x00" in text:
        return _finding(path, 1, 1, "CK300", "the log holds NUL bytes: it is binary, not a design log")
    return text


def check_log(text: str | bytes, path: str = "<string>") -> list[Finding]:
    """Findings for a design-experiment.log, against its format (spec/logformat.py, docs/rules.md)."""
    readable = _as_text(text, path)
    if isinstance(readable, Finding):
        return [readable]
    # Only \n (and \r\n) end a line: the writer escapes every other line break
    # (spec/logformat.py), so a U+2028 in a hand-edited log cannot forge an entry either.
    lines = [line[:-1] if line.endswith("\r") else line for line in readable.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    if not any(line.strip() for line in lines):
        return [_finding(path, 1, 1, "CK300", "the log holds no entries",
                         "a design log starts with a START_DESIGN entry")]
    findings: list[Finding] = []
    entries = _entries(lines, path, findings)
    previous: tuple[datetime, int] | None = None
    horizon = datetime.now() + CLOCK_SKEW
    for entry in entries:
        when = _check_entry(entry, path, findings)
        if when is not None and when > horizon:
            findings.append(_finding(
                path, entry[0][0], 2, "CK307",
                f"timestamp {when.strftime(TIMESTAMP_FORMAT)} is in the future (now {datetime.now():{TIMESTAMP_FORMAT}})",
                "entries are stamped when they are written; fix the clock or the edited timestamp"))
            continue
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


def _entries(lines: list[str], path: str, findings: list[Finding]) -> list[list[tuple[int, str]]]:
    """Lines grouped into entries: a blank line ends one; a header line starts one even without
    the blank line before it (reported as CK308), so one missing separator costs one finding."""
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
    return entries


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
    when, action = _check_header(m, header_no, header, path, findings)
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

    _check_result(body[-1] if body else (header_no, header), keys, action, path, findings)
    missing = [k for k in _REQUIRED_KEYS.get(action, ()) if k not in keys]
    if missing:
        findings.append(_finding(path, header_no, 1, "CK309",
                                 f"the {action} entry has no {', '.join(missing)} line{'s' if len(missing) > 1 else ''}",
                                 f"add {', '.join(f'`{k}: ...`' for k in missing)}"))
    return when


def _check_header(
    m: re.Match[str], header_no: int, header: str, path: str, findings: list[Finding]
) -> tuple[datetime | None, str]:
    """CK301, CK302; the header's timestamp (None when it is not a real one) and action type."""
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
    return when, action


def _check_result(
    last_line: tuple[int, str], keys: dict[str, tuple[int, str]], action: str, path: str, findings: list[Finding]
) -> None:
    """CK305, CK306: the entry ends with its Result; a failure or warning says its Error."""
    last_no, last = last_line
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

    # A warning's reason is on a `Warning:` line (logs written before that: `Error:`, still valid).
    error_line = keys.get("Error") or (keys.get("Warning") if result == "warning" else None)
    if result in ("failure", "warning"):
        if error_line is None:
            key = problem_key(result)
            findings.append(_finding(path, last_no, 1, "CK306",
                                     f"the {action or 'entry'} entry's result is {result} but it has no `{key}:` line",
                                     f"add `{key}: <Type> - <message>` before the Result line, e.g. "
                                     f"`{key}: FileNotFoundError - model directory missing`"))
    if error_line is not None and not _ERROR_VALUE_RE.match(error_line[1].strip()):
        findings.append(_finding(path, error_line[0], 1, "CK306",
                                 f"error {_short(error_line[1])!r} is not `<Type> - <message>`",
                                 "write e.g. `Error: FileNotFoundError - model directory missing`"))


def check_log_file(path: str | os.PathLike[str]) -> list[Finding]:
    """Read and check a log. OSError propagates (the CLI turns it into exit 2), including
    files.NotRegularFile: a FIFO or device is refused before anything is read."""
    from ...facts.files import TooLarge, read_regular

    try:
        data = read_regular(path, MAX_LOG_BYTES)
    except TooLarge as exc:
        return [_finding(str(path), 1, 1, "CK300", f"the log is {exc.size / 1e6:.1f} MB; a design log is at most 10 MB")]
    return check_log(data, str(path))
