"""The wizard's plain functions (ck_design.wizard) and their Jinja wiring (ck_design.wizard.jinja_ext)."""

from __future__ import annotations

import json
from pathlib import Path, PurePath

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from ck_design.wizard import jinja_ext
from ck_design.wizard import core as wizard
from ck_design.facts.loader import loads

M1 = "Llama-3.2-1B-Instruct"


@pytest.mark.parametrize(("value", "text"), [
    ("plain", "plain"), ("/abs/path-1.2_x", "/abs/path-1.2_x"), ("null", "'null'"), ("no", "'no'"),
    ("On", "'On'"), ("", "''"), ("a: b", "'a: b'"), ("x #y", "'x #y'"), ("it's", "'it''s'"),
    ("{input}\n", '"{input}\\n"'), ("2026-11-25", "'2026-11-25'"), ("1e-5", "'1e-5'"), ("1B_rank4", "'1B_rank4'"),
    (1e-05, "1.0e-05"), (0.0001, "0.0001"), (0.0, "0.0"), (4, "4"), (True, "true"), (None, "null"),
])
def test_yaml_scalar(value, text):
    assert wizard.yaml_scalar(value) == text
    assert loads(f"v: {text}\n").data["v"] == value


def test_yaml_scalar_refuses_non_scalars_and_nan():
    with pytest.raises(TypeError):
        wizard.yaml_scalar({"a": 1})
    with pytest.raises(ValueError):
        wizard.yaml_scalar(float("nan"))
    assert wizard.yaml_value([]) == "[]" and wizard.yaml_value({}) == "{}"
    assert wizard.yaml_value(["0", "1"]) == "['0', '1']"


def test_answers_yaml_leaves_approval_out():
    text = wizard.answers_yaml({"_commit": "abc", "question": "q: x", "approved": True, "lr": 1e-05})
    assert yaml.safe_load(text) == {"_commit": "abc", "question": "q: x", "lr": 1e-05}


def test_detect_experiment_type():
    assert wizard.detect_experiment_type("/s/ck-sanity-checks/x") == "sanity_check"
    assert wizard.detect_experiment_type("/s/my-Sanity-run") == "sanity_check"
    assert wizard.detect_experiment_type("/s/ck-experiments/x") == "experiment"
    assert wizard.detect_experiment_type(None) == "experiment"


def test_model_choices(tmp_path):
    for name in (M1, "Qwen2.5-3B", "my-own-model"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("x")
    assert wizard.model_choices(tmp_path) == [M1, "Qwen2.5-3B"]  # known dirs only
    assert wizard.model_choices(tmp_path, ["my-own-model"]) == [M1, "Qwen2.5-3B", "my-own-model"]
    assert wizard.model_choices(tmp_path / "missing") == list(wizard.model_registry.MODELS)
    assert wizard.default_models(tmp_path) == [M1]
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "Qwen2.5-3B").mkdir()
    assert wizard.default_models(tmp_path / "only") == ["Qwen2.5-3B"]


def test_gpu_questions():
    assert wizard.full_gpu_question_applies([M1]) is True
    assert wizard.full_gpu_question_applies(["Llama-3.3-70B-Instruct"]) is False
    assert wizard.full_gpu_question_applies(["unknown"]) is False
    assert wizard.overrides_apply(["Llama-3.3-70B-Instruct"], False) is True
    assert wizard.overrides_apply([M1], False) is False and wizard.overrides_apply([M1], True) is True


@pytest.mark.parametrize(("call", "needle"), [
    (lambda: wizard.check_prompt("no placeholder"), "{input}"),
    (lambda: wizard.check_experiment_name("a/b"), "safe directory name"),
    (lambda: wizard.check_experiment_name("a..b"), "no '..'"),
    (lambda: wizard.check_experiment_name("name\n"), "safe directory name"),
    (lambda: wizard.check_date("2026-13-01"), "real date"),
    (lambda: wizard.check_variables({"prompt": ["{input}"]}), "cannot be a variable"),
    (lambda: wizard.check_variables({"lora_rnak": [4]}), "unknown hyperparameter"),
    (lambda: wizard.check_variables({"lora_rank": [4, 4]}), "twice"),
    (lambda: wizard.check_variables({"lr": [-1]}), "lr must be > 0"),
    (lambda: wizard.check_variables({"lora_rank": [1.5]}), "integer"),
    (lambda: wizard.check_variables([1]), "mapping"),
    (lambda: wizard.check_eval_epoch_list([1, 2], 2), "did you mean [0, 1]"),
    (lambda: wizard.check_eval_epoch_list([0, 0], 2), "twice"),
    (lambda: wizard.check_eval_epoch_list([-1], 2), "negative"),
    (lambda: wizard.check_eval_epoch_list([2], 3, {"epochs": [2, 3]}), "0-indexed"),
    (lambda: wizard.check_best_val_loss({"validation_during_training": False}), "validation"),
    (lambda: wizard.check_eval_tasks([{"name": "a", "script": "s", "description": "d"}] * 2), "twice"),
    (lambda: wizard.check_eval_tasks([{"name": "a", "script": "s", "descripton": "d"}]), "description"),
    (lambda: wizard.check_eval_matrix({"nope": ["*"]}, [{"name": "a"}]), "not one of"),
    (lambda: wizard.check_string_list([], "labels"), "non-empty"),
    (lambda: wizard.check_gpus(1, ["Llama-3.3-70B-Instruct"]), "at least 4 GPUs"),
])
def test_validators_say_why(call, needle):
    assert needle in call()


def test_validators_accept_good_answers():
    assert wizard.check_prompt("Q: {input}\n") == ""
    assert wizard.check_variables({"lora_rank": [4, 8], "lr": ["1e-5", 1e-4]}) == ""
    assert wizard.check_variables({}) == ""
    assert wizard.check_eval_epoch_list([0, 1], 2) == ""
    assert wizard.check_experiment_name("cap_8L_lora_comparison_2026-11-25") == ""
    assert wizard.check_gpus(4, ["Llama-3.3-70B-Instruct"]) == ""


def test_normalize_variables_reads_yaml12_numbers():
    assert wizard.normalize_variables({"lr": ["1e-5", 1], "lora_rank": ["8"], "packing": [True]}) == {
        "lr": [1e-05, 1.0], "lora_rank": [8], "packing": [True]}


def test_default_names(tmp_path):
    assert wizard.default_experiment_name("my data", "lora_rank_comparison", "2026-11-25") == (
        "my_data_lora_rank_comparison_2026-11-25")
    assert wizard.check_experiment_name(wizard.default_experiment_name("..", "", "")) == ""
    data = tmp_path / "data" / "words.json"
    data.parent.mkdir()
    data.write_text("{}")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "words.py").write_text("")
    assert wizard.default_eval_tasks(data) == [{"name": "words", "script": str(tmp_path / "tasks" / "words.py"),
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
    d = wizard.build_design(answers)
    assert d["data"]["training"]["splits"] == {"train": 400, "validation": 10, "test": 0}
    assert [r["name"] for r in d["runs"]] == [f"{M1}_rank4", f"{M1}_rank8", f"{M1}_base"]
    assert d["runs"][0]["slurm_overrides"] == {"constraint": "gpu80"}
    prereq = wizard.prerequisites(d)
    assert prereq == [f"Evaluation task t: script {tmp_path / 'missing.py'} does not exist "
                      "(write it, e.g. with the create-inspect-task skill)."]
    assert wizard.prerequisites(d) == prereq  # deterministic
    plan = wizard.plan_text(answers, tmp_path / "dst")
    for needle in ("Nothing has been written yet", f"{M1}_rank4  (fine-tuned)", f"{M1}_base  (control)",
                   "Total evaluations: 3", f"Experiment directory: {tmp_path / 's'}/ck-experiments/exp",
                   f"files are rendered into {tmp_path / 'dst'}", f"Output directory:     {tmp_path / 's'}/ck-outputs/exp",
                   "Prerequisites", "CK280", "Write these files?"):
        assert needle in plan, needle


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
    assert wizard.is_relative_local_path("ck-design") and wizard.is_relative_local_path(".")
    for src in ("/abs/ck-design", "gh:org/ck-design", "https://x/y.git", "git@host:org/y.git", "missing", "~/x"):
        assert not wizard.is_relative_local_path(src), src
    assert yaml.safe_load(wizard.answers_yaml({"_src_path": "ck-design"}))["_src_path"] == str(tmp_path / "ck-design")


def test_answers_yaml_escapes_yaml_line_breaks():
    for s in ("\x85{input}", "a\u2028b", "c\u2029", "plain", "multi\nline"):
        assert yaml.safe_load(wizard.answers_yaml({"prompt": s}))["prompt"] == s


SPEC_KEYS = {
    "scratch_dir": "str", "experiment_type": "str", "question": "str", "hypothesis": "str", "purpose": "str",
    "include_base_controls": "bool", "preparation_tool": "str", "evaluation_tool": "str", "models_dir": "str",
    "models": "str", "dataset_path": "str", "variables": "yaml", "epochs": "int", "gpus": "int",
    "validation_during_training": "bool", "system_prompt": "str", "prompt": "str", "lora_rank": "int",
    "lr": "float", "batch_size": "int", "gradient_accumulation_steps": "int", "weight_decay": "float",
    "lora_dropout": "float", "num_warmup_steps": "int", "max_seq_len": "int", "packing": "bool",
    "full_gpu": "bool", "gpu_constraint": "str", "gpu_partition": "str", "eval_tasks": "yaml",
    "eval_epochs": "str", "eval_epoch_list": "yaml", "eval_selection": "str", "eval_matrix": "yaml",
    "scorers": "str", "match_location": "str", "match_ignore_case": "bool", "includes_ignore_case": "bool",
    "risk_option_tokens": "yaml", "numeric_labels": "yaml", "temperature": "float", "vis_label_style": "str",
    "task_label": "str", "experiment_factor": "str", "experiment_date": "str", "experiment_name": "str",
    "wandb_project": "str", "approved": "bool",
}


def test_copier_yml_asks_every_spec_key_with_help():
    conf = yaml.safe_load((Path(__file__).resolve().parent.parent / "copier.yml").read_text())
    questions = {k: v for k, v in conf.items() if not k.startswith("_")}
    assert {k: v["type"] for k, v in questions.items()} == SPEC_KEYS
    assert all(v.get("help") for v in questions.values())
    assert set(jinja_ext.ANSWER_KEYS) == set(SPEC_KEYS)
    assert conf["_jinja_extensions"] == ["ck_design.wizard.jinja_ext.WizardExtension"]
    # future tools are shown but not selectable
    assert "validator" in conf["preparation_tool"]["choices"]["axolotl (not supported yet)"]
    assert "validator" in conf["evaluation_tool"]["choices"]["lm-eval-harness (not supported yet)"]


def test_default_experiment_name_follows_a_conventional_destination(tmp_path):
    dst = tmp_path / "ck-sanity-checks" / "quick_check"
    assert wizard.default_experiment_name("words", "baseline", "2026-11-25", str(dst)) == "quick_check"
    # an unsafe folder name, or one outside the convention, falls back to the SPEC default
    assert wizard.default_experiment_name("words", "baseline", "2026-11-25", str(tmp_path / "ck-experiments" / "a b")) == (
        "words_baseline_2026-11-25"
    )
    assert wizard.default_experiment_name("words", "baseline", "2026-11-25", str(tmp_path / "x")) == "words_baseline_2026-11-25"
