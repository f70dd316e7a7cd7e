"""Valid designs for tests, built with ck_design.design (the same code the wizard uses).

    data = make_design()                      # 2 models, lora_rank x lr sweep, controls, 2 tasks
    path = write_design(tmp_path, data)       # tmp_path/experiment_summary.yaml
    make_resources(tmp_path, data)            # model dirs, dataset, task scripts it points at
    res = make_scratch(tmp_path)              # resources before any design (wizard, hook tests)
    line_of(path.read_text(), "epochs:", after="run: Llama-3.2-1B-Instruct_base")

Tests mutate the returned dict, write it, and assert a finding's code and line. Keep this
module small and its signatures stable: other test files import it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ck_design.spec import compute, naming, sweep

MODELS = ("Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct")
VARIABLES: dict[str, list[Any]] = {"lora_rank": [4, 8], "lr": [1e-05, 0.0001]}
TASKS = ("capitalization", "capitalization_hard")
SCRATCH = "/scratch/me"
NAME = "words_8L_500_lora_rank_lr_comparison_2026-11-25"
SPLITS = {"train": 400, "validation": 50, "test": 50}


def make_design(
    *,
    models: tuple[str, ...] | list[str] = MODELS,
    variables: dict[str, list[Any]] | None = None,
    tasks: tuple[str, ...] | list[str] = TASKS,
    epochs: int = 2,
    eval_epochs: str = "all",
    include_base_controls: bool = True,
    experiment_type: str = "experiment",
    full_gpu: bool = True,
    name: str = NAME,
    vis_label_style: str = "short",
) -> dict[str, Any]:
    """A design that `checks.check` passes clean (without --check-resources).

    Resource paths are relative (models/<name>, data/words_8L_500.json, tasks/<task>.py), so
    `make_resources(dir, data)` can create them next to the written file.
    """
    variables = dict(VARIABLES if variables is None else variables)
    overrides = {m: {"constraint": "gpu80"} for m in models} if full_gpu else None
    runs = sweep.generate_runs(list(models), variables, include_base_controls, overrides)
    matrix = sweep.build_matrix(
        runs, list(tasks), eval_epochs=eval_epochs, epochs=epochs, vis_label_style=vis_label_style,
        variables=variables,
    )
    directory = naming.experiment_directory(SCRATCH, experiment_type, name)
    return {
        "experiment": {
            "name": name,
            "type": experiment_type,
            "question": "Does LoRA rank matter for capitalization?",
            "date": "2026-11-25",
            "hypothesis": "",
            "purpose": "",
            "directory": directory,
        },
        "tools": {"preparation": "torchtune", "evaluation": "inspect-ai"},
        "variables": variables,
        "controls": {
            "system_prompt": "",
            "prompt": "Capitalize: {input}\n",
            "epochs": epochs,
            "batch_size": 4,
            "gpus": 1,
            "validation_during_training": True,
            "gradient_accumulation_steps": 1,
            "weight_decay": 0.01,
            "lora_dropout": 0.0,
            "num_warmup_steps": 10,
            "max_seq_len": 2048,
            # Off: the test dataset's 400 one-word examples would pack into one sequence, and
            # the design would train for a step or two (CK250 with --check-resources, issue 22).
            "packing": False,
        },
        "models": {"base": [{"name": m, "path": f"models/{m}", "size_gb": 0.0} for m in models]},
        "data": {
            "training": {
                "path": "data/words_8L_500.json",
                "label": "words_8L_500",
                "format": "json",
                "size_kb": 1,
                "splits": dict(SPLITS),
            }
        },
        "output": {
            "base_directory": naming.output_directory(SCRATCH, name),
            "checkpoint_pattern": "ck-out-{run_name}/epoch_{N}",
            "wandb_project": "ck-capitalization",
        },
        "runs": runs,
        "evaluation": {
            "system_prompt": "",
            "temperature": 0.0,
            "scorer": [{"name": "match", "params": {"location": "exact", "ignore_case": False}}],
            "tasks": [
                {
                    "name": t,
                    "script": f"tasks/{t}.py",
                    "description": f"Evaluate {t}",
                    **({"dataset": "same"} if k == 0 else {}),
                }
                for k, t in enumerate(tasks)
            ],
            "matrix": matrix,
        },
    }


def with_compute(data: dict[str, Any], train_examples: int = 400, size_gb: float = 2.4) -> dict[str, Any]:
    """`data` with the compute estimates the wizard writes (runs[].compute, evaluation.compute),
    from the documented defaults (spec/compute.py), so its GPU-hours are known."""
    for run in data["runs"]:
        if run["type"] == sweep.FINE_TUNED:
            run["compute"] = compute.run_compute(run, data["controls"], train_examples, size_gb, None, compute.BASIS_DEFAULTS)
    data["evaluation"]["compute"] = compute.evaluation_compute(data["runs"], data["controls"], 50, {})
    return data


class _Dumper(yaml.SafeDumper):
    """Block mappings, but lists of plain values in flow style (`epochs: [0, 1]`): one line each."""

    def represent_list(self, data: list[Any]) -> yaml.Node:
        flow = all(not isinstance(v, (list, dict)) for v in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_list)


def dump(data: Any) -> str:
    """Block-style YAML in insertion order, lists of plain values on one line."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def write_design(directory: Path, data: Any, name: str = "experiment_summary.yaml") -> Path:
    path = Path(directory) / name
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return path


def write_model(model_dir: Path) -> None:
    """A model directory as a download leaves it: config.json and a (tiny) weights file."""
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "config.json").write_text('{"model_type": "llama"}\n')
    (model_dir / "model.safetensors").write_bytes(b"\0" * 2048)


def write_dataset(path: Path, splits: dict[str, int | None]) -> None:
    """A JSON dataset with train/validation/test lists of the given sizes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        split: [{"input": f"word{i}", "output": f"WORD{i}"} for i in range(splits.get(split) or 0)]
        for split in ("train", "validation", "test")
    }))


def write_task_script(path: Path, name: str) -> None:
    """An inspect-ai task script with one @task function."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"from inspect_ai import Task, task\n\n\n@task\ndef {name}():\n    return Task(dataset=[])\n")


def make_resources(directory: Path, data: dict[str, Any]) -> None:
    """Create what the design points at: model dirs with config.json, the dataset, task scripts."""
    directory = Path(directory)
    for model in data["models"]["base"]:
        write_model(directory / model["path"])
    training = data["data"]["training"]
    write_dataset(directory / training["path"], training["splits"])
    for task in data["evaluation"]["tasks"]:
        write_task_script(directory / task["script"], task["name"])


def make_scratch(root: Path, models: tuple[str, ...] = MODELS, tasks: tuple[str, ...] = ("words",),
                 train: int = SPLITS["train"], local: dict[str, str] | None = None) -> dict[str, Any]:
    """A researcher's resources before any design exists, for the wizard and hook tests: model
    dirs, a dataset (words_8L.json), task scripts, a scratch dir and a claude.local.md naming them.
    Returns their paths as strings ("task": the first script)."""
    root = Path(root)
    models_dir = root / "models"
    for m in models:
        write_model(models_dir / m)
    data = root / "data" / "words_8L.json"
    write_dataset(data, {**SPLITS, "train": train})
    scripts = {}
    for t in tasks:
        write_task_script(root / "tasks" / f"{t}.py", t)
        scripts[t] = str(root / "tasks" / f"{t}.py")
    scratch = root / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    fields = {"Scratch directory": str(scratch), "Models directory": str(models_dir),
              "Full GPU constraint": "gpu80", "Partition": "<partition>", "Default project": "ck-words"}
    fields.update(local or {})
    cfg = root / "claude.local.md"
    cfg.write_text("## Paths\n" + "".join(f"- **{k}**: `{v}`\n" for k, v in fields.items()))
    return {"root": root, "models_dir": str(models_dir), "dataset": str(data), "scripts": scripts,
            "task": next(iter(scripts.values()), ""), "scratch": str(scratch), "config": str(cfg)}


def line_of(text: str, needle: str, *, after: str | None = None, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`, at or after the line with `after`.

    An independent way to say where a node is (plain text search, not the loader's marks).
    """
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line)
    seen = 0
    for i in range(start, len(lines)):
        if needle in lines[i]:
            seen += 1
            if seen == occurrence:
                return i + 1
    raise AssertionError(f"{needle!r} not found after {after!r}")
