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


def dump_value(value: Any) -> str:
    """One value as YAML on one line, without the document end marker."""
    text = yaml.dump(value, Dumper=_OneLineDumper, allow_unicode=True, width=float("inf"), sort_keys=False)
    return text[: -len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")


def dump(keys: Mapping[str, Any], header: str) -> bytes:
    """`# header` and `key: value` per key, in the mapping's order."""
    lines = [f"# {header}"]
    lines += [f"{dump_value(str(k))}: {dump_value(_plain(v))}" for k, v in keys.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the design's mappings may be subclasses the dumper does not know)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
