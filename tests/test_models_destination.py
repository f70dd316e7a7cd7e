"""Issue 10 items 3 and 4, through a real `copier copy` / `copier update` and the real ck-validate:

- a model folder the registry does not know is offered, its GPU memory is estimated from its
  size (config.json, else the weight files) and decides the GPU questions (docs/wizard.md, "Model choices");
- a destination outside {scratch}/ck-experiments/ or ck-sanity-checks/ is warned about, and
  experiment.directory records where the files really are (docs/wizard.md, "experiment.directory").

The pty tests at 80 columns are in test_terminal.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from wizard_fixtures import COPIER, base_answers, ck_validate, load_design, render_cli

from ck_design.facts import model_size
from ck_design.spec import model_registry

# The sizes in Qwen2.5-0.5B-Instruct's config.json: 494 M parameters (its model card says 0.49 B).
QWEN_05B = {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864,
            "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
            "tie_word_embeddings": True, "torch_dtype": "bfloat16", "vocab_size": 151936}
# Llama-3.1-70B's sizes: 70.6 B parameters.
BIG_70B = {"hidden_size": 8192, "intermediate_size": 28672, "num_attention_heads": 64,
           "num_hidden_layers": 80, "num_key_value_heads": 8, "vocab_size": 128256}
QWEN = "Qwen2.5-0.5B-Instruct"


def write_unknown_model(models_dir: str | Path, name: str, config: dict, weights: int = 2048) -> Path:
    folder = Path(models_dir) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.safetensors").write_bytes(b"\0" * weights)
    return folder


@pytest.fixture
def res(res):
    """tests/conftest.py's resources, plus a model folder the registry does not know."""
    write_unknown_model(res["models_dir"], QWEN, QWEN_05B)
    return res


# --- the estimate: arithmetic (spec) and what is read (facts) ------------------------------------


def test_estimate_from_config_json(tmp_path):
    assert model_registry.parameters_from_config(QWEN_05B) == 493_961_216
    assert round(model_registry.parameters_from_config(BIG_70B) / 1e9, 1) == 70.6
    assert model_registry.parameters_from_config({"num_parameters": 1234, **QWEN_05B}) == 1234
    found = model_size.estimate(write_unknown_model(tmp_path, QWEN, QWEN_05B))
    assert found.source == "config.json" and found.min_gpus == 1
    assert found.describe() == (f"{QWEN}: not in the registry; ~1.0 GB of weights, estimated 2.5 GB to train "
                                "(from config.json); fits a shared GPU")
    big = model_size.estimate(write_unknown_model(tmp_path, "Big-70B", BIG_70B))
    assert big.min_gpus == 5 and big.describe().endswith("needs 5 GPUs of 80 GB")


def test_estimate_from_weight_files_when_config_has_no_sizes(tmp_path):
    folder = write_unknown_model(tmp_path, "tiny", {"model_type": "mystery", "torch_dtype": "float32"}, weights=0)
    (folder / "model-00001-of-00002.safetensors").write_bytes(b"\0" * 4000)
    (folder / "model-00002-of-00002.safetensors").write_bytes(b"\0" * 4000)
    (folder / "pytorch_model.bin").write_bytes(b"\0" * 99_999)  # the same weights again: not counted
    found = model_size.estimate(folder)
    assert (found.source, found.parameters) == ("weight files", 2000)  # 8000 bytes of float32
    (folder / "config.json").unlink()
    assert model_size.estimate(folder).parameters == 4000  # bf16 when nothing says otherwise
    assert model_size.estimate(tmp_path / "absent") is None


# --- the wizard: offered, estimated, and the GPU questions follow ---------------------------------


def test_unknown_model_folder_is_offered_and_small_one_asks_the_full_gpu_question(res, tmp_path):
    from ck_design.wizard import defaults

    assert QWEN in defaults.model_choices(res["models_dir"])
    assert defaults.full_gpu_question_applies([QWEN], res["models_dir"]) is True
    assert defaults.full_gpu_question_applies([QWEN]) is False  # without the folder: unknown
    dst = Path(res["scratch"]) / "ck-experiments" / "qwen"
    done = render_cli(res, dst, base_answers(res, models=[QWEN]))
    assert done.returncode == 0, done.stderr
    design = load_design(dst)
    # an experiment answers the full-GPU question yes by default: the small model gets the constraint
    assert [r.get("slurm_overrides") for r in design["runs"] if r["type"] == "fine-tuned"] == [
        {"constraint": "gpu80"}] * 2
    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    ck293 = [f for f in found if f["code"] == "CK293"]
    assert len(ck293) == 1, found
    assert ck293[0]["hint"] == (f"{QWEN}: not in the registry; ~1.0 GB of weights, estimated 2.5 GB to train "
                                "(from config.json); fits a shared GPU: set gpus and slurm_overrides for its runs by hand")
    assert "did you mean" not in ck293[0]["hint"]  # not "Qwen2.5-3B-Instruct", the nearest registry name
    # without --check-resources nothing is read from disk: no estimate, the generic hint
    done = subprocess.run([str(COPIER.parent / "ck-validate"), "--format", "json", str(dst / "experiment_summary.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert [f["hint"] for f in json.loads(done.stdout) if f["code"] == "CK293"] == [
        "check gpus and slurm_overrides for its runs by hand"]


def test_unknown_model_needing_several_gpus_sets_the_gpus_default_and_overrides(res, tmp_path):
    write_unknown_model(res["models_dir"], "Big-70B", BIG_70B)
    dst = Path(res["scratch"]) / "ck-experiments" / "big"
    done = render_cli(res, dst, base_answers(res, models=["Big-70B"], full_gpu=False))
    assert done.returncode == 0, done.stderr
    design = load_design(dst)
    assert design["controls"]["gpus"] == 5
    assert all(r.get("slurm_overrides") for r in design["runs"])  # always, whatever full_gpu says
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert "full_gpu" not in answers  # not asked: the model needs full GPUs
    # fewer GPUs than the estimate is refused with the reason
    done = render_cli(res, tmp_path / "ck-experiments" / "big2", base_answers(res, models=["Big-70B"], gpus=2))
    assert done.returncode != 0
    assert "Big-70B needs an estimated 353 GB of GPU memory: at least 5 GPUs of 80 GB, not 2" in done.stderr


# --- the destination ----------------------------------------------------------------------------


def test_destination_elsewhere_warns_and_records_where_the_files_are(res, tmp_path):
    dst = tmp_path / "elsewhere" / "exp"
    done = render_cli(res, dst, base_answers(res))
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert (f"warning: the destination is not in {res['scratch']}/ck-experiments/ or {res['scratch']}/ck-sanity-checks/: "
            "experiment.directory will record it (where the files are)") in said
    design = load_design(dst)
    assert design["experiment"]["directory"] == str(dst)
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["experiment_directory"] == str(dst)
    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    assert [f["code"] for f in found] == ["CK260"], found  # a warning: the convention, said once
    name = design["experiment"]["name"]
    assert found[0]["hint"] == f"use '{res['scratch']}/ck-experiments/{name}'"
    # copier update keeps it: tests/test_update.py


def test_conventional_destination_says_nothing_and_records_nothing_extra(res, tmp_path):
    dst = Path(res["scratch"]) / "ck-experiments" / "conv"
    done = render_cli(res, dst, base_answers(res))
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    assert load_design(dst)["experiment"]["directory"] == str(dst)
    assert "experiment_directory" not in (dst / ".copier-answers.yml").read_text()


def test_plan_explains_a_directory_off_the_convention(res, tmp_path):
    from ck_design.wizard.approval import plan_text

    dst = tmp_path / "elsewhere"
    answers = base_answers(res, scratch_dir=res["scratch"], models_dir=res["models_dir"], models=[QWEN],
                           experiment_name="exp", experiment_directory=str(dst))
    text = plan_text(answers, dst)
    assert f"Experiment directory: {dst}\n  Not {res['scratch']}/ck-experiments/exp, where the convention" in text
    assert "the design records where its files are (CK260 warns)" in text
    assert (f"Model:      {QWEN}: not in the registry; ~1.0 GB of weights, estimated 2.5 GB to train "
            "(from config.json); fits a shared GPU") in text
    conventional = plan_text({**answers, "experiment_directory": ""}, Path(res["scratch"]) / "ck-experiments" / "exp")
    assert "Not " not in conventional and "files are rendered into" not in conventional
