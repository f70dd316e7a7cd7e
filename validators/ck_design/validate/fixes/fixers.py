"""Which findings `--fix` repairs, and with what value.

A fix only ever applies what the finding's own hint already proposes (or, for CK201 and CK211,
the one value the rule accepts; for CK201 in a 0.3 design, the hint's first repair: the key removed), so the rule stays the single authority on the right value:
no second copy of its logic lives here. A finding is fixable when its code is in FIXERS and
the fixer finds a definite value; anything that needs a person's decision (which of two
clashing runs to rename, what number `four` meant) has no fixer or returns None.

Findings carry a line and column, not a data path: the path is recovered from an index of
the node tree's positions. Values reached through an alias or a `<<` merge are never
fixed: changing them would change every place that shares them. See docs/rules.md.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...facts.loader import TAG_MERGE, TAG_STR, Document, LoadError, loads
from ...spec import era as eras
from ...spec import naming
from ..findings import Finding

PathT = tuple[Any, ...]


@dataclass(frozen=True)
class Edit:
    """Set the value at `path`. kind: value | quoted | number | copy | rename | rename_key | delete (see apply.py)."""

    code: str
    kind: str
    path: PathT
    value: Any


_QUOTED = r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_EPOCHS_PROPOSAL = re.compile(r"did you mean (\[[0-9, ]*\])\?$")
_RENAME = re.compile(rf"^rename it to {_QUOTED} \(and its matrix entry\)$")
_USE_LABEL = re.compile(rf"^use {_QUOTED}$")
_RENAME_KEY = re.compile(rf"^rename the key to {_QUOTED}$")
_NUMBER = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _quoted(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _get(data: Any, path: PathT) -> Any:
    for step in path:
        data = data[step]
    return data


# --------------------------------------------------------------------------------------------
# One fixer per code: (finding, its data path, the document) -> Edit, or None (not fixable here)
# --------------------------------------------------------------------------------------------


def _fix_yaml11_bool(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK004: `location: yes` where a string is meant -> `location: 'yes'`."""
    if not (f.hint or "").startswith("quote it:") or path not in doc.yaml11_bools:
        return None
    node = doc.node_at(path)[0]
    return Edit(f.code, "quoted", path, node.value) if isinstance(node, ScalarNode) else None


def _fix_number_string(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK101: `lr: "1e-5"` where a number is meant -> `lr: 1e-5` (the same digits, unquoted)."""
    value = _get(doc.data, path)
    if f.hint != "write the number without quotes" or not isinstance(value, str) or not _NUMBER.match(value):
        return None
    try:
        number = loads(f"x: {value}\n").data["x"]
    except LoadError:
        return None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        return None
    return Edit(f.code, "number", path, value)


def _fix_system_prompt(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK201: evaluation.system_prompt := controls.system_prompt; in a 0.3 design the key is
    removed instead (cruijff_kit 0.3 reads controls' for both, and a kept copy is CK207)."""
    controls = doc.data.get("controls")
    source = ("controls", "system_prompt")
    if path != ("evaluation", "system_prompt") or not isinstance(controls, dict):
        return None
    if not isinstance(controls.get("system_prompt"), str):
        return None
    if eras.detect(doc.data) == eras.V03:
        return Edit(f.code, "delete", path, None)
    return Edit(f.code, "copy", path, source)


def _fix_epochs_shift(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK210: epochs counted from 1 -> the 0-indexed list the hint proposes."""
    match = _EPOCHS_PROPOSAL.search(f.hint or "")
    if match is None or len(path) != 5:
        return None
    return Edit(f.code, "value", path[:4], json.loads(match.group(1)))


def _fix_control_epochs(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK211: a control run has no checkpoints -> `epochs: null`."""
    return Edit(f.code, "value", path, None) if path[-1] == "epochs" else None


def _fix_run_name(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK221/CK223: the run renamed to the name the hint proposes, in runs and matrix."""
    new = _quoted(_RENAME.match(f.hint or ""))
    if new is None or not naming.is_safe_name(new):
        return None
    return Edit(f.code, "rename", path, new)


def _fix_vis_label(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK240: the clashing entry gets the vis_label the hint proposes (added when missing)."""
    new = _quoted(_USE_LABEL.match(f.hint or ""))
    if new is None:
        return None
    entry_path = path if path[-1] != "vis_label" else path[:-1]
    return Edit(f.code, "value", entry_path + ("vis_label",), new)


def _fix_key_typo(f: Finding, path: PathT, doc: Document) -> Edit | None:
    """CK105: a misspelled key renamed to the one known key the hint names (never a variable:
    its runs carry the misspelling too; never onto a key the mapping already has, nor a
    constant onto a parameter the design varies: which value trains is a person's call)."""
    new = _quoted(_RENAME_KEY.match(f.hint or ""))
    parent = _get(doc.data, path[:-1])
    if new is None or path[0] == "variables" or not isinstance(parent, dict) or new in parent:
        return None
    variables = doc.data.get("variables")
    if path[0] == "controls" and isinstance(variables, dict) and new in variables:
        return None
    return Edit(f.code, "rename_key", path, new)


# code -> (the data paths its findings sit at, fixer); the keys are the fixable rules.
_Fixer = Callable[[Finding, PathT, Document], "Edit | None"]
FIXERS: dict[str, tuple[Callable[[PathT], bool], _Fixer]] = {
    "CK004": (lambda p: True, _fix_yaml11_bool),
    "CK101": (lambda p: True, _fix_number_string),
    "CK105": (lambda p: len(p) >= 2, _fix_key_typo),
    "CK201": (lambda p: p == ("evaluation", "system_prompt"), _fix_system_prompt),
    "CK210": (lambda p: len(p) == 5 and p[:2] == ("evaluation", "matrix") and p[3] == "epochs", _fix_epochs_shift),
    "CK211": (lambda p: len(p) == 4 and p[:2] == ("evaluation", "matrix") and p[3] == "epochs", _fix_control_epochs),
    "CK221": (lambda p: len(p) == 3 and p[0] == "runs" and p[2] == "name", _fix_run_name),
    "CK223": (lambda p: len(p) == 3 and p[0] == "runs" and p[2] == "name", _fix_run_name),
    "CK240": (lambda p: 3 <= len(p) <= 4 and p[:2] == ("evaluation", "matrix") and isinstance(p[2], int), _fix_vis_label),
}
FIXABLE_CODES = frozenset(FIXERS)
# Findings located at a key (the key is what is wrong), not at its value.
_AT_KEY = frozenset({"CK105"})


# --------------------------------------------------------------------------------------------
# Finding position -> data path
# --------------------------------------------------------------------------------------------


def _shared_nodes(root: Node) -> set[int]:
    """ids of nodes reached more than once (anchors with aliases) or through a `<<` merge."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if k.tag == TAG_MERGE:
                    shared.add(id(v))
                    stack.extend(v.value if isinstance(v, SequenceNode) else [v])
                    for m in v.value if isinstance(v, SequenceNode) else [v]:
                        shared.add(id(m))
                else:
                    stack.append(v)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return shared


def _position_index(root: Node, keys: bool = False) -> dict[tuple[int, int], list[PathT]]:
    """1-based (line, column) of each value -> the data paths whose value starts there (with
    `keys`, of each key -> the path of its value).

    Explicit string keys only; the subtrees of shared nodes are left out (never fixed)."""
    shared = _shared_nodes(root)
    index: dict[tuple[int, int], list[PathT]] = {}
    stack: list[tuple[Node, PathT]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in shared:
            continue
        mark = node.start_mark
        if not keys:
            index.setdefault((mark.line + 1, mark.column + 1), []).append(path)
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.tag == TAG_STR:
                    stack.append((v, path + (k.value,)))
                    if keys and id(v) not in shared:
                        index.setdefault((k.start_mark.line + 1, k.start_mark.column + 1), []).append(path + (k.value,))
        elif isinstance(node, SequenceNode):
            stack.extend((child, path + (i,)) for i, child in enumerate(node.value))
    return index


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def plan(doc: Document, findings: Iterable[Finding]) -> dict[Finding, Edit]:
    """The edit for each fixable finding; conflicting or unsafe edits are left out."""
    findings = list(findings)
    candidates = [f for f in findings if f.code in FIXERS]
    if not candidates:
        return {}
    index = _position_index(doc.root)
    key_index = _position_index(doc.root, keys=True) if any(f.code in _AT_KEY for f in candidates) else {}
    edits: dict[Finding, Edit] = {}
    for f in candidates:
        matches, fixer = FIXERS[f.code]
        at = key_index if f.code in _AT_KEY else index
        paths = [p for p in at.get((f.line, f.column), ()) if matches(p)]
        if len(paths) != 1:
            continue
        try:
            edit = fixer(f, paths[0], doc)
        except (KeyError, IndexError, TypeError):
            edit = None  # the design's shape is not what the rule assumed: leave it to a person
        if edit is not None:
            edits[f] = edit
    return _drop_conflicts(doc, edits, findings)


def _other_findings_in(doc: Document, path: PathT, findings: list[Finding], own: frozenset[str]) -> bool:
    """Does a finding of another rule sit inside the value at `path` (e.g. a run)?"""
    node = doc.node_at(path)[0]
    start = (node.start_mark.line + 1, node.start_mark.column + 1)
    end = (node.end_mark.line + 1, node.end_mark.column + 1)
    return any(f.code not in own and start <= (f.line, f.column) < end for f in findings)


_RENAME_CODES = frozenset({"CK221", "CK223"})


def _drop_conflicts(doc: Document, edits: dict[Finding, Edit], findings: list[Finding]) -> dict[Finding, Edit]:
    by_path: dict[PathT, set[tuple[str, str]]] = {}
    for e in edits.values():
        by_path.setdefault(e.path, set()).add((e.kind, repr(e.value)))
    runs = doc.data.get("runs") if isinstance(doc.data.get("runs"), list) else []
    names = [r.get("name") for r in runs if isinstance(r, dict)]
    new_names = [e.value for e in {e.path: e for e in edits.values() if e.kind == "rename"}.values()]
    keep: dict[Finding, Edit] = {}
    for f, e in edits.items():
        if len(by_path[e.path]) > 1:
            continue  # two rules want different values here: a person decides
        if e.kind == "rename":
            old = _get(doc.data, e.path)
            # A name already taken, or an old name two runs share (CK230), is a person's call.
            if e.value in names or names.count(old) != 1 or new_names.count(e.value) != 1:
                continue
            # A run whose type, model or parameters are themselves wrong (CK222, CK101, ...):
            # its proposed name would bake the mistake in. Fix those first, by hand.
            if _other_findings_in(doc, e.path[:-1], findings, _RENAME_CODES):
                continue
        keep[f] = e
    return keep


def mark_fixable(doc: Document, findings: list[Finding], ignore: set[str] = frozenset()) -> list[Finding]:
    """The findings, each with `fixable` set when --fix would repair it."""
    from dataclasses import replace

    fixable = plan(doc, [f for f in findings if f.code not in ignore])
    if not fixable:
        return findings
    from .splice import comment_inside_flow, round_trip_would_refuse, spliceable

    # What --fix would then refuse is not marked: in a layout the round trip does not keep, or
    # with a comment inside a multi-line [...] list, only an edit made in place is fixable.
    refuse_all = round_trip_would_refuse(doc.text)
    fixable = {f: e for f, e in fixable.items()
               if spliceable(doc, e) or not (refuse_all or comment_inside_flow(doc, [e]))}
    return [replace(f, fixable=True) if f in fixable else f for f in findings]
