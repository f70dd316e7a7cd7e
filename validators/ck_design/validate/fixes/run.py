"""`ck-validate --fix` / `--diff` for one file: plan, apply, re-validate, write atomically.

Safety (docs/rules.md, "Fixable"): a file that does not parse is never written; a fixed text
that parses to more errors than the file had is thrown away; the write goes to a temporary
file in the same directory, then os.replace, so a crash leaves the old file or the new one,
never half of each; the file keeps its mode. A link, a file changed since it was read, or one
the user could not write in place is refused with nothing written (facts/files.py). Fixes run in rounds (one fix can uncover
another) until nothing is left to fix, so a second --fix changes nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ...facts.files import ChangedSinceRead, TooLarge, UnsafeTarget, read_regular, write_regular_file
from ...facts.loader import Document, LoadError, loads
from ..findings import Finding
from .fixers import Edit, mark_fixable, plan

MAX_ROUNDS = 4
BOM = "\ufeff"

Validate = Callable[[Document], list[Finding]]


@dataclass
class FixResult:
    path: str
    old_text: str
    new_text: str
    remaining: list[Finding]  # the findings of new_text, fixable ones marked
    fixed: list[Finding] = field(default_factory=list)  # findings of old_text a fix removed
    refused: str | None = None  # why planned fixes were not (all) made

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text

    def diff(self) -> str:
        old, new = self.old_text.splitlines(keepends=True), self.new_text.splitlines(keepends=True)
        if len(old) == len(new) and sum(a != b for a, b in zip(old, new)) > _DIFFLIB_LINES:
            return _line_for_line_diff(self.path, old, new)
        return "".join(difflib.unified_diff(old, new, fromfile=self.path, tofile=self.path))


# Past this many changed lines, a diff whose lines correspond one to one (every fix spliced in
# place) is written directly: difflib's matcher took minutes on 9,999 fixes of 10,000 runs.
_DIFFLIB_LINES = 50
_CONTEXT = 3


def _range(start: int, length: int) -> str:
    """difflib's unified range: `start,length` (1-based), `start` alone for one line."""
    return f"{start + 1}" if length == 1 else f"{start + (1 if length else 0)},{length}"


def _line_for_line_diff(path: str, old: list[str], new: list[str]) -> str:
    """A unified diff (3 lines of context, as difflib's) of two texts with the same lines but
    some replaced: time in proportion to the lines, whatever the number of changes."""
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    if not changed:
        return ""
    hunks: list[list[int]] = [[changed[0], changed[0]]]
    for i in changed[1:]:
        if i - hunks[-1][1] - 1 <= 2 * _CONTEXT:  # at most 6 unchanged lines between: one hunk
            hunks[-1][1] = i
        else:
            hunks.append([i, i])
    out = [f"--- {path}\n", f"+++ {path}\n"]
    for first, last in hunks:
        start, end = max(0, first - _CONTEXT), min(len(old), last + _CONTEXT + 1)
        out.append(f"@@ -{_range(start, end - start)} +{_range(start, end - start)} @@\n")
        i = start
        while i < end:
            if old[i] == new[i]:
                out.append(" " + old[i])
                i += 1
                continue
            j = i
            while j < end and old[j] != new[j]:
                j += 1
            out += ["-" + line for line in old[i:j]]
            out += ["+" + line for line in new[i:j]]
            i = j
    return "".join(out)


def _errors(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.severity == "error")


def fix_text(text: str, path: str, validate: Validate, ignore: frozenset[str] | set[str] = frozenset()) -> FixResult:
    """Fix `text` in memory. LoadError propagates: a file that does not parse is not touched."""
    from .apply import CannotRewrite

    doc = loads(text, path)
    findings = validate(doc)
    errors_before = _errors(findings)
    result = FixResult(path, text, text, findings)
    for _ in range(MAX_ROUNDS):
        edits = plan(doc, [f for f in findings if f.code not in ignore])
        if not edits:
            break
        try:
            new_text, new_doc = _edited(result.new_text, doc, list(edits.values()), path)
        except CannotRewrite as exc:
            result.refused = str(exc)
            break
        except LoadError as exc:  # a bug in a fixer: keep the file as it was
            result.refused = f"the fixed text would not parse ({exc.message}); nothing written"
            break
        if new_text == result.new_text:
            break
        new_findings = validate(new_doc)
        if _errors(new_findings) > errors_before:
            result.refused = f"the fixes would leave {_errors(new_findings)} errors where there were {errors_before}; not applied"
            break
        result.fixed.extend(edits)
        result.new_text, doc, findings = new_text, new_doc, new_findings
    result.remaining = mark_fixable(doc, findings, set(ignore))
    return result


def _edited(text: str, doc: Document, edits: list[Edit], path: str) -> tuple[str, Document]:
    """The text with the edits made, and it loaded. Spliced into the text where no structure
    changes (splice.py: the cost follows the edits, not the file), taken only when it reads
    back as exactly the edited data; else ruamel.yaml's round trip (apply.py)."""
    from .apply import CannotRewrite, apply
    from .splice import comment_inside_flow, splice

    spliced = splice(text, doc, edits)
    if spliced is not None:
        new_text, expected = spliced
        try:
            new_doc = loads(new_text, path)
        except LoadError:
            new_doc = None
        if new_doc is not None and new_doc.data == expected:
            return new_text, new_doc
    if comment_inside_flow(doc, edits):
        raise CannotRewrite("a comment inside a multi-line [...] list would be lost; fix that list by hand")
    new_text = apply(text, edits, edited_lines(doc, edits))
    return new_text, loads(new_text, path)


def edited_lines(doc: Document, edits: Iterable[Edit]) -> list[tuple[int, int]]:
    """0-based [start, end) line spans of the original text each edit may rewrite."""
    spans: list[tuple[int, int]] = []

    def span_of(path: tuple[Any, ...]) -> None:
        node, key_node, depth = doc.node_at(path)
        if depth < len(path):  # a key being added (vis_label): it goes beside the entry's run
            node, key_node, _ = doc.node_at(path[:-1] + ("run",))
        start = (key_node or node).start_mark.line
        spans.append((start, max(node.end_mark.line, start) + 1))

    for e in edits:
        if e.kind != "rename":
            span_of(e.path)
            continue
        old = doc.data["runs"][e.path[1]]["name"]
        span_of(e.path)
        matrix = doc.data.get("evaluation", {}).get("matrix") or []
        for j, entry in enumerate(matrix):
            if isinstance(entry, dict) and entry.get("run") == old:
                span_of(("evaluation", "matrix", j, "run"))
    return spans


def read_text(path: str) -> tuple[str, bool]:
    """The file's text and whether it began with a byte-order mark (kept on write)."""
    return _decode(_read(path), path)


def _read(path: str) -> bytes:
    # The reader plain validation uses (facts/files.py): regular files only, at most a
    # design's size, never blocking on a FIFO.
    from ...facts.loader import MAX_BYTES

    try:
        return read_regular(path, MAX_BYTES)
    except TooLarge as exc:
        raise LoadError("CK003", f"file is {exc.size / 1e6:.1f} MB; a design is at most 10 MB") from None


def _decode(raw: bytes, path: str) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8-sig"), raw.startswith(BOM.encode())
    except UnicodeDecodeError:
        loads(raw, path)  # raises the loader's LoadError, with the offending byte's position
        raise


def write_atomically(path: str, text: str, bom: bool = False, expect: bytes | None = None) -> None:
    """Replace the file in one rename, keeping its mode (facts/files.py write_regular_file):
    never through a link, never a file the user could not write in place, and, with `expect`
    (the bytes read), never a file that changed since it was read."""
    write_regular_file(path, ((BOM if bom else "") + text).encode("utf-8"), expect=expect)


class NotWritten(Exception):
    """The fixes were made in memory but the file was not written (a link, changed since it was
    read, not writable in place): one line saying why; the file is as it was."""


def fix_file(path: str, validate: Validate, *, write: bool, ignore: frozenset[str] | set[str] = frozenset()) -> FixResult:
    """Fix one file; write it when `write` and something changed. OSError (reading) and
    LoadError propagate; NotWritten when the fixed text could not be written."""
    raw = _read(path)
    text, bom = _decode(raw, path)
    result = fix_text(text, path, validate, ignore)
    if write and result.changed:
        try:
            write_atomically(path, result.new_text, bom, expect=raw)
        except (UnsafeTarget, ChangedSinceRead) as exc:
            raise NotWritten(str(exc)) from None
        except PermissionError:
            raise NotWritten(f"{path}: permission denied: the file cannot be written in place, so --fix leaves it as "
                             "it is (nothing was written); its findings are listed below") from None
        except OSError as exc:
            raise NotWritten(f"{path}: cannot be written ({exc.strerror or exc}); nothing was written") from None
    return result


def describe(result: FixResult) -> str:
    """`3 findings (CK201, CK210 x2)`, for the per-file line on stderr."""
    counts: dict[str, int] = {}
    for f in result.fixed:
        counts[f.code] = counts.get(f.code, 0) + 1
    parts = [code if n == 1 else f"{code} x{n}" for code, n in sorted(counts.items())]
    n = len(result.fixed)
    return f"{n} finding{'' if n == 1 else 's'} ({', '.join(parts)})"
