"""The wizard's questions beyond the seed (issue 11): a real `copier copy` per question, the
rendered experiment_summary.yaml and README.md read back, the real `ck-validate` on the result."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from designs import line_of
from wizard_fixtures import (
    CK_VALIDATE, REPO, assert_no_findings, base_answers, ck_validate, load_design, name_date_codes, render_api,
)

BASE = "Llama-3.2-1B"  # a base (not instruction-tuned) model
RESOURCES = {"models": ("Llama-3.2-1B-Instruct", BASE)}  # tests/conftest.py res


def conv(res, name):
    """A destination where the convention puts an experiment (experiment.directory is then the
    destination itself, no CK260)."""
    return Path(res["scratch"]) / "ck-experiments" / name


# --- dataset type ---------------------------------------------------------------------------

def test_dataset_type_defaults_from_the_model(res, tmp_path):
    chat = load_design(render_api(res, conv(res, "chat"), base_answers(res)))
    assert chat["controls"]["dataset_type"] == "chat_completion"
    dst = render_api(res, conv(res, "text"), base_answers(res, models=[BASE]))
    assert load_design(dst)["controls"]["dataset_type"] == "text_completion"
    assert yaml.safe_load((dst / ".copier-answers.yml").read_text())["dataset_type"] == "text_completion"
    assert "`dataset_type`=`text_completion`" in (dst / "README.md").read_text()
    assert_no_findings(dst)


def test_dataset_type_text_completion_with_a_system_prompt_warns(res, tmp_path):
    answers = base_answers(res, dataset_type="text_completion", system_prompt="You capitalize words.")
    dst = render_api(res, conv(res, "dst"), answers)
    rc, found, _ = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0  # a warning
    text = (dst / "experiment_summary.yaml").read_text()
    line = line_of(text, "system_prompt:", after="controls:")
    assert [(f["code"], f["line"]) for f in found if f["code"] != "CK271"] == [("CK205", line)], found
    assert [f["code"] for f in found if f["code"] != "CK205"] == name_date_codes(dst)


# --- evaluation settings --------------------------------------------------------------------

def test_default_evaluation_writes_no_generation_settings(res, tmp_path):
    dst = render_api(res, conv(res, "dst"), base_answers(res))
    evaluation = load_design(dst)["evaluation"]
    assert not {"sampling", "max_tokens", "seed"} & evaluation.keys()
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["eval_max_tokens"] is None and "eval_seed" not in answers  # seed: only when sampling


def test_sampling_temperature_seed_and_max_tokens_reach_the_design(res, tmp_path):
    answers = base_answers(res, temperature=0.7, eval_seed=1234, eval_max_tokens=16)
    dst = render_api(res, conv(res, "dst"), answers)
    evaluation = load_design(dst)["evaluation"]
    assert (evaluation["temperature"], evaluation["sampling"], evaluation["max_tokens"], evaluation["seed"]) == (
        0.7, True, 16, 1234)
    readme = (dst / "README.md").read_text()
    assert "temperature 0.7, sampling true, max_tokens 16, seed 1234." in readme
    assert_no_findings(dst)


@pytest.mark.parametrize(("key", "value"), [("eval_max_tokens", 0), ("eval_max_tokens", "many"), ("eval_seed", 1.5)])
def test_evaluation_settings_the_schema_refuses_are_refused(res, tmp_path, key, value):
    with pytest.raises(ValueError):
        render_api(res, conv(res, "dst"), base_answers(res, temperature=0.5, **{key: value}))
    assert not (conv(res, "dst") / "experiment_summary.yaml").exists()


def test_the_bundled_example_beyond_the_seed_is_clean_and_uses_each_part():
    path = REPO / "examples" / "beyond-the-seed.yaml"
    done = subprocess.run([str(CK_VALIDATE), "--format", "json", str(path)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stdout + done.stderr
    d = yaml.safe_load(path.read_text())
    assert d["controls"]["dataset_type"] == "chat_completion"
    assert {"sampling": True, "max_tokens": 16, "seed": 1234}.items() <= d["evaluation"].items()
    # prompt overrides: a control on its own prompt, a task on its own (task over run over controls)
    assert any(r["type"] == "control" and "prompt" in r["parameters"] for r in d["runs"])
    assert any("prompt" in t for t in d["evaluation"]["tasks"])
