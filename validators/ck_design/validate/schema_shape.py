"""The schema as the validator uses it: pydantic-core's validator and the shape of the design.

The pydantic models (spec/schema.py) are the one definition of the structure. Importing pydantic
and building the models costs more than validating a typical design, so the validator runs on
their compiled form instead: the pydantic-core schema of `ExperimentSummary`, generated into
validate/compiled_schema.py and checked in (a test and a pre-commit hook keep it in sync, like
schemas/*.json). pydantic-core validates with the very schema pydantic would build, so the
errors (CK100-CK102) are the same; the same schema answers the rules' questions about the
structure (which fields a mapping has, CK103; which scalar kind a value takes, CK004).

    python -m ck_design.validate.schema_shape          # regenerate compiled_schema.py
    python -m ck_design.validate.schema_shape --check  # exit 1 when it is stale
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..spec import era as eras
from ..spec.params import param_type
from .values import PathT

if TYPE_CHECKING:
    from pathlib import Path

GENERATED = "compiled_schema.py"  # beside this module
# Keys of a core schema that validation does not need and that do not survive as source text:
# json-schema hooks (functions), serializers, and refs named after object ids.
_DROPPED = ("metadata", "serialization", "ref")

_WRAPPERS = ("default", "nullable")
_SCALAR_KINDS = {"bool": "bool", "str": "str", "int": "number", "float": "number", "none": "null"}

Schema = dict[str, Any]


# --- The validator -----------------------------------------------------------------------------


def _schema_validator_class() -> Any:
    """pydantic_core.SchemaValidator without the import of pydantic_core's typing helpers.

    `import pydantic_core` first imports its core_schema module (TypedDicts for every schema
    type, ~30 ms, more than checking a 10-run design); the validator itself lives in the compiled
    extension `pydantic_core._pydantic_core`, which is loaded here under its own name, so a later
    `import pydantic_core` (or pydantic) in the same process finds and reuses it.
    """
    name = "pydantic_core._pydantic_core"
    module = sys.modules.get(name)
    if module is None:
        import importlib.util

        package = importlib.util.find_spec("pydantic_core")  # locates it, runs nothing
        found = None
        for directory in (package.submodule_search_locations or []) if package else []:
            found = found or importlib.util.find_spec(name.rpartition(".")[2], [directory])
            found = found or _extension_spec(name, directory)
        if found is None or found.loader is None:  # an unusual install: the ordinary way
            from pydantic_core import SchemaValidator

            return SchemaValidator
        module = importlib.util.module_from_spec(found)
        sys.modules[name] = module
        found.loader.exec_module(module)
    return module.SchemaValidator


def _extension_spec(name: str, directory: str) -> Any:
    import importlib.machinery
    import importlib.util
    import os

    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(directory, f"{name.rpartition('.')[2]}{suffix}")
        if os.path.isfile(path):
            return importlib.util.spec_from_file_location(name, path)
    return None


def _live(node: Any) -> Any:
    """The checked-in schema made ready for pydantic-core: a model's class is named, not stored;
    a plain class of that name stands in (instances are built, then discarded)."""
    if isinstance(node, dict):
        out = {k: _live(v) for k, v in node.items()}
        if out.get("type") == "model":
            out["cls"] = type(out["cls"], (), {})
        return out
    if isinstance(node, list):
        return [_live(v) for v in node]
    if isinstance(node, tuple):
        return tuple(_live(v) for v in node)
    return node


_VALIDATORS: dict[str, Any] = {}


def validate(data: Any, era: str = eras.SEED) -> list[dict[str, Any]]:
    """pydantic's errors for `data` against `era`'s model ([] when it conforms). Each era's
    validator is built the first time a design of that era is checked."""
    validator = _VALIDATORS.get(era)
    if validator is None:
        validator = _VALIDATORS[era] = _schema_validator_class()(_live(root(era)))
    try:
        validator.validate_python(data)
    except ValueError as exc:  # pydantic_core.ValidationError
        return exc.errors(include_url=False, include_input=False)  # type: ignore[attr-defined]
    return []


# --- The shape of a design -----------------------------------------------------------------------


def root(era: str = eras.SEED) -> Schema:
    """The compiled schema of `era`'s model (spec.schema.SUMMARY_MODELS)."""
    from .compiled_schema import CORE_SCHEMAS

    return CORE_SCHEMAS[era]


def _bare(s: Schema) -> Schema:
    """A schema without its default and nullable wrappers."""
    while s.get("type") in _WRAPPERS:
        s = s["schema"]
    return s


def _choices(s: Schema) -> list[Schema]:
    return [c[0] if isinstance(c, tuple) else c for c in s["choices"]]


def is_model(s: Any) -> bool:
    return isinstance(s, dict) and s.get("type") == "model"


def fields(model: Schema) -> dict[str, Schema]:
    """A model's fields: name -> the field's schema."""
    return {name: f["schema"] for name, f in model["schema"]["fields"].items()}


_SHAPES: dict[int, tuple[frozenset[str], dict[str, tuple[str, Schema]]]] = {}


def shape(model: Schema) -> tuple[frozenset[str], dict[str, tuple[str, Schema]]]:
    """A model's field names, and its fields that hold a model ('model') or a list of them ('list')."""
    found = _SHAPES.get(id(model))
    if found is None:
        subs: dict[str, tuple[str, Schema]] = {}
        for name, s in fields(model).items():
            s = _bare(s)
            if is_model(s):
                subs[name] = ("model", s)
            elif s.get("type") == "list" and is_model(_bare(s.get("items_schema", {}))):
                subs[name] = ("list", _bare(s["items_schema"]))
        found = _SHAPES[id(model)] = (frozenset(model["schema"]["fields"]), subs)
    return found


def leaf(path: PathT, era: str = eras.SEED) -> Schema | None:
    """The schema at `path`, or None where the schema does not say (extra keys, any)."""
    s: Schema = root(era)
    for step in path:
        s = _bare(s)
        if s.get("type") == "union":  # follow the branch that can hold a child at `step`
            want = "list" if isinstance(step, int) else None
            branch = [
                c for c in map(_bare, _choices(s))
                if (c.get("type") == "list") == (want == "list") and (want == "list" or c.get("type") in ("model", "dict"))
            ]
            if not branch:
                return None
            s = branch[0]
        kind = s.get("type")
        if kind == "model":
            found = fields(s).get(step)
            if found is None:
                return None
            s = found
        elif kind == "list" and isinstance(step, int):
            s = s.get("items_schema", {"type": "any"})
        elif kind == "dict":
            s = s.get("values_schema", {"type": "any"})
        else:
            return None
    return _bare(s)


def fields_at(path: PathT, era: str = eras.SEED) -> frozenset[str]:
    """The field names of the model at `path` (the first model of a union); empty if none."""
    s = leaf(path, era)
    if s is not None and s.get("type") == "union":
        models = [c for c in map(_bare, _choices(s)) if is_model(c)]
        s = models[0] if models else s
    return shape(s)[0] if is_model(s) else frozenset()


def scalar_kinds(s: Schema | None) -> set[str]:
    """Which plain scalar kinds a schema accepts ('other' for anything unknown or any)."""
    if s is None or s.get("type") == "any":
        return {"other"}
    kind = s["type"]
    if kind == "default":
        return scalar_kinds(s["schema"])
    if kind == "nullable":
        return scalar_kinds(s["schema"]) | {"null"}
    if kind == "union":
        out: set[str] = set()
        for c in _choices(s):
            out |= scalar_kinds(c)
        return out
    if kind == "literal":
        return {"bool" if isinstance(v, bool) else "str" if isinstance(v, str) else "number" for v in s["expected"]}
    return {_SCALAR_KINDS.get(kind, "container")}


def _param_kind(param: Any) -> str | None:
    t = param_type(param) if isinstance(param, str) else None
    if t is None or t is bool:
        return None  # unknown parameters: their type is the recipe's business
    return "str" if t is str else "number"


def expected_kind(path: PathT, era: str = eras.SEED) -> str | None:
    """'str' or 'number' where a YAML 1.1 boolean at `path` is a mistake (CK004), else None."""
    n = len(path)
    if n == 2 and path[0] == "controls":
        return _param_kind(path[1])
    if n == 3 and path[0] == "variables":
        return _param_kind(path[1])
    if n == 4 and path[0] == "runs" and path[2] == "parameters":
        return _param_kind(path[3])
    if n >= 5 and path[:2] == eras.field_path(eras.SCORERS, era) and path[3] == "params":
        name = path[4]
        if n == 5 and name == "location" or n == 6 and name in ("option_tokens", "labels"):
            return "str"
        return None
    kinds = scalar_kinds(leaf(path, era))
    if "bool" in kinds or "other" in kinds:
        return None
    if "str" in kinds:
        return "str"
    if "number" in kinds:
        return "number"
    return None


# --- Generating compiled_schema.py ----------------------------------------------------------------


def _portable(node: Any) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k in _DROPPED:
                continue
            if k == "cls":
                out[k] = v.__name__
            elif k == "default_factory":
                out["default"] = v()
            else:
                out[k] = _portable(v)
        return out
    if isinstance(node, (list, tuple)):
        return type(node)(_portable(v) for v in node)
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    raise TypeError(f"the core schema holds {node!r}, which cannot be written out")


def render() -> str:
    """compiled_schema.py's text, from spec/schema.py's models (one per era)."""
    import pprint

    from ..spec.schema import SUMMARY_MODELS

    schemas = {era: _portable(model.__pydantic_core_schema__) for era, model in SUMMARY_MODELS.items()}
    return (
        '"""GENERATED by `python -m ck_design.validate.schema_shape` from spec/schema.py: do not edit.\n\n'
        "pydantic-core's schema of each era's model (spec.schema.SUMMARY_MODELS), as\n"
        "validate/schema_shape.py uses it.\n"
        '"""\n\n'
        f"CORE_SCHEMAS = {pprint.pformat(schemas, width=110, sort_dicts=False)}\n"
    )


def _generated() -> Path:
    from pathlib import Path

    return Path(__file__).with_name(GENERATED)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    generated = _generated()
    if args == ["--check"]:
        if not generated.is_file() or generated.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{generated} is out of date: run `make schema` (python -m ck_design.validate.schema_shape)\n")
            return 1
        return 0
    if args:
        sys.stderr.write("usage: python -m ck_design.validate.schema_shape [--check]\n")
        return 2
    generated.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
