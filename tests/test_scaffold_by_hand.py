"""ck-scaffold as today's cruijff_kit user meets it: designs written by hand (the 0.3 one from
../shared/UPSTREAM.md section 1's 0.3 column, the seed one from the seed's template), with every
folder they name created on disk, checked by the real `ck-validate --check-resources`, scaffolded
by the real `ck-scaffold`, and one file of each run type read against UPSTREAM.md section 2 key by
key (the expected values are written from that table). Then the seed design goes through the real
`ck-migrate` and its scaffold differs from the seed one only where the eras' layouts differ.

The designs are the YAML a user types, kept as typed (ck-migrate rewrites the file keeping its
layout), with `/S` standing for the scratch folder: pytest's folder is put in only when it is
a plain path (letters, digits, `/._-`), which cannot change the meaning of the YAML around it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold_support import files_under, load
from scaffold_support import scaffold_console as scaffold  # by hand: the installed console script

BIN = Path(sys.executable).parent
PROJECT = "capitalization"
V03_NAME = "cap_lr_sweep_2026-12-06"
SEED_NAME = "cap_lr_sweep_seed"
LLAMA, QWEN = "Llama-3.2-1B-Instruct", "Qwen2.5-3B-Instruct"
HEADER = "# generated from experiment_summary.yaml, do not edit: ck-scaffold rewrites it"
RECIPES = "cruijff_kit.tools.torchtune.custom_recipes."

V03_DESIGN = """\
experiment:
  name: cap_lr_sweep_2026-12-06
  project: capitalization
  question: "Does the learning rate change capitalization accuracy, for a 1B and a 3B model?"
  date: "2026-12-06"
  dir: /S/ck-projects/capitalization/cap_lr_sweep_2026-12-06
tools: {preparation: torchtune, evaluation: inspect-ai}
variables:
  lr: [1.0e-5, 1.0e-4]
controls:
  system_prompt: "You capitalize words."
  prompt: "Capitalize: {input}\\n"
  dataset_type: chat_completion
  epochs: 2
  batch_size: 4
  gradient_accumulation_steps: 2
  num_warmup_steps: 20
  validation_during_training: true
  lora_rank: 8
  seed: 7
models:
  base:
    - {name: Llama-3.2-1B-Instruct, path: /S/models/Llama-3.2-1B-Instruct, size_gb: 2.5}
    - {name: Qwen2.5-3B-Instruct, path: /S/models/Qwen2.5-3B-Instruct, size_gb: 6.2}
data:
  training:
    path: /S/data/words_4L.json
    dataset_label: words_4L
    format: json
    size_kb: 1
    splits: {train: 800, validation: 100, test: 100}
output:
  wandb_project: cap-lr
runs:
  - name: Llama-3.2-1B-Instruct_lr1e-5
    type: fine-tuned
    model: Llama-3.2-1B-Instruct
    parameters: {lr: 1.0e-5}
    compute: {time: "01:00:00", gpus: 1, mem: "40G", cpus_per_task: 4}
    slurm_overrides: {constraint: gpu80}
  - name: Llama-3.2-1B-Instruct_lr1e-4
    type: fine-tuned
    model: Llama-3.2-1B-Instruct
    parameters: {lr: 1.0e-4}
    slurm_overrides: {constraint: gpu80}
  - name: Qwen2.5-3B-Instruct_lr1e-5
    type: fine-tuned
    model: Qwen2.5-3B-Instruct
    parameters: {lr: 1.0e-5}
    slurm_overrides: {constraint: gpu80}
  - name: Qwen2.5-3B-Instruct_lr1e-4
    type: fine-tuned
    model: Qwen2.5-3B-Instruct
    parameters: {lr: 1.0e-4}
    compute: {time: "02:00:00", gpus: 2, mem: "80G", cpus_per_task: 8}
    slurm_overrides: {constraint: gpu80}
  - name: Llama-3.2-1B-Instruct_base
    type: control
    model: Llama-3.2-1B-Instruct
    parameters: {}
    slurm_overrides: {constraint: gpu80}
  - name: older_lr1e-4_epoch1
    type: eval-only
    model: Llama-3.2-1B-Instruct
    parameters:
      checkpoint_path: /S/ck-projects/capitalization/older/Llama-3.2-1B-Instruct_lr1e-4/artifacts/epoch_1
    slurm_overrides: {constraint: gpu80}
evaluation:
  seed: 14
  max_tokens: 16
  scorers:
    - name: match
  tasks:
    - name: capitalization
      script: /S/tasks/capitalization.py
      description: "Capitalize a 4-letter word"
    - name: capitalization_terse
      script: /S/tasks/capitalization.py
      description: "The same, with a terse system prompt"
      system_prompt: "Answer with the word in capitals only."
  compute: {time: "00:20:00", gpus: 1, mem: "40G"}
  matrix:
    - {run: Llama-3.2-1B-Instruct_lr1e-5, vis_label: llama_lr1e-5, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Llama-3.2-1B-Instruct_lr1e-4, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Qwen2.5-3B-Instruct_lr1e-5, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Qwen2.5-3B-Instruct_lr1e-4, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Llama-3.2-1B-Instruct_base, tasks: [capitalization, capitalization_terse], epochs: null}
    - {run: older_lr1e-4_epoch1, tasks: [capitalization], epochs: null}
"""

SEED_DESIGN = """\
# Written from the seed's template (ce120c9).
experiment:
  name: cap_lr_sweep_seed
  question: "Does the learning rate change capitalization accuracy, for a 1B and a 3B model?"
  date: "2026-12-06"
  directory: /S/ck-experiments/cap_lr_sweep_seed
tools:
  preparation: torchtune
  evaluation: inspect-ai
variables:
  lr: [1.0e-5, 1.0e-4]
controls:
  system_prompt: "You capitalize words."
  prompt: "Capitalize: {input}\\n"
  epochs: 2
  batch_size: 4
  num_warmup_steps: 20
  validation_during_training: false
  lora_rank: 8
models:
  base:
    - name: Llama-3.2-1B-Instruct
      path: /S/models/Llama-3.2-1B-Instruct
      size_gb: 2.5
    - name: Qwen2.5-3B-Instruct
      path: /S/models/Qwen2.5-3B-Instruct
      size_gb: 6.2
data:
  training:
    path: /S/data/words_4L.json
    label: words_4L
    format: json
    size_kb: 1
    splits:
      train: 800
      validation: 100
      test: 100
output:
  base_directory: /S/ck-outputs/cap_lr_sweep_seed
  checkpoint_pattern: "ck-out-{run_name}/epoch_{N}"
  wandb_project: cap-lr
runs:
  - {name: Llama-3.2-1B-Instruct_lr1e-5, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lr: 1.0e-5}, slurm_overrides: {constraint: gpu80}}
  - {name: Llama-3.2-1B-Instruct_lr1e-4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lr: 1.0e-4}, slurm_overrides: {constraint: gpu80}}
  - {name: Qwen2.5-3B-Instruct_lr1e-5, type: fine-tuned, model: Qwen2.5-3B-Instruct, parameters: {lr: 1.0e-5}, slurm_overrides: {constraint: gpu80}}
  - {name: Qwen2.5-3B-Instruct_lr1e-4, type: fine-tuned, model: Qwen2.5-3B-Instruct, parameters: {lr: 1.0e-4}, slurm_overrides: {constraint: gpu80}}
  - {name: Llama-3.2-1B-Instruct_base, type: control, model: Llama-3.2-1B-Instruct, parameters: {}, slurm_overrides: {constraint: gpu80}}
evaluation:
  system_prompt: "You capitalize words."
  temperature: 0.0
  scorer:
    - name: match
  tasks:
    - name: capitalization
      script: /S/tasks/capitalization.py
      description: "Capitalize a 4-letter word"
    - name: capitalization_terse
      script: /S/tasks/capitalization.py
      dataset: same
      description: "The same task, its second function"
  matrix:
    - run: Llama-3.2-1B-Instruct_lr1e-5
      vis_label: llama_lr1e-5
      tasks: [capitalization, capitalization_terse]
      epochs: [0, 1]
    - {run: Llama-3.2-1B-Instruct_lr1e-4, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Qwen2.5-3B-Instruct_lr1e-5, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Qwen2.5-3B-Instruct_lr1e-4, tasks: [capitalization, capitalization_terse], epochs: [0, 1]}
    - {run: Llama-3.2-1B-Instruct_base, tasks: [capitalization, capitalization_terse], epochs: null}
"""

TASK_SCRIPT = '''\
from inspect_ai import task


@task
def capitalization(data_path: str = ""):
    return None


@task
def capitalization_terse(data_path: str = ""):
    return None
'''


def _put_scratch(text: str, scratch: str) -> str:
    """The design as typed, with '/S/' (the scratch folder) replaced by the real one."""
    assert re.fullmatch(r"/[A-Za-z0-9_/.-]+", scratch), scratch
    return text.replace(" /S/", f" {scratch}/")


def _make_scratch(root: Path) -> Path:
    """Every folder and file the designs name, as on a cluster: model folders with a config.json,
    the dataset with its splits, the task script with both @task functions, an older checkpoint."""
    s = root / "scratch"
    for model in (LLAMA, QWEN):
        (s / "models" / model).mkdir(parents=True)
        (s / "models" / model / "config.json").write_text("{}", encoding="utf-8")
    (s / "data").mkdir()
    row = {"input": "abcd", "output": "ABCD"}
    splits = {"train": [row] * 800, "validation": [row] * 100, "test": [row] * 100}
    (s / "data" / "words_4L.json").write_text(json.dumps(splits), encoding="utf-8")
    (s / "tasks").mkdir()
    (s / "tasks" / "capitalization.py").write_text(TASK_SCRIPT, encoding="utf-8")
    old = s / "ck-projects" / PROJECT / "older" / f"{LLAMA}_lr1e-4" / "artifacts" / "epoch_1"
    old.mkdir(parents=True)
    (old / "config.json").write_text("{}", encoding="utf-8")
    (s / "ck-outputs").mkdir()
    return s


def _write(experiment: Path, text: str, scratch: Path) -> None:
    experiment.mkdir(parents=True)
    (experiment / "experiment_summary.yaml").write_text(_put_scratch(text, str(scratch)), encoding="utf-8")


def _run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CK_LOCAL_CONFIG": str(cwd / "no-such-claude.local.md"), "HOME": str(cwd)}
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def _validated_and_scaffolded(experiment: Path) -> None:
    v = _run("ck-validate", "--check-resources", "experiment_summary.yaml", cwd=experiment)
    assert v.returncode == 0, v.stdout + v.stderr
    assert " error" not in v.stdout, v.stdout
    r = scaffold(experiment)
    assert r.returncode == 0, r.stdout + r.stderr


def _finetune_output(cfg: dict[str, Any]) -> str:
    """finetune.yaml's output_dir as upstream's setup_finetune builds it from these keys."""
    run = cfg["my_wandb_run_name"]
    if "project_dir" in cfg:
        return f"{cfg['project_dir']}{cfg['experiment_name']}/{run}/artifacts/"
    return f"{cfg['output_dir_base']}{cfg['experiment_name']}/ck-out-{run}/"


PATH_KEYS = ("model_checkpoint", "models_dir", "input_dir_base", "output_dir_base", "project_dir",
             "model_path", "output_dir", "data_path")


def _invariants(experiment: Path, config: str, expected_dir: str) -> int:
    """Every path absolute, every value one line, every checkpoint cell's model_path the training
    output + epoch_N; the experiment folder named once (no {name}/{name}). Returns the cells seen."""
    written = files_under(experiment)
    cells = 0
    for rel, blob in written.items():
        if not rel.endswith((config, "setup_finetune.yaml")):
            continue
        lines = blob.decode().splitlines()
        assert lines[0] == HEADER
        cfg = yaml.safe_load(blob)
        assert len(lines) == len(cfg) + 1, rel  # one line per key
        for key in PATH_KEYS:
            if key in cfg:
                assert str(cfg[key]).startswith("/"), (rel, key, cfg[key])
        if rel.endswith("setup_finetune.yaml"):
            out = _finetune_output(cfg)
            assert out.startswith(expected_dir + "/") and f"{expected_dir}/{Path(expected_dir).name}" not in out, out
            assert cfg["input_formatting"] == ""
        elif "epoch" in cfg:
            run = rel.split("/")[0]
            output = _finetune_output(load(experiment / run / "setup_finetune.yaml"))
            assert cfg["model_path"] == f"{output}epoch_{cfg['epoch']}", rel
            assert cfg["output_dir"] == output, rel
            cells += 1
    return cells


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return _make_scratch(tmp_path)


def test_v03_design_by_hand_validates_scaffolds_and_matches_the_table(scratch: Path) -> None:
    s = str(scratch)
    exp_dir = f"{s}/ck-projects/{PROJECT}/{V03_NAME}"
    exp = Path(exp_dir)
    _write(exp, V03_DESIGN, scratch)
    _validated_and_scaffolded(exp)
    art = f"{exp_dir}/{LLAMA}_lr1e-5/artifacts/"
    common_training = {
        "my_wandb_project": "cap-lr",
        "input_dir_base": f"{s}/data/",
        "dataset_label": "words_4L",
        "dataset_ext": ".json",
        "input_formatting": "",
        "dataset_type": "chat_completion",
        # the parent of experiment.dir and its last component: upstream appends the name itself
        "project_dir": f"{s}/ck-projects/{PROJECT}/",
        "experiment_name": V03_NAME,
        "epochs": 2, "batch_size": 4, "gradient_accumulation_steps": 2, "num_warmup_steps": 20,
        "lora_rank": 8,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "You capitalize words.",
        "seed": 7,
        "run_val_every_n_steps": 50,  # validation_during_training: true, no value of its own
        "training_samples": 800,
    }
    assert load(exp / f"{LLAMA}_lr1e-5" / "setup_finetune.yaml") == {
        "my_wandb_run_name": f"{LLAMA}_lr1e-5",
        "torchtune_model_name": LLAMA,
        "model_checkpoint": f"{s}/models/{LLAMA}",
        "models_dir": f"{s}/models",
        **common_training,
        "lr": 1e-05,
        "custom_recipe": RECIPES + "lora_finetune_single_device_nightly",
        "time": "01:00:00", "gpus": 1, "mem": "40G", "cpus_per_task": 4,
        "constraint": "gpu80",
    }
    assert load(exp / f"{QWEN}_lr1e-4" / "setup_finetune.yaml") == {
        "my_wandb_run_name": f"{QWEN}_lr1e-4",
        "torchtune_model_name": QWEN,
        "model_checkpoint": f"{s}/models/{QWEN}",
        "models_dir": f"{s}/models",
        **common_training,
        "lr": 0.0001,
        "custom_recipe": RECIPES + "lora_finetune_distributed_stable",  # two GPUs
        "time": "02:00:00", "gpus": 2, "mem": "80G", "cpus_per_task": 8,
        "constraint": "gpu80",
    }
    common_eval = {
        "data_path": f"{s}/data/words_4L.json",
        "use_chat_template": True,
        "prompt": "Capitalize: {input}\n",
        "scorers": [{"name": "match"}],
        "source_model": LLAMA,
        "max_tokens": 16,
        "seed": 14,
        "dataset_type": "chat_completion",
    }
    fine_tuned = load(exp / f"{LLAMA}_lr1e-5" / "eval" / "capitalization_terse_epoch1" / "eval.yaml")
    assert fine_tuned == {
        "task_script": f"{s}/tasks/capitalization.py@capitalization_terse",
        "task_name": "capitalization_terse",
        "model_path": f"{art}epoch_1",
        "model_hf_name": f"hf/{LLAMA}_lr1e-5_epoch_1",
        "output_dir": art,
        "vis_label": "llama_lr1e-5 (capitalization_terse)",
        "system_prompt": "Answer with the word in capitals only.",  # the task's own wins
        "is_finetuned": True,
        "epoch": 1,
        **common_eval,
    }
    control = load(exp / f"{LLAMA}_base" / "eval" / "capitalization" / "eval.yaml")
    assert control == {
        "task_script": f"{s}/tasks/capitalization.py@capitalization",
        "task_name": "capitalization",
        "model_path": f"{s}/models/{LLAMA}",
        "model_hf_name": f"hf/{LLAMA}_base",
        "output_dir": f"{exp_dir}/{LLAMA}_base/artifacts/",
        "vis_label": f"{LLAMA}_base (capitalization)",
        "system_prompt": "You capitalize words.",
        "is_finetuned": False,
        **common_eval,
    }
    eval_only = load(exp / "older_lr1e-4_epoch1" / "eval" / "capitalization" / "eval.yaml")
    assert eval_only == {
        "task_script": f"{s}/tasks/capitalization.py@capitalization",
        "task_name": "capitalization",
        "model_path": f"{s}/ck-projects/{PROJECT}/older/{LLAMA}_lr1e-4/artifacts/epoch_1",
        "model_hf_name": "hf/older_lr1e-4_epoch1",
        "output_dir": f"{exp_dir}/older_lr1e-4_epoch1/artifacts/",
        "vis_label": "older_lr1e-4_epoch1",  # one task: no task suffix
        "system_prompt": "You capitalize words.",
        "is_finetuned": True,
        **common_eval,
    }
    # No setup_finetune.yaml for the control or the eval-only run; one config per cell, no other.
    written = files_under(exp)
    assert sorted(p for p in written if p.endswith("setup_finetune.yaml")) == sorted(
        f"{m}_lr{lr}/setup_finetune.yaml" for m in (LLAMA, QWEN) for lr in ("1e-5", "1e-4"))
    assert sum(p.endswith("/eval.yaml") for p in written) == 4 * 2 * 2 + 2 + 1
    assert _invariants(exp, "eval.yaml", exp_dir) == 4 * 2 * 2


def _scaffold_seed(scratch: Path) -> Path:
    exp = scratch / "ck-experiments" / SEED_NAME
    _write(exp, SEED_DESIGN, scratch)
    _validated_and_scaffolded(exp)
    return exp


def test_seed_design_by_hand_validates_scaffolds_and_matches_the_table(scratch: Path) -> None:
    s = str(scratch)
    exp = _scaffold_seed(scratch)
    out = f"{s}/ck-outputs/{SEED_NAME}/ck-out-{QWEN}_lr1e-4/"
    assert load(exp / f"{QWEN}_lr1e-4" / "setup_finetune.yaml") == {
        "my_wandb_run_name": f"{QWEN}_lr1e-4",
        "my_wandb_project": "cap-lr",
        "torchtune_model_name": QWEN,
        "model_checkpoint": f"{s}/models/{QWEN}",
        "models_dir": f"{s}/models",
        "input_dir_base": f"{s}/data/",
        "dataset_label": "words_4L",
        "dataset_ext": ".json",
        "input_formatting": "",
        "dataset_type": "chat_completion",  # no controls.dataset_type: the instruct model's default
        # the parent of output.base_directory and its last component
        "output_dir_base": f"{s}/ck-outputs/",
        "experiment_name": SEED_NAME,
        "epochs": 2, "batch_size": 4, "num_warmup_steps": 20, "lora_rank": 8, "lr": 0.0001,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "You capitalize words.",
        "run_val_every_n_steps": 0,  # validation_during_training: false
        "training_samples": 800,
        "custom_recipe": RECIPES + "lora_finetune_single_device_stable",
        "constraint": "gpu80",
    }
    common = {
        "data_path": f"{s}/data/words_4L.json",  # `dataset: same` is the training data
        "use_chat_template": True,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "You capitalize words.",
        "scorer": [{"name": "match"}],
    }
    assert load(exp / f"{QWEN}_lr1e-4" / "eval" / "capitalization_terse_epoch0" / "eval_config.yaml") == {
        "task_script": f"{s}/tasks/capitalization.py@capitalization_terse",
        "task_name": "capitalization_terse",
        "model_path": f"{out}epoch_0",
        "model_hf_name": f"hf/{QWEN}_lr1e-4_epoch_0",
        "output_dir": out,
        "vis_label": f"{QWEN}_lr1e-4",  # seed era: the entry's label (none: the run name), no task suffix
        **common,
        "finetuned": True,
        "epoch": 0,
    }
    assert load(exp / f"{LLAMA}_base" / "eval" / "capitalization" / "eval_config.yaml") == {
        "task_script": f"{s}/tasks/capitalization.py@capitalization",
        "task_name": "capitalization",
        "model_path": f"{s}/models/{LLAMA}",
        "model_hf_name": f"hf/{LLAMA}_base",
        "output_dir": f"{s}/ck-outputs/{SEED_NAME}/ck-out-{LLAMA}_base/",
        "vis_label": f"{LLAMA}_base",
        **common,
        "finetuned": False,
    }
    assert _invariants(exp, "eval_config.yaml", f"{s}/ck-outputs/{SEED_NAME}") == 4 * 2 * 2


# What may differ between the scaffold of a seed design and of the same design migrated to 0.3:
# the layout (where training writes, the evaluation file's name), the recipe of each era, the
# renamed keys, and what 0.3's evaluation config carries besides (UPSTREAM.md section 2).
TRAINING_DIFFERS = {"output_dir_base", "project_dir", "custom_recipe"}
EVAL_DIFFERS = {"model_path", "output_dir", "vis_label", "scorer", "scorers", "finetuned", "is_finetuned",
                "source_model", "temperature", "dataset_type"}


def test_migrated_seed_design_scaffolds_the_same_but_for_the_layout(scratch: Path) -> None:
    seed_exp = _scaffold_seed(scratch)
    migrated = scratch / "ck-projects" / PROJECT / SEED_NAME
    migrated.mkdir(parents=True)
    (migrated / "experiment_summary.yaml").write_bytes((seed_exp / "experiment_summary.yaml").read_bytes())
    m = _run("ck-migrate", "experiment_summary.yaml", cwd=migrated)
    assert m.returncode == 0, m.stdout + m.stderr
    _validated_and_scaffolded(migrated)
    before, after = files_under(seed_exp), files_under(migrated)
    jobs = [p for p in before if p.endswith((".yaml",))]
    assert sorted(p.replace("eval_config.yaml", "eval.yaml") for p in jobs) == sorted(
        p for p in after if p.endswith(".yaml"))
    out_seed = f"{scratch}/ck-outputs/{SEED_NAME}"
    out_v03 = str(migrated)
    for rel in jobs:
        old = yaml.safe_load(before[rel])
        new = yaml.safe_load(after[rel.replace("eval_config.yaml", "eval.yaml")])
        differs = TRAINING_DIFFERS if rel.endswith("setup_finetune.yaml") else EVAL_DIFFERS
        assert {k: v for k, v in old.items() if k not in differs} == {k: v for k, v in new.items() if k not in differs}, rel
        if rel.endswith("setup_finetune.yaml"):
            assert (old["output_dir_base"], new["project_dir"]) == (f"{scratch}/ck-outputs/", f"{scratch}/ck-projects/{PROJECT}/")
            continue
        run = rel.split("/")[0]
        assert old["output_dir"] == f"{out_seed}/ck-out-{run}/"
        assert new["output_dir"] == f"{out_v03}/{run}/artifacts/"
        if old["finetuned"]:
            assert (old["model_path"], new["model_path"]) == (f"{old['output_dir']}epoch_{old['epoch']}",
                                                              f"{new['output_dir']}epoch_{old['epoch']}")
        else:
            assert old["model_path"] == new["model_path"]
        assert new["vis_label"] == f"{old['vis_label']} ({old['task_name']})"  # two tasks per entry
        assert (new["scorers"], new["is_finetuned"]) == (old["scorer"], old["finetuned"])
        assert new["temperature"] == 0.0  # ck-migrate keeps evaluation.temperature
