"""Prompt overrides and prompt sweeps (issue 11, part 2): the precedence function, a swept prompt
that validates clean, per-task overrides (CK202, CK206), controls on their own prompt (CK220),
and the plans showing which prompt each cell uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designs import dump, line_of, make_design, write_design

from ck_design.facts import loader
from ck_design.plan.markdown import plan_sections
from ck_design.spec import naming, sweep
from ck_design.validate import engine as checks

PROMPTS = ["Capitalize: {input}\n", "Write in capitals: {input}\n"]


def _findings(tmp_path: Path, data: dict[str, Any]) -> list[Any]:
    return checks.check(loader.load_file(write_design(tmp_path, data)))


def test_precedence_task_over_run_over_controls() -> None:
    controls = {"prompt": "C {input}", "system_prompt": "c"}
    evaluation = {"system_prompt": "e"}
    plain = {"name": "r", "parameters": {}}
    own = {"name": "r", "parameters": {"prompt": "R {input}", "system_prompt": "r"}}
    task = {"name": "t", "prompt": "T {input}", "system_prompt": "t"}
    f = sweep.effective_prompt
    assert f(plain, None, controls, evaluation, "prompt") == ("C {input}", "controls")
    assert f(plain, None, controls, evaluation, "system_prompt") == ("e", "evaluation")
    assert f(plain, {"name": "t"}, controls, None, "system_prompt") == ("c", "controls")
    assert f(own, {"name": "t"}, controls, evaluation, "prompt") == ("R {input}", "run")
    assert f(own, {"name": "t"}, controls, evaluation, "system_prompt") == ("r", "run")
    assert f(own, task, controls, evaluation, "prompt") == ("T {input}", "task")
    assert f(own, task, controls, evaluation, "system_prompt") == ("t", "task")
    assert f(own, {"name": "t", "prompt": None}, controls, evaluation, "prompt") == ("R {input}", "run")
    assert f({"name": "r"}, None, {}, None, "prompt") == (None, None)


def test_swept_prompt_run_names_are_indexed_and_safe() -> None:
    assert naming.value_label("prompt", PROMPTS[1], PROMPTS) == "prompt2"
    assert naming.value_label("system_prompt", "", ["", "Shout."]) == "system_prompt1"
    assert naming.run_name("M", {"lora_rank": 4, "prompt": PROMPTS[0]}, {"prompt": PROMPTS}) == "M_rank4_prompt1"
    assert naming.value_label("lora_rank", 4, [4, 8]) == "rank4"  # numbers keep their value


def test_swept_prompt_design_validates_clean(tmp_path: Path) -> None:
    data = make_design(variables={"lora_rank": [4, 8], "prompt": PROMPTS})
    names = [r["name"] for r in data["runs"]]
    assert "Llama-3.2-1B-Instruct_rank8_prompt2" in names
    assert all(naming.is_safe_name(n) for n in names)
    assert _findings(tmp_path, data) == []


def test_control_with_its_own_prompt_is_no_ck220(tmp_path: Path) -> None:
    data = make_design(models=("Llama-3.2-1B-Instruct",))
    control = data["runs"][-1]
    assert control["type"] == "control"
    control["parameters"] = {"prompt": "{input}", "system_prompt": ""}
    assert _findings(tmp_path, data) == []
    control["parameters"]["lora_rank"] = 4
    (f,) = _findings(tmp_path, data)
    assert f.code == "CK220"


def test_task_prompt_without_input(tmp_path: Path) -> None:
    data = make_design()
    data["evaluation"]["tasks"][1]["prompt"] = "Shout it"
    (f,) = _findings(tmp_path, data)
    assert (f.code, f.line) == ("CK202", line_of(dump(data), "prompt: Shout it"))
    assert f.message.startswith("evaluation.tasks[1].prompt")


def test_task_system_prompt_override_warns_naming_run_task_and_prompts(tmp_path: Path) -> None:
    data = make_design(models=("Llama-3.2-1B-Instruct",), variables={"lora_rank": [4]})
    data["evaluation"]["tasks"][0]["system_prompt"] = "Shout."
    (f,) = _findings(tmp_path, data)
    assert (f.code, f.severity, f.line) == ("CK206", "warning", line_of(dump(data), "system_prompt: Shout."))
    assert "task capitalization " in f.message and "'Shout.'" in f.message
    assert "Llama-3.2-1B-Instruct_rank4 " in f.message and "trained with ''" in f.message
    # the same prompt the runs trained with is no override worth a word
    data["evaluation"]["tasks"][0]["system_prompt"] = ""
    assert _findings(tmp_path, data) == []


def test_plan_shows_prompts_only_when_cells_differ() -> None:
    data = make_design(models=("Llama-3.2-1B-Instruct",), variables={"lora_rank": [4]})
    assert "Prompts (task over run over controls)" not in plan_sections(data)
    data["evaluation"]["tasks"][1]["prompt"] = "Hard: {input}\n"
    text = plan_sections(data)
    assert "Prompts (task over run over controls)" in text
    assert "Llama-3.2-1B-Instruct_rank4 / capitalization_hard" in text
    groups = sweep.prompt_groups(data["runs"], data["evaluation"]["tasks"], data["controls"], data["evaluation"],
                                 data["evaluation"]["matrix"])
    assert [pair for pair, _ in groups] == [("Capitalize: {input}\n", ""), ("Hard: {input}\n", "")]


def test_wizard_variables_question_accepts_a_prompt_sweep() -> None:
    from ck_design.wizard.validators import check_variables

    assert check_variables({"prompt": PROMPTS, "system_prompt": ["", "Shout."]}) == ""
    assert "{input}" in check_variables({"prompt": [PROMPTS[0], "Capitalize this"]})
    assert "cannot be a variable" in check_variables({"dataset_type": ["chat_completion"]})
