"""The wizard's plain functions (ck_design.wizard) and their Jinja wiring (ck_design.wizard.jinja_ext)."""

from __future__ import annotations

import json
from pathlib import Path, PurePath

import pytest
import yaml
from jinja2 import pass_context
from jinja2.sandbox import SandboxedEnvironment

from ck_design.facts.loader import loads
from ck_design.facts.prerequisites import prerequisites
from ck_design.spec import model_registry
from ck_design.facts import yamlwriter
from ck_design.wizard import build, defaults, jinja_ext, validators
from ck_design.spec.scorers import LIST_OF_STR, SCORER_NAMES, SCORERS
from ck_design.facts.questions import question_keys
from ck_design.spec.answers import normalize_variables
from ck_design.wizard.answers import answers_from
from ck_design.wizard.approval import plan_text

M1 = "Llama-3.2-1B-Instruct"


@pytest.mark.parametrize(("value", "text"), [
    ("plain", "plain"), ("/abs/path-1.2_x", "/abs/path-1.2_x"), ("null", "'null'"), ("no", "'no'"),
    ("On", "'On'"), ("", "''"), ("a: b", "'a: b'"), ("x #y", "'x #y'"), ("it's", "'it''s'"),
    ("{input}\n", '"{input}\\n"'), ("2026-11-25", "'2026-11-25'"), ("1e-5", "'1e-5'"), ("1B_rank4", "'1B_rank4'"),
    (1e-05, "1.0e-05"), (0.0001, "0.0001"), (0.0, "0.0"), (4, "4"), (True, "true"), (None, "null"),
])
def test_yaml_scalar(value, text):
    assert yamlwriter.yaml_scalar(value) == text
    assert loads(f"v: {text}\n").data["v"] == value


def test_yaml_scalar_refuses_non_scalars_and_nan():
    with pytest.raises(TypeError):
        yamlwriter.yaml_scalar({"a": 1})
    with pytest.raises(ValueError):
        yamlwriter.yaml_scalar(float("nan"))
    assert yamlwriter.yaml_value([]) == "[]" and yamlwriter.yaml_value({}) == "{}"
    assert yamlwriter.yaml_value(["0", "1"]) == "['0', '1']"


def test_answers_yaml_leaves_approval_out():
    text = yamlwriter.answers_yaml({"_commit": "abc", "question": "q: x", "approved": True, "lr": 1e-05})
    assert yaml.safe_load(text) == {"_commit": "abc", "question": "q: x", "lr": 1e-05}


def test_detect_experiment_type():
    assert defaults.detect_experiment_type("/s/ck-sanity-checks/x") == "sanity_check"
    assert defaults.detect_experiment_type("/s/my-Sanity-run") == "sanity_check"
    assert defaults.detect_experiment_type("/s/ck-experiments/x") == "experiment"
    assert defaults.detect_experiment_type(None) == "experiment"


def test_model_choices(tmp_path):
    """Every folder with a config.json is offered, known to the registry or not (issue 10)."""
    for name in (M1, "Qwen2.5-3B", "my-own-model", "no-config"):
        (tmp_path / name).mkdir()
        if name != "no-config":
            (tmp_path / name / "config.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    assert defaults.model_choices(tmp_path) == [M1, "Qwen2.5-3B", "my-own-model"]
    assert defaults.model_choices(tmp_path, ["given"]) == [M1, "Qwen2.5-3B", "my-own-model", "given"]
    assert defaults.model_choices(tmp_path / "missing") == list(model_registry.MODELS)
    assert defaults.default_models(tmp_path) == [M1]
    (tmp_path / "only" / "Qwen2.5-3B").mkdir(parents=True)
    (tmp_path / "only" / "Qwen2.5-3B" / "config.json").write_text("{}")
    assert defaults.default_models(tmp_path / "only") == ["Qwen2.5-3B"]


def test_gpu_questions():
    assert defaults.full_gpu_question_applies([M1]) is True
    assert defaults.full_gpu_question_applies(["Llama-3.3-70B-Instruct"]) is False
    assert defaults.full_gpu_question_applies(["unknown"]) is False
    assert defaults.overrides_apply(["Llama-3.3-70B-Instruct"], False) is True
    assert defaults.overrides_apply([M1], False) is False and defaults.overrides_apply([M1], True) is True


@pytest.mark.parametrize(("call", "needle"), [
    (lambda: validators.check_prompt("no placeholder"), "{input}"),
    (lambda: validators.check_experiment_name("a/b"), "safe directory name"),
    (lambda: validators.check_experiment_name("a..b"), "no '..'"),
    (lambda: validators.check_experiment_name("name\n"), "safe directory name"),
    (lambda: validators.check_date("2026-13-01"), "real date"),
    (lambda: validators.check_variables({"dataset_type": ["chat_completion"]}), "cannot be a variable"),
    (lambda: validators.check_variables({"prompt": ["Capitalize this"]}), "{input}"),
    (lambda: validators.check_variables({"lora_rnak": [4]}), "unknown hyperparameter"),
    (lambda: validators.check_variables({"lora_rank": [4, 4]}), "twice"),
    (lambda: validators.check_variables({"lr": [-1]}), "lr must be > 0"),
    (lambda: validators.check_variables({"lora_rank": [1.5]}), "integer"),
    (lambda: validators.check_variables([1]), "mapping"),
    (lambda: validators.check_eval_epoch_list([1, 2], 2), "did you mean [0, 1]"),
    (lambda: validators.check_eval_epoch_list([0, 0], 2), "twice"),
    (lambda: validators.check_eval_epoch_list([-1], 2), "negative"),
    (lambda: validators.check_eval_epoch_list([2], 3, {"epochs": [2, 3]}), "0-indexed"),
    (lambda: validators.check_best_val_loss({"validation_during_training": False}), "validation"),
    (lambda: validators.check_eval_tasks([{"name": "a", "script": "s", "description": "d"}] * 2), "twice"),
    (lambda: validators.check_eval_tasks([{"name": "a", "script": "s", "descripton": "d"}]), "description"),
    (lambda: validators.check_eval_matrix({"nope": ["*"]}, [{"name": "a"}]), "not one of"),
    (lambda: validators.check_string_list([], "labels"), "non-empty"),
    (lambda: validators.check_gpus(1, ["Llama-3.3-70B-Instruct"]), "at least 4 GPUs"),
])
def test_validators_say_why(call, needle):
    assert needle in call()


def test_validators_accept_good_answers():
    assert validators.check_prompt("Q: {input}\n") == ""
    assert validators.check_variables({"lora_rank": [4, 8], "lr": ["1e-5", 1e-4]}) == ""
    assert validators.check_variables({}) == ""
    assert validators.check_eval_epoch_list([0, 1], 2) == ""
    assert validators.check_experiment_name("cap_8L_lora_comparison_2026-11-25") == ""
    assert validators.check_gpus(4, ["Llama-3.3-70B-Instruct"]) == ""


def test_normalize_variables_reads_yaml12_numbers():
    assert normalize_variables({"lr": ["1e-5", 1], "lora_rank": ["8"], "packing": [True]}) == {
        "lr": [1e-05, 1.0], "lora_rank": [8], "packing": [True]}


def test_default_names(tmp_path):
    assert defaults.default_experiment_name("my data", "lora_rank_comparison", "2026-11-25") == (
        "my_data_lora_rank_comparison_2026-11-25")
    assert validators.check_experiment_name(defaults.default_experiment_name("..", "", "")) == ""
    data = tmp_path / "data" / "words.json"
    data.parent.mkdir()
    data.write_text("{}")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "words.py").write_text("")
    assert defaults.default_eval_tasks(data) == [{"name": "words", "script": str(tmp_path / "tasks" / "words.py"),
                                                "description": "Evaluate on the words dataset", "dataset": "same"}]


def _answers(tmp_path, **kw):
    (tmp_path / "models" / M1).mkdir(parents=True)
    (tmp_path / "models" / M1 / "config.json").write_text("{}")
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"train": [{}] * 400, "validation": [{}] * 10, "test": []}))
    a = {"scratch_dir": str(tmp_path / "s"), "experiment_type": "experiment", "question": "q",
         "models_dir": str(tmp_path / "models"), "models": [M1], "dataset_path": str(data),
         "variables": {"lora_rank": [4, 8]}, "num_warmup_steps": 10, "gpu_constraint": "gpu80",
         "eval_tasks": [{"name": "t", "script": str(tmp_path / "missing.py"), "description": "d"}],
         "experiment_name": "exp", "experiment_date": "2026-11-25", "wandb_project": "p"}
    a.update(kw)
    return a


def test_build_design_and_plan(tmp_path):
    answers = _answers(tmp_path)
    d = build.build_design(answers)
    assert d["data"]["training"]["splits"] == {"train": 400, "validation": 10, "test": 0}
    assert [r["name"] for r in d["runs"]] == [f"{M1}_rank4", f"{M1}_rank8", f"{M1}_base"]
    assert d["runs"][0]["slurm_overrides"] == {"constraint": "gpu80"}
    prereq = prerequisites(d)
    assert prereq == [f"Evaluation task t: script {tmp_path / 'missing.py'} does not exist "
                      "(write it, e.g. with the create-inspect-task skill)."]
    assert prerequisites(d) == prereq  # deterministic
    plan = plan_text(answers, tmp_path / "dst")
    for needle in ("Nothing has been written yet", f"{M1}_rank4  (fine-tuned)", f"{M1}_base  (control)",
                   "Total evaluations: 3", f"Experiment directory: {tmp_path / 's'}/ck-experiments/exp",
                   f"files are rendered into {tmp_path / 'dst'}", f"Output directory:     {tmp_path / 's'}/ck-outputs/exp",
                   "Prerequisites", "CK280", "Write these files?"):
        assert needle in plan, needle


def test_a_packed_designs_time_estimate_counts_packed_steps(tmp_path):
    """The wizard's compute.time counts the steps CK250-CK252 count (spec/sweep.py steps_of_run):
    with packing, ~13 packed steps of 10,000 short examples, not 2,500 unpacked ones."""
    from ck_design.spec import compute

    answers = _answers(tmp_path, variables={}, batch_size=4, epochs=1)
    example = {"input": "a" * 20, "output": "b" * 20}
    (tmp_path / "d.json").write_text(json.dumps({"train": [example] * 10_000, "validation": [example] * 10, "test": []}))
    hours = {}
    for packing in (False, True):
        d = build.build_design({**answers, "packing": packing})
        hours[packing] = compute.parse_time(d["runs"][0]["compute"]["time"])
    assert hours[True] < hours[False] / 2, hours


def test_extension_in_a_sandbox(tmp_path, monkeypatch):
    cfg = tmp_path / "claude.local.md"
    cfg.write_text("- **Scratch directory**: `/scratch/me`\n- **Partition**: `<p>`\n")
    monkeypatch.setenv("CK_LOCAL_CONFIG", str(cfg))
    env = SandboxedEnvironment(extensions=[jinja_ext.WizardExtension])
    conf = {"dst_path": PurePath("/x/ck-sanity-checks/e")}
    out = env.from_string(
        "{{ ck_local('scratch_dir') }}|{{ ck_local('partition') or 'unset' }}|{{ ck_detect_type() }}|"
        "{{ 'a: b' | yaml_scalar }}|{{ [0, 1] | yaml_flow }}|{{ 'x|y' | md_cell }}|{{ 'a\"b' | mermaid_label }}"
    ).render(_copier_conf=conf)
    assert out == "/scratch/me|unset|sanity_check|'a: b'|[0, 1]|x\\|y|a#quot;b"
    answers = _answers(tmp_path)
    design = env.from_string("{{ ck_design().runs | length }}").render(**answers, _copier_conf=conf)
    assert design == "3"


def test_approval_root(monkeypatch):
    assert jinja_ext.ck_approval_root(True) == "template"
    assert jinja_ext.ck_approval_root(False) == jinja_ext.DECLINED_ROOT
    from copier._main import _operation
    from copier.errors import UserMessageError

    token = _operation.set("update")
    try:
        with pytest.raises(UserMessageError, match="nothing was changed"):
            jinja_ext.ck_approval_root(False)
        assert jinja_ext.ck_approval_root(True) == "template"
    finally:
        _operation.reset(token)


def test_schema_modeline_target_exists():
    target = jinja_ext.ck_schema_url()
    assert target.startswith("https://") or PurePath(target).name == "experiment_summary.schema.json"


def test_relative_template_source_detection(tmp_path, monkeypatch):
    (tmp_path / "ck-design").mkdir()
    monkeypatch.chdir(tmp_path)
    assert yamlwriter.is_relative_local_path("ck-design") and yamlwriter.is_relative_local_path(".")
    for src in ("/abs/ck-design", "gh:org/ck-design", "https://x/y.git", "git@host:org/y.git", "missing", "~/x"):
        assert not yamlwriter.is_relative_local_path(src), src
    assert yaml.safe_load(yamlwriter.answers_yaml({"_src_path": "ck-design"}))["_src_path"] == str(tmp_path / "ck-design")


def test_answers_yaml_escapes_yaml_line_breaks():
    for s in ("\x85{input}", "a\u2028b", "c\u2029", "plain", "multi\nline"):
        assert yaml.safe_load(yamlwriter.answers_yaml({"prompt": s}))["prompt"] == s


REPO = Path(__file__).resolve().parent.parent


def _copier_yml() -> dict:
    return yaml.safe_load((REPO / "copier.yml").read_text())


def test_copier_yml_questions_have_help():
    conf = _copier_yml()
    questions = {k: v for k, v in conf.items() if not k.startswith("_")}
    assert all(v.get("help") for v in questions.values())
    assert conf["_jinja_extensions"] == ["ck_design.wizard.jinja_ext.WizardExtension"]
    # future tools are shown but not selectable
    assert "validator" in conf["preparation_tool"]["choices"]["axolotl"]
    assert "validator" in conf["evaluation_tool"]["choices"]["lm-eval-harness"]


def test_answer_keys_are_what_copier_yml_asks(tmp_path):
    asked = [k for k in _copier_yml() if not k.startswith("_")]
    assert list(question_keys(REPO)) == asked
    # Inside copier, the answers are exactly the questions of the template being rendered
    # (`_copier_conf.src_path`): not copier's private variables, nor a stale answer of a
    # question the template no longer asks.
    env = SandboxedEnvironment(extensions=[jinja_ext.WizardExtension])
    context = {k: f"answer to {k}" for k in asked}
    context.update(_copier_conf={"src_path": REPO, "dst_path": tmp_path}, _folder_name="x", dropped_question="old")
    seen = env.from_string("{{ ck_answers_seen() }}")
    env.globals["ck_answers_seen"] = pass_context(lambda ctx: ",".join(answers_from(ctx)))
    assert seen.render(**context).split(",") == asked
    # Another template version asks other questions: its own copier.yml decides.
    (tmp_path / "copier.yml").write_text("_min_copier_version: '9.19.0'\nquestion: {type: str}\nnew_one: {type: int}\n")
    context["_copier_conf"] = {"src_path": tmp_path}
    context["new_one"] = 3
    assert seen.render(**context).split(",") == ["question", "new_one"]


def test_scorer_answers_are_the_scorer_table():
    """Each scorer param the wizard asks is a question of the right kind (spec/scorers.py)."""
    conf = _copier_yml()
    assert conf["scorers"]["choices"] == list(SCORER_NAMES)
    for scorer, params in SCORERS.items():
        for p in params:
            if not p.answer:
                continue
            question = conf[p.answer]
            assert scorer in question["when"], p.answer
            if p.kind is bool:
                assert question["type"] == "bool" and question["default"] is p.default
            elif p.kind == LIST_OF_STR:
                assert question["type"] == "yaml" and yaml.safe_load(question["default"]) == p.default
            else:
                assert question["choices"] == list(p.kind) and question["default"] == p.default


def test_default_experiment_name_follows_a_conventional_destination(tmp_path):
    dst = tmp_path / "ck-sanity-checks" / "quick_check"
    assert defaults.default_experiment_name("words", "baseline", "2026-11-25", str(dst)) == "quick_check"
    # an unsafe folder name, or one outside the convention, falls back to <task label>_<factor>_<date>
    assert defaults.default_experiment_name("words", "baseline", "2026-11-25", str(tmp_path / "ck-experiments" / "a b")) == (
        "words_baseline_2026-11-25"
    )
    assert defaults.default_experiment_name("words", "baseline", "2026-11-25", str(tmp_path / "x")) == "words_baseline_2026-11-25"
