"""Prerequisites: what must exist before an experiment can run, one verdict and one wording per
resource, used alike by the wizard's plan, the rendered README and the post-copy hook's log.

Missing resources never block a design (they become prerequisites); the facts are cached by
path and modification time, because the wizard re-renders its plan on every question.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..spec.sweep import CHECKPOINT_PATH, EVAL_ONLY
from . import resources


@lru_cache(maxsize=64)
def _model_facts(path: str, _mtime: float) -> resources.ModelFacts:
    return resources.model_facts(path)


@lru_cache(maxsize=16)
def _dataset_facts(path: str, _mtime: float, _size: int) -> resources.DatasetFacts:
    return resources.dataset_facts(path)


@lru_cache(maxsize=64)
def _task_facts(path: str, _mtime: float) -> resources.TaskScriptFacts:
    return resources.task_script_facts(path)


def _mtime(path: str) -> tuple[float, int]:
    try:
        st = os.stat(os.path.expanduser(path))
        return st.st_mtime, st.st_size
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return -1.0, -1


def model_facts(path: str) -> resources.ModelFacts:
    return _model_facts(path, _mtime(path)[0])


def dataset_facts(path: str) -> resources.DatasetFacts:
    return _dataset_facts(path, *_mtime(path))


def task_facts(path: str) -> resources.TaskScriptFacts:
    return _task_facts(path, _mtime(path)[0])


def model_problem(name: str, path: str) -> str | None:
    """Why model `name` at `path` cannot be used yet, or None."""
    facts = model_facts(path)
    if not facts.exists:
        return f"Model {name}: directory {path} does not exist (download it there)."
    if not facts.has_config:
        return f"Model {name}: {path} has no config.json (an incomplete download?)."
    return None


def dataset_problem(path: str) -> str | None:
    """Why the training dataset cannot be used yet, or None."""
    ds = dataset_facts(path) if path else None
    if ds is None or not ds.exists:
        return f"Dataset: {path or '(none given)'} does not exist (create it with the task's preprocessing script)."
    if ds.error:
        return f"Dataset: {ds.error}."
    return None


def checkpoint_problem(run: str, path: str) -> str | None:
    """Why eval-only run `run`'s existing checkpoint at `path` cannot be evaluated yet, or None
    (the same verdict as CK284: a folder with a config.json or weights)."""
    facts = model_facts(path)
    if not facts.exists:
        return f"Checkpoint of eval-only run {run}: {path} does not exist (train it first, or fix checkpoint_path)."
    if not (facts.has_config or facts.has_weights):
        return f"Checkpoint of eval-only run {run}: {path} has no config.json and no weights (not a checkpoint or model folder)."
    return None


def eval_only_checkpoints(runs: Any) -> list[tuple[str, str]]:
    """(run name, checkpoint_path) of every eval-only run of a design's `runs`."""
    out = []
    for run in runs if isinstance(runs, list) else []:
        if not isinstance(run, Mapping) or run.get("type") != EVAL_ONLY:
            continue
        params = run.get("parameters")
        path = params.get(CHECKPOINT_PATH) if isinstance(params, Mapping) else None
        out.append((str(run.get("name", "?")), path if isinstance(path, str) and path.strip() else "(none)"))
    return out


def task_problems(name: str, script: str, dataset: str | None = None) -> list[str]:
    """Why evaluation task `name` cannot run yet (its script, its own dataset), or []."""
    out = []
    facts = task_facts(script)
    if not facts.exists:
        out.append(f"Evaluation task {name}: script {script} does not exist (write it, e.g. with the create-inspect-task skill).")
    elif not facts.task_functions:
        out.append(f"Evaluation task {name}: {script} defines no @task function.")
    if dataset and dataset != "same" and not os.path.exists(dataset):
        out.append(f"Evaluation task {name}: dataset {dataset} does not exist.")
    return out


def disk_problem(needed_gb: float, free_gb: float | None) -> str | None:
    """Why the checkpoints will not fit on the scratch file system, or None (unknown free space
    is not a problem: the hook logs it as a warning instead)."""
    if free_gb is None or needed_gb <= free_gb:
        return None
    return f"Disk: checkpoints need ~{needed_gb:.1f} GB but only {free_gb} GB are free (clean up or choose another scratch directory)."


def prerequisites(design: Mapping[str, Any]) -> list[str]:
    """What must exist before the experiment can run, as sentences (deterministic: same files,
    same list)."""
    out: list[str] = []
    for m in design["models"]["base"]:
        if problem := model_problem(m["name"], m["path"]):
            out.append(problem)
    for run, path in eval_only_checkpoints(design.get("runs")):
        if problem := checkpoint_problem(run, path):
            out.append(problem)
    if problem := dataset_problem(design["data"]["training"]["path"]):
        out.append(problem)
    for t in design["evaluation"]["tasks"]:
        out.extend(task_problems(t["name"], t["script"], t.get("dataset")))
    return out
