"""The rule registry is built from the rule modules (validate/rules/), each rule documented
beside the code that emits it; the validator's compiled schema stays in step with the models."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from pydantic import ValidationError

from ck_design.spec.schema import ExperimentSummary
from ck_design.validate import cli, registry, schema_shape
from ck_design.validate.rules import FAMILIES, MODULES, Rule, rule

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "validators" / "ck_design"
RULES_DIR = PACKAGE / "validate" / "rules"
INPUTS = REPO / "tests" / "golden" / "inputs"
QUOTED_CODE = re.compile(r'"(CK\d{3})"')


def _module(name: str) -> types.ModuleType:
    return importlib.import_module(f"ck_design.validate.rules.{name}")


def test_every_rule_module_is_registered() -> None:
    on_disk = {p.stem for p in RULES_DIR.glob("*.py") if p.stem != "__init__"}
    assert on_disk == set(MODULES)


def test_registry_is_the_union_of_the_modules_docs_in_code_order() -> None:
    from_modules = [r.code for name in MODULES for r in _module(name).DOCS]
    assert len(from_modules) == len(set(from_modules))
    assert list(registry.RULES) == sorted(from_modules)
    assert registry.SEVERITY == {code: r.severity for code, r in registry.RULES.items()}


@pytest.mark.parametrize("name", MODULES)
def test_each_module_emits_only_the_rules_it_documents(name: str) -> None:
    # A code quoted on its own ("CK210") is one the module emits or documents; codes named in
    # the docs' prose are not quoted alone. The loader emits CK001-CK003, documented in reading.py.
    documented = {r.code for r in _module(name).DOCS}
    source = (RULES_DIR / f"{name}.py").read_text(encoding="utf-8")
    if name == "reading":
        source += (PACKAGE / "facts" / "loader.py").read_text(encoding="utf-8")
    assert set(QUOTED_CODE.findall(source)) == documented


def _install(monkeypatch: pytest.MonkeyPatch, name: str, docs: list[Rule]) -> None:
    module = types.ModuleType(f"ck_design.validate.rules.{name}")
    module.DOCS = docs  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_build_refuses_a_code_defined_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = rule("CK210", "error", "Epochs (0-indexed)", "again", "why", "fix", "a: 1", "a: 2")
    _install(monkeypatch, "extra_rules", [twice])
    with pytest.raises(ValueError, match="CK210 is defined twice"):
        registry.build((*MODULES, "extra_rules"))


def test_build_refuses_an_unknown_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    _install(monkeypatch, "extra_rules", [rule("CK999", "fatal", "Other", "s", "w", "h", "a: 1", "a: 2")])
    with pytest.raises(ValueError, match="CK999: severity 'fatal'"):
        registry.build((*MODULES, "extra_rules"))


def test_compiled_schema_matches_the_models() -> None:
    # If this fails: run `make schema` (python -m ck_design.validate.schema_shape) and commit it.
    generated = PACKAGE / "validate" / "compiled_schema.py"
    assert generated.read_text(encoding="utf-8") == schema_shape.render()
    proc = subprocess.run([sys.executable, "-m", "ck_design.validate.schema_shape", "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _yaml_inputs() -> list[Path]:
    """The golden inputs that are YAML (broken_not_yaml is refused by the loader, before any schema)."""
    return [p for p in sorted(INPUTS.glob("*.yaml")) if p.stem != "broken_not_yaml"]


@pytest.mark.parametrize("path", _yaml_inputs(), ids=lambda p: p.stem)
def test_compiled_schema_gives_pydantics_errors(path: Path) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        ExperimentSummary.model_validate(data)
        expected = []
    except ValidationError as exc:
        expected = exc.errors(include_url=False, include_input=False)
    assert schema_shape.validate(data) == expected


@pytest.mark.parametrize("argv", [[], ["a.yaml"], ["a.yaml", "logs/b.log", ""]])
def test_arguments_without_options_are_what_argparse_makes_of_them(argv: list[str]) -> None:
    fast, parser = cli._arguments(argv)
    assert parser is None
    assert vars(fast) == vars(cli._parser().parse_args(argv))


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_has_the_one_entry_point(name: str) -> None:
    # The engine loops over FAMILIES calling check(ctx, design): a family needing more reads it
    # from the shared objects (validate/context.py), never from a signature of its own.
    params = list(inspect.signature(_module(name).check).parameters)
    assert params == ["ctx", "d"]
