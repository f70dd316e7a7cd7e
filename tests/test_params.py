"""One definition per hyperparameter: the table in spec/params.py.

Every check here is derived from `PARAMS` (nothing is listed by hand): copier.yml asks one
question per hyperparameter with the table's type and default, skips it when it is varied, and
refuses exactly what the table's bounds refuse; the generated JSON schema carries the same types
and bounds; the variables question names every sweepable parameter. To add a parameter, see
docs/design.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from ck_design.spec.params import HYPERPARAMETERS, PARAMS, SWEEPABLE, Param
from ck_design.wizard.jinja_ext import WizardExtension

REPO = Path(__file__).resolve().parent.parent
COPIER = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
SCHEMA = json.loads((REPO / "schemas" / "experiment_summary.schema.json").read_text(encoding="utf-8"))
COPIER_TYPES = {int: "int", float: "float", bool: "bool", str: "str"}
JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string"}


@pytest.fixture()
def jinja(tmp_path, monkeypatch):
    """copier.yml's Jinja, with no claude.local.md in reach (the table's defaults apply)."""
    empty = tmp_path / "claude.local.md"
    empty.write_text("")
    monkeypatch.setenv("CK_LOCAL_CONFIG", str(empty))
    monkeypatch.chdir(tmp_path)
    return SandboxedEnvironment(extensions=[WizardExtension])


def _render(env: SandboxedEnvironment, text: Any, **context: Any) -> str:
    conf = {"dst_path": "/scratch/ck-experiments/x"}
    return env.from_string(str(text)).render(_copier_conf=conf, **context)


def _out_of_bounds(p: Param) -> list[Any]:
    """Values just past each bound of the table (with the value's own type)."""
    values = []
    if p.minimum is not None:
        values.append(p.type(p.minimum) if p.exclusive_minimum else p.type(p.minimum) - 1)
    if p.below is not None:
        values.append(p.type(p.below))
    return values


@pytest.mark.parametrize("p", HYPERPARAMETERS.values(), ids=lambda p: p.name)
def test_copier_question_matches_the_table(p: Param, jinja: SandboxedEnvironment) -> None:
    question = COPIER[p.name]
    assert question["type"] == COPIER_TYPES[p.type]
    default = question["default"]
    if isinstance(default, str):  # a Jinja default (e.g. from claude.local.md), rendered as copier does
        default = yaml.safe_load(_render(jinja, default))
    assert p.type(default) == p.default and type(p.default) is p.type
    # a sweepable parameter that is varied is not asked again
    if p.sweepable:
        assert _render(jinja, question["when"], variables={p.name: [p.default]}) == "False"
        assert _render(jinja, question["when"], variables={}) == "True"


@pytest.mark.parametrize("p", HYPERPARAMETERS.values(), ids=lambda p: p.name)
def test_copier_validator_is_the_tables_check(p: Param, jinja: SandboxedEnvironment) -> None:
    question = COPIER[p.name]
    if p.type is bool:  # copier's own bool type refuses anything else
        assert "validator" not in question or _render(jinja, question["validator"], **{p.name: True}) == ""
        return
    context: dict[str, Any] = {"models": ["Llama-3.2-1B-Instruct"], "variables": {}}
    assert _render(jinja, question["validator"], **context, **{p.name: p.default}) == ""
    bad = _out_of_bounds(p)
    assert bad, f"{p.name}: no bound in the table"
    for value in bad:
        assert _render(jinja, question["validator"], **context, **{p.name: value}) == p.bound_error(value) != ""
    wrong_type = "many" if p.type is float else 1.5
    assert "takes" in _render(jinja, question["validator"], **context, **{p.name: wrong_type})


def _schema_control(name: str) -> dict[str, Any]:
    prop = SCHEMA["$defs"]["Controls"]["properties"][name]
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    assert len(options) == 1, prop
    return options[0]


@pytest.mark.parametrize("p", PARAMS.values(), ids=lambda p: p.name)
def test_json_schema_control_matches_the_table(p: Param) -> None:
    control = _schema_control(p.name)
    assert control["type"] == JSON_TYPES[p.type]
    assert SCHEMA["$defs"]["Controls"]["properties"][p.name]["description"] == p.help
    bounds = {k: v for k, v in control.items() if k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")}
    expected: dict[str, Any] = {}
    if p.minimum is not None:
        expected["exclusiveMinimum" if p.exclusive_minimum else "minimum"] = p.minimum
    if p.below is not None:
        expected["exclusiveMaximum"] = p.below
    if p.maximum is not None:
        expected["maximum"] = p.maximum
    assert bounds == expected


def test_the_schema_has_no_control_the_table_lacks() -> None:
    assert set(SCHEMA["$defs"]["Controls"]["properties"]) == set(PARAMS)


def test_variables_question_names_every_sweepable_parameter(jinja: SandboxedEnvironment) -> None:
    help_text = _render(jinja, COPIER["variables"]["help"])
    known = help_text.split("Known:", 1)[1].split(".", 1)[0]
    assert [k.strip() for k in known.split(",")] == list(SWEEPABLE)


def test_no_question_looks_like_a_parameter_the_table_lacks() -> None:
    """A numeric question with a `ck_check_param` validator names a parameter of the table."""
    for key, question in COPIER.items():
        if isinstance(question, dict) and "ck_check_param(" in str(question.get("validator", "")):
            assert key in PARAMS, key


@pytest.mark.parametrize("p", [p for p in PARAMS.values() if p.choices], ids=lambda p: p.name)
def test_choice_parameter_question_matches_the_table(p: Param, jinja: SandboxedEnvironment) -> None:
    """A str parameter with choices (dataset_type): copier offers exactly the table's choices, the
    JSON schema enumerates them, and the default follows the model (spec.model_registry)."""
    question = COPIER[p.name]
    assert list(question["choices"].values()) == list(p.choices)
    assert _schema_control(p.name)["enum"] == list(p.choices)
    assert _render(jinja, question["default"], models=["Llama-3.2-1B-Instruct"]) == "chat_completion"
    assert _render(jinja, question["default"], models=["Llama-3.2-1B"]) == "text_completion"
    assert p.bound_error(p.choices[0]) == "" and "must be one of" in p.bound_error("chat")
