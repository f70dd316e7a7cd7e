"""Applying planned edits to a design's text with ruamel.yaml's round-trip mode.

Only the edited values change: comments, key order, quoting and blank lines stay, because
ruamel.yaml keeps them on its round-trip tree and an edit replaces one value in place. The
one thing ruamel.yaml cannot keep is a file-wide layout it does not model (indentation that
varies within the file, CRLF line ends, `~` for null): before editing, the untouched tree is
dumped and compared with the file, and a file that would not come back byte for byte is left
alone (CannotRewrite), never reformatted.

ruamel.yaml is imported here only: plain validation never pays for it.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable
from typing import Any

from .fixers import Edit, PathT


class CannotRewrite(Exception):
    """The file cannot be edited without changing more than the fixed values."""


class _Number:
    """A number written exactly as the user spelled it (`1e-5`, not `1e-05`), unquoted."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _represent_number(representer: Any, data: _Number) -> Any:
    tag = "tag:yaml.org,2002:int" if re.fullmatch(r"[-+]?[0-9]+", data.text) else "tag:yaml.org,2002:float"
    return representer.represent_scalar(tag, data.text)


def _represent_null(representer: Any, data: None) -> Any:
    # The template and the wizard write `null`; ruamel.yaml's default is an empty value.
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


_REPRESENTER: Any = None


def _yaml(mapping: int, sequence: int, offset: int) -> Any:
    global _REPRESENTER
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    if _REPRESENTER is None:
        # A subclass: add_representer on ruamel's own class would change it for every user.
        _REPRESENTER = type("_FixRepresenter", (RoundTripRepresenter,), {})
        _REPRESENTER.add_representer(type(None), _represent_null)
        _REPRESENTER.add_representer(_Number, _represent_number)
    y = YAML(typ="rt")
    y.Representer = _REPRESENTER
    y.preserve_quotes = True
    y.width = 1 << 20  # never re-wrap a long line
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel.yaml's indent() takes them, from the first nesting seen."""
    mapping = sequence = offset = None
    prev_indent: int | None = None
    prev_opens = False
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if prev_opens and prev_indent is not None and indent > prev_indent - (0 if stripped.startswith("- ") else 1):
            if stripped.startswith("- ") and offset is None:
                offset = indent - prev_indent
                sequence = offset + 2
            elif not stripped.startswith("- ") and mapping is None and indent > prev_indent:
                mapping = indent - prev_indent
        if mapping is not None and offset is not None:
            break
        prev_indent = indent + (2 if stripped.startswith("- ") else 0)
        prev_opens = stripped.rstrip().endswith(":") and not stripped.startswith("- ")
    return mapping or 2, sequence or 2, offset or 0


_LAYOUTS = [(2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2), (4, 4, 2), (2, 3, 1)]


def _dump(y: Any, tree: Any) -> str:
    out = io.StringIO()
    y.dump(tree, out)
    return out.getvalue()


def _load_tree(text: str, layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml(*layout).load(text)
    except YAMLError as exc:
        raise CannotRewrite(f"ruamel.yaml cannot read it: {str(exc).splitlines()[0]}") from None


def load(text: str) -> tuple[Any, Any]:
    """(ruamel YAML instance that reproduces `text` exactly, its round-trip tree)."""
    guessed = _guess_indent(text)
    tree = _load_tree(text, guessed)
    for layout in [guessed, *(lay for lay in _LAYOUTS if lay != guessed)]:
        y = _yaml(*layout)
        if _dump(y, tree) == text:
            return y, tree
    raise CannotRewrite("ruamel.yaml would change its layout (indentation, line ends or null spelling)")


def _parent(tree: Any, path: PathT) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


def _apply_one(tree: Any, edit: Edit) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import ScalarString, SingleQuotedScalarString

    parent, key = _parent(tree, edit.path), edit.path[-1]
    if edit.kind == "quoted":
        parent[key] = SingleQuotedScalarString(edit.value)
    elif edit.kind == "number":
        parent[key] = _Number(edit.value)
    elif edit.kind == "copy":
        source = _parent(tree, edit.value)[edit.value[-1]]
        # CommentedMap keeps an existing quoted style for a plain str; a block scalar
        # (`|`) of a multi-line prompt keeps its own style.
        multiline = "\n" in source
        parent[key] = source if multiline and isinstance(source, ScalarString) else str(source)
    elif edit.kind == "delete":
        drop_key(parent, key)
    elif edit.kind == "rename":
        _rename(tree, edit)
    elif edit.kind == "rename_key":
        _rename_key(parent, key, edit.value)
    elif isinstance(edit.value, list) and isinstance(parent.get(key) if isinstance(parent, dict) else None, CommentedSeq):
        _replace_items(parent[key], edit.value)
    elif isinstance(parent, CommentedMap) and isinstance(parent.get(key), CommentedSeq) and not isinstance(edit.value, list):
        _set_scalar_over_list(parent, key, edit.value)
    elif isinstance(parent, CommentedMap) and key not in parent and "run" in parent:
        parent.insert(list(parent).index("run") + 1, key, edit.value)  # beside the run it labels
    else:
        parent[key] = edit.value


def _comment_lines(token: Any) -> tuple[str, str]:
    """A ruamel comment token's text split into (the end-of-line comment, the lines after it)."""
    if token is None:
        return "", ""
    first, _, rest = token.value.partition("\n")
    return first, rest


def _token_like(token: Any, value: str) -> Any:
    new = copy.copy(token)  # keeps the position ruamel.yaml aligns the comment with
    new.value = value
    return new


def _key_column(mapping: Any, key: str) -> int:
    try:
        return int(mapping.lc.key(key)[1])
    except (AttributeError, KeyError, TypeError):
        return 0


def drop_key(mapping: Any, key: str) -> None:
    """Remove `key` from a round-trip mapping. It takes its own end-of-line comment (and the
    comment lines indented under it) along, and leaves the comment lines that belong to what
    follows: after the key before it, or before the key after it (ck-migrate, and --fix on a
    0.3 design's CK201)."""
    keys = list(mapping)
    position = keys.index(key)
    column = _key_column(mapping, key)
    entry = mapping.ca.items.pop(key, None)
    token = entry[2] if entry and len(entry) > 2 else None
    del mapping[key]
    if token is None:
        return
    # The key's own comment: its end-of-line text and the lines indented deeper than the key.
    # What is left (blank lines, comments at the key's column or left of it) introduces the next key.
    lines = token.value.split("\n")[1:]
    kept = [ln for ln in lines if not (ln.strip().startswith("#") and len(ln) - len(ln.lstrip()) > column)]
    text = "\n".join(kept)
    if not text.strip():
        if text.count("\n") and position > 0:  # keep a blank line that separated sections
            _append_to(mapping, keys[position - 1], token, "\n" * text.count("\n"))
        return
    if position > 0:
        _append_to(mapping, keys[position - 1], token, "\n" + text if not text.startswith("\n") else text)
    elif position < len(keys) - 1:
        following = keys[position + 1]
        comments = [ln.strip().lstrip("#").strip() for ln in kept if ln.strip().startswith("#")]
        if comments:
            mapping.yaml_set_comment_before_after_key(following, before="\n".join(comments), indent=column)


def _append_to(mapping: Any, key: str, like: Any, text: str) -> None:
    """Add comment lines after `key`'s own end-of-line comment."""
    entry = mapping.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        eol = "\n"
        mapping.ca.items[key] = [None, None, _token_like(like, eol + text.lstrip("\n")), None] if text.strip() else [
            None, None, _token_like(like, "\n" + text.lstrip("\n")), None]
        return
    base = token.value if token.value.endswith("\n") else token.value + "\n"
    entry[2] = _token_like(token, base + text.lstrip("\n") if text.strip() else base + text.lstrip("\n"))


def _item_token(seq: Any, i: int) -> Any:
    entry = seq.ca.items.get(i)
    return entry[0] if entry else None


def _replace_items(seq: Any, values: list[Any]) -> None:
    """Set a list's items in place: it keeps its flow/block style and the comments on its items.

    ruamel.yaml hangs the comment lines that follow a block list on its last item's comment;
    when the list gets shorter, they move to the new last item so they stay where they were.
    """
    old_last = len(seq) - 1
    tail_token = _item_token(seq, old_last)
    rest = _comment_lines(tail_token)[1]
    for i, v in enumerate(values[: len(seq)]):
        seq[i] = v
    comments = dict(seq.ca.items)
    # list.__delitem__/append, not CommentedSeq's: those shift comments; they are set below.
    del seq[len(values):]
    seq.extend(values[len(seq):])
    new_last = len(values) - 1
    seq.ca.items.clear()
    seq.ca.items.update((k, c) for k, c in comments.items() if isinstance(k, int) and k <= min(new_last, old_last))
    if rest and new_last >= 0 and new_last != old_last:
        own = _item_token(seq, new_last)
        if new_last > old_last:  # the list grew: the old last item keeps only its own comment
            eol = _comment_lines(tail_token)[0]
            if eol:
                seq.ca.items[old_last] = [_token_like(tail_token, eol + "\n"), None, None, None]
            else:
                seq.ca.items.pop(old_last, None)
        eol = _comment_lines(own)[0]
        seq.ca.items[new_last] = [_token_like(own or tail_token, f"{eol}\n{rest}"), None, None, None]


def _set_scalar_over_list(parent: Any, key: Any, value: Any) -> None:
    """Replace a block list by a scalar (CK211's null), keeping the comment lines after it."""
    seq = parent[key]
    tail_token = _item_token(seq, len(seq) - 1) if len(seq) else None
    rest = _comment_lines(tail_token)[1]
    parent[key] = value
    if rest:
        entry = parent.ca.items.get(key)
        eol = _comment_lines(entry[2] if entry and len(entry) > 2 else None)[0]
        parent.ca.items[key] = [None, None, _token_like(tail_token, f"{eol}\n{rest}"), None]


def _rename_key(parent: Any, old: Any, new: str) -> None:
    """The key renamed where it stands: same position, same value, same comments."""
    position = list(parent).index(old)
    comment = parent.ca.items.pop(old, None)
    value = parent[old]
    del parent[old]
    parent.insert(position, new, value)
    if comment is not None:
        parent.ca.items[new] = comment


def _rename(tree: Any, edit: Edit) -> None:
    run = _parent(tree, edit.path)
    old = run["name"]
    run["name"] = edit.value
    evaluation = tree.get("evaluation")
    matrix = evaluation.get("matrix") if isinstance(evaluation, dict) else None
    for entry in matrix if isinstance(matrix, list) else ():
        if isinstance(entry, dict) and entry.get("run") == old:
            entry["run"] = edit.value


def _edit_tree(tree: Any, edits: list[Edit]) -> None:
    done: set[tuple[str, PathT]] = set()
    for edit in edits:
        if (edit.kind, edit.path) in done:
            continue  # e.g. one CK210 edit per wrong epoch of the same list
        done.add((edit.kind, edit.path))
        _apply_one(tree, edit)


def unchanged_outside(text: str, out: str, ranges: list[tuple[int, int]]) -> bool:
    """Is every line of `text` outside `ranges` (0-based [start, end) line spans) in `out`,
    in order, with only the edited spans between them?"""
    lines = text.splitlines(keepends=True)
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    bounds = [0, *(b for span in merged for b in span), len(lines)]
    segments = ["".join(lines[bounds[k]:bounds[k + 1]]) for k in range(0, len(bounds), 2)]
    if not out.startswith(segments[0]):
        return False
    cursor = len(segments[0])
    for seg in segments[1:-1]:
        found = out.find(seg, cursor)
        if found < 0:
            return False
        cursor = found + len(seg)
    return len(segments) == 1 and cursor == len(out) or len(out) - len(segments[-1]) >= cursor and out.endswith(segments[-1])


def apply(text: str, edits: Iterable[Edit], lines: list[tuple[int, int]] | None = None) -> str:
    """The text with the edits made; raises CannotRewrite when that would reformat the file.

    With `lines` (the spans the edits may touch), one load and one dump: the result is taken
    when nothing outside those spans moved. Otherwise (or without `lines`) the layout is first
    proven to round-trip exactly (load), which costs a second dump of the whole file.
    """
    edits = list(edits)
    if lines is not None:
        guessed = _guess_indent(text)
        tree = _load_tree(text, guessed)
        _edit_tree(tree, edits)
        out = _dump(_yaml(*guessed), tree)
        if unchanged_outside(text, out, lines):
            return out
    y, tree = load(text)
    _edit_tree(tree, edits)
    return _dump(y, tree)
