"""Run generation, run naming, vis labels and the evaluation matrix (SPEC section 6).

Plain functions on plain data: the Copier template calls them through the Jinja extension,
the validator calls them to check naming (CK223) and sweep completeness (CK235), and the
tests call them directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from .model_registry import size_token
from .models import HYPERPARAMETER_SHORT_FORMS

EVAL_EPOCH_CHOICES = ("last", "all", "specific", "best_val_loss")


def format_value(value: Any) -> str:
    """Numbers print as Python's repr does (1e-05, 0.0001); strings as they are."""
    if isinstance(value, str):
        return value
    return repr(value)


def value_label(param: str, value: Any) -> str:
    """`rank4` for lora_rank=4, `lr1e-05` for lr=1e-05, `{name}{v}` for unknown parameters."""
    return f"{HYPERPARAMETER_SHORT_FORMS.get(param, param)}{format_value(value)}"


def parameters_label(parameters: Mapping[str, Any]) -> str:
    """The varied part of a run name, in variable order; `ft` when nothing varies."""
    if not parameters:
        return "ft"
    return "_".join(value_label(k, v) for k, v in parameters.items())


def run_name(model: str, parameters: Mapping[str, Any]) -> str:
    return f"{model}_{parameters_label(parameters)}"


def control_name(model: str) -> str:
    return f"{model}_base"


def sweep(variables: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the variables, first variable slowest; [{}] when nothing varies."""
    names = list(variables)
    return [dict(zip(names, combo)) for combo in itertools.product(*(variables[n] for n in names))]


def generate_runs(
    models: Sequence[str],
    variables: Mapping[str, Sequence[Any]],
    include_base_controls: bool = True,
    slurm_overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Fine-tuned runs (models x sweep, in the order given), then one control per model.

    `slurm_overrides` maps a model name to the overrides its runs get (controls included);
    models not in it get none.
    """
    slurm_overrides = slurm_overrides or {}
    runs: list[dict[str, Any]] = []

    def add(name: str, kind: str, model: str, parameters: dict[str, Any]) -> None:
        run: dict[str, Any] = {"name": name, "type": kind, "model": model, "parameters": parameters}
        overrides = {k: v for k, v in (slurm_overrides.get(model) or {}).items() if v}
        if overrides:
            run["slurm_overrides"] = overrides
        runs.append(run)

    combos = sweep(variables)
    for model in models:
        for params in combos:
            add(run_name(model, params), "fine-tuned", model, dict(params))
    if include_base_controls:
        for model in models:
            add(control_name(model), "control", model, {})
    return runs


def model_prefixes(models: Sequence[str]) -> dict[str, str]:
    """Label prefix per model: its size token, or its whole name where tokens would collide."""
    tokens = {m: size_token(m) for m in models}
    counts: dict[str, int] = {}
    for t in tokens.values():
        counts[t] = counts.get(t, 0) + 1
    return {m: (t if counts[t] == 1 else m) for m, t in tokens.items()}


def vis_label(
    run: Mapping[str, Any], style: str, models: Sequence[str] | Mapping[str, str]
) -> str:
    """`rank4`, `base`, or with several models `1B_rank4`, `3B_base`; the run name for `run_name`.

    `models` is the design's model list, or the `model_prefixes` of it: callers labelling many
    runs pass the prefixes, computed once, to keep labelling linear in the number of runs.
    """
    if style == "run_name":
        return str(run["name"])
    label = "base" if run["type"] == "control" else parameters_label(run.get("parameters") or {})
    prefixes = models if isinstance(models, dict) else model_prefixes(list(dict.fromkeys(models)))
    if len(prefixes) > 1:
        label = f"{prefixes[run['model']]}_{label}"
    return label


def epochs_to_evaluate(
    choice: str, training_epochs: int, specific: Sequence[int] | None = None
) -> list[int] | str:
    """0-indexed epochs for a fine-tuned run: training for 2 epochs saves epoch_0 and epoch_1."""
    if choice == "last":
        return [training_epochs - 1]
    if choice == "all":
        return list(range(training_epochs))
    if choice == "specific":
        return list(specific or [])
    if choice == "best_val_loss":
        return "best_val_loss"
    raise ValueError(f"eval_epochs must be one of {', '.join(EVAL_EPOCH_CHOICES)}, not {choice!r}")


def tasks_for_run(
    run_name_: str, task_names: Sequence[str], eval_matrix: Mapping[str, Iterable[str]] | None
) -> list[str]:
    """Tasks a run is evaluated on: a task listed in eval_matrix only where a pattern matches."""
    if not eval_matrix:
        return list(task_names)
    return [
        t
        for t in task_names
        if t not in eval_matrix or any(fnmatchcase(run_name_, p) for p in eval_matrix[t])
    ]


def build_matrix(
    runs: Sequence[Mapping[str, Any]],
    task_names: Sequence[str],
    *,
    eval_epochs: str,
    epochs: int,
    eval_epoch_list: Sequence[int] | None = None,
    eval_matrix: Mapping[str, Iterable[str]] | None = None,
    vis_label_style: str = "short",
) -> list[dict[str, Any]]:
    """One matrix entry per run (runs matching no task are left out; the validator warns CK233).

    `epochs` is the constant training length; a run that varies `epochs` uses its own value.
    """
    prefixes = model_prefixes(list(dict.fromkeys(r["model"] for r in runs)))
    matrix: list[dict[str, Any]] = []
    for run in runs:
        tasks = tasks_for_run(run["name"], task_names, eval_matrix)
        if not tasks:
            continue
        if run["type"] == "control":
            run_epochs: list[int] | str | None = None
        else:
            trained = (run.get("parameters") or {}).get("epochs", epochs)
            run_epochs = epochs_to_evaluate(eval_epochs, int(trained), eval_epoch_list)
        matrix.append(
            {
                "run": run["name"],
                "vis_label": vis_label(run, vis_label_style, prefixes),
                "tasks": tasks,
                "epochs": run_epochs,
            }
        )
    return matrix


def total_evaluations(matrix: Sequence[Mapping[str, Any]]) -> int:
    """Task x checkpoint evaluations the matrix asks for (best_val_loss and controls count once)."""
    total = 0
    for entry in matrix:
        per_task = len(entry["epochs"]) if isinstance(entry.get("epochs"), list) else 1
        total += per_task * len(entry["tasks"])
    return total


def experiment_directory(scratch_dir: str, experiment_type: str, name: str) -> str:
    sub = "ck-sanity-checks" if experiment_type == "sanity_check" else "ck-experiments"
    return f"{scratch_dir.rstrip('/')}/{sub}/{name}"


def output_directory(scratch_dir: str, name: str) -> str:
    return f"{scratch_dir.rstrip('/')}/ck-outputs/{name}"


def experiment_factor(variables: Mapping[str, Any]) -> str:
    """`lora_rank_comparison`, `lora_rank_lr_comparison`; `baseline` when nothing varies."""
    return f"{'_'.join(variables)}_comparison" if variables else "baseline"
