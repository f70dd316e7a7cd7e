"""Edits made on the text itself, line by line, when they change no structure.

ruamel.yaml's round trip reads and writes the whole file: one fix in a 1,000-run design cost 17x
a validation, 9,999 fixes in a 10,000-run design 528 s. Most fixes replace a scalar (a number,
a quoted word, a run name, a key) or the items of a list with as many new items: those are
spliced into the text at the positions the loader recorded, so a fix costs in proportion to
what it changes. Anything else (a key added, a block list made shorter or longer, a multi-line
value) returns None, and apply.py's round trip does it, keeping comments as before.

The caller (run.py) re-reads the spliced text and takes it only when it reads back as exactly
the data the edits mean (`expected`): a splice can never change anything else unnoticed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...facts.loader import Document
from ...facts.yamlwriter import yaml_scalar

# fixers.py's Edit (code, kind, path, value), taken as it comes: fixers.py asks this module
# whether an edit can be spliced, so this one does not import it.
Edit = Any
PathT = tuple[Any, ...]


class _NoSplice(Exception):
    pass


def _scalar_text(value: Any, node: Node) -> str:
    if isinstance(value, (dict, list)) or (isinstance(value, str) and ("\n" in value or "\r" in value)):
        raise _NoSplice
    if isinstance(value, str) and isinstance(node, ScalarNode) and node.style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"  # keep the user's quoting
    try:
        return yaml_scalar(value)
    except (TypeError, ValueError):
        raise _NoSplice from None


def _node(doc: Document, path: PathT) -> tuple[Node, Node | None]:
    node, key_node, depth = doc.node_at(path)
    if depth < len(path):
        raise _NoSplice  # a key to add: structure changes
    return node, key_node


def _span(node: Node) -> tuple[int, int]:
    start, end = node.start_mark.index, node.end_mark.index
    if start is None or end is None or end < start:
        raise _NoSplice
    return start, end


class _Sink(dict):
    """`expected` when nothing is tracked: every write is dropped."""

    def __getitem__(self, key: Any) -> Any:
        return self


class _Expected:
    """The data the edits mean, sharing every container they do not touch with the loaded data
    (a deep copy of a 10,000-run design cost more than the edits)."""

    def __init__(self, data: Any):
        self.root = copy.copy(data)
        self._copied = {id(data): self.root}

    def container(self, path: PathT) -> Any:
        """The (copied, so writable) container at `path`."""
        node = self.root
        for step in path:
            child = node[step]
            if id(child) not in self._copied:
                self._copied[id(child)] = copy.copy(child)
            node[step] = self._copied[id(child)]
            node = node[step]
        return node


def _set(data: Any, path: PathT, value: Any) -> None:
    if isinstance(data, _Sink):
        return
    data.container(path[:-1])[path[-1]] = value


def _get(data: Any, path: PathT) -> Any:
    for step in path:
        data = data[step]
    return data


class _Splicer:
    def __init__(self, doc: Document, track: bool = True):
        self.doc = doc
        # What the text must read back as; not needed to ask whether an edit can be spliced.
        self.expected: Any = _Expected(doc.data) if track else _Sink()
        self.spans: list[tuple[int, int, str]] = []

    def replace(self, node: Node, text: str) -> None:
        start, end = _span(node)
        self.spans.append((start, end, text))

    def value(self, path: PathT, value: Any) -> None:
        node, _ = _node(self.doc, path)
        if isinstance(value, list):
            self._list(node, value)
        elif isinstance(node, ScalarNode):
            self.replace(node, _scalar_text(value, node))
        elif isinstance(node, SequenceNode) and node.flow_style and value is None:
            self.replace(node, "null")
        else:
            raise _NoSplice  # a block list or a mapping becomes a scalar: comments move
        _set(self.expected, path, value)

    def _list(self, node: Node, values: list[Any]) -> None:
        if not isinstance(node, SequenceNode):
            raise _NoSplice
        same_shape = len(node.value) == len(values) and all(isinstance(item, ScalarNode) for item in node.value)
        if node.flow_style and not same_shape:
            if node.start_mark.line != node.end_mark.line:
                raise _NoSplice  # a multi-line flow list: its comments sit between the items
            self.replace(node, "[" + ", ".join(_scalar_text(v, node) for v in values) + "]")
            return
        if not same_shape:
            raise _NoSplice
        for item, v in zip(node.value, values):
            self.replace(item, _scalar_text(v, item))

    def edit(self, edit: Edit) -> None:
        if edit.kind == "number":
            node, _ = _node(self.doc, edit.path)
            if not isinstance(node, ScalarNode):
                raise _NoSplice
            self.replace(node, str(edit.value))
            from ...facts.loader import loads

            _set(self.expected, edit.path, loads(f"x: {edit.value}\n").data["x"])
        elif edit.kind == "quoted":
            node, _ = _node(self.doc, edit.path)
            if not isinstance(node, ScalarNode) or "\n" in str(edit.value):
                raise _NoSplice
            self.replace(node, "'" + str(edit.value).replace("'", "''") + "'")
            _set(self.expected, edit.path, str(edit.value))
        elif edit.kind == "copy":
            source = _get(self.doc.data, edit.value)
            if not isinstance(source, str):
                raise _NoSplice
            self.value(edit.path, source)
        elif edit.kind == "value":
            self.value(edit.path, edit.value)
        elif edit.kind == "rename":
            self._rename(edit)
        elif edit.kind == "rename_key":
            self._rename_key(edit)
        else:
            raise _NoSplice

    def _rename(self, edit: Edit) -> None:
        old = _get(self.doc.data, edit.path)
        self.value(edit.path, edit.value)
        matrix = (self.doc.data.get("evaluation") or {}).get("matrix") if isinstance(self.doc.data.get("evaluation"), dict) else None
        for j, entry in enumerate(matrix if isinstance(matrix, list) else ()):
            if isinstance(entry, dict) and entry.get("run") == old:
                self.value(("evaluation", "matrix", j, "run"), edit.value)

    def _rename_key(self, edit: Edit) -> None:
        _, key_node = _node(self.doc, edit.path)
        if not isinstance(key_node, ScalarNode):
            raise _NoSplice
        self.replace(key_node, _scalar_text(edit.value, key_node))
        if isinstance(self.expected, _Sink):
            return
        parent = self.expected.container(edit.path[:-1])
        if not isinstance(parent, dict):
            raise _NoSplice
        items = [(edit.value if k == edit.path[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)

    def text(self, text: str) -> str:
        spans = sorted(set(self.spans))
        out, pos, delta = [], 0, 0
        for start, end, new in spans:
            if start < pos:
                raise _NoSplice  # overlapping edits: let the round trip sort them out
            out.append(_realign(text[pos:start], delta))
            delta = (0 if "\n" in text[pos:start] else delta) + len(new) - (end - start)
            out.append(new)
            pos = end
        out.append(_realign(text[pos:], delta))
        return "".join(out)


_COMMENT_AFTER = re.compile(r"( +)#")


def _realign(segment: str, delta: int) -> str:
    """An end-of-line comment right after a value that grew (or shrank) by `delta` stays in its
    column, as ruamel.yaml keeps it (at least one space before the `#`)."""
    if not delta:
        return segment
    m = _COMMENT_AFTER.match(segment)
    if m is None:
        return segment
    return " " * max(1, len(m.group(1)) - delta) + segment[len(m.group(1)):]


# Layouts ruamel.yaml's round trip does not keep (apply.py refuses a rewrite there): CRLF line
# ends, no final newline, document markers and directives, `~` for null.
_ROUND_TRIP_BREAKERS = re.compile(r"\r|^(?:---|\.\.\.)(?:[ \t]|$)|^%|(?::|^\s*-)[ \t]+~[ \t]*(?:#|$)", re.M)


def round_trip_would_refuse(text: str) -> bool:
    """Would apply.py refuse to rewrite this text? Cheap: what --fix marks as fixable ([*])
    must be what it then fixes (docs/rules.md, "Fixable")."""
    return bool(text) and (not text.endswith("\n") or _ROUND_TRIP_BREAKERS.search(text) is not None)


def comment_inside_flow(doc: Document, edits: Iterable[Edit]) -> bool:
    """Does an edited value span lines of a flow collection with a comment among them? ruamel.yaml
    drops such a comment: that fix is refused rather than made."""
    for edit in edits:
        node, _, depth = doc.node_at(edit.path)
        if depth == len(edit.path) and isinstance(node, (SequenceNode, MappingNode)) and node.flow_style:
            if "#" in doc.text[node.start_mark.index:node.end_mark.index]:
                return True
    return False


def spliceable(doc: Document, edit: Edit) -> bool:
    """Can this edit be made in place (no structure changes)?"""
    try:
        _Splicer(doc, track=False).edit(edit)
    except (_NoSplice, KeyError, IndexError, TypeError):
        return False
    return True


def splice(text: str, doc: Document, edits: Iterable[Edit]) -> tuple[str, Any] | None:
    """(the text with the edits spliced in, the data it must read back as), or None when an
    edit changes structure (apply.py's round trip does those). `doc` is `text` loaded."""
    if isinstance(doc.root, MappingNode) and any(t in text for t in ("\t",)):
        return None  # tabs in a line: columns are ambiguous, leave it to the round trip
    s = _Splicer(doc)
    done: set[tuple[str, PathT]] = set()
    try:
        for edit in edits:
            if (edit.kind, edit.path) in done:
                continue  # e.g. one CK210 edit per wrong epoch of the same list
            done.add((edit.kind, edit.path))
            s.edit(edit)
        return s.text(text), s.expected.root
    except (_NoSplice, KeyError, IndexError, TypeError):
        return None
