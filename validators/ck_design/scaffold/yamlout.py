"""A job file's bytes: the header comment, then one `key: value` line per key, by yaml.safe_dump's
rules (never by pasting strings), the same bytes for the same keys.

One line per key because cruijff_kit renders SLURM scripts from these values: a string with a
line break (a prompt's trailing newline) is written double-quoted with the break escaped, and a
list or mapping (the scorers) in flow style.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

# Characters some reader takes as a line break, and other controls: such a string is written
# double-quoted, where YAML escapes them (\n, \t, \x85, \u2028).
_NEEDS_QUOTES = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# A string PyYAML leaves plain but a YAML 1.2 reader (OmegaConf, torchtune) takes for a number: `1e-5`.
_NUMBER_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


class _OneLineDumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NEEDS_QUOTES.search(value) else "'" if _NUMBER_12.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _dict(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_OneLineDumper.add_representer(str, _str)
_OneLineDumper.add_representer(list, _list)
_OneLineDumper.add_representer(tuple, _list)
_OneLineDumper.add_representer(dict, _dict)


def _dump_slow(value: Any) -> str:
    text = yaml.dump(value, Dumper=_OneLineDumper, allow_unicode=True, width=float("inf"), sort_keys=False)
    return text[: -len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")


# A string yaml.safe_dump writes as it is (plain) and every YAML reader reads back as the same
# string: a path, a run or model name, a recipe's module. Starting with a letter, '/' or '_', of
# characters no YAML indicator uses where they stand; the words YAML 1.1 reads as booleans or null
# go the slow way. tests/test_scaffold.py checks this shortcut gives yaml.dump's own bytes.
_PLAIN = re.compile(r"[A-Za-z/_][A-Za-z0-9_./@+-]*")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null"})
_cache: dict[tuple[type, Any], str] = {}
_by_id: dict[tuple[str, int], tuple[Any, str]] = {}  # (the object itself, kept alive so its id stays its own; its text)


def dump_value(value: Any) -> str:
    """One value as YAML on one line: yaml.dump's bytes, computed once per distinct value (a
    design of 15,000 cells repeats most of them) and directly for the plain strings of paths."""
    if type(value) is str and _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    try:
        key = (type(value), value)
        hit = _cache.get(key)
    except TypeError:  # a list or mapping (the scorers): its repr, with its types, is the key
        key = (type(value), repr(value))
        hit = _cache.get(key)
    if hit is None:
        hit = _cache[key] = _dump_slow(value)
    return hit


_SCALARS = frozenset({str, int, float, bool, type(None)})


_lines: dict[tuple[str, type, Any], str] = {}  # `key: value` per (key, type, value): most repeat across cells


def dump(keys: Mapping[str, Any], header: str) -> bytes:
    """`# header` and `key: value` per key, in the mapping's order. The keys are ck-scaffold's own
    identifiers (plain YAML; tests/test_scaffold.py checks every one)."""
    lines = [f"# {header}"]
    append = lines.append
    for k, v in keys.items():
        t = type(v)
        if t in _SCALARS:
            line = _lines.get((k, t, v))
            if line is None:
                if len(_lines) < 200_000:
                    line = _lines[(k, t, v)] = f"{k}: {dump_value(v)}"
                else:
                    line = f"{k}: {dump_value(v)}"
        else:  # a list or mapping: the scorers, one object shared by every cell
            hit = _by_id.get((k, id(v)))
            if hit is None or hit[0] is not v:
                hit = _by_id[(k, id(v))] = (v, f"{k}: {dump_value(_plain(v))}")
            line = hit[1]
        append(line)
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the design's mappings may be subclasses the dumper does not know)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
