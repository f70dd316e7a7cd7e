"""`ck-validate --fix` / `--diff` for one file: plan, apply, re-validate, write atomically.

Safety (docs/rules.md, "Fixable"): a file that does not parse is never written; a fixed text
that parses to more errors than the file had is thrown away; the write goes to a temporary
file in the same directory, then os.replace, so a crash leaves the old file or the new one,
never half of each; the file keeps its mode. Fixes run in rounds (one fix can uncover
another) until nothing is left to fix, so a second --fix changes nothing.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ...facts.loader import Document, LoadError, loads
from ..findings import Finding
from .plan import Edit, mark_fixable, plan

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
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=self.path,
                tofile=self.path,
            )
        )


def _errors(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.severity == "error")


def fix_text(text: str, path: str, validate: Validate, ignore: frozenset[str] | set[str] = frozenset()) -> FixResult:
    """Fix `text` in memory. LoadError propagates: a file that does not parse is not touched."""
    from .apply import CannotRewrite, apply

    doc = loads(text, path)
    findings = validate(doc)
    errors_before = _errors(findings)
    result = FixResult(path, text, text, findings)
    for _ in range(MAX_ROUNDS):
        edits = plan(doc, [f for f in findings if f.code not in ignore])
        if not edits:
            break
        try:
            new_text = apply(result.new_text, edits.values(), edited_lines(doc, edits.values()))
        except CannotRewrite as exc:
            result.refused = str(exc)
            break
        if new_text == result.new_text:
            break
        try:
            new_doc = loads(new_text, path)
        except LoadError as exc:  # a bug in a fixer: keep the file as it was
            result.refused = f"the fixed text would not parse ({exc.message}); nothing written"
            break
        new_findings = validate(new_doc)
        if _errors(new_findings) > errors_before:
            result.refused = f"the fixes would leave {_errors(new_findings)} errors where there were {errors_before}; not applied"
            break
        result.fixed.extend(edits)
        result.new_text, doc, findings = new_text, new_doc, new_findings
    result.remaining = mark_fixable(doc, findings, set(ignore))
    return result


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
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8-sig"), raw.startswith(BOM.encode())
    except UnicodeDecodeError:
        loads(raw, path)  # raises the loader's LoadError, with the offending byte's position
        raise


def write_atomically(path: str, text: str, bom: bool = False) -> None:
    """Replace the file (the target of a symlink) in one rename, keeping its mode."""
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".ck-fix-", suffix=".tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(((BOM if bom else "") + text).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fix_file(path: str, validate: Validate, *, write: bool, ignore: frozenset[str] | set[str] = frozenset()) -> FixResult:
    """Fix one file; write it when `write` and something changed. OSError and LoadError propagate."""
    text, bom = read_text(path)
    result = fix_text(text, path, validate, ignore)
    if write and result.changed:
        write_atomically(path, result.new_text, bom)
    return result


def describe(result: FixResult) -> str:
    """`3 findings (CK201, CK210 x2)`, for the per-file line on stderr."""
    counts: dict[str, int] = {}
    for f in result.fixed:
        counts[f.code] = counts.get(f.code, 0) + 1
    parts = [code if n == 1 else f"{code} x{n}" for code, n in sorted(counts.items())]
    n = len(result.fixed)
    return f"{n} finding{'' if n == 1 else 's'} ({', '.join(parts)})"
