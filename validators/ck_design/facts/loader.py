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
- alias bombs are refused while building, before anything expands them (each aliased node is
  built once and its expanded size counted),
  as are documents nested deeper than any design needs, non-UTF-8 bytes and files > 10 MB.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .files import TooLarge, read_regular

try:  # libyaml: ~10x faster parsing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100
# Aliases may expand a document by this many nodes beyond what it spells out, or by
# ALIAS_RATIO times what it spells out when that is more: a big design that reuses a
# `<<: *defaults` block in every run is fine, while a billion-laughs document (exponential)
# or a chain of merges (quadratic) passes either bound within a few hundred nodes.
MAX_ALIAS_EXPANSION = 100_000
ALIAS_RATIO = 10

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
    """Safe loader whose resolver also reads exponent-only floats (`1e-5`) as floats.

    Even with libyaml, tag resolution runs in Python once per node and was a third of the
    parse time, so plain scalars are resolved once per distinct spelling (a design repeats
    its keys and enum values thousands of times), and the path-resolver hooks, which we never
    use, do nothing.
    """

    _plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return TAG_STR
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(self._plain_tags) < 50_000:
                    self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


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


class NotText(Exception):
    """The file is binary (a NUL byte near its start), not a text file at all: the CLI says it
    could not be read (exit 2), as for a missing file, instead of reporting findings on it."""


# Git's test for binary content: a NUL byte in the first 8000 bytes. UTF-16/32 text has NULs
# too, but starts with a byte-order mark: it stays a CK003 "not UTF-8" finding.
_BINARY_SNIFF = 8000
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


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
    # The source text: its comments (`# ck-validate: ignore CK293`, validate/suppress.py).
    text: str = ""

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


_INT_FALLBACK = _scalar_constructor.construct_yaml_int
_FLOAT_FALLBACK = _scalar_constructor.construct_yaml_float
_BOOL_VALUES = _scalar_constructor.bool_values


def _scalar(node: ScalarNode) -> Any:
    """The Python value of a scalar of YAML's core schema; any other tag is refused.

    The common spellings take a fast path (most of a design's scalars are strings and small
    ints); PyYAML's constructors handle the rest (0x1f, 1_000, 1:30, .inf).
    """
    tag = node.tag
    if tag == TAG_STR:
        return node.value
    try:
        if tag == TAG_INT:
            v = node.value
            if v.isdigit() and (v[0] != "0" or len(v) == 1):
                return int(v)
            return _INT_FALLBACK(node)
        if tag == TAG_FLOAT:
            v = node.value
            if "_" not in v and ":" not in v:
                try:
                    return float(v)
                except ValueError:
                    pass  # .inf, .nan
            return _FLOAT_FALLBACK(node)
        if tag == TAG_BOOL:
            return _BOOL_VALUES[node.value.lower()]
    except (ValueError, KeyError, TypeError):
        # Reached by explicit tags (`!!int abc`) and by ints longer than Python converts.
        mark = node.start_mark
        kind = tag.rsplit(":", 1)[-1]
        value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        reason = f" ({len(node.value):,} characters)" if len(node.value) > 40 else ""
        raise LoadError(
            "CK001",
            f"{value!r} is not a valid {kind}{reason}",
            mark.line + 1,
            mark.column + 1,
        ) from None
    if tag == TAG_NULL:
        return None
    if tag == TAG_TIMESTAMP or tag == TAG_VALUE:
        return node.value
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


def _too_deep(node: Node) -> LoadError:
    mark = node.start_mark
    return LoadError(
        "CK003",
        f"the document nests deeper than {MAX_DEPTH} levels; a design needs fewer than 10",
        mark.line + 1,
        mark.column + 1,
    )


def _is_yaml11_bool(node: Node) -> bool:
    return (
        isinstance(node, ScalarNode)
        and node.tag == TAG_BOOL
        and not node.style
        and node.value.lower() in _YAML11_ONLY_BOOLS
    )


_IN_PROGRESS = object()


class _Builder:
    """Builds plain dicts/lists/scalars from the node tree in one pass.

    The same pass guards against alias bombs: a node reached again through an alias reuses
    the object built the first time (so building stays linear in the text), and the size it
    would have expanded to is added to `extra`; the build stops as soon as `extra` passes
    its bound, long before anything (merges here, or the schema check later) walks the
    expansion.
    """

    __slots__ = ("memo", "count", "extra", "saw_yaml11_bool")

    def __init__(self) -> None:
        # id(node) -> (object, expanded size), or _IN_PROGRESS while its children are built.
        self.memo: dict[int, Any] = {}
        self.count = 0
        self.extra = 0
        self.saw_yaml11_bool = False

    def value(self, node: Node, depth: int) -> Any:
        if node.__class__ is ScalarNode:
            if node.tag == TAG_STR:
                return node.value
            if node.tag == TAG_BOOL and not node.style and node.value.lower() in _YAML11_ONLY_BOOLS:
                self.saw_yaml11_bool = True
            return _scalar(node)
        return self.container(node, depth)

    def container(self, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _too_deep(node)
        key = id(node)
        hit = self.memo.get(key)
        if hit is not None:
            if hit is _IN_PROGRESS:
                mark = node.start_mark
                raise LoadError(
                    "CK001", "recursive alias: a node contains itself", mark.line + 1, mark.column + 1
                )
            self.extra += hit[1]
            self.count += hit[1]
            if self.extra > MAX_ALIAS_EXPANSION and self.extra > ALIAS_RATIO * (self.count - self.extra):
                raise LoadError(
                    "CK003",
                    f"aliases expand the {self.count - self.extra:,} nodes written so far by {self.extra:,} "
                    f"more (this anchor alone is {hit[1]:,}): refusing an alias bomb",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    hint="write the repeated parts out, or use fewer nested aliases",
                )
            return hit[0]
        self.memo[key] = _IN_PROGRESS
        before = self.count
        self.count += 1 + len(node.value)
        if isinstance(node, SequenceNode):
            if node.tag != TAG_SEQ:
                raise _refuse_tag(node)
            value = self.value
            out: Any = [value(child, depth + 1) for child in node.value]
        elif isinstance(node, MappingNode):
            if node.tag != TAG_MAP:
                raise _refuse_tag(node)
            out = self.mapping(node, depth)
        else:  # pragma: no cover - the composer makes only these three kinds
            raise _refuse_tag(node)
        self.memo[key] = (out, self.count - before)
        return out

    def mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: list[Node] | None = None
        value = self.value
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == TAG_STR:
                k = key_node.value
            elif key_node.tag == TAG_MERGE:
                if merged is None:
                    merged = []
                merged.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            elif isinstance(key_node, ScalarNode):
                k = _scalar(key_node)
            else:
                mark = key_node.start_mark
                raise LoadError(
                    "CK001",
                    "a mapping key must be a plain value, not a list or mapping",
                    mark.line + 1,
                    mark.column + 1,
                )
            if k in out:
                raise _duplicate(node, key_node, k)
            out[k] = value(value_node, depth + 1)
        if merged:
            for m in merged:
                if not isinstance(m, MappingNode):
                    mark = m.start_mark
                    raise LoadError(
                        "CK001",
                        "a `<<` merge key needs a mapping or a list of mappings",
                        mark.line + 1,
                        mark.column + 1,
                    )
                # Explicit keys win, then earlier merged mappings over later ones (YAML merge spec).
                for k, v in self.container(m, depth + 1).items():
                    out.setdefault(k, v)
        return out


def _duplicate(mapping: MappingNode, key_node: ScalarNode, k: Any) -> LoadError:
    first = next(
        kn
        for kn, _ in mapping.value
        if isinstance(kn, ScalarNode) and kn.tag != TAG_MERGE and _scalar(kn) == k
    )
    mark = key_node.start_mark
    same = "" if first.value == key_node.value else f" ({first.value!r} and {key_node.value!r} are both {k!r})"
    return LoadError(
        "CK002",
        f"duplicate key {key_node.value!r}{same}: first defined at line {first.start_mark.line + 1}",
        mark.line + 1,
        mark.column + 1,
        hint="keep one of them; YAML parsers silently drop all but the last",
    )


def _yaml11_bool_paths(root: Node) -> set[Path_]:
    """Every path (through aliases and merges) whose value is a plain yes/no/on/off.

    Only walked when the build saw such a scalar, which a clean design never has; the alias
    bomb guard has already bounded how far this walk can expand.
    """
    found: set[Path_] = set()

    def walk(node: Node, path: Path_) -> None:
        if isinstance(node, ScalarNode):
            if _is_yaml11_bool(node):
                found.add(path)
        elif isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, path + (i,))
        elif isinstance(node, MappingNode):
            seen: set[Any] = set()
            for k, v in _mapping_pairs(node):
                if isinstance(k, ScalarNode):
                    key = _scalar(k)
                    if key not in seen:
                        seen.add(key)
                        walk(v, path + (key,))

    walk(root, ())
    return found


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "maximum nesting depth" in problem:
            raise LoadError(
                "CK003",
                f"the document nests deeper than {MAX_DEPTH} levels; a design needs fewer than 10",
                line,
                column,
            ) from None
        hint = None
        if mark is not None and mark.index < len(text) and text[mark.index] == "\t":
            problem = "a tab character; YAML indents with spaces only"
            hint = "replace the tab with spaces"
        raise LoadError("CK001", f"not valid YAML: {problem}", line, column, hint=hint) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_col(text, exc.position) if isinstance(exc.character, int) else (1, 1)
        what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        raise LoadError(
            "CK003",
            f"{what} is not allowed in YAML ({exc.reason}): is this a text file?",
            line,
            column,
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError("CK001", f"not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # the pure-Python parser (no libyaml) recurses per nesting level
        raise LoadError("CK003", f"the document nests deeper than {MAX_DEPTH} levels") from None


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
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text, nul)
        raise LoadError("CK003", "the file holds NUL bytes: it is binary, not YAML", line, column)
    # Composing and building create one object per node and no cycles; the cyclic GC would
    # rescan the growing tree over and over (3-4x the parse time on a 10,000-run design).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        root = _compose(text)
        if root is None:
            raise LoadError(
                "CK003", "the document is empty; expected a mapping with experiment, runs, evaluation, ..."
            )
        if not isinstance(root, MappingNode):
            kind = "a list" if isinstance(root, SequenceNode) else "a single value"
            raise LoadError(
                "CK003",
                f"the document is {kind}, not a mapping of experiment, runs, evaluation, ...",
                root.start_mark.line + 1,
                root.start_mark.column + 1,
            )
        builder = _Builder()
        try:
            data = builder.container(root, 0)
        except RecursionError:
            raise LoadError("CK003", f"the document nests deeper than {MAX_DEPTH} levels") from None
        bools = _yaml11_bool_paths(root) if builder.saw_yaml11_bool else set()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Document(data=data, root=root, path=path, yaml11_bools=bools, text=text)


def load_file(path: str | os.PathLike[str]) -> Document:
    """Read and parse a file. OSError propagates (the CLI turns it into exit 2), including
    files.NotRegularFile for a FIFO, `<(...)`, /dev/zero, a socket or device: those are refused
    before anything is read, so nothing blocks (facts/files.py); and NotText for a binary file."""
    try:
        data = read_regular(path, MAX_BYTES)
    except TooLarge as exc:
        raise LoadError("CK003", f"file is {exc.size / 1e6:.1f} MB; a design is at most 10 MB") from None
    if b"\x00" in data[:_BINARY_SNIFF] and not data.startswith(_UTF16_32_BOMS):
        raise NotText("a binary file, not a YAML text file")
    return loads(data, str(path))
