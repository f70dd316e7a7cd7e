"""The design: copier's answers in, experiment_summary.yaml's data out, in the file's key order.

The template only lays this data out (`ck_design()`), so what the plan shows, what is written
and what the benchmarks measure are one build (docs/wizard.md).
"""

from __future__ import annotations

import glob
import itertools
import os
from collections.abc import Mapping
from typing import Any

from ..facts import resources
from ..facts.prerequisites import dataset_facts, model_facts
from ..facts.priorspeed import prior_speed
from ..spec import compute, naming, sweep
from ..spec.model_registry import default_dataset_type
from ..spec.params import HYPERPARAMETERS
from ..spec.scorers import scorer_params
from ..spec.answers import absolute_path, as_list, get, normalize_value, normalize_variables, prompt_value
from .defaults import DEFAULT_MODEL, dataset_label, gets_overrides, today


def _controls(answers: Mapping[str, Any], variables: Mapping[str, Any], models: list[str]) -> dict[str, Any]:
    """The prompts, the dataset type, then every hyperparameter the sweep does not vary, in table order."""
    controls: dict[str, Any] = {"system_prompt": str(get(answers, "system_prompt", "")),
                                "prompt": str(prompt_value(get(answers, "prompt", "{input}\n"))),
                                "dataset_type": str(get(answers, "dataset_type", default_dataset_type(models)))}
    for name, p in HYPERPARAMETERS.items():
        if name not in variables:
            controls[name] = normalize_value(name, get(answers, name, p.default))
    return controls


def _slurm_overrides(answers: Mapping[str, Any], models: list[str], etype: str) -> dict[str, dict[str, str]]:
    full_gpu = bool(get(answers, "full_gpu", etype == naming.EXPERIMENT))
    values = {"constraint": str(get(answers, "gpu_constraint", "")),
              "partition": str(get(answers, "gpu_partition", ""))}
    kept = {k: v for k, v in values.items() if v}
    models_dir = get(answers, "models_dir", "")
    return {m: dict(kept) for m in models if kept and gets_overrides(m, full_gpu, models_dir)}


def _tasks(answers: Mapping[str, Any]) -> list[dict[str, str]]:
    tasks = []
    for t in get(answers, "eval_tasks", []) or []:
        task = {"name": str(t["name"]), "script": absolute_path(t["script"]), "description": str(t.get("description", ""))}
        if t.get("dataset") not in (None, ""):
            d = str(t["dataset"])
            task["dataset"] = d if d == "same" else absolute_path(d)
        tasks.append(task)
    return tasks


def _matrix_args(answers: Mapping[str, Any], controls: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Which checkpoints of which runs meet which tasks: what the matrix is built (and counted) from."""
    eval_epochs = get(answers, "eval_epochs", "last")
    selective = get(answers, "eval_selection", "all") == "selective"
    return {
        "eval_epochs": eval_epochs,
        "epochs": int(controls.get("epochs", 1)) if "epochs" not in variables else 1,
        "eval_epoch_list": get(answers, "eval_epoch_list", None) if eval_epochs == "specific" else None,
        "eval_matrix": (get(answers, "eval_matrix", {}) or None) if selective else None,
    }


def _matrix(answers: Mapping[str, Any], runs: list[dict[str, Any]], tasks: list[dict[str, str]],
            controls: Mapping[str, Any], variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    return sweep.build_matrix(
        runs,
        [t["name"] for t in tasks],
        **_matrix_args(answers, controls, variables),
        vis_label_style=get(answers, "vis_label_style", "short"),
        variables=variables,
    )


def _generation(answers: Mapping[str, Any]) -> dict[str, Any]:
    """evaluation.sampling / max_tokens / seed, each only when it says something: sampling is on
    exactly when the temperature is above 0 (CK296, CK297); max_tokens and seed when answered.
    A design that sets none of them is written as before (the evaluator's defaults)."""
    out: dict[str, Any] = {}
    if float(get(answers, "temperature", 0.0)) > 0:
        out["sampling"] = True
    for key in ("max_tokens", "seed"):
        value = get(answers, f"eval_{key}", None)
        if value not in (None, ""):
            out[key] = int(value)
    return out


def wants_checkpoints(answers: Mapping[str, Any]) -> bool:
    return bool(get(answers, "eval_checkpoints_wanted", False))


def _eval_only(answers: Mapping[str, Any], models: list[str]) -> list[dict[str, str]]:
    """The eval-only runs of the existing checkpoints the wizard was given (docs/wizard.md)."""
    if not wants_checkpoints(answers):
        return []
    given = [c if isinstance(c, Mapping) else {"path": str(c)} for c in get(answers, "eval_checkpoints", []) or []]
    given = [{**c, "path": absolute_path(c["path"])} for c in given if isinstance(c.get("path"), str)]
    return sweep.eval_only_runs(given, models[0] if models else DEFAULT_MODEL, bounded_glob)


def bounded_glob(pattern: str) -> list[str]:
    """A checkpoint glob's matches, sorted; at most one more than a design may hold (the wizard
    refuses more at the question), so a pattern like /scratch/*/*/* never walks a whole disk."""
    return sorted(itertools.islice(glob.iglob(pattern), sweep.MAX_EVALUATIONS + 1))


def _add_compute(design: dict[str, Any], answers: Mapping[str, Any]) -> None:
    """runs[].compute of the fine-tuned runs and evaluation.compute (spec/compute.py)."""
    sizes = {m["name"]: m["size_gb"] for m in design["models"]["base"]}
    splits = design["data"]["training"]["splits"]
    speed, files = prior_speed(absolute_path(get(answers, "scratch_dir", "")), tuple(sizes))
    basis = compute.speed_basis(speed, files)
    for run in design["runs"]:
        if run["type"] == sweep.FINE_TUNED:
            run["compute"] = compute.run_compute(run, design["controls"], splits.get("train") or 0,
                                                 sizes.get(run["model"]), speed, basis)
    design["evaluation"]["compute"] = compute.evaluation_compute(
        design["runs"], design["controls"], splits.get("test") or splits.get("validation"), sizes)


def _base_models(answers: Mapping[str, Any], models: list[str]) -> list[dict[str, Any]]:
    models_dir = absolute_path(get(answers, "models_dir", ""))
    out = []
    for m in models:
        path = os.path.join(models_dir, m) if models_dir else m
        facts = model_facts(path)
        out.append({"name": m, "path": path, "size_gb": facts.size_gb if facts.exists else None})
    return out


def _training_data(answers: Mapping[str, Any]) -> dict[str, Any]:
    path = absolute_path(get(answers, "dataset_path", ""))
    ds = dataset_facts(path) if path else resources.DatasetFacts("", False)
    return {
        "path": path,
        "label": dataset_label(path),
        "format": resources.dataset_format(path) if path else "json",
        "size_kb": ds.size_kb,
        "splits": dict(ds.splits),
    }


def _runs(answers: Mapping[str, Any], etype: str, overrides: bool = True,
          ) -> tuple[list[str], dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The models, the variables, the controls and the runs (models x sweep, controls, eval-only);
    `overrides=False` leaves out the SLURM overrides (they read the model folders)."""
    models = [str(m) for m in as_list(get(answers, "models", [DEFAULT_MODEL]))]
    train = not wants_checkpoints(answers) or bool(get(answers, "train_runs", True))
    variables = normalize_variables(get(answers, "variables", {})) if train else {}
    controls = _controls(answers, variables, models)
    runs = sweep.generate_runs(models, variables, bool(get(answers, "include_base_controls", True)),
                               _slurm_overrides(answers, models, etype) if overrides else {},
                               _eval_only(answers, models), train)
    return models, variables, controls, runs


def design_size(answers: Mapping[str, Any]) -> tuple[int, int]:
    """(runs, evaluations) of the design these answers build, counted without building it (no
    dataset or model reads): the wizard's bound on a design (spec/sweep.py MAX_EVALUATIONS)."""
    _, variables, controls, runs = _runs(answers, str(get(answers, "experiment_type", naming.EXPERIMENT)), overrides=False)
    names = [str(t.get("name")) for t in get(answers, "eval_tasks", []) or [] if isinstance(t, Mapping)]
    return len(runs), sweep.count_evaluations(runs, names, **_matrix_args(answers, controls, variables))


def build_design(answers: Mapping[str, Any]) -> dict[str, Any]:
    """experiment_summary.yaml as plain data, in the file's key order."""
    scratch = absolute_path(get(answers, "scratch_dir", "")) or absolute_path(".")
    etype = get(answers, "experiment_type", naming.EXPERIMENT)
    name = str(get(answers, "experiment_name", "experiment"))
    models, variables, controls, runs = _runs(answers, etype)
    tasks = _tasks(answers)
    design = {
        "experiment": {
            "name": name,
            "type": etype,
            "question": str(get(answers, "question", "")),
            "date": str(get(answers, "experiment_date", today())),
            "hypothesis": str(get(answers, "hypothesis", "")),
            "purpose": str(get(answers, "purpose", "")),
            # the destination, when the files are not where the convention puts them (defaults.py)
            "directory": str(get(answers, "experiment_directory", "")) or naming.experiment_directory(scratch, etype, name),
        },
        "tools": {
            "preparation": get(answers, "preparation_tool", "torchtune"),
            "evaluation": get(answers, "evaluation_tool", "inspect-ai"),
        },
        "variables": variables,
        "controls": controls,
        "models": {"base": _base_models(answers, models)},
        "data": {"training": _training_data(answers)},
        "output": {
            "base_directory": naming.output_directory(scratch, name),
            "checkpoint_pattern": naming.CHECKPOINT_PATTERN,
            "wandb_project": str(get(answers, "wandb_project", "")),
        },
        "runs": runs,
        "evaluation": {
            "system_prompt": controls["system_prompt"],
            "temperature": float(get(answers, "temperature", 0.0)),
            **_generation(answers),
            "scorer": [{"name": s, "params": scorer_params(s, answers)}
                       for s in as_list(get(answers, "scorers", ["match"]))],
            "tasks": tasks,
            "matrix": _matrix(answers, runs, tasks, controls, variables),
        },
    }
    _add_compute(design, answers)
    return design
