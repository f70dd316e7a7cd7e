"""copier's answers, read once: `Answers.read(mapping)` types every answer the design is built
from, with its default when it is absent or null (a question that was not asked). The wizard
(wizard/build.py, the approval plan, the questions' validators) and the post-copy hook read
answers only through it, so an answer has one meaning and one default everywhere: the
hyperparameters' and prompts' from the parameter table (spec/params.py), the scorers' params'
from spec/scorers.py, the rest from `DEFAULTS` below.

Also here: what an answer's text means (lists, paths, numbers in their parameter's type, prompt
templates). No disk I/O: which keys are answers comes from copier.yml (facts/questions.py) or
the Jinja context (wizard/answers.py).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import era as eras
from . import naming
from .model_registry import default_dataset_type
from .params import HYPERPARAMETERS, PARAMS, param_type
from .scorers import LIST_OF_STR, SCORERS


def as_list(value: Any) -> list[Any]:
    """A multiselect answer as a list: copier passes a list, `--data` may pass YAML text."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def absolute_path(path: Any) -> str:
    """A path as the design records it: an absolute path exactly as given (user strings
    round-trip); `~` expanded and relative paths made absolute against the cwd."""
    if not path:
        return ""
    text = str(path)
    if os.path.isabs(text):
        return text
    return os.path.normpath(os.path.abspath(os.path.expanduser(text)))


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
    """A hyperparameter value in its table type (spec/params.py) where that is unambiguous."""
    kind = param_type(param)
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


def prompt_value(prompt: Any) -> Any:
    """The prompt template an answer means: a double-quoted answer is read as a JSON string, so
    the wizard can show its default as "{input}\\n" (a visible newline) and a person can type
    one; an unquoted answer (older answers files, --data) is taken as it is. docs/wizard.md."""
    if isinstance(prompt, str) and len(prompt) >= 2 and prompt[0] == prompt[-1] == '"':
        try:
            decoded = json.loads(prompt)
        except ValueError:
            return prompt
        return decoded if isinstance(decoded, str) else prompt
    return prompt


DEFAULT_MODEL = "Llama-3.2-1B-Instruct"
# The defaults of the answers that are not parameters (those: spec/params.py). Computed ones
# (experiment_date: today; full_gpu: an experiment's, not a sanity check's; dataset_type: the
# models') are in `Answers.read`.
DEFAULTS: dict[str, Any] = {
    "scratch_dir": "",
    "experiment_type": naming.EXPERIMENT,
    "question": "",
    "hypothesis": "",
    "purpose": "",
    "include_base_controls": True,
    "preparation_tool": "torchtune",
    "evaluation_tool": "inspect-ai",
    "models_dir": "",
    "models": [DEFAULT_MODEL],
    "eval_checkpoints_wanted": False,
    "eval_checkpoints": [],
    "train_runs": True,
    "dataset_path": "",
    "variables": {},
    "gpu_constraint": "",
    "gpu_partition": "",
    "eval_tasks": [],
    "eval_epochs": "last",
    "eval_epoch_list": None,
    "eval_selection": "all",
    "eval_matrix": {},
    "scorers": ["match"],
    "temperature": 0.0,
    "eval_seed": None,
    "eval_max_tokens": None,
    "vis_label_style": "short",
    "experiment_name": "experiment",
    "experiment_directory": "",
    "wandb_project": "",
    "cruijff_kit_schema": eras.SEED,
    "project": "",
}


def today() -> str:
    return _dt.date.today().isoformat()


def _or_else(value: Any, default: Any) -> Any:
    """`value`, or the computed default when it is absent (computed only then)."""
    return default() if value is None else value


def _optional_int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):  # refused at its question; only a hand-edited answers file has one
        return None


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # refused at its question; only a hand-edited answers file has one
        return default


@dataclass(frozen=True)
class Answers:
    """Every answer the design is built from, typed, defaults applied (module docstring)."""

    scratch_dir: str
    experiment_type: str
    question: str
    hypothesis: str
    purpose: str
    include_base_controls: bool
    preparation_tool: str
    evaluation_tool: str
    models_dir: str
    models: list[str]
    eval_checkpoints_wanted: bool
    eval_checkpoints: list[Any]
    train_runs: bool
    dataset_path: str
    variables: dict[str, list[Any]]  # each value in its parameter's type
    params: dict[str, Any]  # every hyperparameter (spec/params.py), in its type, in table order
    system_prompt: str
    prompt: str  # the prompt template (a double-quoted answer decoded: prompt_value)
    dataset_type: str
    full_gpu: bool
    gpu_constraint: str
    gpu_partition: str
    eval_tasks: list[Mapping[str, Any]]
    eval_epochs: Any  # "last", "all", "best_val_loss" or "specific"
    eval_epoch_list: Any
    eval_selection: str
    eval_matrix: Any
    scorers: list[str]
    scorer_params: dict[str, dict[str, Any]]  # the params of each scorer chosen
    temperature: float
    eval_seed: int | None
    eval_max_tokens: int | None
    vis_label_style: str
    experiment_date: str
    experiment_name: str
    experiment_directory: str
    wandb_project: str
    cruijff_kit_schema: str  # spec.era.SEED or V03: the schema the design is written in
    project: str  # 0.3's experiment.project ("" : from the destination's path, else the task label)
    scaffold: bool  # write the job files (ck-scaffold) once the design is written without errors
    approved: bool | None  # None: not answered yet
    commit: str | None  # copier's _commit (the template version), None outside copier
    src_path: str | None  # copier's _src_path
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def of(cls, answers: Answers | Mapping[str, Any]) -> Answers:
        return answers if isinstance(answers, Answers) else cls.read(answers)

    @classmethod
    def read(cls, answers: Mapping[str, Any]) -> Answers:
        def get(key: str, default: Any = None) -> Any:
            value = answers.get(key)
            if value is None:
                return DEFAULTS[key] if key in DEFAULTS else default
            return value

        models = [str(m) for m in as_list(get("models"))]
        etype = str(get("experiment_type"))
        scorers = [str(s) for s in as_list(get("scorers"))]
        return cls(
            scratch_dir=str(get("scratch_dir")),
            experiment_type=etype,
            question=str(get("question")),
            hypothesis=str(get("hypothesis")),
            purpose=str(get("purpose")),
            include_base_controls=bool(get("include_base_controls")),
            preparation_tool=get("preparation_tool"),
            evaluation_tool=get("evaluation_tool"),
            models_dir=str(get("models_dir")),
            models=models,
            eval_checkpoints_wanted=bool(get("eval_checkpoints_wanted")),
            eval_checkpoints=as_list(get("eval_checkpoints")),
            train_runs=bool(get("train_runs")),
            dataset_path=str(get("dataset_path")),
            variables=normalize_variables(get("variables")),
            params={name: normalize_value(name, get(name, p.default)) for name, p in HYPERPARAMETERS.items()},
            system_prompt=str(get("system_prompt", PARAMS["system_prompt"].default)),
            prompt=str(prompt_value(get("prompt", PARAMS["prompt"].default))),
            dataset_type=str(_or_else(get("dataset_type"), lambda: default_dataset_type(models))),
            full_gpu=bool(get("full_gpu", etype == naming.EXPERIMENT)),
            gpu_constraint=str(get("gpu_constraint")),
            gpu_partition=str(get("gpu_partition")),
            eval_tasks=[t for t in get("eval_tasks") or [] if isinstance(t, Mapping)],
            eval_epochs=get("eval_epochs"),
            eval_epoch_list=get("eval_epoch_list"),
            eval_selection=str(get("eval_selection")),
            eval_matrix=get("eval_matrix"),
            scorers=scorers,
            scorer_params={s: _scorer_params(s, get) for s in scorers},
            temperature=_float(get("temperature"), DEFAULTS["temperature"]),
            eval_seed=_optional_int(get("eval_seed")),
            eval_max_tokens=_optional_int(get("eval_max_tokens")),
            vis_label_style=str(get("vis_label_style")),
            experiment_date=str(_or_else(get("experiment_date"), today)),
            experiment_name=str(get("experiment_name")),
            experiment_directory=str(get("experiment_directory")),
            wandb_project=str(get("wandb_project")),
            cruijff_kit_schema=eras.V03 if get("cruijff_kit_schema") == eras.V03 else eras.SEED,
            project=str(get("project")),
            scaffold=answers.get("scaffold") is not False,  # absent (an older experiment): true, the default
            approved=answers.get("approved"),
            commit=answers.get("_commit"),
            src_path=answers.get("_src_path"),
            raw=answers,
        )


def _scorer_params(name: str, get: Any) -> dict[str, Any]:
    """The params of scorer `name` the wizard asks, from their answers (defaults: spec/scorers.py)."""
    out: dict[str, Any] = {}
    for p in SCORERS.get(name, ()):
        if not p.answer:
            continue
        value = get(p.answer, p.default)
        if p.kind is bool:
            value = bool(value)
        elif p.kind == LIST_OF_STR:
            value = [str(v) for v in as_list(value)]
        out[p.name] = value
    return out
