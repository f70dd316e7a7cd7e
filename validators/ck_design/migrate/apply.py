"""Making spec/migration.py's steps on the ruamel.yaml round-trip tree of the file's text.

The text is loaded with validate/fixes/apply.py's `load`, which proves the file comes back byte
for byte before anything changes (else CannotRewrite: the file is left alone, never reformatted).
A renamed key keeps its place, its value's layout and its comments; a new key goes after the
key the plan names, quoted the way its neighbour is; a dropped key is apply.py's `drop_key`
(shared with `--fix`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..validate.fixes.apply import CannotRewrite, _dump, _token_like, drop_key, load
from ..spec.migration import DROP, RENAME, Step

__all__ = ["CannotRewrite", "migrate_text"]


def migrate_text(text: str, steps: Iterable[Step]) -> str:
    y, tree = load(text)
    steps = list(steps)
    # Renames first: a later step may name the new key (experiment.dir).
    for step in sorted(steps, key=lambda s: (s.kind != RENAME, s.kind != DROP)):
        parent = _parent(tree, step.path)
        if step.kind == RENAME:
            _rename(parent, step.path[-1], step.value)
        elif step.kind == DROP:
            drop_key(parent, step.path[-1])
        else:
            _set(parent, step.path[-1], step.value, step.after)
    return _dump(y, tree)


def _parent(tree: Any, path: tuple[str, ...]) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


def _rename(mapping: Any, old: str, new: str) -> None:
    position = list(mapping).index(old)
    comment = mapping.ca.items.pop(old, None)
    value = mapping[old]
    del mapping[old]  # its comments were taken above: they go with the new name
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment
    _move_line_col(mapping, old, new)


def _move_line_col(mapping: Any, old: str, new: str) -> None:
    data = getattr(getattr(mapping, "lc", None), "data", None)
    if isinstance(data, dict) and old in data:
        data[new] = data.pop(old)


def _styled(neighbour: Any, value: Any) -> Any:
    """`value` quoted as the neighbouring string value is ("..." stays "...")."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(value, str) and isinstance(neighbour, ScalarString) and "\n" not in value:
        return type(neighbour)(value)
    return value


def _set(mapping: Any, key: str, value: Any, after: str | None) -> None:
    if key in mapping:
        mapping[key] = _styled(mapping[key], value)
        return
    position = list(mapping).index(after) + 1 if after in mapping else len(mapping)
    neighbour = mapping[after] if after in mapping else None
    mapping.insert(position, key, _styled(neighbour, value))
    if after in mapping:
        _hand_over_trailing_comment(mapping, after, key)


def _hand_over_trailing_comment(mapping: Any, after: str, key: str) -> None:
    """The comment lines below `after` introduce what followed it: they stay below the new key."""
    entry = mapping.ca.items.get(after)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or "\n" not in token.value.rstrip("\n"):
        return
    first, _, rest = token.value.partition("\n")
    entry[2] = _token_like(token, first + "\n")
    mapping.ca.items[key] = [None, None, _token_like(token, "\n" + rest), None]
