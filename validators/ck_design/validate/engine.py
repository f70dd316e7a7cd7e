"""Every design rule after loading: CK004 and CK100-CK292 (SPEC section 11), in one round.

`check(doc)` returns all findings at once. The schema (pydantic, models.py) gives CK100-CK102;
every other rule reads the raw loaded data, defensively: a sub-check whose inputs are missing
or of the wrong type is skipped (the schema findings already say what is wrong there), so a
structural error in one run never hides what can still be checked elsewhere. Each rule is
one pass over runs / matrix entries with dict and set lookups: a 10,000-run design is
checked in a fraction of a second.

Locations come from the YAML node tree (`Document.locate`): the offending value, or the key
when the value is missing. Relative paths in the design (resources) resolve against
`base_dir`, by default the directory of the design file.
"""

from __future__ import annotations

import difflib
import gc
import math
import re
import string
import types
import typing
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from yaml.nodes import ScalarNode

from ..facts import resources
from ..facts.loader import Document
from ..spec import model_registry, naming, sweep
from ..spec.params import KNOWN_PARAMETERS
from ..spec.naming import SAFE_NAME_PATTERN
from ..spec.schema import ExperimentSummary
from .findings import Finding
from .registry import RULES

PathT = tuple[Any, ...]

MIN_TOTAL_STEPS = 50  # CK250
WARMUP_FACTOR = 3  # CK252: warmup should be at most a third of training
DEFAULT_GPUS = 1  # the wizard's default; controls.gpus may be absent
# difflib compares a word with every candidate (~50 us each): "did you mean" hints get this
# many comparisons per check() in total, so thousands of typos over thousands of runs stay fast.
FUZZY_BUDGET = 5000

# The type each known hyperparameter takes (for CK004: where a yes/no is a mistake).
PARAM_TYPES: dict[str, type] = {
    "lora_rank": int,
    "lr": float,
    "batch_size": int,
    "epochs": int,
    "gradient_accumulation_steps": int,
    "weight_decay": float,
    "lora_dropout": float,
    "num_warmup_steps": int,
    "max_seq_len": int,
    "packing": bool,
    "system_prompt": str,
    "prompt": str,
    "gpus": int,
    "validation_during_training": bool,
}

MATCH_LOCATIONS = ("exact", "begin", "end", "any")
_LIST_OF_STR = "list[str]"
# Known scorers and the params each accepts (inspect-ai's match/includes; cruijff_kit's risk scorers).
KNOWN_SCORERS: dict[str, dict[str, Any]] = {
    "match": {"location": MATCH_LOCATIONS, "ignore_case": bool, "numeric": bool},
    "includes": {"ignore_case": bool},
    "risk_scorer": {"option_tokens": _LIST_OF_STR},
    "numeric_risk_scorer": {"labels": _LIST_OF_STR},
}

_SAFE_NAME = re.compile(SAFE_NAME_PATTERN)
_DATE_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATA_EXTENSIONS = (".json", ".jsonl", ".parquet", ".csv")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def fmt_path(path: Iterable[Any]) -> str:
    """('runs', 3, 'type') -> 'runs[3].type'."""
    out = ""
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out or "<document>"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _short(v: Any, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _yaml_word(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return _short(v)


def _describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"the boolean {_yaml_word(v)}"
    if isinstance(v, str):
        return f"the string {_short(v)}"
    if isinstance(v, int):
        return f"the integer {v}"
    if isinstance(v, float):
        return f"the number {v!r}"
    if isinstance(v, list):
        return f"a list ({_short(v)})"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


def _vkey(v: Any) -> tuple[str, Any]:
    """A hashable identity for a parameter value: 4 == 4.0, but True is not 1."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    return ("o", repr(v))


def _closest(word: Any, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _dict(v: Any) -> dict[Any, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _checkpoints(epochs: int) -> str:
    if epochs == 1:
        return "the only checkpoint is epoch_0"
    if epochs == 2:
        return "checkpoints are epoch_0 and epoch_1"
    return f"checkpoints are epoch_0 to epoch_{epochs - 1}"


class _Ctx:
    """Collects findings for one document; locates each on the node tree."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []
        self.fuzzy_budget = FUZZY_BUDGET
        self._memo: dict[tuple[Any, tuple[str, ...]], str | None] = {}

    def add(
        self,
        code: str,
        path: PathT,
        message: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
        severity: str | None = None,
    ) -> None:
        line, column = self.doc.locate_key(path) if at_key else self.doc.locate(path)
        self.findings.append(
            Finding(self.doc.path, line, column, code, severity or RULES[code].severity, message, hint)
        )

    def line_of(self, path: PathT) -> int:
        return self.doc.locate(path)[0]

    def closest(self, word: Any, choices: Iterable[str]) -> str | None:
        """_closest within the budget (None, no hint, once it is spent); repeated typos are free."""
        options = tuple(choices)
        key = (word, options) if len(options) <= 64 else None
        if key is not None and key in self._memo:
            return self._memo[key]
        if len(options) > self.fuzzy_budget:
            return None
        self.fuzzy_budget -= len(options)
        found = _closest(word, options)
        if key is not None:
            self._memo[key] = found
        return found


# --------------------------------------------------------------------------------------------
# Schema introspection (CK103 walk, CK004 expected types)
# --------------------------------------------------------------------------------------------


def _unwrap(ann: Any) -> Any:
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    return ann


def _union_args(ann: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(ann)
    if origin is typing.Union or origin is getattr(types, "UnionType", None):
        return typing.get_args(ann)
    return None


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _submodels(cls: type[BaseModel]) -> dict[str, tuple[str, type[BaseModel]]]:
    """Fields of `cls` that hold a model ('model') or a list of models ('list')."""
    out: dict[str, tuple[str, type[BaseModel]]] = {}
    for name, info in cls.model_fields.items():
        ann = _unwrap(info.annotation)
        args = _union_args(ann)
        if args:
            non_none = [a for a in args if a is not type(None)]
            ann = _unwrap(non_none[0]) if len(non_none) == 1 else ann
        if _is_model(ann):
            out[name] = ("model", ann)
        elif typing.get_origin(ann) is list:
            item = _unwrap(typing.get_args(ann)[0])
            if _is_model(item):
                out[name] = ("list", item)
    return out


_FIELDS: dict[type[BaseModel], frozenset[str]] = {}
_SUBS: dict[type[BaseModel], dict[str, tuple[str, type[BaseModel]]]] = {}


def _shape(cls: type[BaseModel]) -> tuple[frozenset[str], dict[str, tuple[str, type[BaseModel]]]]:
    if cls not in _FIELDS:
        _FIELDS[cls] = frozenset(cls.model_fields)
        _SUBS[cls] = _submodels(cls)
    return _FIELDS[cls], _SUBS[cls]


def _leaf_annotation(path: PathT) -> Any:
    """The schema type at `path`, or None where the schema does not say (extra keys, Any)."""
    ann: Any = ExperimentSummary
    for step in path:
        ann = _unwrap(ann)
        args = _union_args(ann)
        if args:  # Optional[X] / Union: follow the branch that can hold a child at `step`
            want = list if isinstance(step, int) else None
            branch = [a for a in map(_unwrap, args) if (typing.get_origin(a) is list) == (want is list)
                      and (want is list or _is_model(a) or typing.get_origin(a) is dict)]
            if not branch:
                return None
            ann = branch[0]
        if _is_model(ann):
            info = ann.model_fields.get(step)
            if info is None:
                return None
            ann = info.annotation
        elif typing.get_origin(ann) is list and isinstance(step, int):
            ann = typing.get_args(ann)[0]
        elif typing.get_origin(ann) is dict:
            ann = typing.get_args(ann)[1]
        else:
            return None
    return _unwrap(ann)


def _scalar_kinds(ann: Any) -> set[str]:
    """Which plain scalar kinds a schema type accepts ('other' for anything unknown or any)."""
    ann = _unwrap(ann)
    if ann is None or ann is Any:
        return {"other"}
    args = _union_args(ann)
    if args:
        kinds: set[str] = set()
        for a in args:
            kinds |= _scalar_kinds(a)
        return kinds
    if typing.get_origin(ann) is typing.Literal:
        return {"bool" if isinstance(v, bool) else "str" if isinstance(v, str) else "number" for v in typing.get_args(ann)}
    if ann is bool:
        return {"bool"}
    if ann is str:
        return {"str"}
    if ann in (int, float):
        return {"number"}
    if ann is type(None):
        return {"null"}
    return {"container"}


def _expected_kind(path: PathT) -> str | None:
    """'str' or 'number' where a YAML 1.1 boolean at `path` is a mistake (CK004), else None."""
    n = len(path)
    param: Any = None
    if n == 2 and path[0] == "controls":
        param = path[1]
    elif n == 3 and path[0] == "variables":
        param = path[1]
    elif n == 4 and path[0] == "runs" and path[2] == "parameters":
        param = path[3]
    elif n >= 5 and path[0] == "evaluation" and path[1] == "scorer" and path[3] == "params":
        name = path[4]
        if n == 5 and name == "location" or n == 6 and name in ("option_tokens", "labels"):
            return "str"
        return None
    if param is not None:
        t = PARAM_TYPES.get(param)
        if t is None or t is bool:
            return None  # unknown parameters: their type is the recipe's business
        return "str" if t is str else "number"
    kinds = _scalar_kinds(_leaf_annotation(path))
    if "bool" in kinds or "other" in kinds:
        return None
    if "str" in kinds:
        return "str"
    if "number" in kinds:
        return "number"
    return None


# --------------------------------------------------------------------------------------------
# CK004
# --------------------------------------------------------------------------------------------


def _check_yaml11_bools(ctx: _Ctx) -> set[PathT]:
    flagged: set[PathT] = set()
    for path in ctx.doc.yaml11_bools:
        kind = _expected_kind(path)
        if kind is None:
            continue
        node = ctx.doc.node_at(path)[0]
        word = node.value if isinstance(node, ScalarNode) else "yes"
        value = "true" if word.lower() in ("yes", "on") else "false"
        flagged.add(path)
        if kind == "str":
            ctx.add(
                "CK004",
                path,
                f"{fmt_path(path)}: unquoted {word} is the boolean {value} in YAML 1.1 (PyYAML, OmegaConf), not the string {word!r}",
                f"quote it: '{word}'",
            )
        else:
            ctx.add(
                "CK004",
                path,
                f"{fmt_path(path)}: unquoted {word} is the boolean {value} in YAML 1.1, but a number is meant here",
                "write the number",
            )
    return flagged


# --------------------------------------------------------------------------------------------
# CK100-CK103: the schema
# --------------------------------------------------------------------------------------------

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "none_required": "null",
}
_VALUE_ERRORS = {
    "literal_error",
    "enum",
    "string_pattern_mismatch",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
    "finite_number",
    "multiple_of",
}
# The value rules that say it better (and must not be said twice).
_SUPPRESSED = {
    (("experiment", "name"), "string_pattern_mismatch"),  # CK263
    (("experiment", "date"), "string_pattern_mismatch"),  # CK270
}
_RANGE_WORDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def _branch_matches(tag: str, value: Any) -> bool:
    """Does the union member pydantic names `tag` (e.g. 'list[int]') fit the value's kind?"""
    if tag.startswith("list["):
        return isinstance(value, list)
    if tag.startswith("dict["):
        return isinstance(value, dict)
    if tag.startswith("literal["):
        return isinstance(value, str)
    if tag == "str":
        return isinstance(value, str)
    if tag == "bool":
        return isinstance(value, bool)
    if tag in ("int", "float"):
        return _is_num(value)
    return False


def _check_schema(ctx: _Ctx, data: dict[Any, Any], skip: set[PathT]) -> None:
    try:
        ExperimentSummary.model_validate(data)
        return
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)

    # Map pydantic's locations onto data paths; a step that is not in the data is a union
    # member's tag (`list[int]`), remembered so that only the member that fits the value speaks.
    mapped: list[tuple[PathT, dict[str, Any], list[tuple[PathT, str]], bool]] = []
    fitting: dict[PathT, bool] = {}
    for err in errors:
        loc = err["loc"]
        missing = err["type"] == "missing"
        steps = loc[:-1] if missing else loc
        path: list[Any] = []
        tags: list[tuple[PathT, str]] = []
        cur: Any = data
        key_error = False
        for step in steps:
            if step == "[key]":
                key_error = True
                break
            if isinstance(cur, dict) and step in cur:
                cur = cur[step]
                path.append(step)
            elif isinstance(cur, list) and isinstance(step, int) and 0 <= step < len(cur):
                cur = cur[step]
                path.append(step)
            elif isinstance(step, str):
                at = tuple(path)
                tags.append((at, step))
                fits = _branch_matches(step, cur)
                fitting[at] = fitting.get(at, False) or fits
            else:
                break
        if missing:
            path.append(loc[-1])
        mapped.append((tuple(path), err, tags, key_error))

    variables = data.get("variables")
    varied = set(variables) if isinstance(variables, dict) else set()
    groups: dict[PathT, list[tuple[dict[str, Any], list[tuple[PathT, str]], bool]]] = {}
    bad_keys: dict[PathT, None] = {}
    for path, err, tags, key_error in mapped:
        if key_error or err["type"] == "invalid_key":
            bad_keys[path] = None  # one finding per key, whichever way pydantic said it
            continue
        if any(fitting.get(at) and not _branch_matches(tag, _value_at(data, at)) for at, tag in tags):
            continue  # another member of the union fits this value; its errors are the real ones
        if path in skip or (path, err["type"]) in _SUPPRESSED:
            continue
        if err["type"] == "missing" and len(path) == 2 and path[0] == "controls" and path[1] in varied:
            continue  # a varied prompt or system_prompt lives in variables, not controls
        groups.setdefault(path, []).append((err, tags, key_error))

    for path, errs in groups.items():
        _schema_finding(ctx, data, path, errs)
    for path in bad_keys:
        _key_finding(ctx, path)


def _key_finding(ctx: _Ctx, path: PathT) -> None:
    """A mapping key that is not a string: `2:`, or `on:` (YAML 1.1's true)."""
    key_node = ctx.doc.node_at(path)[1]
    text = key_node.value if isinstance(key_node, ScalarNode) else str(path[-1])
    where = fmt_path(path[:-1])
    if isinstance(path[-1], bool) or (
        isinstance(key_node, ScalarNode) and not key_node.style and text.lower() in ("yes", "no", "on", "off")
    ):
        value = "true" if text.lower() in ("yes", "on", "true") else "false"
        ctx.add(
            "CK004",
            path,
            f"{where}: the unquoted key {text} is the boolean {value} in YAML 1.1, not the string {text!r}",
            f"quote it: '{text}'",
            at_key=True,
        )
        return
    ctx.add("CK101", path, f"{where}: the key {text} is not a string", f"quote it: '{text}'", at_key=True)


def _value_at(data: Any, path: PathT) -> Any:
    cur = data
    for step in path:
        if isinstance(cur, dict):
            cur = cur.get(step)
        elif isinstance(cur, list) and isinstance(step, int) and 0 <= step < len(cur):
            cur = cur[step]
        else:
            return None
    return cur


def _schema_finding(ctx: _Ctx, data: Any, path: PathT, errs: list[tuple[dict[str, Any], list[Any], bool]]) -> None:
    where = fmt_path(path)
    types = [e["type"] for e, _, _ in errs]
    if "missing" in types:
        parent = _value_at(data, path[:-1])
        key = path[-1]
        hint = f"add `{key}:`"
        if isinstance(parent, dict):
            cls_fields = _fields_for(path[:-1])
            strays = [k for k in parent if isinstance(k, str) and k not in cls_fields]
            near = _closest(key, strays)
            if near is not None:
                hint = f"{near!r} looks like a misspelling: rename it to {key!r}"
        ctx.add("CK100", path, f"{where}: required field missing", hint)
        return
    value = _value_at(data, path)
    err, tags, _ = errs[0]
    value_errs = [e for e, _, _ in errs if e["type"] in _VALUE_ERRORS]
    if value_errs:
        ctx.add("CK102", path, *_value_error_text(where, path, value, value_errs[0]))
        return
    expected = list(dict.fromkeys(_TYPE_NAMES.get(t, t.replace("_", " ")) for t in types))
    if len(expected) > 1:
        expected_text = ", ".join(expected[:-1]) + " or " + expected[-1]
    else:
        expected_text = expected[0]
    hint = None
    if "string_type" in types and _is_num(value):
        hint = f"quote it: '{value}'"
    elif "string_type" in types and value is None:
        hint = "write '' for an empty string"
    elif ("int_type" in types or "float_type" in types) and isinstance(value, str):
        hint = "write the number without quotes"
    elif "bool_type" in types and isinstance(value, str):
        hint = "write true or false without quotes"
    ctx.add("CK101", path, f"{where}: expected {expected_text}, got {_describe(value)}", hint)


def _value_error_text(where: str, path: PathT, value: Any, err: dict[str, Any]) -> tuple[str, str | None]:
    kind = err["type"]
    ctx_ = err.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx_.get("expected", "")))
        allowed_text = ", ".join(repr(a) for a in allowed)
        near = _closest(value, allowed)
        hint = f"did you mean {near!r}?" if near else f"use one of {allowed_text}"
        if path and path[-1] == "epochs" and "evaluation" in path:
            hint = "use a list of 0-indexed epochs such as [0, 1], best_val_loss, or null for a control run"
            return f"{where}: {_short(value)} is not one of {allowed_text}, a list of epochs or null", hint
        return f"{where}: {_short(value)} is not one of {allowed_text}", hint
    if kind == "string_pattern_mismatch":
        return f"{where}: {_short(value)} does not match {ctx_.get('pattern')}", None
    if kind in _RANGE_WORDS:
        key, op = _RANGE_WORDS[kind]
        return f"{where}: {_short(value)} is out of range: it must be {op} {ctx_.get(key)}", f"use a value {op} {ctx_.get(key)}"
    if kind in ("too_short", "string_too_short"):
        n = ctx_.get("min_length", 1)
        return f"{where}: must have at least {n} item{'s' if n != 1 else ''}, got {ctx_.get('actual_length', 0)}", None
    return f"{where}: {err.get('msg', kind)}", None


def _fields_for(path: PathT) -> frozenset[str]:
    ann = _leaf_annotation(path)
    ann = _unwrap(ann)
    args = _union_args(ann)
    if args:
        models_ = [a for a in args if _is_model(a)]
        ann = models_[0] if models_ else ann
    return _shape(ann)[0] if _is_model(ann) else frozenset()


def _check_unknown_fields(ctx: _Ctx, data: Any, cls: type[BaseModel], path: PathT) -> None:
    if not isinstance(data, dict):
        return
    fields, subs = _shape(cls)
    if not data.keys() <= fields:
        for key in data:
            if key in fields or not isinstance(key, str):  # non-string keys: the schema's finding
                continue
            near = ctx.closest(key, sorted(fields))
            what = "unknown hyperparameter" if path == ("controls",) else "unknown field"
            hint = f"did you mean {near!r}?" if near else f"known fields: {', '.join(sorted(fields))}"
            ctx.add("CK103", path + (key,), f"{fmt_path(path + (key,))}: {what} {_short(key)}", hint, at_key=True)
    for name, (kind, sub) in subs.items():
        value = data.get(name)
        if value is None:
            continue
        if kind == "model":
            _check_unknown_fields(ctx, value, sub, path + (name,))
        elif isinstance(value, list):
            sub_fields, sub_subs = _shape(sub)
            nested = [(n, _shape(s)[0]) for n, (k, s) in sub_subs.items() if k == "model"]
            deep = any(k == "list" for k, _ in sub_subs.values())
            for i, item in enumerate(value):
                # Fast path for the thousands of well-formed runs and matrix entries.
                if not deep and isinstance(item, dict) and item.keys() <= sub_fields:
                    for n, f in nested:
                        v = item.get(n)
                        if isinstance(v, dict) and not v.keys() <= f:
                            break
                    else:
                        continue
                _check_unknown_fields(ctx, item, sub, path + (name, i))


def _check_variable_names(ctx: _Ctx, variables: dict[Any, Any]) -> None:
    for key in variables:
        if key in KNOWN_PARAMETERS or not isinstance(key, str):  # non-string keys: the schema's finding
            continue
        near = _closest(key, KNOWN_PARAMETERS)
        hint = (
            f"did you mean {near!r}?"
            if near
            else "unknown names are passed to the recipe as they are; check the spelling"
        )
        ctx.add("CK103", ("variables", key), f"variables.{key}: unknown hyperparameter {_short(key)}", hint, at_key=True)


# --------------------------------------------------------------------------------------------
# Prompts: CK201-CK203
# --------------------------------------------------------------------------------------------


def _placeholders(prompt: str) -> tuple[bool, list[str], str | None]:
    """(has {input}, other placeholders, template error) for a str.format-style prompt."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(prompt) if f is not None]
    except ValueError as exc:
        return "{input}" in prompt, [], str(exc)
    others = [f"{{{f}}}" for f in fields if f != "input"]
    return "input" in fields, list(dict.fromkeys(others)), None


def _check_prompt(ctx: _Ctx, path: PathT, prompt: Any, cache: dict[str, tuple[bool, list[str], str | None]]) -> None:
    if not isinstance(prompt, str):
        return
    result = cache.get(prompt)
    if result is None:
        result = cache[prompt] = _placeholders(prompt)
    has_input, others, error = result
    where = fmt_path(path)
    if not has_input:
        fixed = prompt.rstrip("\n") + (" " if prompt.strip() else "") + "{input}\n"
        ctx.add(
            "CK202",
            path,
            f"{where}: {_short(prompt)} has no {{input}} placeholder, so every example gets the same text",
            f"put {{input}} where the example's input goes, e.g. {fixed!r}",
        )
    if error is not None:
        ctx.add(
            "CK203",
            path,
            f"{where}: {_short(prompt)} is not a valid template: {error}",
            "write a literal brace as {{ or }}",
        )
    elif others:
        ctx.add(
            "CK203",
            path,
            f"{where}: {_short(prompt)} has placeholder{'s' if len(others) > 1 else ''} {', '.join(others)}; only {{input}} is filled in",
            f"remove {'them' if len(others) > 1 else 'it'}, or write literal braces as {{{{ and }}}}",
        )


# --------------------------------------------------------------------------------------------
# The semantic rules
# --------------------------------------------------------------------------------------------


class _Design:
    """The pieces of the raw data most rules need, each None/empty where unusable."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self.data = data
        self.experiment = _dict(data.get("experiment"))
        self.controls = _dict(data.get("controls"))
        raw_vars = data.get("variables", {})
        self.variables: dict[Any, Any] | None = raw_vars if isinstance(raw_vars, dict) else None
        if raw_vars is None:
            self.variables = {}
        self.models = _list(_dict(data.get("models")).get("base")) if isinstance(_dict(data.get("models")).get("base"), list) else None
        self.model_names: set[str] | None = (
            {m["name"] for m in self.models if isinstance(m, dict) and isinstance(m.get("name"), str)}
            if self.models is not None
            else None
        )
        self.runs = _list(data.get("runs"))
        self.evaluation = _dict(data.get("evaluation"))
        self.matrix = self.evaluation.get("matrix") if isinstance(self.evaluation.get("matrix"), list) else None
        tasks = self.evaluation.get("tasks")
        self.tasks = tasks if isinstance(tasks, list) else None
        self.data_training = _dict(_dict(data.get("data")).get("training"))
        self.run_index: dict[str, int] = {}
        for i, run in enumerate(self.runs):
            if isinstance(run, dict) and isinstance(run.get("name"), str):
                self.run_index.setdefault(run["name"], i)

    def run_value(self, i: int, key: str) -> tuple[Any, PathT | None]:
        """A run's effective setting: its own parameter, else controls; with where it came from."""
        run = self.runs[i]
        params = run.get("parameters") if isinstance(run, dict) else None
        if isinstance(params, dict) and key in params:
            return params[key], ("runs", i, "parameters", key)
        if key in self.controls:
            return self.controls[key], ("controls", key)
        return None, None


def _check_prompts(ctx: _Ctx, d: _Design) -> None:
    cache: dict[str, tuple[bool, list[str], str | None]] = {}
    if "prompt" in d.controls:
        _check_prompt(ctx, ("controls", "prompt"), d.controls["prompt"], cache)
    swept: set[str] = set()
    if d.variables and isinstance(d.variables.get("prompt"), list):
        for k, p in enumerate(d.variables["prompt"]):
            _check_prompt(ctx, ("variables", "prompt", k), p, cache)
            if isinstance(p, str):
                swept.add(p)
    for i, run in enumerate(d.runs):
        if isinstance(run, dict):
            params = run.get("parameters")
            if isinstance(params, dict) and "prompt" in params:
                prompt = params["prompt"]
                if isinstance(prompt, str) and prompt in swept:
                    continue  # said once, at the variable's value
                _check_prompt(ctx, ("runs", i, "parameters", "prompt"), prompt, cache)
    if "system_prompt" in d.controls and "system_prompt" in d.evaluation:
        train, evaluate = d.controls["system_prompt"], d.evaluation["system_prompt"]
        if train != evaluate:
            where = ""
            if isinstance(train, str) and isinstance(evaluate, str) and min(len(train), len(evaluate)) > 40:
                at = next((k for k, (a, b) in enumerate(zip(train, evaluate)) if a != b), min(len(train), len(evaluate)))
                where = f" (first difference at character {at + 1})"
            ctx.add(
                "CK201",
                ("evaluation", "system_prompt"),
                f"evaluation.system_prompt {_short(evaluate, 300)} differs from controls.system_prompt {_short(train, 300)}{where}",
                "set evaluation.system_prompt to controls.system_prompt: models are evaluated with the system prompt they were trained with",
            )


def _check_runs(ctx: _Ctx, d: _Design) -> None:
    """CK220-CK223, CK230, CK234, CK235, CK292: one pass over runs."""
    variables = d.variables
    # A non-string variable name (`2:`, `on:`) is the schema's finding (CK101/CK004); the sweep
    # is judged on the well-formed names, so one bad key does not make every run look wrong.
    if variables is not None and not all(isinstance(n, str) for n in variables):
        variables = {n: v for n, v in variables.items() if isinstance(n, str)}
    var_names = list(variables) if variables is not None else []
    var_lists_ok = variables is not None and all(isinstance(v, list) and v for v in variables.values())
    allowed: dict[Any, set[tuple[str, Any]]] = {}
    if variables is not None:
        for name, values in variables.items():
            if isinstance(values, list):
                allowed[name] = {_vkey(v) for v in values}
    # A run whose type, model or parameters are unreadable (the schema reports it) may be the
    # "missing" combination: then a hole in the sweep is not worth a second finding.
    sweep_decidable = True
    var_set = set(var_names)
    labels_cache: dict[tuple[Any, ...], str] = {}
    seen_names: dict[str, int] = {}
    gpu_classes: dict[str, str | None] = {}
    combos_by_model: dict[str, dict[tuple[Any, ...], int]] = {}
    ft_models: list[str] = []
    exp_type = d.experiment.get("type")
    model_names = d.model_names
    overrides_example = next(
        (r["slurm_overrides"] for r in d.runs if isinstance(r, dict) and isinstance(r.get("slurm_overrides"), dict) and r["slurm_overrides"]),
        None,
    )

    for i, run in enumerate(d.runs):
        if not isinstance(run, dict):
            sweep_decidable = False
            continue
        name = run.get("name")
        kind = run.get("type")
        model = run.get("model")
        params = run.get("parameters", {})
        params_ok = isinstance(params, dict)
        if not params_ok:
            params = {}
            sweep_decidable = False
        if kind not in ("fine-tuned", "control"):
            sweep_decidable = False

        if isinstance(name, str):
            first = seen_names.get(name)
            if first is None:
                seen_names[name] = i
            else:
                ctx.add(
                    "CK230",
                    ("runs", i, "name"),
                    f"runs[{i}].name {name!r} is already used by runs[{first}] (line {ctx.line_of(('runs', first, 'name'))})",
                    "rename one of them: a run's checkpoints go to ck-out-{run_name}, so the two would overwrite each other",
                )

        if isinstance(model, str) and model_names is not None and model not in model_names:
            near = ctx.closest(model, sorted(model_names))
            ctx.add(
                "CK234",
                ("runs", i, "model"),
                f"runs[{i}].model {model!r} is not in models.base ({', '.join(sorted(model_names)) or 'empty'})",
                f"did you mean {near!r}?" if near else "add the model (name, path, size_gb) to models.base",
            )

        if kind == "control":
            if params_ok and params:
                ctx.add(
                    "CK220",
                    ("runs", i, "parameters"),
                    f"runs[{i}] {name!r} is a control but has parameters {_short(params)}",
                    "set `parameters: {}` (a control is the base model as it is), or make it a fine-tuned run",
                )
            if isinstance(name, str) and "base" not in name:
                proposal = naming.control_name(model) if isinstance(model, str) else "{model}_base"
                ctx.add(
                    "CK221",
                    ("runs", i, "name"),
                    f"runs[{i}].name {name!r} is a control run but does not say `base`",
                    f"rename it to {proposal!r} (and its matrix entry)",
                )
            if isinstance(name, str) and isinstance(model, str) and model not in name:
                ctx.add(
                    "CK223",
                    ("runs", i, "name"),
                    f"runs[{i}].name {name!r} does not contain its model {model!r}",
                    f"rename it to {naming.control_name(model)!r} (and its matrix entry)",
                )
        elif kind == "fine-tuned":
            if isinstance(model, str):
                ft_models.append(model)
            else:
                sweep_decidable = False
            if params_ok:
                # One identity per value, shared by CK222, CK223 and CK235.
                vkeys = {k: _vkey(v) for k, v in params.items()}
                if variables is not None:
                    clean = len(params) == len(var_names)
                    if clean:
                        for k, vk in vkeys.items():
                            values = allowed.get(k)
                            if values is None or vk not in values:
                                clean = False
                                break
                    if not clean:
                        _check_run_parameters(ctx, d, i, name, params, var_names, allowed)
                if isinstance(name, str) and isinstance(model, str):
                    labels = []
                    for k in var_names:
                        if k in params:
                            labels.append(_label(labels_cache, k, params[k], vkeys[k]))
                    if len(labels) < len(params):
                        for k, v in params.items():
                            if k not in var_set:
                                labels.append(_label(labels_cache, k, v, vkeys[k]))
                    # naming.run_name(model, params in variable order), with its labels cached;
                    # naming.run_name itself stays the authority whenever the fast guess disagrees.
                    expected = f"{model}_{'_'.join(labels)}" if labels else naming.run_name(model, {})
                    if name != expected:
                        ordered = {k: params[k] for k in var_names if k in params}
                        ordered.update((k, v) for k, v in params.items() if k not in ordered)
                        expected = naming.run_name(model, ordered)
                    if name != expected:
                        absent = [p for p in (model, *labels) if p not in name]
                        if absent:
                            ctx.add(
                                "CK223",
                                ("runs", i, "name"),
                                f"runs[{i}].name {name!r} does not contain {', '.join(repr(p) for p in absent)} (its model and varied values)",
                                f"rename it to {expected!r} (and its matrix entry)",
                            )
                if var_lists_ok and isinstance(model, str):
                    try:
                        key = tuple([vkeys[n] for n in var_names])
                    except KeyError:
                        key = None  # a variable the run does not set: CK222 says so
                    if key is not None:
                        seen = combos_by_model.get(model)
                        if seen is None:
                            seen = combos_by_model[model] = {}
                        first = seen.get(key)
                        if first is None:
                            seen[key] = i
                        else:
                            combo = ", ".join(f"{n}={naming.format_value(params[n])}" for n in var_names) or "no variables"
                            ctx.add(
                                "CK235",
                                ("runs", i, "parameters"),
                                f"runs[{i}] {name!r} trains the same combination ({combo}) of {model} as runs[{first}]",
                                "remove the repeated run (and its matrix entry)",
                            )

        if isinstance(model, str):
            if model not in gpu_classes:
                gpu_classes[model] = _gpu_class(model)
            if gpu_classes[model] is not None:
                _check_gpu(ctx, d, i, run, name, model, exp_type, overrides_example, gpu_classes[model])

    if var_lists_ok and variables is not None and sweep_decidable:
        _check_sweep_complete(ctx, d, variables, var_names, combos_by_model, ft_models)


def _label(cache: dict[tuple[Any, ...], str], param: Any, value: Any, vk: tuple[str, Any]) -> str:
    """naming.value_label, cached: 10,000 runs share a few dozen distinct values."""
    key = (param, type(value), vk)
    label = cache.get(key)
    if label is None:
        label = cache[key] = naming.value_label(param, value)
    return label


def _check_run_parameters(
    ctx: _Ctx,
    d: _Design,
    i: int,
    name: Any,
    params: dict[Any, Any],
    var_names: list[Any],
    allowed: dict[Any, set[tuple[str, Any]]],
) -> None:
    assert d.variables is not None
    declared = ", ".join(str(n) for n in var_names) or "none"
    for k, v in params.items():
        if k not in d.variables:
            if k in d.controls:
                hint = f"{k} is a constant (controls.{k} = {_short(d.controls[k])}): remove it from the run, or move it to variables to sweep it"
            else:
                near = ctx.closest(k, [str(n) for n in var_names])
                hint = f"did you mean {near!r}?" if near else "declare it in variables (to sweep it) or move it to controls"
            ctx.add(
                "CK222",
                ("runs", i, "parameters", k),
                f"runs[{i}].parameters.{k} is not a declared variable (variables: {declared})",
                hint,
                at_key=True,
            )
        elif k in allowed and _vkey(v) not in allowed[k]:
            values = d.variables[k]
            ctx.add(
                "CK222",
                ("runs", i, "parameters", k),
                f"runs[{i}].parameters.{k}: {_short(v)} is not one of the values of variables.{k} {_short(values)}",
                f"use one of {_short(values)}, or add {_short(v)} to variables.{k}",
            )
    for n in var_names:
        if n not in params:
            ctx.add(
                "CK222",
                ("runs", i, "parameters"),
                f"runs[{i}] {name!r} does not set the variable {n} (values {_short(d.variables[n])}): it would train with the recipe's default",
                f"add `{n}: <one of {_short(d.variables[n])}>` to its parameters",
            )


def _check_sweep_complete(
    ctx: _Ctx,
    d: _Design,
    variables: dict[Any, Any],
    var_names: list[Any],
    combos_by_model: dict[str, dict[tuple[Any, ...], int]],
    ft_models: list[str],
) -> None:
    try:
        combos = sweep.sweep(variables)
    except TypeError:
        return
    keys = [tuple(_vkey(c[n]) for n in var_names) for c in combos]
    where: PathT = ("variables",) if "variables" in d.data else ("runs",)
    for model in dict.fromkeys(ft_models):
        seen = combos_by_model.get(model, {})
        missing = [c for c, k in zip(combos, keys) if k not in seen]
        if not missing:
            continue
        shown = "; ".join(
            ", ".join(f"{n}={naming.format_value(c[n])}" for n in var_names) for c in missing[:3]
        )
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        ctx.add(
            "CK235",
            where,
            f"the sweep is incomplete for {model}: {len(missing)} of {len(combos)} combinations of {', '.join(map(str, var_names))} have no run ({shown}{more})",
            f"add runs such as {naming.run_name(model, missing[0])!r} (the wizard, or `copier update`, generates the full set), or remove the values from variables",
            at_key=True,
        )


def _gpu_class(model: str) -> str | None:
    """'multi' (needs several GPUs), 'shared' (fits a shared GPU) or None (full GPU / unknown)."""
    if model_registry.lookup(model) is None:
        return None
    if model_registry.needs_multi_gpu(model):
        return "multi"
    return "shared" if model_registry.fits_shared_gpu(model) else None


def _check_gpu(
    ctx: _Ctx, d: _Design, i: int, run: dict[Any, Any], name: Any, model: str, exp_type: Any, example: Any, gpu_class: str | None
) -> None:
    if gpu_class is None:
        return
    info = model_registry.lookup(model)
    assert info is not None
    if gpu_class == "multi":
        gpus, source = d.run_value(i, "gpus")
        if gpus is None:
            gpus, source_text = DEFAULT_GPUS, "gpus is not set (default 1)"
        elif _is_int(gpus):
            source_text = f"{fmt_path(source or ())} is {gpus}"
        else:
            return
        if gpus < info.min_gpus:
            ctx.add(
                "CK292",
                ("runs", i, "model"),
                f"runs[{i}] {name!r}: {model} needs {info.min_gpu_vram_gb} GB of GPU memory ({info.min_gpus} GPUs of {model_registry.FULL_GPU_VRAM_GB} GB), but {source_text}",
                f"set gpus: {info.min_gpus} (in controls, or in this run's parameters)",
                severity="error",
            )
        return
    if exp_type == "experiment" and not run.get("slurm_overrides"):
        example_text = (
            "{" + ", ".join(f"{k}: {v}" for k, v in example.items()) + "}"
            if example
            else "{constraint: <your full-GPU constraint, e.g. gpu80>}"
        )
        ctx.add(
            "CK292",
            ("runs", i),
            f"runs[{i}] {name!r} ({model}, needs {info.min_gpu_vram_gb} GB) has no slurm_overrides: in an experiment it may land on a shared or MIG GPU where utilization reads [N/A]",
            f"add `slurm_overrides: {example_text}` to the run, or set experiment.type: sanity_check",
        )


def _check_model_registry(ctx: _Ctx, d: _Design) -> None:
    """CK293: a base model the registry does not know gets no VRAM-based GPU check (SPEC 10)."""
    for j, m in enumerate(d.models or ()):
        name = m.get("name") if isinstance(m, dict) else None
        if isinstance(name, str) and model_registry.lookup(name) is None:
            near = difflib.get_close_matches(name, list(model_registry.MODELS), n=1, cutoff=0.8)
            ctx.add(
                "CK293",
                ("models", "base", j, "name"),
                f"models.base[{j}].name {name!r} is not in ck-design's model registry: its GPU memory needs are unknown, so no GPU check (CK292) applies",
                f"did you mean {near[0]!r}?" if near else "check gpus and slurm_overrides for its runs by hand",
            )


def _check_matrix(ctx: _Ctx, d: _Design) -> None:
    """CK210-CK213, CK231-CK233, CK240: one pass over matrix entries."""
    if d.matrix is None:
        return
    task_names: set[str] | None = None
    if d.tasks is not None:
        first_of: dict[str, int] = {}
        for j, task in enumerate(d.tasks):
            if isinstance(task, dict) and isinstance(task.get("name"), str):
                tname = task["name"]
                first = first_of.setdefault(tname, j)
                if first != j:
                    ctx.add(
                        "CK236",
                        ("evaluation", "tasks", j, "name"),
                        f"evaluation.tasks[{j}].name {tname!r} is already used by evaluation.tasks[{first}]",
                        "give each task a unique name",
                    )
        task_names = set(first_of)
    in_matrix: set[str] = {e["run"] for e in d.matrix if isinstance(e, dict) and isinstance(e.get("run"), str)}
    # A matrix entry naming an unknown run usually meant a run no entry names: look there first.
    orphans: list[str] | None = None
    clean_epochs: set[tuple[Any, ...]] = set()  # (training epochs, epoch list) already found fine
    labels: dict[str, dict[str, int]] = {}  # vis_label -> task -> the first entry using both
    # Distinct models, in order: sweep.vis_label scans the list it is given, once per call.
    models = list(dict.fromkeys(r.get("model") for r in d.runs if isinstance(r, dict) and isinstance(r.get("model"), str)))
    for j, entry in enumerate(d.matrix):
        if not isinstance(entry, dict):
            continue
        base: PathT = ("evaluation", "matrix", j)
        run_name_ = entry.get("run")
        run_i: int | None = None
        if isinstance(run_name_, str):
            run_i = d.run_index.get(run_name_)
            if run_i is None:
                if orphans is None:
                    orphans = [n for n in d.run_index if n not in in_matrix]
                near = ctx.closest(run_name_, orphans) or ctx.closest(run_name_, list(d.run_index))
                ctx.add(
                    "CK231",
                    base + ("run",),
                    f"evaluation.matrix[{j}].run {run_name_!r} is not a run in `runs`",
                    f"did you mean {near!r}?" if near else "use the name of a run from `runs`",
                )
        tasks = entry.get("tasks")
        if isinstance(tasks, list) and task_names is not None and not _all_in(tasks, task_names):
            for k, t in enumerate(tasks):
                if isinstance(t, str) and t not in task_names:
                    near = ctx.closest(t, sorted(task_names))
                    ctx.add(
                        "CK232",
                        base + ("tasks", k),
                        f"evaluation.matrix[{j}].tasks[{k}] {t!r} is not a task in evaluation.tasks ({', '.join(sorted(task_names)) or 'none'})",
                        f"did you mean {near!r}?" if near else "use a task name from evaluation.tasks",
                    )
        if run_i is not None:
            _check_entry_epochs(ctx, d, j, entry, run_i, clean_epochs)
        # vis_label defaults to the run name (scaffold-inspect's behaviour).
        label = entry.get("vis_label")
        if label is None:
            label = run_name_
        if isinstance(label, str) and isinstance(tasks, list):
            clashes: list[tuple[str, int]] = []
            owners = labels.get(label)
            if owners is None:  # the common case: a label not seen before
                labels[label] = {t: j for t in tasks if isinstance(t, str)}
            else:
                for t in tasks:
                    if isinstance(t, str):
                        other = owners.setdefault(t, j)
                        if other != j:
                            clashes.append((t, other))
            if clashes:
                other_j = clashes[0][1]
                other_run = _dict(d.matrix[other_j]).get("run")
                suggestion = None
                if run_i is not None and models:
                    try:
                        suggestion = sweep.vis_label(d.runs[run_i], "short", models)
                    except (KeyError, TypeError):
                        suggestion = None
                hint = (
                    f"use {suggestion!r}" if suggestion and suggestion != label else "give each run a distinct vis_label (e.g. 1B_rank4, 3B_rank4)"
                )
                ctx.add(
                    "CK240",
                    base + ("vis_label",) if "vis_label" in entry else base,
                    f"evaluation.matrix[{j}] (run {run_name_!r}) has vis_label {label!r}, as does matrix[{other_j}] (run {other_run!r}), for task{'s' if len(clashes) > 1 else ''} {', '.join(t for t, _ in clashes)}",
                    hint,
                )
    for i, run in enumerate(d.runs):
        if isinstance(run, dict) and isinstance(run.get("name"), str) and run["name"] not in in_matrix:
            ctx.add(
                "CK233",
                ("runs", i, "name"),
                f"runs[{i}] {run['name']!r} has no entry in evaluation.matrix: it is trained but never evaluated",
                "add a matrix entry for it (or remove the run, if that is intended)",
            )


def _all_in(items: list[Any], known: set[str]) -> bool:
    try:
        return known.issuperset(items)
    except TypeError:  # an unhashable item (the schema reports it)
        return False


def _check_entry_epochs(
    ctx: _Ctx, d: _Design, j: int, entry: dict[Any, Any], run_i: int, clean: set[tuple[Any, ...]]
) -> None:
    run = d.runs[run_i]
    kind = run.get("type")
    if "epochs" not in entry:
        return
    epochs = entry["epochs"]
    memo: tuple[Any, ...] | None = None
    if kind == "fine-tuned" and isinstance(epochs, list) and epochs:
        # Thousands of entries share one epoch list and training length: check each pair once.
        params = run.get("parameters")
        own = params.get("epochs") if isinstance(params, dict) and "epochs" in params else d.controls.get("epochs")
        try:
            memo = (type(own), own, repr(epochs))
            if memo in clean:
                return
        except TypeError:  # an unhashable item: the schema reports it
            memo = None
        before = len(ctx.findings)
        _check_entry_epochs_full(ctx, d, j, entry, run_i, run, kind, epochs)
        if memo is not None and len(ctx.findings) == before:
            clean.add(memo)
        return
    _check_entry_epochs_full(ctx, d, j, entry, run_i, run, kind, epochs)


def _check_entry_epochs_full(
    ctx: _Ctx, d: _Design, j: int, entry: dict[Any, Any], run_i: int, run: dict[Any, Any], kind: Any, epochs: Any
) -> None:
    path: PathT = ("evaluation", "matrix", j, "epochs")
    run_name_ = run.get("name")
    if kind == "control":
        if epochs is not None:
            ctx.add(
                "CK211",
                path,
                f"evaluation.matrix[{j}] is for the control run {run_name_!r} but lists epochs {_short(epochs)}: a control has no checkpoints",
                "set `epochs: null`",
            )
        return
    if kind != "fine-tuned":
        return
    trained, source = d.run_value(run_i, "epochs")
    if not _is_int(trained) or trained < 1:
        trained = None
    if epochs is None or epochs == []:
        last = f"[{trained - 1}]" if trained else "[<epochs - 1>]"
        ctx.add(
            "CK212",
            path,
            f"evaluation.matrix[{j}] is for the fine-tuned run {run_name_!r} but has epochs {_yaml_word(epochs) if epochs is None else '[]'}: none of its checkpoints would be evaluated",
            f"list the 0-indexed epochs to evaluate, e.g. {last} for the last one",
        )
        return
    if epochs == "best_val_loss":
        vdt, vsource = d.run_value(run_i, "validation_during_training")
        if vdt is not True:
            state = f"{fmt_path(vsource)} is {_yaml_word(vdt)}" if vsource else "validation_during_training is not set"
            ctx.add(
                "CK213",
                path,
                f"evaluation.matrix[{j}] (run {run_name_!r}) evaluates best_val_loss, but {state}: there is no validation loss to pick by",
                "set controls.validation_during_training: true, or list epochs explicitly",
            )
        return
    if not isinstance(epochs, list):
        return
    ints = [e for e in epochs if _is_int(e)]
    seen: set[int] = set()
    for k, e in enumerate(epochs):
        if not _is_int(e):
            continue
        if e < 0:
            ctx.add(
                "CK213",
                path + (k,),
                f"evaluation.matrix[{j}].epochs[{k}] is {e}: epochs are 0-indexed and never negative",
                f"use 0 .. {trained - 1}" if trained else "use 0-indexed epoch numbers",
            )
        elif e in seen:
            ctx.add(
                "CK213",
                path + (k,),
                f"evaluation.matrix[{j}].epochs[{k}]: epoch {e} is listed twice",
                "remove the repeat",
            )
        elif trained is not None and e >= trained:
            src = fmt_path(source) if source else "epochs"
            looks_one_indexed = bool(ints) and 0 not in ints and all(1 <= x <= trained for x in ints)
            if looks_one_indexed:
                proposal = sorted(dict.fromkeys(x - 1 for x in ints))
                hint = f"epochs are 0-indexed: with {src} = {trained}, {_checkpoints(trained)}; did you mean {proposal}?"
            else:
                hint = f"evaluate epochs 0 .. {trained - 1}; the last checkpoint is epoch_{trained - 1}"
            ctx.add(
                "CK210",
                path + (k,),
                f"epoch {e} is past training: {src} is {trained}, so {_checkpoints(trained)}",
                hint,
            )
        seen.add(e)


_STEP_KEYS = frozenset({"batch_size", "gradient_accumulation_steps", "epochs", "num_warmup_steps"})


def _check_steps(ctx: _Ctx, d: _Design) -> None:
    """CK250-CK252, per fine-tuned run; runs that take every value from controls share one finding."""
    splits = _dict(d.data_training.get("splits"))
    train = splits.get("train")
    if not _is_int(train) or train < 0:
        return
    shared_done = False
    for i, run in enumerate(d.runs):
        if not isinstance(run, dict) or run.get("type") != "fine-tuned":
            continue
        params = run.get("parameters")
        params = params if isinstance(params, dict) else {}
        overridden = not _STEP_KEYS.isdisjoint(params)
        if not overridden and shared_done:
            continue
        bs, bs_src = d.run_value(i, "batch_size")
        ga, _ = d.run_value(i, "gradient_accumulation_steps")
        ep, ep_src = d.run_value(i, "epochs")
        wu, wu_src = d.run_value(i, "num_warmup_steps")
        if ga is None:
            ga = 1  # torchtune's default
        if not (_is_int(bs) and bs >= 1 and _is_int(ga) and ga >= 1 and _is_int(ep) and ep >= 1):
            if not overridden:
                shared_done = True
            continue
        per_epoch = math.ceil(train / (bs * ga))
        total = per_epoch * ep
        arithmetic = (
            f"{train} train examples / (batch_size {bs} x gradient_accumulation_steps {ga}) = "
            f"{per_epoch} steps per epoch x {ep} epoch{'s' if ep != 1 else ''} = {total} total steps"
        )
        if overridden:
            who = f"runs[{i}] {run.get('name')!r}"
            at_steps: PathT = ("runs", i, "parameters")
            at_warmup: PathT = wu_src if wu_src and wu_src[0] == "runs" else at_steps
        else:
            shared_done = True
            who = "every fine-tuned run (values from controls)"
            at_steps = ep_src or bs_src or ("controls",)
            at_warmup = wu_src or at_steps
        if total < MIN_TOTAL_STEPS:
            need_epochs = math.ceil(MIN_TOTAL_STEPS / per_epoch) if per_epoch else None
            more = f"train for at least {need_epochs} epochs, " if need_epochs else ""
            ctx.add(
                "CK250",
                at_steps,
                f"{who}: {arithmetic}, fewer than {MIN_TOTAL_STEPS}",
                f"{more}lower batch_size or gradient_accumulation_steps, or use more training data",
            )
        if _is_int(wu) and wu > 0:
            suggestion = max(1, total // 10)
            if total < wu:
                ctx.add(
                    "CK251",
                    at_warmup,
                    f"{who}: warmup never completes: num_warmup_steps is {wu} but {arithmetic}",
                    f"set num_warmup_steps to about {suggestion} (a tenth of {total} steps), or train longer",
                )
            elif total < WARMUP_FACTOR * wu:
                ctx.add(
                    "CK252",
                    at_warmup,
                    f"{who}: num_warmup_steps {wu} is more than a third of training: {arithmetic}",
                    f"set num_warmup_steps to about {suggestion} (a tenth of {total} steps), or train longer",
                )


def _scratch_guess(path: str, sub: str, name: str) -> str | None:
    p = path.rstrip("/")
    tail = f"/{sub}/{name}"
    return p[: -len(tail)] if p.endswith(tail) else None


def _check_conventions(ctx: _Ctx, d: _Design) -> None:
    """CK260-CK263, CK270."""
    exp = d.experiment
    name = exp.get("name")
    kind = exp.get("type")
    if isinstance(name, str):
        problems = []
        if not name:
            problems.append("it is empty")
        else:
            bad = sorted({c for c in name if not re.match(r"[A-Za-z0-9._-]", c)})
            if bad:
                problems.append("it contains " + ", ".join(repr(c) for c in bad))
            if not re.match(r"[A-Za-z0-9]", name[0]):
                problems.append(f"it starts with {name[0]!r}")
            if ".." in name:
                problems.append("it contains '..'")
        if problems or not _SAFE_NAME.match(name):
            proposal = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
            proposal = re.sub(r"\.{2,}", ".", proposal).lstrip("._-") or "experiment"
            ctx.add(
                "CK263",
                ("experiment", "name"),
                f"experiment.name {name!r} is not a safe directory name: {'; '.join(problems) or 'it does not match ' + SAFE_NAME_PATTERN}",
                f"rename it to {proposal!r} (letters, digits, '.', '_' and '-', starting with a letter or digit)",
            )
    when = exp.get("date")
    if isinstance(when, str):
        reason = None
        if not _DATE_FORM.match(when):
            reason = "it is not in YYYY-MM-DD form"
        else:
            try:
                date.fromisoformat(when)
            except ValueError as exc:
                reason = f"it is not a real date ({exc})"
        if reason:
            ctx.add("CK270", ("experiment", "date"), f"experiment.date {when!r}: {reason}", "write a real calendar date as YYYY-MM-DD, e.g. '2026-11-25'")

    output = _dict(d.data.get("output"))
    pattern = output.get("checkpoint_pattern")
    if isinstance(pattern, str):
        missing = [p for p in ("{run_name}", "{N}") if p not in pattern]
        if missing:
            ctx.add(
                "CK261",
                ("output", "checkpoint_pattern"),
                f"output.checkpoint_pattern {pattern!r} lacks {' and '.join(missing)}: "
                + ("runs would share one directory" if "{run_name}" in missing else "each epoch would overwrite the last"),
                "use ck-out-{run_name}/epoch_{N}",
            )

    if not isinstance(name, str) or not name:
        return
    directory = exp.get("directory")
    base_dir = output.get("base_directory")
    scratch = None
    for path_, sub in ((directory, "ck-experiments"), (directory, "ck-sanity-checks"), (base_dir, "ck-outputs")):
        if isinstance(path_, str) and scratch is None:
            scratch = _scratch_guess(path_, sub, name)
    if isinstance(directory, str) and kind in ("experiment", "sanity_check"):
        sub = "ck-sanity-checks" if kind == "sanity_check" else "ck-experiments"
        if _scratch_guess(directory, sub, name) is None:
            proposal = naming.experiment_directory(scratch or "<scratch>", kind, name)
            ctx.add(
                "CK260",
                ("experiment", "directory"),
                f"experiment.directory {directory!r} is not {{scratch}}/{sub}/{name}, the convention for {'an' if kind == 'experiment' else 'a'} {kind} named {name!r}",
                f"use {proposal!r}",
            )
    if isinstance(base_dir, str) and _scratch_guess(base_dir, "ck-outputs", name) is None:
        proposal = naming.output_directory(scratch or "<scratch>", name)
        ctx.add(
            "CK262",
            ("output", "base_directory"),
            f"output.base_directory {base_dir!r} is not {{scratch}}/ck-outputs/{name}",
            f"use {proposal!r}",
        )


def _check_scorers(ctx: _Ctx, d: _Design, ck004: set[PathT]) -> None:
    """CK290-CK291."""
    for j, scorer in enumerate(_list(d.evaluation.get("scorer"))):
        if not isinstance(scorer, dict):
            continue
        name = scorer.get("name")
        if not isinstance(name, str):
            continue
        base: PathT = ("evaluation", "scorer", j)
        spec = KNOWN_SCORERS.get(name)
        if spec is None:
            near = _closest(name, KNOWN_SCORERS)
            ctx.add(
                "CK291",
                base + ("name",),
                f"evaluation.scorer[{j}].name {name!r} is not a known scorer ({', '.join(KNOWN_SCORERS)})",
                f"did you mean {near!r}?" if near else "fine for a custom scorer your task code defines; check the spelling otherwise",
            )
            continue
        params = scorer.get("params")
        if not isinstance(params, dict):
            continue
        for key, value in params.items():
            where = base + ("params", key)
            label = fmt_path(where)
            want = spec.get(key)
            if want is None:
                near = _closest(key, spec)
                ctx.add(
                    "CK290",
                    where,
                    f"{label}: {name} takes no param {_short(key)} (its params: {', '.join(spec)})",
                    f"did you mean {near!r}?" if near else f"remove it; {name} accepts {', '.join(spec)}",
                    at_key=True,
                )
            elif want is bool:
                if not isinstance(value, bool):
                    ctx.add("CK290", where, f"{label}: {_describe(value)} is not true or false", "write true or false, unquoted")
            elif want == _LIST_OF_STR:
                if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                    continue
                if isinstance(value, list) and value and all(
                    isinstance(v, str) or where + (k,) in ck004 for k, v in enumerate(value)
                ):
                    continue  # only yes/no words: CK004 already says to quote them
                fixed = [str(v) for v in value] if isinstance(value, list) and value else ["0", "1"]
                ctx.add(
                    "CK290",
                    where,
                    f"{label}: {_short(value)} is not a non-empty list of strings",
                    f"quote each token: {fixed!r}",
                )
            elif isinstance(want, tuple) and value not in want:
                near = _closest(value, want)
                ctx.add(
                    "CK290",
                    where,
                    f"{label}: {_short(value)} is not one of {', '.join(repr(w) for w in want)}",
                    f"did you mean {near!r}?" if near else f"use one of {', '.join(want)}",
                )


# --------------------------------------------------------------------------------------------
# CK280-CK283: resources on disk
# --------------------------------------------------------------------------------------------


def _looks_like_path(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or value.lower().endswith(_DATA_EXTENSIONS)


def _check_resources(ctx: _Ctx, d: _Design, base_dir: Path) -> None:
    def resolve(p: str) -> Path:
        path = Path(p).expanduser()
        return path if path.is_absolute() else base_dir / path

    def shown(p: str) -> str:
        return repr(p) if Path(p).expanduser().is_absolute() else f"{p!r} (resolved to {str(resolve(p))!r})"

    for j, m in enumerate(d.models or []):
        if not isinstance(m, dict):
            continue
        base: PathT = ("models", "base", j)
        facts = None
        if isinstance(m.get("path"), str):
            facts = resources.model_facts(resolve(m["path"]))
            if not facts.exists:
                ctx.add("CK280", base + ("path",), f"models.base[{j}].path: model directory {shown(m['path'])} does not exist",
                        "download the model there, or fix the path (a prerequisite, not a blocker)")
            elif not facts.has_config:
                ctx.add("CK280", base + ("path",), f"models.base[{j}].path: {shown(m['path'])} has no config.json: not a Hugging Face model directory",
                        "point at the directory that holds config.json and the weights")
        if "size_gb" in m and m["size_gb"] is None:
            measured = f"; it measures {facts.size_gb} GB now" if facts and facts.exists and facts.size_gb is not None else ""
            ctx.add("CK283", base + ("size_gb",), f"models.base[{j}].size_gb is null (not measured){measured}",
                    f"set size_gb: {facts.size_gb}" if measured else "fill it in once the model is downloaded")

    training = d.data_training
    splits = training.get("splits")
    facts_ds = None
    if isinstance(training.get("path"), str):
        p = training["path"]
        facts_ds = resources.dataset_facts(resolve(p))
        if not facts_ds.exists:
            ctx.add("CK280", ("data", "training", "path"), f"data.training.path: dataset {shown(p)} does not exist",
                    "create the dataset there, or fix the path (a prerequisite, not a blocker)")
            facts_ds = None
        elif facts_ds.error and all(v is None for v in facts_ds.splits.values()):
            if "pyarrow" in facts_ds.error:
                ctx.add("CK283", ("data", "training", "path"), f"data.training.path: split counts not measured: {facts_ds.error}", "install pyarrow")
            else:
                ctx.add("CK281", ("data", "training", "path"), f"data.training.path: cannot count the splits of {shown(p)}: {facts_ds.error}",
                        "the dataset must be a JSON object with train/validation/test lists (or parquet)")
            facts_ds = None
    if "size_kb" in training and training["size_kb"] is None:
        have = facts_ds.size_kb if facts_ds else None
        ctx.add("CK283", ("data", "training", "size_kb"), "data.training.size_kb is null (not measured)" + (f"; the file is {have} KB" if have is not None else ""),
                f"set size_kb: {have}" if have is not None else "fill it in once the dataset exists")
    if isinstance(splits, dict):
        for split in resources.SPLITS:
            declared = splits.get(split, None)
            actual = facts_ds.splits.get(split) if facts_ds else None
            where: PathT = ("data", "training", "splits", split)
            if declared is None:
                ctx.add("CK283", where if split in splits else ("data", "training", "splits"),
                        f"data.training.splits.{split} is null (not measured)" + (f"; the dataset has {actual}" if actual is not None else ""),
                        f"set {split}: {actual}" if actual is not None else "fill it in once the dataset exists")
            elif facts_ds is not None and _is_int(declared):
                if actual is None and declared != 0:
                    ctx.add("CK281", where, f"data.training.splits.{split} is {declared}, but the dataset has no {split!r} list",
                            f"set {split}: 0, or add the split to the dataset")
                elif actual is not None and actual != declared:
                    ctx.add("CK281", where, f"data.training.splits.{split} is {declared}, but the dataset has {actual} {split} examples",
                            f"set {split}: {actual}")

    if d.tasks is None:
        return
    cache: dict[Path, resources.TaskScriptFacts] = {}
    for j, task in enumerate(d.tasks):
        if not isinstance(task, dict):
            continue
        base = ("evaluation", "tasks", j)
        script = task.get("script")
        if isinstance(script, str):
            target = resolve(script)
            facts_t = cache.get(target)
            if facts_t is None:
                facts_t = cache[target] = resources.task_script_facts(target)
            if not facts_t.exists:
                ctx.add("CK280", base + ("script",), f"evaluation.tasks[{j}].script: task script {shown(script)} does not exist",
                        "write the inspect-ai task there, or fix the path (a prerequisite, not a blocker)")
            elif not facts_t.task_functions:
                problem = facts_t.error if facts_t.error and facts_t.error.startswith("cannot parse") else "defines no @task function"
                ctx.add("CK282", base + ("script",), f"evaluation.tasks[{j}].script: {shown(script)} {problem}",
                        "decorate the task function with @task (from inspect_ai import task)")
        dataset = task.get("dataset")
        if isinstance(dataset, str) and dataset != "same" and _looks_like_path(dataset) and not resolve(dataset).exists():
            ctx.add("CK280", base + ("dataset",), f"evaluation.tasks[{j}].dataset {shown(dataset)} does not exist",
                    "create the dataset there, fix the path, or use `same` for the training dataset")


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def check(doc: Document, *, check_resources: bool = False, base_dir: Path | None = None) -> list[Finding]:
    """Every finding of CK004 and CK100-CK292 for a loaded design, sorted by line.

    CK280-CK283 only with `check_resources` (they look at the disk); relative paths resolve
    against `base_dir`, by default the design file's directory.
    """
    data = doc.data
    if not isinstance(data, dict):  # the loader refuses these (CK003); be safe for direct callers
        return []
    # Validation allocates ~10 objects per run and frees none of them until the end; the cyclic
    # GC would rescan them over and over (a third of the time on 10,000 runs).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(doc, data, check_resources, base_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def _check(doc: Document, data: dict[Any, Any], check_resources: bool, base_dir: Path | None) -> list[Finding]:
    ctx = _Ctx(doc)
    ck004 = _check_yaml11_bools(ctx)
    _check_schema(ctx, data, ck004)
    _check_unknown_fields(ctx, data, ExperimentSummary, ())
    d = _Design(data)
    if d.variables:
        _check_variable_names(ctx, d.variables)
    _check_prompts(ctx, d)
    _check_runs(ctx, d)
    _check_matrix(ctx, d)
    _check_steps(ctx, d)
    _check_conventions(ctx, d)
    _check_scorers(ctx, d, ck004)
    _check_model_registry(ctx, d)
    if check_resources:
        if base_dir is None:
            base_dir = Path(doc.path).parent if doc.path and not doc.path.startswith("<") else Path.cwd()
        _check_resources(ctx, d, base_dir)
    ctx.findings.sort(key=lambda f: (f.line, f.column, f.code))
    return ctx.findings


__all__ = ["check", "fmt_path", "KNOWN_SCORERS", "MIN_TOTAL_STEPS"]
