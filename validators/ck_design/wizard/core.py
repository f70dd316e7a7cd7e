"""The wizard's logic as plain functions: answers in, design (and its plan) out.

copier.yml and the template call these through `ck_design.jinja_ext`; the tests call them
directly. Nothing here knows about Jinja or copier: it takes a mapping of answers (the keys of
SPEC section 4) and builds the experiment_summary.yaml data of SPEC section 6 with the run
generation of `ck_design.design`, plus what the README and the approval step show.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..facts import resources
from ..facts.prerequisites import dataset_facts, model_facts, prerequisites
from ..spec import model_registry, naming, sweep
from ..spec.naming import SAFE_NAME_PATTERN
from ..spec.params import KNOWN_PARAMETERS

SCHEMA_URL = "https://raw.githubusercontent.com/ck-design/ck-design/main/schemas/experiment_summary.schema.json"
SCHEMA_FILE = "experiment_summary.schema.json"

EXPERIMENT_TYPES = ("experiment", "sanity_check")
SCORERS = ("match", "includes", "risk_scorer", "numeric_risk_scorer")
MATCH_LOCATIONS = ("exact", "begin", "end", "any")
DEFAULT_MODEL = "Llama-3.2-1B-Instruct"

# Hyperparameters in the order controls lists them, with their types and defaults (SPEC 4).
HYPERPARAMETERS: dict[str, tuple[type, Any]] = {
    "epochs": (int, 1),
    "batch_size": (int, 4),
    "gpus": (int, 1),
    "validation_during_training": (bool, True),
    "lora_rank": (int, 8),
    "lr": (float, 1e-4),
    "gradient_accumulation_steps": (int, 1),
    "weight_decay": (float, 0.01),
    "lora_dropout": (float, 0.0),
    "num_warmup_steps": (int, 100),
    "max_seq_len": (int, 2048),
    "packing": (bool, True),
}
# Lower bounds: (minimum, inclusive?)
_BOUNDS: dict[str, tuple[float, bool]] = {
    "epochs": (1, True), "batch_size": (1, True), "gpus": (1, True), "lora_rank": (1, True),
    "lr": (0, False), "gradient_accumulation_steps": (1, True), "weight_decay": (0, True),
    "lora_dropout": (0, True), "num_warmup_steps": (0, True), "max_seq_len": (1, True),
}
CONSTANT_ONLY = ("system_prompt", "prompt")
_SAFE_NAME = re.compile(SAFE_NAME_PATTERN)
_SANITY_MARKERS = ("ck-sanity-checks", "sanity")

# --------------------------------------------------------------------------------------------
# YAML scalars
# --------------------------------------------------------------------------------------------

_PLAIN_OK = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./+-]*$")
# Words some YAML reader (1.1 or 1.2) reads as something other than a string.
_RESERVED = frozenset(
    "null ~ true false yes no on off y n".split()
)


class _Dumper(yaml.SafeDumper):
    pass


def _dump_scalar(value: Any, style: str | None) -> str:
    text = yaml.dump(value, Dumper=_Dumper, default_style=style, allow_unicode=True, width=2**31,
                     explicit_start=False)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def _reload(text: str) -> Any:
    from ..facts.loader import loads

    return loads(f"v: {text}\n").data["v"]


def yaml_scalar(value: Any) -> str:
    """One value as a YAML scalar on one line, read back identically by ck_design.loader and
    by PyYAML (YAML 1.1): plain where that is unambiguous, else single- or double-quoted.

    Floats keep PyYAML's spelling (`1.0e-05`, `0.0001`), which both YAML 1.1 and 1.2 read as
    floats; strings that look like anything else (`null`, `no`, `1e-5`, `2026-11-25`) are quoted.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"{value!r} is not a usable number in a design")
        return _dump_scalar(value, None)
    if not isinstance(value, str):
        raise TypeError(f"not a scalar: {value!r}")
    if _PLAIN_OK.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    text = _dump_scalar(value, "'")
    if "\n" in text or _reload(text) != value:
        text = _dump_scalar(value, '"')
    return text


def yaml_flow_list(values: Sequence[Any]) -> str:
    """A short list of scalars in flow style: `[0, 1]`, `['0', '1']`."""
    return "[" + ", ".join(yaml_scalar(v) for v in values) + "]"


def yaml_value(value: Any) -> str:
    """A scalar, a scalar list (flow), or an empty mapping/list, on one line."""
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (list, tuple, dict)) for v in value):
            return yaml_flow_list(value)
        raise TypeError("nested lists are laid out by the template")
    if isinstance(value, dict):
        if not value:
            return "{}"
        raise TypeError("mappings are laid out by the template")
    return yaml_scalar(value)


def is_relative_local_path(src: Any) -> bool:
    """A template source given as a relative local path (`.`, `../ck-design`), not a URL."""
    if not isinstance(src, str) or not src or os.path.isabs(src) or src.startswith("~"):
        return False
    if "://" in src or re.match(r"^[A-Za-z][\w.+-]*:", src) or re.match(r"^[^/]+@[^/]+:", src):
        return False  # https://..., gh:org/repo, git@host:org/repo
    return os.path.isdir(src)


def answers_yaml(answers: Mapping[str, Any]) -> str:
    """The copier answers file body: block style, `approved` left out (asked afresh each time).

    A relative local template path is recorded absolute: copier stores `_src_path` as given,
    and `copier update`, run from inside the experiment, would not find `../ck-design`.
    """
    kept = {k: v for k, v in answers.items() if k != "approved"}
    if is_relative_local_path(kept.get("_src_path")):
        kept["_src_path"] = os.path.abspath(kept["_src_path"])
    return yaml.dump(kept, Dumper=_AnswersDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=2**31)


class _AnswersDumper(yaml.SafeDumper):
    """Block style; strings holding a character YAML treats as a line break (NEL, LS, PS) are
    double-quoted, where PyYAML escapes them (unescaped, a reader folds them into a space)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if any(ch in value for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_AnswersDumper.add_representer(str, _represent_str)


# --------------------------------------------------------------------------------------------
# Small facts the questions need
# --------------------------------------------------------------------------------------------


def today() -> str:
    return _dt.date.today().isoformat()


def detect_experiment_type(dst_path: Any) -> str:
    """`sanity_check` when the destination path mentions a sanity check, else `experiment`."""
    text = str(dst_path or "").lower()
    return "sanity_check" if any(m in text for m in _SANITY_MARKERS) else "experiment"


def _list_model_dirs(models_dir: str) -> list[str]:
    try:
        with os.scandir(Path(models_dir).expanduser()) as it:
            return sorted(e.name for e in it if e.is_dir())
    except OSError:
        return []


def model_choices(models_dir: Any, current: Any = None) -> list[str]:
    """The model directories in models_dir the registry knows, else the whole registry.

    Models already answered (e.g. with --data, or on update) stay choosable even when the
    registry does not know them: copier silently drops multiselect answers not in the choices.
    """
    found = [d for d in _list_model_dirs(str(models_dir or "")) if d in model_registry.MODELS]
    choices = found or list(model_registry.MODELS)
    for m in _as_list(current):
        if isinstance(m, str) and m and m not in choices:
            choices.append(m)
    return choices


def default_models(models_dir: Any) -> list[str]:
    choices = model_choices(models_dir)
    return [DEFAULT_MODEL] if DEFAULT_MODEL in choices else choices[:1]


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def full_gpu_question_applies(models: Any) -> bool:
    """Ask the full-GPU question only when a chosen model would fit on less than a full GPU."""
    return any(model_registry.fits_shared_gpu(m) for m in _as_list(models))


def needs_full_gpu_always(model: str) -> bool:
    info = model_registry.lookup(model)
    return info is not None and info.min_gpu_vram_gb >= model_registry.FULL_GPU_VRAM_GB


def overrides_apply(models: Any, full_gpu: Any) -> bool:
    """Whether any run gets slurm_overrides (so the constraint/partition questions matter)."""
    models = _as_list(models)
    if any(needs_full_gpu_always(m) for m in models):
        return True
    return bool(full_gpu) and full_gpu_question_applies(models)


def dataset_label(path: Any) -> str:
    return resources.dataset_label(str(path or "")) if path else ""


def safe_name(text: str) -> str:
    """`text` made into a safe directory name (for defaults: the user can still change it)."""
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._-")
    out = re.sub(r"\.\.+", ".", out)
    return out or "experiment"


_EXPERIMENT_PARENTS = ("ck-experiments", "ck-sanity-checks")


def default_experiment_name(
    task_label: Any, experiment_factor: Any, experiment_date: Any, dst_path: Any = None
) -> str:
    """`{task_label}_{experiment_factor}_{experiment_date}` (SPEC 4), except when the user
    already named the experiment by its destination: `.../ck-experiments/<name>` (or
    ck-sanity-checks/). Then `<name>` is the default, so experiment.directory is where the
    files actually are instead of a sibling folder that never gets created."""
    if dst_path:
        dst = Path(absolute_path(dst_path))
        if dst.parent.name in _EXPERIMENT_PARENTS and not check_experiment_name(dst.name):
            return dst.name
    return safe_name(f"{task_label}_{experiment_factor}_{experiment_date}")


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


def absolute_path(path: Any) -> str:
    """A path as the design records it: an absolute path exactly as given (user strings
    round-trip); `~` expanded and relative paths made absolute against the cwd."""
    if not path:
        return ""
    text = str(path)
    if os.path.isabs(text):
        return text
    return os.path.normpath(os.path.abspath(os.path.expanduser(text)))


# --------------------------------------------------------------------------------------------
# Answer validation (copier validators): "" when fine, else why it cannot work
# --------------------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    """A string that reads as a YAML 1.2 number becomes one (`1e-5` typed in a YAML answer)."""
    if isinstance(value, str):
        s = value.strip()
        try:
            return int(s)
        except ValueError:
            pass
        try:
            f = float(s)
        except ValueError:
            return value
        if not (math.isnan(f) or math.isinf(f)):
            return f
    return value


def normalize_value(param: str, value: Any) -> Any:
    """A hyperparameter value in its proper type where that is unambiguous."""
    kind = HYPERPARAMETERS.get(param, (None, None))[0]
    if kind in (int, float):
        value = _number(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
    return value


def normalize_variables(variables: Any) -> dict[str, list[Any]]:
    if not isinstance(variables, Mapping):
        return {}
    return {str(k): [normalize_value(str(k), v) for v in (vs if isinstance(vs, list) else [vs])]
            for k, vs in variables.items()}


def _check_param_value(param: str, value: Any) -> str:
    kind = HYPERPARAMETERS.get(param, (None, None))[0]
    if kind is None:
        return ""
    if kind is bool:
        return "" if isinstance(value, bool) else f"{param} takes true or false, not {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and isinstance(value, float)):
        return f"{param} takes {'an integer' if kind is int else 'a number'}, not {value!r}"
    low, inclusive = _BOUNDS.get(param, (None, True))
    if low is not None and (value < low or (not inclusive and value <= low)):
        return f"{param} must be {'>=' if inclusive else '>'} {low}, not {value!r}"
    if param == "lora_dropout" and value >= 1:
        return f"lora_dropout must be < 1, not {value!r}"
    return ""


def check_variables(variables: Any) -> str:
    if variables is None or variables == "":
        return ""
    if not isinstance(variables, Mapping):
        return "variables must be a mapping of parameter -> list of values, e.g. {lora_rank: [4, 8]}, or {} for none"
    for name, values in variables.items():
        if name in CONSTANT_ONLY:
            return (f"{name} cannot be a variable: training and evaluation need one {name} "
                    f"(controls.{name} = evaluation.{name}); run a second experiment instead")
        if name not in KNOWN_PARAMETERS:
            known = ", ".join(p for p in KNOWN_PARAMETERS if p not in CONSTANT_ONLY)
            return f"unknown hyperparameter {name!r}; known: {known}"
        if not isinstance(values, list) or not values:
            return f"{name} needs a non-empty list of values, e.g. {name}: [4, 8]"
        norm = [normalize_value(name, v) for v in values]
        for v in norm:
            if isinstance(v, (list, dict)):
                return f"{name}: {v!r} is not a single value"
            if msg := _check_param_value(name, v):
                return msg
        if len({repr(v) for v in norm}) != len(norm):
            return f"{name} lists a value twice ({values!r}): two runs would share one name"
    return ""


def check_param(param: str, value: Any) -> str:
    return _check_param_value(param, normalize_value(param, value))


def check_gpus(gpus: Any, models: Any) -> str:
    if msg := check_param("gpus", gpus):
        return msg
    for m in _as_list(models):
        info = model_registry.lookup(m)
        if info is not None and isinstance(gpus, int) and gpus < info.min_gpus:
            return (f"{m} needs about {info.min_gpu_vram_gb} GB of GPU memory: at least {info.min_gpus} "
                    f"GPUs of {model_registry.FULL_GPU_VRAM_GB} GB, not {gpus}")
    return ""


def check_required(value: Any, what: str) -> str:
    return "" if isinstance(value, str) and value.strip() else f"{what} is required"


def check_prompt(prompt: Any) -> str:
    if not isinstance(prompt, str) or "{input}" not in prompt:
        return ("the prompt must contain the {input} placeholder, where each example's input goes, "
                "e.g. 'Capitalize: {input}\\n'")
    return ""


def check_experiment_name(name: Any) -> str:
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
        return (f"{name!r} is not a safe directory name: use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit, and no '..'")
    return ""


def check_date(text: Any) -> str:
    try:
        if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            _dt.date.fromisoformat(text)
            return ""
    except ValueError:
        pass
    return f"{text!r} is not a real date in YYYY-MM-DD form"


def _training_epochs(answers: Mapping[str, Any]) -> list[int]:
    variables = normalize_variables(answers.get("variables") or {})
    if "epochs" in variables:
        return [int(v) for v in variables["epochs"] if isinstance(v, int) and not isinstance(v, bool)]
    e = answers.get("epochs", 1)
    return [int(e)] if isinstance(e, int) and not isinstance(e, bool) else [1]


def check_eval_epoch_list(value: Any, epochs: Any = None, variables: Any = None) -> str:
    if not isinstance(value, list) or not value:
        return "give a non-empty list of 0-indexed epochs, e.g. [0] or [0, 1]"
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return f"epochs are integers: {value!r}"
    if any(v < 0 for v in value):
        return f"epochs are 0-indexed and never negative: {value!r}"
    if len(set(value)) != len(value):
        return f"an epoch is listed twice: {value!r}"
    trained = _training_epochs({"epochs": epochs, "variables": variables or {}}) or [1]
    shortest = min(trained)
    bad = [v for v in value if v >= shortest]
    if bad:
        hint = ""
        if sorted(value) == list(range(1, len(value) + 1)) or max(value) == shortest:
            hint = f"; it looks 1-indexed, did you mean {[v - 1 for v in value]!r}?"
        return (f"epochs are 0-indexed: training {shortest} epoch(s) saves epoch_0..epoch_{shortest - 1}, "
                f"so {bad!r} never exists{hint}")
    return ""


def check_eval_tasks(tasks: Any) -> str:
    if not isinstance(tasks, list) or not tasks:
        return "give a list of tasks, e.g. [{name: capitalization, script: /path/task.py, description: ...}]"
    names = set()
    for i, t in enumerate(tasks):
        if not isinstance(t, Mapping):
            return f"task {i + 1} is not a mapping with name, script and description"
        for key in ("name", "script", "description"):
            if not isinstance(t.get(key), str) or (key != "description" and not t.get(key).strip()):
                return f"task {i + 1} needs a {key} (text)"
        if "dataset" in t and not isinstance(t["dataset"], str):
            return f"task {t['name']!r}: dataset is a path or 'same'"
        extra = set(t) - {"name", "script", "description", "dataset"}
        if extra:
            return f"task {t['name']!r}: unknown key(s) {sorted(extra)}; allowed: name, script, description, dataset"
        if t["name"] in names:
            return f"task name {t['name']!r} is used twice"
        names.add(t["name"])
    return ""


def check_eval_matrix(matrix: Any, eval_tasks: Any) -> str:
    if not isinstance(matrix, Mapping):
        return "give a mapping of task name -> list of run-name patterns, e.g. {mmlu: ['*8B*']}"
    task_names = [t.get("name") for t in (eval_tasks or []) if isinstance(t, Mapping)]
    for task, patterns in matrix.items():
        if task not in task_names:
            return f"{task!r} is not one of the evaluation tasks {task_names}"
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
            return f"{task}: give a non-empty list of run-name patterns (glob, e.g. '*rank8*')"
    return ""


def check_string_list(value: Any, what: str) -> str:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v != "" for v in value):
        return f"{what} must be a non-empty list of strings, e.g. ['0', '1']"
    return ""


def check_best_val_loss(answers: Mapping[str, Any]) -> str:
    variables = normalize_variables(answers.get("variables") or {})
    vals = variables.get("validation_during_training", [answers.get("validation_during_training", True)])
    if not all(v is True for v in vals):
        return "best_val_loss needs validation during training (step 4): without it there is no validation loss"
    return ""


# --------------------------------------------------------------------------------------------
# The design
# --------------------------------------------------------------------------------------------


def _get(answers: Mapping[str, Any], key: str, default: Any) -> Any:
    value = answers.get(key, default)
    return default if value is None else value


def build_design(answers: Mapping[str, Any]) -> dict[str, Any]:
    """experiment_summary.yaml (SPEC 6) as plain data, in the file's key order."""
    scratch = absolute_path(_get(answers, "scratch_dir", "")) or absolute_path(".")
    etype = _get(answers, "experiment_type", "experiment")
    name = str(_get(answers, "experiment_name", "experiment"))
    models = [str(m) for m in _as_list(_get(answers, "models", [DEFAULT_MODEL]))]
    models_dir = absolute_path(_get(answers, "models_dir", ""))
    variables = normalize_variables(_get(answers, "variables", {}))
    system_prompt = str(_get(answers, "system_prompt", ""))
    prompt = str(_get(answers, "prompt", "{input}\n"))

    controls: dict[str, Any] = {"system_prompt": system_prompt, "prompt": prompt}
    for param, (_kind, default) in HYPERPARAMETERS.items():
        if param not in variables:
            controls[param] = normalize_value(param, _get(answers, param, default))

    full_gpu = bool(_get(answers, "full_gpu", etype == "experiment"))
    overrides_values = {"constraint": str(_get(answers, "gpu_constraint", "")),
                        "partition": str(_get(answers, "gpu_partition", ""))}
    slurm: dict[str, dict[str, str]] = {}
    for m in models:
        if needs_full_gpu_always(m) or (full_gpu and model_registry.fits_shared_gpu(m)):
            kept = {k: v for k, v in overrides_values.items() if v}
            if kept:
                slurm[m] = kept
    runs = sweep.generate_runs(models, variables, bool(_get(answers, "include_base_controls", True)), slurm)

    dataset_path = absolute_path(_get(answers, "dataset_path", ""))
    ds = dataset_facts(dataset_path) if dataset_path else resources.DatasetFacts("", False)
    tasks = []
    for t in _get(answers, "eval_tasks", []) or []:
        task = {"name": str(t["name"]), "script": absolute_path(t["script"]), "description": str(t.get("description", ""))}
        if t.get("dataset") not in (None, ""):
            d = str(t["dataset"])
            task["dataset"] = d if d == "same" else absolute_path(d)
        tasks.append(task)

    eval_epochs = _get(answers, "eval_epochs", "last")
    selective = _get(answers, "eval_selection", "all") == "selective"
    matrix = sweep.build_matrix(
        runs,
        [t["name"] for t in tasks],
        eval_epochs=eval_epochs,
        epochs=int(controls.get("epochs", 1)) if "epochs" not in variables else 1,
        eval_epoch_list=_get(answers, "eval_epoch_list", None) if eval_epochs == "specific" else None,
        eval_matrix=(_get(answers, "eval_matrix", {}) or None) if selective else None,
        vis_label_style=_get(answers, "vis_label_style", "short"),
    )

    scorers = []
    for s in _as_list(_get(answers, "scorers", ["match"])):
        params: dict[str, Any] = {}
        if s == "match":
            params = {"location": _get(answers, "match_location", "exact"),
                      "ignore_case": bool(_get(answers, "match_ignore_case", False))}
        elif s == "includes":
            params = {"ignore_case": bool(_get(answers, "includes_ignore_case", False))}
        elif s == "risk_scorer":
            params = {"option_tokens": [str(v) for v in _get(answers, "risk_option_tokens", ["0", "1"])]}
        elif s == "numeric_risk_scorer":
            params = {"labels": [str(v) for v in _get(answers, "numeric_labels", ["0", "1"])]}
        scorers.append({"name": s, "params": params})

    base_models = []
    for m in models:
        path = os.path.join(models_dir, m) if models_dir else m
        facts = model_facts(path)
        base_models.append({"name": m, "path": path, "size_gb": facts.size_gb if facts.exists else None})

    return {
        "experiment": {
            "name": name,
            "type": etype,
            "question": str(_get(answers, "question", "")),
            "date": str(_get(answers, "experiment_date", today())),
            "hypothesis": str(_get(answers, "hypothesis", "")),
            "purpose": str(_get(answers, "purpose", "")),
            "directory": naming.experiment_directory(scratch, etype, name),
        },
        "tools": {
            "preparation": _get(answers, "preparation_tool", "torchtune"),
            "evaluation": _get(answers, "evaluation_tool", "inspect-ai"),
        },
        "variables": variables,
        "controls": controls,
        "models": {"base": base_models},
        "data": {
            "training": {
                "path": dataset_path,
                "label": dataset_label(dataset_path),
                "format": resources.dataset_format(dataset_path) if dataset_path else "json",
                "size_kb": ds.size_kb,
                "splits": dict(ds.splits),
            }
        },
        "output": {
            "base_directory": naming.output_directory(scratch, name),
            "checkpoint_pattern": "ck-out-{run_name}/epoch_{N}",
            "wandb_project": str(_get(answers, "wandb_project", "")),
        },
        "runs": runs,
        "evaluation": {
            "system_prompt": system_prompt,
            "temperature": float(_get(answers, "temperature", 0.0)),
            "scorer": scorers,
            "tasks": tasks,
            "matrix": matrix,
        },
    }


def summary_counts(design: Mapping[str, Any]) -> dict[str, int]:
    runs = design["runs"]
    return {
        "fine_tuned": sum(r["type"] == "fine-tuned" for r in runs),
        "controls": sum(r["type"] == "control" for r in runs),
        "tasks": len(design["evaluation"]["tasks"]),
        "evaluations": sweep.total_evaluations(design["evaluation"]["matrix"]),
    }


def epochs_text(epochs: Any) -> str:
    if epochs is None:
        return "base model (no epoch)"
    if isinstance(epochs, str):
        return epochs
    return ", ".join(f"epoch_{e}" for e in epochs)


def render_summary(design: Mapping[str, Any]) -> str:
    """The design as experiment_summary.yaml text, laid out like the template (for findings)."""
    return yaml.safe_dump(dict(design), sort_keys=False, allow_unicode=True, width=2**31)


def findings(design: Mapping[str, Any]) -> list[Any]:
    """The validator's findings on the design (empty when the validator is not installed yet)."""
    try:
        from ..facts.loader import loads
        from ..validate.engine import check
    except ImportError:
        return []
    try:
        doc = loads(render_summary(design), "experiment_summary.yaml")
        return sorted(check(doc, check_resources=True, base_dir=Path.cwd()), key=lambda f: (f.line, f.code))
    except Exception as exc:  # noqa: BLE001 - the plan must show even if a rule breaks
        return [f"(the validator failed on this plan: {type(exc).__name__}: {exc})"]


def plan_text(answers: Mapping[str, Any], dst_path: Any = None) -> str:
    """Step 8: the complete plan, shown in the approval question."""
    d = build_design(answers)
    c = summary_counts(d)
    e = d["experiment"]
    lines = [
        "Step 8 - approve the plan. Nothing has been written yet.",
        "",
        f"Experiment: {e['name']} ({e['type']})",
        f"Question:   {e['question']!r}" if "\n" in e["question"] else f"Question:   {e['question']}",
        f"Runs:       {c['fine_tuned']} fine-tuned + {c['controls']} control(s)"
        + (f", varying {', '.join(f'{k} {v}' for k, v in d['variables'].items())}" if d["variables"] else ""),
    ]
    constants = {k: v for k, v in d["controls"].items() if k not in ("system_prompt", "prompt")}
    runs_line = lines.pop()
    lines.append("Constants:  " + ", ".join(f"{k}={yaml_scalar(v)}" for k, v in constants.items()))
    lines.append(f"Prompt:     {yaml_scalar(d['controls']['prompt'])}; system prompt: {yaml_scalar(d['controls']['system_prompt'])}")
    lines.append(runs_line)
    for r in d["runs"]:
        extra = f" [slurm: {', '.join(f'{k}={v}' for k, v in r['slurm_overrides'].items())}]" if r.get("slurm_overrides") else ""
        lines.append(f"  - {r['name']}  ({r['type']}){extra}")
    lines.append(f"Tasks:      {', '.join(t['name'] for t in d['evaluation']['tasks'])}")
    lines.append("Evaluation matrix:")
    for m in d["evaluation"]["matrix"]:
        lines.append(f"  - {m['run']} -> {', '.join(m['tasks'])} @ {epochs_text(m['epochs'])}")
    lines.append(f"Total evaluations: {c['evaluations']}")
    lines.append(f"Experiment directory: {e['directory']}")
    if dst_path and absolute_path(dst_path) != e["directory"]:
        lines.append(f"  (files are rendered into {absolute_path(dst_path)})")
    lines.append(f"Output directory:     {d['output']['base_directory']}/ck-out-<run>/epoch_<N>")
    prereq = prerequisites(d)
    if prereq:
        lines.append("Prerequisites (not blockers):")
        lines.extend(f"  - {p}" for p in prereq)
    found = findings(d)
    if found:
        lines.append("Validator findings:")
        for f in found:
            lines.append(f"  - {f.code} {f.severity}: {f.message}" if hasattr(f, "code") else f"  - {f}")
    else:
        lines.append("Validator: no findings.")
    lines.append("")
    lines.append("Write these files? (No = nothing is written)")
    return "\n".join(lines)
