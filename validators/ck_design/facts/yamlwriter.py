"""The YAML this package writes: one-line scalars for the template, the copier answers file,
and ck-scaffold's job files.

Every user string must come back identical from the rendered file, read by ck-validate's loader
and by PyYAML alike (docs/wizard.md, "Where things live"); tests/test_roundtrip.py proves it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

_PLAIN_OK = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./+-]*$")
# Words some YAML reader (1.1 or 1.2) reads as something other than a string.
_RESERVED = frozenset("null ~ true false yes no on off y n".split())
_NO_WRAP = 2**31  # one line, however long: hand edits and copier's 3-way merge stay local


class _Dumper(yaml.SafeDumper):
    pass


def _dump_scalar(value: Any, style: str | None) -> str:
    text = yaml.dump(value, Dumper=_Dumper, default_style=style, allow_unicode=True, width=_NO_WRAP,
                     explicit_start=False)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def _reload(text: str) -> Any:
    from .loader import loads

    return loads(f"v: {text}\n").data["v"]


def shown_value(value: Any) -> str:
    """A value as the plans show it (step 8, README.md): a number in the one number format of
    run names and labels (naming.format_value: 1e-4), anything else as its YAML scalar."""
    from ..spec.naming import format_value

    if isinstance(value, float) and math.isfinite(value):
        return format_value(value)
    return yaml_scalar(value)


def yaml_scalar(value: Any) -> str:
    """One value as a YAML scalar on one line, read back identically by ck-validate's loader and
    by PyYAML (YAML 1.1): plain where that is unambiguous, else single- or double-quoted.

    Floats keep PyYAML's spelling (`1.0e-05`, `0.0001`), which both YAML 1.1 and 1.2 read as
    floats; strings that look like anything else (`null`, `no`, `1e-5`, `2026-11-25`) are quoted.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"{value!r} is not a usable number in a design")
        return _dump_scalar(value, None)
    if not isinstance(value, str):
        raise TypeError(f"not a scalar: {value!r}")
    if _PLAIN_OK.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    text = _dump_scalar(value, "'")
    if "\n" in text or _reload(text) != value:
        text = _dump_scalar(value, '"')
    return text


def yaml_flow_list(values: Sequence[Any]) -> str:
    """A short list of scalars in flow style: `[0, 1]`, `['0', '1']`."""
    return "[" + ", ".join(yaml_scalar(v) for v in values) + "]"


def yaml_value(value: Any) -> str:
    """A scalar, a scalar list (flow), or an empty mapping/list, on one line."""
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (list, tuple, dict)) for v in value):
            return yaml_flow_list(value)
        raise TypeError("nested lists are laid out by the template")
    if isinstance(value, dict):
        if not value:
            return "{}"
        raise TypeError("mappings are laid out by the template")
    return yaml_scalar(value)


def is_relative_local_path(src: Any) -> bool:
    """A template source given as a relative local path (`.`, `../ck-design`), not a URL."""
    if not isinstance(src, str) or not src or os.path.isabs(src) or src.startswith("~"):
        return False
    if "://" in src or re.match(r"^[A-Za-z][\w.+-]*:", src) or re.match(r"^[^/]+@[^/]+:", src):
        return False  # https://..., gh:org/repo, git@host:org/repo
    return os.path.isdir(src)


class _AnswersDumper(yaml.SafeDumper):
    """Block style; strings holding a character YAML treats as a line break (NEL, LS, PS) are
    double-quoted, where PyYAML escapes them (unescaped, a reader folds them into a space)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if any(ch in value for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_AnswersDumper.add_representer(str, _represent_str)


def answers_yaml(answers: Mapping[str, Any]) -> str:
    """The copier answers file body: block style, `approved` left out (asked afresh each time,
    docs/wizard.md "Approval").

    A relative local template path is recorded absolute: copier stores `_src_path` as given,
    and `copier update`, run from inside the experiment, would not find `../ck-design`.
    """
    kept = {k: v for k, v in answers.items() if k != "approved"}
    if is_relative_local_path(kept.get("_src_path")):
        kept["_src_path"] = os.path.abspath(kept["_src_path"])
    return yaml.dump(kept, Dumper=_AnswersDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=_NO_WRAP)


# ck-scaffold's job files (scaffold/sync.py): the header comment, then one `key: value` line per
# key, by yaml.dump's rules (never by pasting strings), the same bytes for the same keys. One line
# per key because cruijff_kit renders SLURM scripts from these values: a string with a line break
# (a prompt's trailing newline) is written double-quoted with the break escaped, a list or
# mapping (the scorers) in flow style. Not yaml_scalar: these are yaml.dump's own bytes, which
# job files already written hold (ck-scaffold --check compares bytes), and a 1,000-run design
# writes 16,000 of them, so each distinct value is dumped once (benchmarks/scaffold.py).

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


def _job_value_slow(value: Any) -> str:
    text = yaml.dump(value, Dumper=_OneLineDumper, allow_unicode=True, width=_NO_WRAP, sort_keys=False)
    return text[: -len("\n...\n")] if text.endswith("\n...\n") else text.rstrip("\n")


# A string yaml.safe_dump writes as it is (plain) and every YAML reader reads back as the same
# string: a path, a run or model name, a recipe's module. Starting with a letter, '/' or '_', of
# characters no YAML indicator uses where they stand; the words YAML 1.1 reads as booleans or null
# (_RESERVED) go the slow way. tests/test_scaffold.py checks this shortcut gives yaml.dump's own bytes.
_JOB_PLAIN = re.compile(r"[A-Za-z/_][A-Za-z0-9_./@+-]*")
_job_values: dict[tuple[type, Any], str] = {}
_by_id: dict[tuple[str, int], tuple[Any, str]] = {}  # (the object itself, kept alive so its id stays its own; its text)


def job_value(value: Any) -> str:
    """One value as YAML on one line: yaml.dump's bytes, computed once per distinct value (a
    design of 15,000 cells repeats most of them) and directly for the plain strings of paths."""
    if type(value) is str and _JOB_PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    try:
        key = (type(value), value)
        hit = _job_values.get(key)
    except TypeError:  # a list or mapping (the scorers): its repr, with its types, is the key
        key = (type(value), repr(value))
        hit = _job_values.get(key)
    if hit is None:
        hit = _job_values[key] = _job_value_slow(value)
    return hit


_SCALARS = frozenset({str, int, float, bool, type(None)})


_lines: dict[tuple[str, type, Any], str] = {}  # `key: value` per (key, type, value): most repeat across cells


def job_file(keys: Mapping[str, Any], header: str) -> bytes:
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
                    line = _lines[(k, t, v)] = f"{k}: {job_value(v)}"
                else:
                    line = f"{k}: {job_value(v)}"
        else:  # a list or mapping: the scorers, one object shared by every cell
            hit = _by_id.get((k, id(v)))
            if hit is None or hit[0] is not v:
                hit = _by_id[(k, id(v))] = (v, f"{k}: {job_value(_plain_data(v))}")
            line = hit[1]
        append(line)
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _plain_data(value: Any) -> Any:
    """Plain dicts and lists (the design's mappings may be subclasses the dumper does not know)."""
    if isinstance(value, Mapping):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    return value
