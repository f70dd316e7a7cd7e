"""The design: copier's answers in, experiment_summary.yaml's data out, in the file's key order.

The template only lays this data out (`ck_design()`), so what the plan shows, what is written
and what the benchmarks measure are one build (docs/wizard.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..facts import localconfig, resources, walk
from ..facts.prerequisites import dataset_facts, model_facts
from ..facts.priorspeed import prior_speed
from ..spec import compute, naming, sweep
from ..spec.answers import DEFAULT_MODEL, Answers, absolute_path
from .defaults import dataset_label, gets_overrides
from ..spec import era as eras
from ..spec import migration


def _controls(a: Answers, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The prompts, the dataset type, then every hyperparameter the sweep does not vary, in table order."""
    controls: dict[str, Any] = {"system_prompt": a.system_prompt, "prompt": a.prompt, "dataset_type": a.dataset_type}
    controls.update((name, value) for name, value in a.params.items() if name not in variables)
    return controls


def _slurm_overrides(a: Answers) -> dict[str, dict[str, str]]:
    values = {"constraint": a.gpu_constraint, "partition": a.gpu_partition}
    kept = {k: v for k, v in values.items() if v}
    return {m: dict(kept) for m in a.models if kept and gets_overrides(m, a.full_gpu, a.models_dir)}


def _tasks(a: Answers) -> list[dict[str, str]]:
    tasks = []
    for t in a.eval_tasks:
        task = {"name": str(t["name"]), "script": absolute_path(t["script"]), "description": str(t.get("description", ""))}
        if t.get("dataset") not in (None, ""):
            d = str(t["dataset"])
            task["dataset"] = d if d == "same" else absolute_path(d)
        tasks.append(task)
    return tasks


def _matrix_args(a: Answers, controls: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Which checkpoints of which runs meet which tasks: what the matrix is built (and counted) from."""
    return {
        "eval_epochs": a.eval_epochs,
        "epochs": int(controls.get("epochs", 1)) if "epochs" not in variables else 1,
        "eval_epoch_list": a.eval_epoch_list if a.eval_epochs == "specific" else None,
        "eval_matrix": (a.eval_matrix or None) if a.eval_selection == "selective" else None,
    }


def _matrix(a: Answers, runs: list[dict[str, Any]], tasks: list[dict[str, str]],
            controls: Mapping[str, Any], variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    return sweep.build_matrix(
        runs,
        [t["name"] for t in tasks],
        **_matrix_args(a, controls, variables),
        vis_label_style=a.vis_label_style,
        variables=variables,
    )


def _generation(a: Answers) -> dict[str, Any]:
    """evaluation.sampling / max_tokens / seed, each only when it says something: sampling is on
    exactly when the temperature is above 0 (CK296, CK297); max_tokens and seed when answered.
    A design that sets none of them is written as before (the evaluator's defaults)."""
    out: dict[str, Any] = {}
    if a.temperature > 0:
        out["sampling"] = True
    if a.eval_max_tokens is not None:
        out["max_tokens"] = a.eval_max_tokens
    if a.eval_seed is not None:
        out["seed"] = a.eval_seed
    return out


def _eval_only(a: Answers) -> list[dict[str, str]]:
    """The eval-only runs of the existing checkpoints the wizard was given (docs/wizard.md)."""
    if not a.eval_checkpoints_wanted:
        return []
    given = [c if isinstance(c, Mapping) else {"path": str(c)} for c in a.eval_checkpoints]
    given = [{**c, "path": absolute_path(c["path"])} for c in given if isinstance(c.get("path"), str)]
    return sweep.eval_only_runs(given, a.models[0] if a.models else DEFAULT_MODEL, bounded_glob)


def bounded_glob(pattern: str) -> list[str]:
    """A checkpoint glob's matches, sorted: the walk is bounded by the entries it visits
    (facts/walk.py; the wizard refuses a glob that hits the bound at the question), and at most
    one more than a design may hold is kept."""
    return list(walk.bounded_glob(pattern).matches[: sweep.MAX_EVALUATIONS + 1])


def _add_compute(design: dict[str, Any], a: Answers) -> None:
    """runs[].compute of the fine-tuned runs and evaluation.compute (spec/compute.py)."""
    sizes = {m["name"]: m["size_gb"] for m in design["models"]["base"]}
    splits = design["data"]["training"]["splits"]
    speed, files, ignored = prior_speed(absolute_path(a.scratch_dir), tuple(sizes))
    basis = compute.speed_basis(speed, files, ignored)
    # The partition's longest job (claude.local.md), as CK298 reads it for this directory.
    limit = compute.parse_time(localconfig.load(design["experiment"]["directory"]).get("time_limit") or None)
    trained = [r for r in design["runs"] if r["type"] == sweep.FINE_TUNED]
    # With packing the steps come from the dataset's characters, as CK250-CK252 count them.
    path = design["data"]["training"]["path"]
    packs = path and any(sweep.effective_value(r, design["controls"], "packing") is True for r in trained)
    chars = dataset_facts(path).train_chars if packs else None
    for run in trained:
        run["compute"] = compute.run_compute(run, design["controls"], splits.get("train") or 0,
                                             sizes.get(run["model"]), speed, basis, limit, chars)
    design["evaluation"]["compute"] = compute.evaluation_compute(
        design["runs"], design["controls"], splits.get("test") or splits.get("validation"), sizes, limit)


def _base_models(a: Answers) -> list[dict[str, Any]]:
    models_dir = absolute_path(a.models_dir)
    out = []
    for m in a.models:
        path = os.path.join(models_dir, m) if models_dir else m
        facts = model_facts(path)
        out.append({"name": m, "path": path, "size_gb": facts.size_gb if facts.exists else None})
    return out


def _training_data(a: Answers) -> dict[str, Any]:
    path = absolute_path(a.dataset_path)
    ds = dataset_facts(path) if path else resources.DatasetFacts("", False)
    return {
        "path": path,
        "label": dataset_label(path),
        "format": resources.dataset_format(path) if path else "json",
        "size_kb": ds.size_kb,
        "splits": dict(ds.splits),
    }


def _runs(a: Answers, overrides: bool = True) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The variables, the controls and the runs (models x sweep, controls, eval-only);
    `overrides=False` leaves out the SLURM overrides (they read the model folders)."""
    train = not a.eval_checkpoints_wanted or a.train_runs
    variables = a.variables if train else {}
    controls = _controls(a, variables)
    runs = sweep.generate_runs(a.models, variables, a.include_base_controls,
                               _slurm_overrides(a) if overrides else {}, _eval_only(a), train)
    return variables, controls, runs


def design_size(answers: Answers | Mapping[str, Any]) -> tuple[int, int]:
    """(runs, evaluations) of the design these answers build, counted without building it (no
    dataset or model reads): the wizard's bound on a design (spec/sweep.py MAX_EVALUATIONS)."""
    a = Answers.of(answers)
    variables, controls, runs = _runs(a, overrides=False)
    names = [str(t.get("name")) for t in a.eval_tasks]
    return len(runs), sweep.count_evaluations(runs, names, **_matrix_args(a, controls, variables))


def build_design(answers: Answers | Mapping[str, Any]) -> dict[str, Any]:
    """experiment_summary.yaml as plain data, in the file's key order."""
    a = Answers.of(answers)
    scratch = absolute_path(a.scratch_dir) or absolute_path(".")
    etype, name = a.experiment_type, a.experiment_name
    variables, controls, runs = _runs(a)
    tasks = _tasks(a)
    design = {
        "experiment": {
            "name": name,
            "type": etype,
            "question": a.question,
            "date": a.experiment_date,
            "hypothesis": a.hypothesis,
            "purpose": a.purpose,
            # the destination, when the files are not where the convention puts them (defaults.py)
            "directory": a.experiment_directory or naming.experiment_directory(scratch, etype, name),
        },
        "tools": {
            "preparation": a.preparation_tool,
            "evaluation": a.evaluation_tool,
        },
        "variables": variables,
        "controls": controls,
        "models": {"base": _base_models(a)},
        "data": {"training": _training_data(a)},
        "output": {
            "base_directory": naming.output_directory(scratch, name),
            "checkpoint_pattern": naming.CHECKPOINT_PATTERN,
            "wandb_project": a.wandb_project,
        },
        "runs": runs,
        "evaluation": {
            "system_prompt": controls["system_prompt"],
            "temperature": a.temperature,
            **_generation(a),
            "scorer": [{"name": s, "params": a.scorer_params[s]} for s in a.scorers],
            "tasks": tasks,
            "matrix": _matrix(a, runs, tasks, controls, variables),
        },
    }
    _add_compute(design, a)
    if a.cruijff_kit_schema == eras.V03:
        _as_v03(design, a)
    return design


def _as_v03(design: dict[str, Any], a: Answers) -> None:
    """The built design written in cruijff_kit 0.3's schema: ck-migrate's steps on the data
    (renames, experiment.project, experiment.dir where the files are, dropped output keys)."""
    where = a.experiment_directory or None  # the destination, when recorded
    parts = naming.project_parts(where) if where else None
    project = a.project or (parts[1] if parts else "") or str(a.raw.get("task_label") or "experiments")
    try:
        steps = migration.plan(design, project=naming.safe_name(project), folder=where)
    except migration.MigrationError:  # not reachable from the wizard's validated answers
        return
    migration.apply_to_data(design, steps)
