"""Load experiment_summary.yaml with a line/column for every node, safely and fast.

One compose with PyYAML's C parser (the pure-Python one where libyaml is missing); the
Python objects are then built from that same node tree, so a finding's location is looked up
on the tree only when a finding needs it. Differences from `yaml.safe_load`, all deliberate:

- floats resolve the YAML 1.2 way, as torchtune's OmegaConf reads them: `1e-5` is a float;
- a duplicate mapping key is an error (CK002), including `yes:`/`on:` keys that collide as
  booleans; `<<` merge keys still work and explicit keys override merged ones;
- timestamps stay strings (`date: 2026-11-25` is validated as text, never a datetime);
- any tag outside YAML's core schema (`!!python/object`, `!custom`) is refused: no Python
  object is ever constructed;
- alias bombs are refused before anything is built (expanded size counted on the node graph),
  as are documents nested deeper than any design needs, non-UTF-8 bytes and files > 10 MB.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml: ~10x faster parsing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100
# Aliases may expand a document by at most this many nodes beyond what it spells out.
MAX_ALIAS_EXPANSION = 100_000

TAG_STR = "tag:yaml.org,2002:str"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
TAG_TIMESTAMP = "tag:yaml.org,2002:timestamp"
TAG_MERGE = "tag:yaml.org,2002:merge"
TAG_SEQ = "tag:yaml.org,2002:seq"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_VALUE = "tag:yaml.org,2002:value"

Path_ = tuple[Any, ...]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose resolver also reads exponent-only floats (`1e-5`) as floats."""


# Copy before adding so the global SafeLoader keeps PyYAML's behaviour.
_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in _BaseLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(
    TAG_FLOAT,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)

_YAML11_ONLY_BOOLS = frozenset({"yes", "no", "on", "off"})
_scalar_constructor = yaml.constructor.SafeConstructor()


class LoadError(Exception):
    """The file cannot be read as a design at all. `code` is CK001 or CK003 (CK002 duplicates)."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


@dataclass
class Document:
    """The loaded data plus the node tree it came from, for locating findings."""

    data: Any
    root: Node
    path: str = "<string>"
    # Paths of plain scalars that YAML 1.1 read as booleans from yes/no/on/off (CK004).
    yaml11_bools: set[Path_] = field(default_factory=set)

    def node_at(self, path: Path_) -> tuple[Node, Node | None, int]:
        """The deepest node along `path`, the key node that led to it, and how many steps matched."""
        node, key_node, depth = self.root, None, 0
        for step in path:
            found = _child(node, step)
            if found is None:
                break
            key_node, node = found
            depth += 1
        return node, key_node, depth

    def locate(self, path: Path_) -> tuple[int, int]:
        """1-based line/column of the value at `path`; of its parent's key when it is missing."""
        node, key_node, depth = self.node_at(path)
        if depth < len(path) and key_node is not None:
            mark = key_node.start_mark
        else:
            mark = node.start_mark
        return mark.line + 1, mark.column + 1

    def locate_key(self, path: Path_) -> tuple[int, int]:
        """1-based line/column of the key that holds the value at `path` (the value for list items)."""
        node, key_node, depth = self.node_at(path)
        mark = (key_node or node).start_mark
        return mark.line + 1, mark.column + 1


def _mapping_pairs(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """Explicit pairs first (they win), then pairs brought in by `<<` merge keys."""
    merges: list[Node] = []
    for k, v in node.value:
        if k.tag == TAG_MERGE:
            merges.extend(v.value if isinstance(v, SequenceNode) else [v])
        else:
            yield k, v
    for m in merges:
        if isinstance(m, MappingNode):
            yield from _mapping_pairs(m)


def _child(node: Node, step: Any) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for k, v in _mapping_pairs(node):
            if isinstance(k, ScalarNode) and _scalar(k) == step:
                return k, v
        return None
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == TAG_STR or tag == TAG_TIMESTAMP or tag == TAG_VALUE:
        return node.value
    if tag == TAG_INT:
        return _scalar_constructor.construct_yaml_int(node)
    if tag == TAG_FLOAT:
        return _scalar_constructor.construct_yaml_float(node)
    if tag == TAG_BOOL:
        return _scalar_constructor.construct_yaml_bool(node)
    if tag == TAG_NULL:
        return None
    raise _refuse_tag(node)


def _refuse_tag(node: Node) -> LoadError:
    mark = node.start_mark
    return LoadError(
        "CK001",
        f"tag {node.tag!r} is not allowed: a design holds plain YAML data only",
        mark.line + 1,
        mark.column + 1,
        hint="remove the tag; ck-design never constructs Python objects",
    )


def _count_expanded(root: Node) -> tuple[int, int]:
    """(nodes as written, nodes after expanding aliases), without building anything.

    Memoised per node object, so a billion-laughs document costs one pass over its graph.
    """
    expanded: dict[int, int] = {}
    in_progress: set[int] = set()
    written = 0

    def visit(node: Node) -> int:
        nonlocal written
        key = id(node)
        if key in expanded:
            return expanded[key]
        if key in in_progress:
            mark = node.start_mark
            raise LoadError("CK001", "recursive alias: a node contains itself", mark.line + 1, mark.column + 1)
        written += 1
        total = 1
        if isinstance(node, SequenceNode):
            in_progress.add(key)
            for child in node.value:
                total += visit(child)
            in_progress.discard(key)
        elif isinstance(node, MappingNode):
            in_progress.add(key)
            for k, v in node.value:
                total += visit(k) + visit(v)
            in_progress.discard(key)
        expanded[key] = total
        return total

    total = visit(root)
    return written, total


class _Builder:
    def __init__(self) -> None:
        self.yaml11_bools: set[Path_] = set()
        self.memo: dict[int, Any] = {}

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise LoadError(
                "CK003",
                f"the document nests deeper than {MAX_DEPTH} levels; a design needs fewer than 10",
                mark.line + 1,
                mark.column + 1,
            )
        if isinstance(node, ScalarNode):
            value = _scalar(node)
            if node.tag == TAG_BOOL and not node.style and node.value.lower() in _YAML11_ONLY_BOOLS:
                self.yaml11_bools.add(path)
            return value
        key = id(node)
        if key in self.memo:  # an alias: share the object already built
            return self.memo[key]
        if isinstance(node, SequenceNode):
            if node.tag != TAG_SEQ:
                raise _refuse_tag(node)
            out_list: list[Any] = []
            self.memo[key] = out_list
            for i, child in enumerate(node.value):
                out_list.append(self.build(child, path + (i,), depth + 1))
            return out_list
        if isinstance(node, MappingNode):
            if node.tag != TAG_MAP:
                raise _refuse_tag(node)
            out: dict[Any, Any] = {}
            self.memo[key] = out
            self._fill_mapping(node, out, path, depth)
            return out
        raise _refuse_tag(node)  # pragma: no cover

    def _fill_mapping(self, node: MappingNode, out: dict[Any, Any], path: Path_, depth: int) -> None:
        seen: dict[Any, Node] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == TAG_MERGE:
                merged.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            if not isinstance(key_node, ScalarNode):
                mark = key_node.start_mark
                raise LoadError(
                    "CK001",
                    "a mapping key must be a plain value, not a list or mapping",
                    mark.line + 1,
                    mark.column + 1,
                )
            k = _scalar(key_node)
            if k in seen:
                first = seen[k].start_mark
                mark = key_node.start_mark
                same = "" if seen[k].value == key_node.value else f" ({seen[k].value!r} and {key_node.value!r} are both {k!r})"
                raise LoadError(
                    "CK002",
                    f"duplicate key {key_node.value!r}{same}: first defined at line {first.line + 1}",
                    mark.line + 1,
                    mark.column + 1,
                    hint="keep one of them; YAML parsers silently drop all but the last",
                )
            seen[k] = key_node
            out[k] = self.build(value_node, path + (k,), depth + 1)
        for m in merged:
            if not isinstance(m, MappingNode):
                mark = m.start_mark
                raise LoadError("CK001", "a `<<` merge key needs a mapping or a list of mappings", mark.line + 1, mark.column + 1)
            source = self.build(m, path, depth + 1)
            for k, v in source.items():
                out.setdefault(k, v)


def loads(text: str | bytes, path: str = "<string>") -> Document:
    """Parse one YAML document. Raises LoadError (with a 1-based location) when it cannot."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise LoadError("CK003", f"file is {len(text) / 1e6:.1f} MB; a design is at most 10 MB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text.count(b"\n", 0, exc.start) + 1
            column = exc.start - (text.rfind(b"\n", 0, exc.start) + 1) + 1
            raise LoadError(
                "CK003",
                f"not UTF-8: byte 0x{text[exc.start]:02x} cannot be decoded",
                line,
                column,
                hint="re-save the file as UTF-8",
            ) from None
    elif len(text) > MAX_BYTES:
        raise LoadError("CK003", f"file is {len(text) / 1e6:.1f} MB; a design is at most 10 MB")
    if "\x00" in text:
        raise LoadError("CK003", "the file holds NUL bytes: it is binary, not YAML")
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = None
        if mark is not None and mark.index < len(text) and text[mark.index] == "\t":
            problem = "a tab character; YAML indents with spaces only"
            hint = "replace the tab with spaces"
        raise LoadError("CK001", f"not valid YAML: {problem}", line, column, hint=hint) from None
    except yaml.YAMLError as exc:
        raise LoadError("CK001", f"not valid YAML: {exc}") from None
    except RecursionError:
        raise LoadError("CK003", f"the document nests deeper than {MAX_DEPTH} levels") from None
    if root is None:
        raise LoadError("CK003", "the document is empty; expected a mapping with experiment, runs, evaluation, ...")
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise LoadError(
            "CK003",
            f"the document is {kind}, not a mapping of experiment, runs, evaluation, ...",
            root.start_mark.line + 1,
            root.start_mark.column + 1,
        )
    written, expanded = _count_expanded(root)
    if expanded - written > MAX_ALIAS_EXPANSION:
        raise LoadError(
            "CK003",
            f"aliases expand {written:,} nodes into {expanded:,} (more than {MAX_ALIAS_EXPANSION:,} extra): refusing an alias bomb",
        )
    builder = _Builder()
    try:
        data = builder.build(root, ())
    except RecursionError:
        raise LoadError("CK003", f"the document nests deeper than {MAX_DEPTH} levels") from None
    return Document(data=data, root=root, path=path, yaml11_bools=builder.yaml11_bools)


def load_file(path: str | Path) -> Document:
    """Read and parse a file. OSError propagates (the CLI turns it into exit 2)."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise LoadError("CK003", f"file is {size / 1e6:.1f} MB; a design is at most 10 MB")
    return loads(p.read_bytes(), str(path))
