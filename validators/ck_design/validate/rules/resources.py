"""CK280-CK284: the resources a design points at, on disk (only with --check-resources): model
directories, the dataset and its split counts, task scripts, the checkpoints of eval-only runs. What is on disk is read by
facts/resources.py; relative paths resolve against the design file's directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...facts import resources
from ...spec import naming
from ...spec.sweep import CHECKPOINT_PATH, EVAL_ONLY
from ..context import Ctx, Design
from ..values import PathT, is_int
from . import E, RESOURCES, W, epochs, rule
from . import data as training_data

DOCS = [
    rule(
        "CK280", W, RESOURCES,
        "A model directory (or its config.json), the dataset, a task script or a task's own dataset file is missing.",
        """A missing resource is a prerequisite, not a blocker: the design is still valid and
        the README lists what to create before running. Relative paths are resolved against
        the directory of the design file.""",
        "Create or download the resource, or fix the path.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/modles/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
    ),
    rule(
        "CK281", E, RESOURCES,
        "data.training.splits differ from the dataset file's split counts (or the dataset cannot be read).",
        """Training-step estimates (CK250-CK252) and the README come from these counts; a
        mismatch means the design was made for a different dataset than the one on disk.""",
        "Copy the counts the message reports into data.training.splits (or point at the right file).",
        """
        data:
          training:
            path: data/words_8L_500.json
            splits: {train: 500, validation: 50, test: 50}
        """,
        """
        data:
          training:
            path: data/words_8L_500.json
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    rule(
        "CK282", W, RESOURCES,
        "A task script defines no @task function (or cannot be parsed).",
        """inspect-ai runs functions decorated with @task; a script without one runs nothing.
        The script is parsed, never imported or executed.""",
        "Decorate the task function with @task (from inspect_ai import task).",
        """
        # tasks/capitalization.py
        def capitalization():
            return Task(dataset=..., solver=generate(), scorer=match())
        """,
        """
        # tasks/capitalization.py
        from inspect_ai import Task, task

        @task
        def capitalization():
            return Task(dataset=..., solver=generate(), scorer=match())
        """,
    ),
    rule(
        "CK283", W, RESOURCES,
        "A size or split field is null (not measured).",
        """null means the resource was missing when the design was made. Step estimates and
        disk-usage estimates are skipped for it. Reported only with --check-resources: without
        it the validator does not look at the disk, and a design that is waiting for its
        dataset should not nag on every commit.""",
        "Fill in the measured value (the hint gives it when the resource exists now).",
        """
        data:
          training:
            size_kb: null
            splits: {train: null, validation: null, test: null}
        """,
        """
        data:
          training:
            size_kb: 28
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    rule(
        "CK284", E, RESOURCES,
        "An eval-only run's checkpoint_path does not exist or does not look like a model (no config.json, no weights).",
        """An eval-only run evaluates something that already exists: unlike a base model or a
        dataset it is not a prerequisite to fetch later, and a folder without config.json or
        weights (*.safetensors, *.bin, *.pt) is usually the run's output directory one level
        above its epoch_N checkpoints. Relative paths are resolved against the design file's
        directory.""",
        "Point checkpoint_path at the checkpoint folder (e.g. .../ck-out-<run>/epoch_0) or model folder.",
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {checkpoint_path: /scratch/me/ck-outputs/old/ck-out-rank8}
        """,
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {checkpoint_path: /scratch/me/ck-outputs/old/ck-out-rank8/epoch_0}
        """,
        v03="""a 0.3 run's checkpoints are {experiment.dir}/<run>/artifacts/epoch_<N>: the hint names
        .../<run>/artifacts/epoch_0.""",
    ),
]


class _Paths:
    """Resolves the design's paths, and quotes them as the user wrote them."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.scripts: dict[Path, resources.TaskScriptFacts] = {}  # tasks often share one script

    def resolve(self, p: str) -> Path:
        path = Path(p).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def shown(self, p: str) -> str:
        return repr(p) if Path(p).expanduser().is_absolute() else f"{p!r} (resolved to {str(self.resolve(p))!r})"


def check(ctx: Ctx, d: Design) -> None:
    if ctx.base_dir is None:  # a disk family: only with --check-resources
        return
    paths = _Paths(ctx.base_dir)
    for j, m in enumerate(d.models or []):
        if isinstance(m, dict):
            _check_model(ctx, paths, j, m)
    _check_dataset(ctx, paths, d)
    for j, task in enumerate(d.tasks or []):
        if isinstance(task, dict):
            _check_task(ctx, paths, j, task)
    for i, run in enumerate(d.runs):
        if isinstance(run, dict) and run.get("type") == EVAL_ONLY and isinstance(run.get("parameters"), dict):
            _check_checkpoint(ctx, paths, i, run["parameters"].get(CHECKPOINT_PATH))


def _checkpoint_example(era: str) -> str:
    """A checkpoint folder of the design's era, its parents elided: .../ck-out-<run>/epoch_0 (seed),
    .../<run>/artifacts/epoch_0 (0.3)."""
    return naming.checkpoint_directory(era, "<run>", 0, experiment_dir="...", output_base="...")


def _check_checkpoint(ctx: Ctx, paths: _Paths, i: int, path: Any) -> None:
    """CK284 (a missing checkpoint_path is CK224's)."""
    if not isinstance(path, str) or not path.strip():
        return
    where: PathT = ("runs", i, "parameters", CHECKPOINT_PATH)
    facts = resources.model_facts(paths.resolve(path))
    if not facts.exists:
        ctx.add("CK284", where, f"runs[{i}].parameters.checkpoint_path: {paths.shown(path)} does not exist",
                "fix the path: an eval-only run evaluates a checkpoint that is already there")
    elif not (facts.has_config or facts.has_weights):
        ctx.add("CK284", where, f"runs[{i}].parameters.checkpoint_path: {paths.shown(path)} has no config.json and no weights: not a checkpoint or model folder",
                f"point at the folder that holds the weights (e.g. {_checkpoint_example(ctx.era)})")


def _check_model(ctx: Ctx, paths: _Paths, j: int, m: dict[Any, Any]) -> None:
    base: PathT = ("models", "base", j)
    facts = None
    if isinstance(m.get("path"), str):
        facts = resources.model_facts(paths.resolve(m["path"]))
        if not facts.exists:
            ctx.add("CK280", base + ("path",), f"models.base[{j}].path: model directory {paths.shown(m['path'])} does not exist",
                    "download the model there, or fix the path (a prerequisite, not a blocker)")
        elif not facts.has_config:
            ctx.add("CK280", base + ("path",), f"models.base[{j}].path: {paths.shown(m['path'])} has no config.json: not a Hugging Face model directory",
                    "point at the directory that holds config.json and the weights")
    if "size_gb" in m and m["size_gb"] is None:
        measured = f"; it measures {facts.size_gb} GB now" if facts and facts.exists and facts.size_gb is not None else ""
        ctx.add("CK283", base + ("size_gb",), f"models.base[{j}].size_gb is null (not measured){measured}",
                f"set size_gb: {facts.size_gb}" if measured else "fill it in once the model is downloaded")


def _dataset_facts(ctx: Ctx, paths: _Paths, training: dict[Any, Any]) -> resources.DatasetFacts | None:
    """The dataset's facts when it could be read (CK280, CK281, CK283 when not)."""
    if not isinstance(training.get("path"), str):
        return None
    p = training["path"]
    facts = resources.dataset_facts(paths.resolve(p))
    where: PathT = ("data", "training", "path")
    if not facts.exists:
        ctx.add("CK280", where, f"data.training.path: dataset {paths.shown(p)} does not exist",
                "create the dataset there, or fix the path (a prerequisite, not a blocker)")
        return None
    if facts.error and all(v is None for v in facts.splits.values()):
        if "pyarrow" in facts.error:
            ctx.add("CK283", where, f"data.training.path: split counts not measured: {facts.error}", "install pyarrow")
        else:
            ctx.add("CK281", where, f"data.training.path: cannot count the splits of {paths.shown(p)}: {facts.error}",
                    "the dataset must be a JSON object with train/validation/test lists (or parquet)")
        return None
    return facts


def _check_dataset(ctx: Ctx, paths: _Paths, d: Design) -> None:
    training = d.data_training
    facts = _dataset_facts(ctx, paths, training)
    if "size_kb" in training and training["size_kb"] is None:
        have = facts.size_kb if facts else None
        ctx.add("CK283", ("data", "training", "size_kb"), "data.training.size_kb is null (not measured)" + (f"; the file is {have} KB" if have is not None else ""),
                f"set size_kb: {have}" if have is not None else "fill it in once the dataset exists")
    splits = training.get("splits")
    if isinstance(splits, dict):
        for split in resources.SPLITS:
            _check_split(ctx, facts, splits, split, _needed_by(d, split))
    actual = facts.splits.get("validation") if facts is not None else -1
    if actual in (None, 0) and not (
        isinstance(splits, dict) and splits.get("validation") == 0  # said from the design alone
    ):
        shown = paths.shown(training["path"])
        why = f"the dataset {shown} has no validation list" if actual is None else f"the validation list of {shown} is empty"
        epochs.no_validation_data(ctx, d, why)
        training_data.validation_without_data(ctx, d, why)


def _needed_by(d: Design, split: str) -> str:
    """What needs the split ('' when nothing): a CK281 hint must not propose to drop it then."""
    if split != "validation":
        return ""
    if epochs.best_val_loss_entries(d):
        return "best_val_loss"
    if d.controls.get("validation_during_training") is True:
        return "validation_during_training"
    return ""


def _check_split(ctx: Ctx, facts: resources.DatasetFacts | None, splits: dict[Any, Any], split: str, needed_by: str) -> None:
    declared = splits.get(split, None)
    actual = facts.splits.get(split) if facts else None
    where: PathT = ("data", "training", "splits", split)
    if declared is None:
        ctx.add("CK283", where if split in splits else ("data", "training", "splits"),
                f"data.training.splits.{split} is null (not measured)" + (f"; the dataset has {actual}" if actual is not None else ""),
                f"set {split}: {actual}" if actual is not None else "fill it in once the dataset exists")
    elif facts is not None and is_int(declared):
        if actual is None and declared != 0:
            ctx.add("CK281", where, f"data.training.splits.{split} is {declared}, but the dataset has no {split!r} list",
                    f"add a {split} list to the dataset: {needed_by} needs it" if needed_by else f"set {split}: 0, or add the split to the dataset")
        elif actual is not None and actual != declared:
            ctx.add("CK281", where, f"data.training.splits.{split} is {declared}, but the dataset has {actual} {split} examples",
                    f"set {split}: {actual}")


_DATA_EXTENSIONS = (".json", ".jsonl", ".parquet", ".csv")


def _looks_like_path(value: str) -> bool:
    """A task's `dataset` that names a file (else it is a dataset id the task resolves)."""
    return value.startswith(("/", "./", "../", "~")) or value.lower().endswith(_DATA_EXTENSIONS)


def _check_task(ctx: Ctx, paths: _Paths, j: int, task: dict[Any, Any]) -> None:
    base: PathT = ("evaluation", "tasks", j)
    script = task.get("script")
    if isinstance(script, str):
        target = paths.resolve(script)
        facts = paths.scripts.get(target)
        if facts is None:
            facts = paths.scripts[target] = resources.task_script_facts(target)
        if not facts.exists:
            ctx.add("CK280", base + ("script",), f"evaluation.tasks[{j}].script: task script {paths.shown(script)} does not exist",
                    "write the inspect-ai task there, or fix the path (a prerequisite, not a blocker)")
        elif not facts.task_functions:
            problem = facts.error if facts.error and facts.error.startswith("cannot parse") else "defines no @task function"
            ctx.add("CK282", base + ("script",), f"evaluation.tasks[{j}].script: {paths.shown(script)} {problem}",
                    "decorate the task function with @task (from inspect_ai import task)")
    dataset = task.get("dataset")
    if isinstance(dataset, str) and dataset != "same" and _looks_like_path(dataset) and not paths.resolve(dataset).exists():
        ctx.add("CK280", base + ("dataset",), f"evaluation.tasks[{j}].dataset {paths.shown(dataset)} does not exist",
                "create the dataset there, fix the path, or use `same` for the training dataset")
