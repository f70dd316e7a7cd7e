"""Generate experiment_summary.schema.json from the pydantic models (the single source of truth).

    python -m ck_design.spec.jsonschema            # (re)write the checked-in schema files
    python -m ck_design.spec.jsonschema --check    # exit 1 when they differ from the models

Two identical copies are written: `schemas/experiment_summary.schema.json` at the top of the
repository (what editors' `$schema` modelines and check-jsonschema point at) and one inside
the package, so an installed ck-design carries its schema (`installed_schema_path()`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCHEMA_NAME = "experiment_summary.schema.json"
SCHEMA_ID = "https://ck-design.invalid/schemas/" + SCHEMA_NAME
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def build_schema() -> dict[str, Any]:
    """Both eras' models (spec.schema.SUMMARY_MODELS): a design is exactly one of them."""
    from pydantic.json_schema import models_json_schema

    from .era import ERA_KEYS
    from .schema import SUMMARY_MODELS

    refs, body = models_json_schema([(m, "validation") for m in SUMMARY_MODELS.values()], ref_template="#/$defs/{model}")
    # Dialect, id and title first, so a reader of the file sees what it is before the details.
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "ck-design experiment_summary.yaml",
        "description": "experiment_summary.yaml of either cruijff_kit era: the seed (February 2026) or 0.3 "
        "(release 0.3.4). The era is told by its keys; a file with keys of both is neither.",
    }
    eras = list(SUMMARY_MODELS)
    # The top-level sections every era requires, said once up front for readers and editors.
    per_era = [body["$defs"][refs[(m, "validation")]["$ref"].rsplit("/", 1)[1]]["required"] for m in SUMMARY_MODELS.values()]
    schema["required"] = [k for k in per_era[0] if all(k in r for r in per_era[1:])]
    schema["oneOf"] = [
        {
            "$ref": refs[(model, "validation")]["$ref"],
            # extra keys are allowed, so without this a file mixing the eras' keys could pass
            "not": {"anyOf": [_requires(path) for other in eras if other != era for path in ERA_KEYS[other]]},
        }
        for era, model in SUMMARY_MODELS.items()
    ]
    schema["$defs"] = body["$defs"]
    _required_unless_varied(schema)
    return schema


def _requires(path: tuple[str, ...]) -> dict[str, Any]:
    """A JSON schema that holds when the nested key `path` is present."""
    node: dict[str, Any] = {"required": [path[-1]]}
    for key in reversed(path[:-1]):
        node = {"required": [key], "properties": {key: node}}
    return node


def _required_unless_varied(schema: dict[str, Any]) -> None:
    """controls.epochs is required unless `variables` varies it (spec.params.REQUIRED_UNLESS_VARIED):
    JSON schema says so with one if/then per parameter instead of a plain `required`."""
    from .params import REQUIRED_UNLESS_VARIED

    for name, controls in schema.get("$defs", {}).items():
        if name.startswith("Controls"):  # each era's
            controls["required"] = [k for k in controls.get("required", []) if k not in REQUIRED_UNLESS_VARIED]
    schema["allOf"] = [
        {
            "if": {"not": {"properties": {"variables": {"required": [name]}}, "required": ["variables"]}},
            "then": {"properties": {"controls": {"required": [name]}}},
        }
        for name in REQUIRED_UNLESS_VARIED
    ]


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def installed_schema_path() -> Path:
    """The copy shipped inside the package (present in a wheel or an editable install)."""
    return PACKAGE_DIR / "schemas" / SCHEMA_NAME


def _repo_root() -> Path | None:
    # validators/ck_design/ -> the repository, when running from a checkout.
    root = PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "validators").is_dir() else None


def targets(root: Path | None) -> list[Path]:
    paths = [installed_schema_path()]
    if root is not None:
        paths.insert(0, root / "schemas" / SCHEMA_NAME)
    return paths


def main(argv: list[str] | None = None) -> int:
    import argparse  # only `make schema` needs it; the wizard imports this module for SCHEMA_NAME

    parser = argparse.ArgumentParser(prog="python -m ck_design.spec.jsonschema", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a checked-in schema differs from the models")
    parser.add_argument("--root", type=Path, help="repository root (default: the checkout this module is in)")
    args = parser.parse_args(argv)

    root = args.root or _repo_root()
    expected = render()
    stale = []
    for path in targets(root):
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current == expected:
            continue
        if args.check:
            stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        for path in stale:
            state = "is missing" if not path.exists() else "differs from ck_design.spec.schema"
            print(f"{path} {state}; run `make schema` (python -m ck_design.spec.jsonschema) and commit it", file=sys.stderr)
        return 1
    if args.check:
        print("schema files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
