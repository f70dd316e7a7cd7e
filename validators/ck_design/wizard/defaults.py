"""The defaults and `when:` conditions of copier.yml's questions, computed from earlier answers.

The choices behind them are written down in docs/wizard.md ("Decisions where the spec is silent").
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..facts import model_size, resources
from ..spec import era as eras
from ..spec import model_registry, naming, sweep
from ..spec.answers import DEFAULT_MODEL, absolute_path, as_list
# A destination path naming one of these is a sanity check.
_SANITY_MARKERS = (naming.SANITY_CHECKS_DIR, "sanity")


def detect_experiment_type(dst_path: Any) -> str:
    """`sanity_check` when the destination path mentions a sanity check, else `experiment`."""
    text = str(dst_path or "").lower()
    return naming.SANITY_CHECK if any(m in text for m in _SANITY_MARKERS) else naming.EXPERIMENT


def model_choices(models_dir: Any, current: Any = None) -> list[str]:
    """Every model folder (with a config.json) in models_dir, else the whole registry.

    A folder the registry does not know is offered too: its GPU needs are estimated from its
    size (facts/model_size.py). Models already answered (e.g. with --data, or on update) stay
    choosable: copier silently drops multiselect answers not in the choices.
    """
    choices = model_size.model_dirs(str(models_dir or "")) or list(model_registry.MODELS)
    for m in as_list(current):
        if isinstance(m, str) and m and m not in choices:
            choices.append(m)
    return choices


def default_models(models_dir: Any) -> list[str]:
    choices = model_choices(models_dir)
    return [DEFAULT_MODEL] if DEFAULT_MODEL in choices else choices[:1]


def _info(model: Any, models_dir: Any) -> model_registry.ModelInfo | None:
    return model_size.model_info(model, models_dir) if isinstance(model, str) else None


def fits_shared_gpu(model: Any, models_dir: Any = None) -> bool:
    info = _info(model, models_dir)
    return info is not None and info.min_gpu_vram_gb < model_registry.FULL_GPU_VRAM_GB


def full_gpu_question_applies(models: Any, models_dir: Any = None) -> bool:
    """Ask the full-GPU question only when a chosen model would fit on less than a full GPU."""
    return any(fits_shared_gpu(m, models_dir) for m in as_list(models))


def needs_full_gpu_always(model: str, models_dir: Any = None) -> bool:
    info = _info(model, models_dir)
    return info is not None and info.min_gpu_vram_gb >= model_registry.FULL_GPU_VRAM_GB


def gets_overrides(model: str, full_gpu: Any, models_dir: Any = None) -> bool:
    """Whether this model's runs get slurm_overrides: always for a model needing a full GPU or
    more, else when the full-GPU question was answered yes."""
    return needs_full_gpu_always(model, models_dir) or (bool(full_gpu) and fits_shared_gpu(model, models_dir))


def overrides_apply(models: Any, full_gpu: Any, models_dir: Any = None) -> bool:
    """Whether any run gets slurm_overrides (so the constraint/partition questions matter)."""
    return any(gets_overrides(m, full_gpu, models_dir) for m in as_list(models))


def default_gpus(models: Any, models_dir: Any = None, local_default: Any = None) -> int:
    """claude.local.md's "Default GPUs" (else 1), raised to what the largest chosen model needs."""
    try:
        base = max(1, int(local_default or 1))
    except (TypeError, ValueError):
        base = 1
    needed = [info.min_gpus for m in as_list(models) if (info := _info(m, models_dir)) is not None]
    return max([base, *needed])


def model_estimates(models: Any, models_dir: Any) -> list[model_registry.Estimate]:
    """The estimates of the chosen models the registry does not know (for the plan)."""
    out = []
    for m in as_list(models):
        if isinstance(m, str) and m and model_registry.lookup(m) is None and models_dir:
            found = model_size.estimate(Path(str(models_dir)).expanduser() / m, m)
            if found is not None:
                out.append(found)
    return out


def dataset_label(path: Any) -> str:
    return resources.dataset_label(str(path or "")) if path else ""


def default_experiment_name(
    task_label: Any, experiment_factor: Any, experiment_date: Any, dst_path: Any = None
) -> str:
    """`{task_label}_{experiment_factor}_{experiment_date}`, except when the user already named
    the experiment by its destination: `.../ck-experiments/<name>` (or ck-sanity-checks/).
    Then `<name>` is the default, so experiment.directory is where the files actually are
    instead of a sibling folder that never gets created."""
    if dst_path:
        dst = Path(absolute_path(dst_path))
        in_project = naming.project_parts(str(dst)) is not None  # 0.3: ck-projects/{project}/{name}
        if (dst.parent.name in naming.TYPE_DIRS.values() or in_project) and naming.is_safe_name(dst.name):
            return dst.name
    return naming.safe_name(f"{task_label}_{experiment_factor}_{experiment_date}")


def conventional(dst_path: Any, scratch_dir: Any, experiment_type: Any, name: Any) -> bool:
    """Whether the destination is {scratch}/ck-experiments/{name} (ck-sanity-checks/ for a
    sanity check): where experiment.directory says an experiment is."""
    convention = naming.experiment_directory(absolute_path(scratch_dir or "."), str(experiment_type or ""), str(name or ""))
    return absolute_path(dst_path) == convention


def recorded_directory(dst_path: Any, scratch_dir: Any, experiment_type: Any, name: Any) -> str:
    """experiment.directory to record instead of the convention: the destination itself when it
    is not {scratch}/ck-experiments/{name}, so the design says where its files really are
    (docs/wizard.md, "experiment.directory"); "" when the convention holds."""
    if not dst_path or conventional(dst_path, scratch_dir, experiment_type, name):
        return ""
    return absolute_path(dst_path)


def destination_note(dst_path: Any, scratch_dir: Any = None) -> str:
    """Said before the first question when the destination is not a folder of ck-experiments/
    or ck-sanity-checks/ (under the scratch directory, when claude.local.md names one)."""
    if not dst_path or existing_era(dst_path) == eras.V03 or destination_era(dst_path) == eras.V03:
        return ""  # 0.3's convention: experiment.dir is where the files are (CK260 checks ck-projects/)
    dst = Path(absolute_path(dst_path))
    in_type_dir = dst.parent.name in naming.TYPE_DIRS.values()
    in_scratch = not scratch_dir or str(dst.parent.parent) == absolute_path(scratch_dir).rstrip("/")
    if in_type_dir and in_scratch:
        return ""
    where = f"{absolute_path(scratch_dir).rstrip('/')}/" if scratch_dir else "{scratch}/"
    return (f"the destination is not in {where}{naming.EXPERIMENTS_DIR}/ or "
            f"{where}{naming.SANITY_CHECKS_DIR}/: experiment.directory will record it (where the "
            "files are), and ck-validate will warn about the convention (CK260)")


MAX_OFFERED_SCRIPTS = 8


def task_script_options(dataset_path: Any, tasks_dir: Any = None) -> list[str]:
    """inspect-ai task scripts (files with an `@task` function, found by parsing) where they
    live: claude.local.md's "Task scripts" folder, then the dataset's project (its folder,
    `tasks/` beside it, `../tasks/`); the one named after the dataset first. At most
    MAX_OFFERED_SCRIPTS, each folder's top level only (never a walk of a whole tree)."""
    path = absolute_path(dataset_path) if dataset_path else ""
    stem = dataset_label(path) if path else ""
    folder = Path(path).parent if path else None
    places = [Path(absolute_path(tasks_dir))] if tasks_dir else []
    if folder is not None:
        places += [folder, folder / "tasks", folder.parent / "tasks"]
    found: list[str] = []
    for place in places:
        try:
            files = sorted(p for p in place.glob("*.py") if p.is_file())[:50]
        except OSError:
            continue
        for f in files:
            norm = os.path.normpath(str(f))
            if norm not in found and resources.task_script_facts(f).task_functions:
                found.append(norm)
    found.sort(key=lambda f: Path(f).stem != stem)  # stable: the dataset's own task first
    return found[:MAX_OFFERED_SCRIPTS]


def default_eval_tasks(dataset_path: Any) -> list[dict[str, str]]:
    """One task named after the dataset stem, evaluated on that dataset.

    The script defaults to the first that exists of `<stem>.py` beside the dataset,
    `tasks/<stem>.py` beside it, and `../tasks/<stem>.py`; else the first (a prerequisite).
    """
    path = absolute_path(dataset_path)
    stem = dataset_label(path) or "task"
    name = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_") or "task"
    folder = Path(path).parent if path else Path.cwd()
    options = [folder / f"{stem}.py", folder / "tasks" / f"{stem}.py", folder.parent / "tasks" / f"{stem}.py"]
    script = next((p for p in options if p.is_file()), options[0])
    return [{"name": name, "script": os.path.normpath(str(script)),
             "description": f"Evaluate on the {stem} dataset", "dataset": "same"}]


def default_task_script(dataset_path: Any, tasks_dir: Any = None) -> str:
    """The first task's script: the first offered (task_script_options), else the guess beside
    the dataset (a missing script is a prerequisite, never a blocker)."""
    offered = task_script_options(dataset_path, tasks_dir)
    return offered[0] if offered else default_eval_tasks(dataset_path)[0]["script"]


def given_task(eval_tasks: Any, key: str, fallback: Any) -> str:
    """The first given task's `key` (eval_tasks given with --data or recorded), else `fallback`:
    what the one-by-one task questions record when they are not asked."""
    first = eval_tasks[0] if isinstance(eval_tasks, list) and eval_tasks else None
    value = first.get(key) if isinstance(first, dict) else None
    return str(value) if isinstance(value, str) and value else str(fallback)


def selection_question_applies(eval_tasks: Any, size_problem: str) -> bool:
    """Ask "Which runs get which tasks?" only when the answer can matter: two tasks or more (a
    matrix then gives each its runs), or every run on every task over the bound (selective is
    then the only way on). One task within the bound: every run gets it, so its default (`all`)
    is taken unasked and the design is the one Enter would give."""
    one_task = isinstance(eval_tasks, list) and len(eval_tasks) == 1
    return not one_task or bool(size_problem)


def first_tasks(name: Any, script: Any, description: Any, more: Any = None) -> list[dict[str, Any]]:
    """eval_tasks from the questions asked one by one: the first task (on the training
    dataset) and any more given as a list."""
    first = {"name": str(name or ""), "script": str(script or ""), "description": str(description or ""),
             "dataset": "same"}
    return [first, *(more if isinstance(more, list) else [])]


# --- Which cruijff_kit schema the design is written in (spec/era.py; docs/wizard.md) ---------------


def destination_era(dst_path: Any) -> str | None:
    """The era a destination decides: 0.3 at {scratch}/ck-projects/{project}/{name}, the seed era
    in ck-experiments/ or ck-sanity-checks/, None anywhere else (the wizard asks)."""
    if not dst_path:
        return None
    dst = absolute_path(dst_path)
    if naming.project_parts(dst) is not None:
        return eras.V03
    if Path(dst).parent.name in naming.TYPE_DIRS.values():
        return eras.SEED
    return None


def _existing_design(dst_path: Any) -> dict[Any, Any] | None:
    """The design already at the destination (copier update, a recopy), else None."""
    if not dst_path:
        return None
    from ..facts.loader import LoadError, load_file

    try:
        data = load_file(Path(absolute_path(dst_path)) / naming.SUMMARY_FILE).data
    except (OSError, LoadError):
        return None
    return data if isinstance(data, dict) else None


def existing_era(dst_path: Any) -> str | None:
    """The era of the design already at the destination (copier update, a recopy), else None.
    An experiment stays in the era it was written in: no silent migration (ck-migrate is the way)."""
    data = _existing_design(dst_path)
    return eras.era_of(data) if data is not None else None


def existing_project(dst_path: Any) -> str | None:
    """experiment.project of a 0.3 design already at the destination, when it is a safe folder
    name: a migrated experiment keeps the project ck-migrate gave it on `copier update`."""
    data = _existing_design(dst_path)
    if data is None or eras.era_of(data) != eras.V03:
        return None
    experiment = data.get("experiment")
    project = experiment.get("project") if isinstance(experiment, dict) else None
    return project if naming.is_safe_name(project) else None


def default_schema(dst_path: Any) -> str:
    """The existing design's era, else the destination's, else the seed era (what ck-design
    always wrote; an experiment rendered before the question existed stays seed-era on update)."""
    return existing_era(dst_path) or destination_era(dst_path) or eras.SEED


def schema_question_applies(dst_path: Any) -> bool:
    """Ask `cruijff_kit_schema` only when neither an existing design nor the destination decides."""
    return existing_era(dst_path) is None and destination_era(dst_path) is None


def default_project(dst_path: Any, task_label: Any) -> str:
    """0.3's experiment.project: the existing design's (a migrated experiment on update: the
    answers record what the design says), else the destination's {project} under ck-projects/,
    else the task label."""
    existing = existing_project(dst_path)
    if existing:
        return existing
    parts = naming.project_parts(absolute_path(dst_path)) if dst_path else None
    return parts[1] if parts else naming.safe_name(str(task_label or "experiments"))


def project_question_applies(dst_path: Any, schema: Any) -> bool:
    """Ask for the project only for a 0.3 design whose destination does not name one."""
    return schema == eras.V03 and not (dst_path and naming.project_parts(absolute_path(dst_path)))


def name_from_destination(dst_path: Any) -> bool:
    """Whether the destination names the experiment ({scratch}/ck-experiments/<name>,
    ck-sanity-checks/, ck-projects/<project>/<name>): then the name and its parts are not asked."""
    if not dst_path:
        return False
    dst = Path(absolute_path(dst_path))
    return default_experiment_name("", "", "", dst_path) == dst.name


# The questions `keep_training_defaults` stands for, in the order they are asked after a "no".
TRAINING_SETTINGS = ("gpus", "validation_during_training", "dataset_type", "lora_rank", "lr", "batch_size",
                     "gradient_accumulation_steps", "weight_decay", "lora_dropout", "num_warmup_steps",
                     "max_seq_len", "packing")


def training_defaults(variables: Any, models: Any, models_dir: Any = None, local_gpus: Any = None) -> str:
    """What "Keep the default training settings?" keeps: each setting the sweep does not vary,
    with its default (spec/params.py; gpus and dataset_type from the chosen models)."""
    from ..facts.yamlwriter import shown_value
    from ..spec.params import PARAMS

    varied = set(variables) if isinstance(variables, dict) else set()
    values = {
        "gpus": default_gpus(models, models_dir, local_gpus),
        "dataset_type": f"{model_registry.default_dataset_type(as_list(models))} (from the model's name)",
    }
    shown = [f"{k} {values[k] if k in values else shown_value(PARAMS[k].default)}"
             for k in TRAINING_SETTINGS if k not in varied and (k in values or k in PARAMS)]
    return ", ".join(shown) + "." if shown else "Nothing: the sweep varies them all."


def _short_labels(variables: Any, models: Any) -> str:
    """The short plot labels of the first fine-tuned run of (up to) two models, as vis_label
    makes them; an older copier.yml passes no design: a rank sweep's, as an example."""
    names = [m for m in as_list(models) if isinstance(m, str)]
    if not names or not isinstance(variables, dict):
        return "rank4, 1B_rank4"
    first = {k: list(v)[0] for k, v in variables.items() if isinstance(v, (list, tuple)) and v}
    runs = [{"type": sweep.FINE_TUNED, "model": m, "parameters": first} for m in names[:2]]
    return ", ".join(sweep.vis_label(r, "short", names, variables) for r in runs)


def evaluation_defaults(scorers: Any, variables: Any = None, models: Any = None) -> str:
    """What "Keep the default evaluation settings?" keeps, for the chosen scorers (no "name:"
    here: that starts a scorer's own question, which the pty tests recognize by its text)."""
    chosen = as_list(scorers)
    parts = []
    if "match" in chosen:
        parts.append("match on the whole answer (exact), case-sensitive")
    if "includes" in chosen:
        parts.append("includes case-sensitive")
    if "risk_scorer" in chosen:
        parts.append("risk_scorer with option tokens ['0', '1']")
    if "numeric_risk_scorer" in chosen:
        parts.append("numeric_risk_scorer with labels ['0', '1']")
    parts += ["temperature 0.0 (deterministic)", "the evaluator's default max tokens",
              f"short plot labels ({_short_labels(variables, models)})"]
    return "; ".join(parts) + "."
