"""copier's answers are read once (spec/answers.py `Answers`): one meaning and one default per
answer for the wizard, the plan and the post-copy hook."""

from __future__ import annotations

import re
from pathlib import Path

from ck_design.post_copy.rendered import plan_from
from ck_design.spec.answers import DEFAULT_MODEL, DEFAULTS, Answers
from ck_design.spec.params import HYPERPARAMETERS, PARAMS
from ck_design.wizard import build

PACKAGE = Path(__file__).resolve().parent.parent / "validators" / "ck_design"
RAW_READ = re.compile(r"\bget\(\s*answers\b|\banswers\.get\(")


def test_absent_and_null_answers_take_the_tables_defaults() -> None:
    for answers in ({}, dict.fromkeys([*DEFAULTS, *PARAMS])):
        a = Answers.read(answers)
        assert a.params == {name: p.default for name, p in HYPERPARAMETERS.items()}
        assert (a.prompt, a.system_prompt) == (PARAMS["prompt"].default, PARAMS["system_prompt"].default)
        assert a.models == [DEFAULT_MODEL]
        assert a.experiment_type == DEFAULTS["experiment_type"] and a.full_gpu is True
        assert a.scorers == ["match"] and a.scorer_params == {"match": {"location": "exact", "ignore_case": False}}
        assert a.approved is None and a.commit is None


def test_answers_are_typed_as_the_design_uses_them() -> None:
    a = Answers.read({"lr": "1e-5", "epochs": "3", "variables": {"lora_rank": ["4", 8]}, "models": "[m1, m2]",
                      "prompt": '"Q: {input}\\n"', "eval_seed": "7", "eval_max_tokens": "", "temperature": 1,
                      "experiment_type": "sanity_check", "_commit": "v0.2.0"})
    assert a.params["lr"] == 1e-05 and a.params["epochs"] == 3
    assert a.variables == {"lora_rank": [4, 8]}
    assert a.models == ["m1", "m2"]
    assert a.prompt == "Q: {input}\n"
    assert (a.eval_seed, a.eval_max_tokens, a.temperature) == (7, None, 1.0)
    assert a.full_gpu is False  # a sanity check's default
    assert a.commit == "v0.2.0"


def test_a_value_its_question_refuses_reads_as_the_default_not_a_traceback() -> None:
    # Only a hand-edited .copier-answers.yml holds one; the hook must still run on it.
    a = Answers.read({"temperature": "warm", "eval_seed": "x", "eval_checkpoints": 3})
    assert (a.temperature, a.eval_seed, a.eval_checkpoints) == (0.0, None, [3])


def test_the_wizard_and_the_hook_agree_on_an_absent_answer(tmp_path: Path) -> None:
    # `models` was [] in the hook's fallback and [DEFAULT_MODEL] in the wizard's build.
    design = build.build_design({"scratch_dir": str(tmp_path)})
    plan = plan_from(None, {"scratch_dir": str(tmp_path)}, tmp_path)
    assert [m["name"] for m in design["models"]["base"]] == [name for name, _ in plan.models] == [DEFAULT_MODEL]
    assert plan.name == design["experiment"]["name"] and plan.type == design["experiment"]["type"]


def test_build_takes_the_typed_answers_or_a_mapping_alike(tmp_path: Path) -> None:
    answers = {"scratch_dir": str(tmp_path), "experiment_date": "2026-11-25", "variables": {"lr": [1e-5, 1e-4]}}
    assert build.build_design(Answers.read(answers)) == build.build_design(answers)


def test_no_module_reads_an_answer_raw() -> None:
    raw = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "spec" / "answers.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW_READ.search(line):
                raw.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert raw == [], "read answers through spec/answers.py Answers"
