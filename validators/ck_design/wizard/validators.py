"""copier.yml's `validator:` functions: "" when an answer is fine, else one line saying why not.

Each checks an answer against the shared vocabulary in spec/ (the parameter table, naming
conventions, the model registry), so the wizard refuses exactly what ck-validate would flag.
The messages are what a user sees under the question (docs/wizard.md).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Annotated, Any

from ..facts import model_size, walk
from ..spec import model_registry, naming
from ..spec.params import PARAMS, SWEEPABLE
from ..spec.sweep import MAX_EVALUATIONS
from ..spec.answers import Answers, as_list, normalize_value, normalize_variables, prompt_value
from .build import bounded_glob, design_size

_TASK_KEYS = ("name", "script", "description", "dataset")


def _check_param_value(param: str, value: Any) -> str:
    p = PARAMS.get(param)
    if p is not None and p.choices is not None:
        return p.bound_error(value)
    if p is None or p.type is str:
        return ""
    if p.type is bool:
        return "" if isinstance(value, bool) else f"{param} takes true or false, not {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (p.type is int and isinstance(value, float)):
        return f"{param} takes {'an integer' if p.type is int else 'a number'}, not {value!r}"
    return p.bound_error(value)


def check_param(param: str, value: Any) -> str:
    """One hyperparameter's answer: its type and bounds from the parameter table."""
    return _check_param_value(param, normalize_value(param, value))


def _check_variable(name: str, values: Any) -> str:
    if name in PARAMS and name not in SWEEPABLE:
        if name == "dataset_type":
            return "dataset_type cannot be a variable: it follows the model (the dataset type question)"
        return (f"{name} cannot be a variable: training and evaluation need one {name} "
                f"(controls.{name} = evaluation.{name}); run a second experiment instead")
    if name not in PARAMS:
        return f"unknown hyperparameter {name!r}; known: {', '.join(SWEEPABLE)}"
    if not isinstance(values, list) or not values:
        return f"{name} needs a non-empty list of values, e.g. {name}: [4, 8]"
    norm = [normalize_value(name, v) for v in values]
    for v in norm:
        if isinstance(v, (list, dict)):
            return f"{name}: {v!r} is not a single value"
        if msg := _check_param_value(name, v):
            return msg
        if name == "prompt" and (msg := check_prompt(v)):  # every prompt, swept ones too (CK202)
            return f"prompt: {v!r}: {msg}"
    if len({repr(v) for v in norm}) != len(norm):
        return f"{name} lists a value twice ({values!r}): two runs would share one name"
    return ""


def _fine_tuned_runs(variables: Any, models: Any) -> int:
    combos = 1
    for values in (variables or {}).values() if isinstance(variables, Mapping) else ():
        combos *= len(values) if isinstance(values, list) else 1
    return max(1, len(as_list(models))) * combos


def _too_big(runs: int, per_run: int, what: str) -> str:
    if runs * per_run <= MAX_EVALUATIONS:
        return ""
    return (f"{what} give {runs * per_run:,} evaluations or more; one design holds at most "
            f"{MAX_EVALUATIONS:,}: vary fewer values, or split it into several experiments")


def check_variables(variables: Any, models: Any = None) -> str:
    if variables is None or variables == "":
        return ""
    if not isinstance(variables, Mapping):
        return "variables must be a mapping of parameter -> list of values, e.g. {lora_rank: [4, 8]}, or {} for none"
    for name, values in variables.items():
        if msg := _check_variable(name, values):
            return msg
    runs = _fine_tuned_runs(variables, models)
    return _too_big(runs, 1, f"{runs:,} runs (models x combinations of the variables)")


def design_size_problem(answers: Answers | Mapping[str, Any]) -> str:
    """"" while the design these answers build stays within MAX_EVALUATIONS runs and
    evaluations; else what it gives, in few enough words to follow a choice on an 80-column
    screen (a disabled choice shows it); callers add the fix."""
    runs, evaluations = design_size(answers)
    if runs > MAX_EVALUATIONS:
        return f"{runs:,} runs; at most {MAX_EVALUATIONS:,}"
    if evaluations > MAX_EVALUATIONS:
        return f"{evaluations:,} evaluations; at most {MAX_EVALUATIONS:,}"
    return ""


def check_temperature(value: Any) -> str:
    """evaluation.temperature: a finite number >= 0 (the schema's Field(ge=0, allow_inf_nan=False))."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"temperature takes a number, not {value!r}"
    if not math.isfinite(value):
        return f"temperature must be a finite number, not {value!r}"
    return "" if value >= 0 else f"temperature cannot be negative, not {value!r}"


def check_epochs(epochs: Any, variables: Any = None, models: Any = None) -> str:
    """The epochs answer: its bounds, and the design size if every epoch were evaluated once."""
    if msg := check_param("epochs", epochs):
        return msg
    runs = _fine_tuned_runs(variables, models)
    return _too_big(runs, normalize_value("epochs", epochs), f"{runs:,} runs x {epochs} epochs")


def check_gpus(gpus: Any, models: Any, models_dir: Any = None) -> str:
    if msg := check_param("gpus", gpus):
        return msg
    for m in as_list(models):
        info = model_size.model_info(m, models_dir) if isinstance(m, str) else None
        if info is not None and isinstance(gpus, int) and gpus < info.min_gpus:
            about = "about" if model_registry.lookup(m) else "an estimated"
            return (f"{m} needs {about} {info.min_gpu_vram_gb} GB of GPU memory: at least {info.min_gpus} "
                    f"GPUs of {model_registry.FULL_GPU_VRAM_GB} GB, not {gpus}")
    return ""


def check_required(value: Any, what: str) -> str:
    return "" if isinstance(value, str) and value.strip() else f"{what} is required"


def check_path(value: Any, what: str) -> str:
    """A required path: it reaches SLURM scripts and folders, so one line (spec/naming.py)."""
    return check_required(value, what) or naming.line_problem(value, what)


def check_line(value: Any, what: str) -> str:
    """Text that reaches a SLURM script or a path (the W&B project): one line (spec/naming.py)."""
    return naming.line_problem(value, what)


def check_slurm_value(value: Any, what: str) -> str:
    """A SLURM option value (constraint, partition), empty to leave it out (spec/naming.py)."""
    return naming.slurm_value_problem(value, what)


def check_prompt(prompt: Any) -> str:
    prompt = prompt_value(prompt)
    if not isinstance(prompt, str) or "{input}" not in prompt:
        return ("the prompt must contain the {input} placeholder, where each example's input goes, "
                "e.g. 'Capitalize: {input}\\n'")
    return ""


def check_experiment_name(name: Any) -> str:
    if not naming.is_safe_name(name):
        return (f"{name!r} is not a safe directory name: use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit, and no '..'")
    return ""


def check_project(name: Any) -> str:
    """0.3's experiment.project: one folder name under {scratch}/ck-projects/ (CK266)."""
    if not naming.is_safe_name(name):
        return (f"{name!r} is not safe as a folder name under ck-projects/: use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit, and no '..'")
    return ""


def check_date(text: Any) -> str:
    try:
        if isinstance(text, str) and naming.DATE_FORM.fullmatch(text):
            _dt.date.fromisoformat(text)
            return ""
    except ValueError:
        pass
    return f"{text!r} is not a real date in YYYY-MM-DD form"


def training_epochs(epochs: Any, variables: Any) -> list[int]:
    """The training lengths of the design's runs: the varied epochs, else the constant."""
    varied = normalize_variables(variables or {})
    if "epochs" in varied:
        return [int(v) for v in varied["epochs"] if isinstance(v, int) and not isinstance(v, bool)]
    return [int(epochs)] if isinstance(epochs, int) and not isinstance(epochs, bool) else [1]


def check_eval_epoch_list(value: Any, epochs: Any = None, variables: Any = None) -> str:
    """Epochs are 0-indexed: training N epochs saves epoch_0..epoch_{N-1} (docs/wizard.md)."""
    if not isinstance(value, list) or not value:
        return "give a non-empty list of 0-indexed epochs, e.g. [0] or [0, 1]"
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return f"epochs are integers: {value!r}"
    if any(v < 0 for v in value):
        return f"epochs are 0-indexed and never negative: {value!r}"
    if len(set(value)) != len(value):
        return f"an epoch is listed twice: {value!r}"
    shortest = min(training_epochs(epochs, variables) or [1])
    bad = [v for v in value if v >= shortest]
    if bad:
        hint = ""
        if sorted(value) == list(range(1, len(value) + 1)) or max(value) == shortest:
            hint = f"; it looks 1-indexed, did you mean {[v - 1 for v in value]!r}?"
        return (f"epochs are 0-indexed: training {shortest} epoch(s) saves epoch_0..epoch_{shortest - 1}, "
                f"so {bad!r} never exists{hint}")
    return ""


def _check_task(i: int, t: Any) -> str:
    if not isinstance(t, Mapping):
        return f"task {i + 1} is not a mapping with name, script and description"
    for key in ("name", "script", "description"):
        if not isinstance(t.get(key), str) or (key != "description" and not t.get(key).strip()):
            return f"task {i + 1} needs a {key} (text)"
    if "dataset" in t and not isinstance(t["dataset"], str):
        return f"task {t['name']!r}: dataset is a path or 'same'"
    for key in ("name", "script", "dataset"):
        if problem := naming.line_problem(t.get(key), f"task {i + 1}'s {key}"):
            return problem
    extra = set(t) - set(_TASK_KEYS)
    if extra:
        return f"task {t['name']!r}: unknown key(s) {sorted(extra)}; allowed: {', '.join(_TASK_KEYS)}"
    return ""


def check_eval_tasks(tasks: Any) -> str:
    if not isinstance(tasks, list) or not tasks:
        return "give a list of tasks, e.g. [{name: capitalization, script: /path/task.py, description: ...}]"
    names = set()
    for i, t in enumerate(tasks):
        if msg := _check_task(i, t):
            return msg
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


def check_best_val_loss(answers: Answers | Mapping[str, Any]) -> str:
    a = Answers.of(answers)
    vals = a.variables.get("validation_during_training", [a.params["validation_during_training"]])
    if not all(v is True for v in vals):
        # Shown after the choice's name on one row (copier disables it): short enough for 80 columns.
        return "needs validation during training"
    return ""


def check_evaluation_setting(name: str, value: Any) -> str:
    """An optional evaluation setting (max_tokens, seed): empty, or what the schema's
    `evaluation.<name>` field accepts (spec/schema.py holds its type and bounds)."""
    if value is None or value == "":
        return ""
    from pydantic import TypeAdapter, ValidationError

    from ..spec.schema import Evaluation

    field = Evaluation.model_fields[name]
    try:
        kind = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        TypeAdapter(kind).validate_python(value, strict=True)
    except ValidationError as exc:
        return f"{name}: {exc.errors()[0]['msg'].lower()}, not {value!r} (Enter leaves it to the evaluator)"
    return ""


_CHECKPOINT_KEYS = ("path", "label", "model")


def _check_checkpoint(i: int, c: Any, models: list[str]) -> str:
    if isinstance(c, str):
        c = {"path": c}
    if not isinstance(c, Mapping):
        return f"checkpoint {i + 1} is not a path or a mapping {{path, label}}"
    extra = set(c) - set(_CHECKPOINT_KEYS)
    if extra:
        return f"checkpoint {i + 1}: unknown key(s) {sorted(extra)}; allowed: {', '.join(_CHECKPOINT_KEYS)}"
    if not isinstance(c.get("path"), str) or not c["path"].strip():
        return f"checkpoint {i + 1} needs a path (a checkpoint or model folder, or a glob)"
    if problem := naming.line_problem(c["path"], f"checkpoint {i + 1}'s path"):
        return problem
    label = c.get("label")
    if label not in (None, "") and not naming.is_safe_name(label):
        return (f"checkpoint {i + 1}: label {label!r} is not a safe run name: use letters, digits, "
                "'.', '_' and '-'")
    model = c.get("model")
    if model not in (None, "") and model not in models:
        return f"checkpoint {i + 1}: model {model!r} is not one of the chosen models {models}"
    return ""


def check_eval_checkpoints(checkpoints: Any, models: Any = None) -> str:
    """The existing checkpoints to evaluate: a list of paths or {path, label[, model]}."""
    if not isinstance(checkpoints, list) or not checkpoints:
        return ("give a list of checkpoints, e.g. [{path: /scratch/me/ck-outputs/old/ck-out-run/epoch_0, "
                "label: old_rank8}] (a path may be a glob)")
    chosen = [str(m) for m in as_list(models)]
    labels: set[str] = set()
    runs = 0
    for i, c in enumerate(checkpoints):
        if msg := _check_checkpoint(i, c, chosen):
            return msg
        path = c if isinstance(c, str) else c["path"]
        if walk.has_magic(path) and walk.bounded_glob(path).stopped:
            return (f"checkpoint {i + 1}: the glob {path!r} stopped after visiting {walk.MAX_GLOB_ENTRIES:,} files and "
                    "folders without finishing: write more of the path out (fewer * near the root)")
        runs += max(1, len(bounded_glob(path))) if walk.has_magic(path) else 1
        label = c.get("label") if isinstance(c, Mapping) else None
        if label:
            if label in labels:
                return f"label {label!r} is used twice: each checkpoint's run needs its own name"
            labels.add(label)
    if runs > MAX_EVALUATIONS:
        return (f"these paths give {runs:,} or more eval-only runs; one design holds at most "
                f"{MAX_EVALUATIONS:,}: use a narrower glob, or split it into several experiments")
    return ""
