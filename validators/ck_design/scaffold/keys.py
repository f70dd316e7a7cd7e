"""What ck-scaffold writes: the layout of each era and every key of setup_finetune.yaml and of the
evaluation config, with where its value comes from (../shared/UPSTREAM.md section 2; the table
is docs/scaffold.md). Pure: a validated design and the site's settings in, file paths and ordered
key -> value mappings out; writer.py puts them on disk.

Every era-dependent fact is read through spec/era.py (the renamed fields) and spec/naming.py (the
training output folder of each era), so the scaffold reads both eras the way the validator does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..spec import era as eras
from ..spec import model_registry, naming
from ..spec.jobs import EVAL_CONFIG, EVAL_DIR, SETUP_FINETUNE, Cell, evaluation_cells, training_runs
from ..spec.jobs import SUBMIT as SUBMIT  # re-exported: the scaffold's files, named in one place
from ..spec.params import CHAT_COMPLETION, HYPERPARAMETERS
from ..spec.sweep import EVAL_ONLY, FINE_TUNED, CHECKPOINT_PATH, effective_prompt, run_value

# The files, relative to the experiment folder (UPSTREAM.md section 2, "Layout"): spec/jobs.py
# names them (the README's plan lists them too); the manifest is ck-scaffold's own record.
MANIFEST = "logs/scaffold-manifest.json"
# The first line of every file ck-scaffold writes.
HEADER = "generated from experiment_summary.yaml, do not edit: ck-scaffold rewrites it"

# custom_recipe: (one GPU, several GPUs) per era.
_RECIPES = "cruijff_kit.tools.torchtune.custom_recipes."
CUSTOM_RECIPE = {
    eras.SEED: (_RECIPES + "lora_finetune_single_device_stable", _RECIPES + "lora_finetune_distributed_stable"),
    eras.V03: (_RECIPES + "lora_finetune_single_device_nightly", _RECIPES + "lora_finetune_distributed_stable"),
}
# run_val_every_n_steps when the design does not set it (UPSTREAM.md: Decision).
VALIDATION_EVERY_N_STEPS = 50
# ck-design's parameter -> setup_finetune's key, where the names differ.
UPSTREAM_NAMES = {"packing": "packed"}
# Parameters that are not passed under their own name: the compute block carries gpus,
# run_val_every_n_steps carries validation_during_training.
_NOT_PASSED = frozenset({"gpus", "validation_during_training"})
TRAINING_PARAMS = tuple(p for p in HYPERPARAMETERS if p not in _NOT_PASSED)
SITE_KEYS = ("conda_env", "account", "partition", "constraint")
# An evaluation setting -> its design key (0.3's evaluation config: "the evaluation settings
# when set"); do_sample is read through spec/era.py (ck-design's seed-era name is `sampling`).
EVAL_SETTINGS = ("temperature", "max_tokens", "max_connections", "seed")


class UnsafeName(ValueError):
    """A run or task name that is not one safe folder name: it never reaches the disk."""


@dataclass(frozen=True)
class Site:
    """The researcher's settings from claude.local.md that jobs need (facts/localconfig.py)."""

    values: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.values.get(key) or None


@dataclass(frozen=True)
class Planned:
    """One file to write: its path under the experiment folder and its keys, in order."""

    path: str
    keys: Mapping[str, Any]
    kind: str  # "training" or "evaluation"
    run: str
    cell: Cell | None = None


@dataclass
class Scaffold:
    era: str
    files: list[Planned]
    pending: list[Cell]  # best_val_loss cells: their checkpoint is chosen after training
    problems: list[str]  # what keeps the design from being scaffolded (nothing is written)
    design: _Design | None = None


_SAFE: set[str] = set()  # names already found safe (a run has many cells)


def folder(name: Any, what: str) -> str:
    """`name` as one path component, or UnsafeName: the validator (CK264) refuses such a name
    first; this makes sure nothing reaches the disk even when called around it."""
    if isinstance(name, str) and name in _SAFE:
        return name
    if not naming.is_safe_name(name):
        raise UnsafeName(f"{what} {name!r} is not a safe folder name (letters, digits, '.', '_', '-'; no '..')")
    _SAFE.add(name)
    return str(name)


def training_file(run: str) -> str:
    return posixpath.join(folder(run, "run name"), SETUP_FINETUNE)


def evaluation_file(era: str, cell: Cell) -> str:
    """{run}/eval/{task}_epoch{N}/ for a checkpoint, {run}/eval/{task}/ for a run evaluated as it is."""
    run, task, epoch = folder(cell.run, "run name"), folder(cell.task, "task name"), cell.epoch
    leaf = f"{task}_epoch{epoch}" if type(epoch) is int else task
    return f"{run}/{EVAL_DIR}/{leaf}/{EVAL_CONFIG[era]}"


class _Design:
    """The parts of a validated design the keys are read from, indexed once."""

    def __init__(self, data: Mapping[str, Any], site: Site) -> None:
        self.data = data
        self.era = eras.era_of(data)
        self.site = site
        self.controls: Mapping[str, Any] = data.get("controls") or {}
        self.evaluation: Mapping[str, Any] = data.get("evaluation") or {}
        self.models = {m.get("name"): m for m in (data.get("models") or {}).get("base") or [] if isinstance(m, Mapping)}
        self.runs = {r.get("name"): r for r in data.get("runs") or [] if isinstance(r, Mapping)}
        self.tasks = {t.get("name"): t for t in self.evaluation.get("tasks") or [] if isinstance(t, Mapping)}
        self.training: Mapping[str, Any] = (data.get("data") or {}).get("training") or {}
        self.output: Mapping[str, Any] = data.get("output") or {}
        self.problems: list[str] = []
        self.cache: dict[Any, Any] = {}  # what every cell of a run, or of a task, shares

    def path(self, value: Any, where: str) -> str:
        """A path written into a job file: absolute, else a problem (SLURM jobs run elsewhere)."""
        text = str(value or "")
        if not text.startswith("/"):
            self.problems.append(
                f"{where}: {text!r} is not an absolute path; SLURM jobs start in another folder: write the full path"
            )
        return text

    def model_path(self, run: Mapping[str, Any]) -> str:
        model = self.models.get(run.get("model")) or {}
        return self.path(model.get("path"), f"models.base[{run.get('model')}].path").rstrip("/") or "/"

    def training_output(self, run_name: str) -> str:
        """The run's training output folder, with a trailing '/'."""
        if self.era == eras.V03:
            base = self.path(eras.experiment_dir(self.data), "experiment.dir")
            return naming.training_output_directory(self.era, run_name, experiment_dir=base) + "/"
        base = self.path(self.output.get("base_directory"), "output.base_directory")
        return naming.training_output_directory(self.era, run_name, output_base=base) + "/"

    def dataset_type(self, run: Mapping[str, Any]) -> str:
        given = self.controls.get("dataset_type")
        return given if isinstance(given, str) else model_registry.default_dataset_type(str(run.get("model")))


def _parent_and_name(path: str) -> tuple[str, str]:
    """('/a/b/', 'c') for /a/b/c: upstream appends the name to the parent itself."""
    head, tail = posixpath.split(path.rstrip("/"))
    return head.rstrip("/") + "/", tail


def _gpus(run: Mapping[str, Any], controls: Mapping[str, Any]) -> Any:
    compute = run.get("compute") if isinstance(run.get("compute"), Mapping) else {}
    return compute.get("gpus", run_value(run, controls, "gpus")[0])


def setup_finetune(d: _Design, run: Mapping[str, Any]) -> dict[str, Any]:
    """setup_finetune.yaml of one fine-tuned run, keys in one fixed order (UPSTREAM.md section 2)."""
    name = str(run["name"])
    model_path = d.model_path(run)
    data_path = d.path(d.training.get("path"), "data.training.path")
    keys: dict[str, Any] = {
        "my_wandb_run_name": name,
        "my_wandb_project": d.output.get("wandb_project") or d.site.get("wandb_project"),
        "torchtune_model_name": run.get("model"),
        "model_checkpoint": model_path,
        "models_dir": posixpath.dirname(model_path),
        "input_dir_base": _parent_and_name(data_path)[0],
        "dataset_label": eras.dataset_label(d.data, d.era),
        "dataset_ext": ".json" if d.training.get("format", "json") == "json" else "/",
        "input_formatting": "",
        "dataset_type": d.dataset_type(run),
    }
    if d.era == eras.V03:
        keys["project_dir"], keys["experiment_name"] = _parent_and_name(d.path(eras.experiment_dir(d.data), "experiment.dir"))
    else:
        base = d.path(d.output.get("base_directory"), "output.base_directory")
        keys["output_dir_base"], keys["experiment_name"] = _parent_and_name(base)
    for param in TRAINING_PARAMS:
        keys[UPSTREAM_NAMES.get(param, param)] = run_value(run, d.controls, param)[0]
    for prompt in ("prompt", "system_prompt"):
        keys[prompt] = run_value(run, d.controls, prompt)[0]
    if d.era == eras.V03:
        keys["seed"] = run_value(run, d.controls, "seed")[0]
    keys["run_val_every_n_steps"] = _validation_steps(run, d.controls)
    keys["training_samples"] = (d.training.get("splits") or {}).get("train")
    gpus = _gpus(run, d.controls)
    several = isinstance(gpus, int) and not isinstance(gpus, bool) and gpus > 1
    keys["custom_recipe"] = CUSTOM_RECIPE[d.era][1 if several else 0]
    compute = run.get("compute") if isinstance(run.get("compute"), Mapping) else {}
    keys["time"] = compute.get("time")
    keys["gpus"] = gpus
    if d.era == eras.V03:
        keys["mem"] = compute.get("mem")
        keys["cpus_per_task"] = compute.get("cpus_per_task")
    overrides = run.get("slurm_overrides") if isinstance(run.get("slurm_overrides"), Mapping) else {}
    for key in SITE_KEYS:
        keys[key] = overrides.get(key) or d.site.get(key)
    return {k: v for k, v in keys.items() if v is not None}


def _validation_steps(run: Mapping[str, Any], controls: Mapping[str, Any]) -> int:
    """The design's run_val_every_n_steps, else 50 with validation during training, else 0
    (0 makes upstream drop the validation set; a design that says nothing asks for none)."""
    given = run_value(run, controls, "run_val_every_n_steps")[0]
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    return VALIDATION_EVERY_N_STEPS if run_value(run, controls, "validation_during_training")[0] is True else 0


def _vis_label(d: _Design, entry: Mapping[str, Any] | None, cell: Cell) -> str:
    label = str((entry or {}).get("vis_label") or cell.run)
    tasks = (entry or {}).get("tasks") or []
    if d.era == eras.V03 and len(tasks) > 1:
        return f"{label} ({cell.task})"
    return label


def _run_part(d: _Design, run_name: str) -> tuple[str, str, Mapping[str, Any], str]:
    """(kind, training output, the run, dataset_type) of a run: the same for all its cells."""
    hit = d.cache.get(("run", run_name))
    if hit is None:
        run = d.runs[run_name]
        hit = d.cache[("run", run_name)] = (run.get("type"), d.training_output(run_name), run, d.dataset_type(run))
    return hit


def _task_part(d: _Design, task_name: str) -> tuple[Mapping[str, Any], str, str]:
    """(the task, its task_script, its data_path): the same for all its cells."""
    hit = d.cache.get(("task", task_name))
    if hit is None:
        task = d.tasks[task_name]
        dataset = task.get("dataset")
        if dataset and dataset != "same":
            data_path = d.path(dataset, f"evaluation.tasks[{task_name}].dataset")
        else:
            data_path = d.path(d.training.get("path"), "data.training.path")
        script = f"{d.path(task.get('script'), f'evaluation.tasks[{task_name}].script')}@{task_name}"
        hit = d.cache[("task", task_name)] = (task, script, data_path)
    return hit


def _common_part(d: _Design) -> dict[str, Any]:
    """The keys every cell of the design shares, after its own: scorers and evaluation settings."""
    hit = d.cache.get("common")
    if hit is None:
        if d.era == eras.V03:
            hit = {"scorers": eras.scorers(d.data, d.era)}
        else:
            hit = {"scorer": eras.scorers(d.data, d.era)}
        d.cache["common"] = hit
    return hit


def _checkpoint(output: str, cell: Cell) -> tuple[str, str]:
    """(model_path, model_hf_name) of a fine-tuned run's cell: its training output + epoch_{N}."""
    return f"{output}epoch_{cell.epoch}", f"hf/{cell.run}_epoch_{cell.epoch}"


def evaluation_config(d: _Design, cell: Cell, entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """The evaluation config of one matrix cell, keys in one fixed order (UPSTREAM.md section 2)."""
    kind, output, run, dataset_type = _run_part(d, cell.run)
    task, script, data_path = _task_part(d, cell.task)
    if kind == FINE_TUNED:
        model_path, hf_name = _checkpoint(output, cell)
    elif kind == EVAL_ONLY:
        model_path = d.path((run.get("parameters") or {}).get(CHECKPOINT_PATH), f"runs[{cell.run}].parameters.checkpoint_path")
        hf_name = f"hf/{cell.run}"
    else:
        model_path, hf_name = d.model_path(run), f"hf/{cell.run}"
    keys: dict[str, Any] = {
        "task_script": script,
        "task_name": cell.task,
        "model_path": model_path,
        "model_hf_name": hf_name,
        "output_dir": output,
        "data_path": data_path,
        "vis_label": _vis_label(d, entry, cell),
        "use_chat_template": dataset_type == CHAT_COMPLETION,
        "prompt": effective_prompt(run, task, d.controls, d.evaluation, "prompt")[0],
        "system_prompt": effective_prompt(run, task, d.controls, d.evaluation, "system_prompt")[0],
    }
    epoch = cell.epoch if kind == FINE_TUNED else None
    common = _common_part(d)
    if d.era == eras.V03:
        keys["assistant_prefix"] = task.get("assistant_prefix", d.evaluation.get("assistant_prefix"))
        keys.update(common)
        keys["is_finetuned"] = kind in (FINE_TUNED, EVAL_ONLY)
        keys["epoch"] = epoch
        keys["source_model"] = run.get("model")
        keys["temperature"] = d.evaluation.get("temperature")
        keys["do_sample"] = eras.sampling(d.data, d.era)
        for setting in EVAL_SETTINGS[1:]:
            keys[setting] = d.evaluation.get(setting)
        keys["dataset_type"] = dataset_type
    else:
        keys.update(common)
        keys["finetuned"] = kind == FINE_TUNED
        keys["epoch"] = epoch
    return {k: v for k, v in keys.items() if v is not None}


def _cell_config(d: _Design, cell: Cell, entry: Mapping[str, Any] | None,
                 same_task: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """evaluation_config, built once per (run, task): a fine-tuned run's cells of one task differ
    only in their checkpoint (model_path, model_hf_name, epoch; tests compare every key)."""
    if d.runs[cell.run].get("type") != FINE_TUNED or type(cell.epoch) is not int:
        return evaluation_config(d, cell, entry)
    first = same_task.get((cell.run, cell.task))
    if first is None:
        first = same_task[(cell.run, cell.task)] = evaluation_config(d, cell, entry)
        return first
    keys = dict(first)
    keys["model_path"], keys["model_hf_name"] = _checkpoint(_run_part(d, cell.run)[1], cell)
    keys["epoch"] = cell.epoch
    return keys


def scaffold(data: Mapping[str, Any], site: Site | None = None) -> Scaffold:
    """Every file of a validated design, in design order: each fine-tuned run's setup_finetune.yaml,
    then one evaluation config per matrix cell. Raises UnsafeName for a name that is not one folder."""
    d = _Design(data, site or Site())
    files = [Planned(training_file(str(r["name"])), setup_finetune(d, r), "training", str(r["name"])) for r in training_runs(data)]
    entries = {e.get("run"): e for e in d.evaluation.get("matrix") or [] if isinstance(e, Mapping)}
    pending: list[Cell] = []
    same_task: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in evaluation_cells(data):
        if not cell.resolved:
            pending.append(cell)
            continue
        if cell.run not in d.runs or cell.task not in d.tasks:
            d.problems.append(f"evaluation.matrix: {cell.run!r} x {cell.task!r} names no run or task of the design")
            continue
        path = evaluation_file(d.era, cell)
        files.append(Planned(path, _cell_config(d, cell, entries.get(cell.run), same_task), "evaluation", cell.run, cell))
    return Scaffold(d.era, files, pending, list(dict.fromkeys(d.problems)), d)


# --- Rendering: the arguments of cruijff_kit's own scripts (scaffold/render.py runs them) --------

FINETUNE_SLURM = "finetune.slurm"


def eval_slurm(era: str, cell: Cell) -> str:
    """The evaluation script's file name: upstream's default of each era (0.3: cell.slurm, which
    its submit_inspect looks for; seed: {task}_epoch{N}.slurm, {task}.slurm for a control)."""
    if era == eras.V03:
        return "cell.slurm"
    return f"{cell.task}_epoch{cell.epoch}.slurm" if isinstance(cell.epoch, int) else f"{cell.task}.slurm"


def inspect_arguments(sc: Scaffold, cell: Cell) -> list[str]:
    """setup_inspect's command-line options for one cell besides --config: the model, the
    evaluation job's compute (`evaluation.compute`; --gpus only in 0.3, the seed script has none),
    the site's SLURM settings (a run's slurm_overrides win) and the output file."""
    d = sc.design
    assert d is not None
    run = d.runs[cell.run]
    compute = d.evaluation.get("compute") if isinstance(d.evaluation.get("compute"), Mapping) else {}
    overrides = run.get("slurm_overrides") if isinstance(run.get("slurm_overrides"), Mapping) else {}
    options: dict[str, Any] = {"--model_name": run.get("model"), "--time": compute.get("time"), "--mem": compute.get("mem")}
    if sc.era == eras.V03:
        options["--gpus"] = compute.get("gpus")
    for key in ("account", "partition", "constraint"):
        options[f"--{key}"] = overrides.get(key) or d.site.get(key)
    options["--conda_env"] = d.site.get("conda_env")
    options["--output_slurm"] = eval_slurm(sc.era, cell)
    return [str(x) for k, v in options.items() if v is not None for x in (k, v)]


def last_checkpoint(sc: Scaffold, run_name: str) -> str:
    """The folder training leaves last (epoch_{epochs-1}): when it exists the run has trained."""
    d = sc.design
    assert d is not None
    epochs = run_value(d.runs[run_name], d.controls, "epochs")[0]
    last = epochs - 1 if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0 else 0
    return f"{d.training_output(run_name)}epoch_{last}"
