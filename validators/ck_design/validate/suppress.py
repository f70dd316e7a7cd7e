"""Per-line acknowledgements: `# ck-validate: ignore CK293` (like ruff's `# noqa: E501`).

A comment on a finding's line naming its code drops that finding for good: an unregistered
model's CK293, a custom key's CK103, checked once, stop repeating on every commit. The comment
stays in the design, where a reviewer sees it. Only a real YAML comment counts: the same text
inside a quoted string or a block scalar (a prompt) is data, not an acknowledgement, so the
candidates are checked against the scanner's tokens. Several codes: `ignore CK103, CK293`.
"""

from __future__ import annotations

import re

import yaml

from .findings import Finding

MARKER = "ck-validate:"
# '#' at the start of a line or after a blank (YAML's rule for a comment), then the codes.
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*ck-validate:[ \t]*ignore[ \t]+(CK\d{3}(?:[ \t]*,[ \t]*CK\d{3})*)", re.IGNORECASE)

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def acknowledged(text: str) -> dict[int, frozenset[str]]:
    """1-based line -> the codes a `# ck-validate: ignore ...` comment on it names."""
    if MARKER not in text:  # the common case: no scan at all
        return {}
    candidates: dict[int, tuple[int, frozenset[str]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if MARKER not in line:
            continue
        m = _COMMENT.search(line)
        if m:
            codes = frozenset(c.strip().upper() for c in m.group(1).split(","))
            candidates[number] = (m.start(), codes)
    if not candidates:
        return {}
    last = max(candidates)
    try:
        for token in yaml.scan(text, Loader=_Loader):
            start, end = token.start_mark, token.end_mark
            if start.line + 1 > last:
                break  # tokens come in order: none later can hold a candidate's '#'
            if start.line == end.line and start.line + 1 not in candidates:
                continue
            for number in [n for n in candidates if start.line + 1 <= n <= end.line + 1]:
                column = candidates[number][0]
                if (start.line, start.column) <= (number - 1, column) < (end.line, end.column):
                    del candidates[number]  # inside a string: data, not a comment
    except yaml.YAMLError:
        return {}
    return {number: codes for number, (_, codes) in candidates.items()}


def drop_acknowledged(text: str, findings: list[Finding]) -> list[Finding]:
    """The findings no comment on their line acknowledges."""
    marks = acknowledged(text)
    if not marks:
        return findings
    return [f for f in findings if f.code not in marks.get(f.line, ())]
