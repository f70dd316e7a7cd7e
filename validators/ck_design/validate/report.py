"""Formatting findings for people (text) and for tools (JSON), in the format docs/rules.md describes.

Text, one finding per line, sorted by line within each file, with the fix indented below:

    experiment_summary.yaml:42:13: CK210 [*] error: epoch 2 is past training: ...
      hint: evaluate epochs [0, 1]

`[*]` (as ruff marks it) says `ck-validate --fix` would repair the finding.
JSON: an array of objects with keys path, line, column, code, severity, message, hint, fixable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .findings import Finding

JSON_KEYS = ("path", "line", "column", "code", "severity", "message", "hint", "fixable")


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Files in the order they first appear (the order the user named them), then by position."""
    findings = list(findings)
    file_order: dict[str, int] = {}
    for f in findings:
        file_order.setdefault(f.path, len(file_order))
    return sorted(findings, key=lambda f: (file_order[f.path], f.line, f.column, f.code))


def _one_line(text: str) -> str:
    # A finding is exactly one line (plus its hint line), so grep and editors can parse it.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def format_finding(f: Finding) -> str:
    mark = " [*]" if f.fixable else ""
    line = f"{f.path}:{f.line}:{f.column}: {f.code}{mark} {f.severity}: {_one_line(f.message)}"
    if f.hint:
        line += f"\n  hint: {_one_line(f.hint)}"
    return line


def format_text(findings: Iterable[Finding]) -> str:
    """All findings, sorted; an empty string when there are none."""
    return "".join(format_finding(f) + "\n" for f in sort_findings(findings))


def as_json_objects(findings: Iterable[Finding]) -> list[dict[str, object]]:
    return [{key: getattr(f, key) for key in JSON_KEYS} for f in sort_findings(findings)]


def format_json(findings: Iterable[Finding]) -> str:
    import json  # only --format json needs it

    return json.dumps(as_json_objects(findings), indent=2, ensure_ascii=False) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(findings: Sequence[Finding], files: int, ignored: int = 0, unreadable: int = 0) -> str:
    """`2 errors, 1 warning in 1 file`; `no problems in 3 files`; `files` counts those read."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if unreadable and not files:
        # Nothing was read: "no problems in 0 files" would read as a pass.
        text = f"{_plural(unreadable, 'file')} could not be checked (nothing was validated)"
        return text + (f" ({ignored} ignored)" if ignored else "")
    if findings:
        text = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"
    else:
        text = f"no problems in {_plural(files, 'file')}"
    if ignored:
        text += f" ({ignored} ignored)"
    if unreadable:
        text += f"; {_plural(unreadable, 'file')} could not be checked"
    return text


def fixable_note(findings: Sequence[Finding]) -> str:
    """The line after the summary that says what `[*]` means and how to apply it (as ruff's
    "[*] N fixable with the `--fix` option"): the hook's output is all most people read."""
    n = sum(1 for f in findings if f.fixable)
    return f"[*] {n} fixable with `ck-validate --fix` (`--diff` previews the change)" if n else ""

