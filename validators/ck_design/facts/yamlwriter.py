"""The YAML the wizard writes: one-line scalars for the template, and the copier answers file.

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
