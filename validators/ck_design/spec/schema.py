"""The schema of experiment_summary.yaml, as pydantic v2 models (see docs/design.md).

These models are the single source of truth for the file's structure: the JSON schema
(`schemas/experiment_summary.schema.json`) is generated from them (`python -m
ck_design.spec.jsonschema`), and the structural rules CK100-CK103 are pydantic's errors mapped
onto YAML line/column. `controls` is built from the parameter table (spec/params.py).

Models are strict (a quoted "4" is not an int) but allow unknown keys: an unknown key is a
warning (CK103, a typo guard), not an error, because recipes grow.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from .compute import MEM_PATTERN, TIME_PATTERN
from .naming import CHECKPOINT_PATTERN, DATE_PATTERN, EXPERIMENT_TYPES, SAFE_NAME_PATTERN, SCRIPT_SAFE_PATTERN
from .sweep import BEST_VAL_LOSS, RUN_TYPES
from .params import HYPERPARAMETERS, PROMPTS, SETTINGS, Param

Scalar = Union[bool, int, float, str]
SweepValues = Annotated[list[Scalar], Field(min_length=1)]
# Text that lands in a SLURM script, a command line or a path: one line, no control characters.
ScriptText = Annotated[str, Field(pattern=SCRIPT_SAFE_PATTERN)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class Experiment(_Model):
    name: str = Field(pattern=SAFE_NAME_PATTERN, description="Experiment name; also the directory name.")
    # Optional: the seed's template has no such field; when absent the type follows from
    # `directory` (naming.experiment_type). The wizard keeps writing it.
    type: Optional[Literal[EXPERIMENT_TYPES]] = None
    question: str = Field(description="The scientific question the experiment answers.")
    date: str = Field(pattern=DATE_PATTERN, description="Design date, YYYY-MM-DD.")
    hypothesis: str = ""
    purpose: str = ""
    directory: ScriptText = Field(
        description="{scratch_dir}/ck-experiments/{name} or {scratch_dir}/ck-sanity-checks/{name}"
    )


class Tools(_Model):
    preparation: Literal["torchtune"]
    evaluation: Literal["inspect-ai"]


def _controls_field(p: Param) -> tuple[Any, Any]:
    bounds: dict[str, Any] = {}
    if p.minimum is not None:
        bounds["gt" if p.exclusive_minimum else "ge"] = p.minimum
    if p.below is not None:
        bounds["lt"] = p.below
    if p.maximum is not None:
        bounds["le"] = p.maximum
    if p.type is float:
        bounds["allow_inf_nan"] = False
    kind: Any = Literal[p.choices] if p.choices else p.type
    if p.always_present:  # the prompts
        return kind, Field(description=p.help)
    return Optional[kind], Field(default=None, description=p.help, **bounds)


# Every constant of the sweep; a hyperparameter that is varied lives in `variables` instead.
# Built from the parameter table (spec/params.py), so a new parameter needs no edit here.
Controls = create_model(  # type: ignore[call-overload]
    "Controls",
    __base__=_Model,
    __doc__="Every constant of the sweep; a hyperparameter that is varied lives in `variables` instead.",
    **{p.name: _controls_field(p) for p in (*PROMPTS, *SETTINGS, *HYPERPARAMETERS.values())},
)


class BaseModelRef(_Model):
    name: ScriptText
    path: ScriptText
    size_gb: Optional[float] = Field(default=None, ge=0)


class Models(_Model):
    base: list[BaseModelRef] = Field(min_length=1)


class Splits(_Model):
    train: Optional[int] = Field(default=None, ge=0)
    validation: Optional[int] = Field(default=None, ge=0)
    test: Optional[int] = Field(default=None, ge=0)


class TrainingData(_Model):
    path: ScriptText
    label: ScriptText
    format: Literal["json", "parquet"]
    size_kb: Optional[int] = Field(default=None, ge=0)
    splits: Splits


class Data(_Model):
    training: TrainingData


class Output(_Model):
    base_directory: ScriptText
    checkpoint_pattern: ScriptText = CHECKPOINT_PATTERN
    wandb_project: ScriptText


class SlurmOverrides(_Model):
    constraint: Optional[ScriptText] = None
    partition: Optional[ScriptText] = None


class Compute(_Model):
    """What one job asks SLURM for: estimated by the wizard (spec/compute.py), editable."""

    time: str = Field(pattern=TIME_PATTERN, description="Wall time, HH:MM:SS (SLURM --time).")
    gpus: int = Field(ge=1, description="GPUs of the job.")
    mem: str = Field(pattern=MEM_PATTERN, description='Memory, e.g. "80G" (SLURM --mem).')
    basis: Optional[str] = Field(default=None, description="Where the estimate comes from (prior logs or documented defaults).")


class Run(_Model):
    name: ScriptText
    type: Literal[RUN_TYPES]
    model: ScriptText
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="A fine-tuned run's point of the sweep; an eval-only run's checkpoint_path.",
    )
    slurm_overrides: Optional[SlurmOverrides] = None
    compute: Optional[Compute] = None


class Scorer(_Model):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class Task(_Model):
    name: ScriptText
    script: ScriptText
    description: str
    dataset: Optional[ScriptText] = Field(default=None, description='"same" means the training dataset.')
    # Overrides for every cell of this task (spec.sweep.effective_prompt: task over run over controls).
    prompt: Optional[str] = Field(default=None, description="This task's prompt template (must contain {input}); overrides the run's and controls'.")
    system_prompt: Optional[str] = Field(
        default=None, description="This task's system prompt; overrides the run's and evaluation's (a fine-tuned run: warning CK206)."
    )


class MatrixEntry(_Model):
    run: str
    vis_label: Optional[str] = None
    tasks: list[str] = Field(min_length=1)
    epochs: Union[list[int], Literal[BEST_VAL_LOSS], None] = Field(
        description="0-indexed epochs to evaluate; null for control and eval-only runs; best_val_loss resolves after training."
    )


class Evaluation(_Model):
    system_prompt: str
    temperature: float = Field(ge=0, allow_inf_nan=False)
    # Generation settings the evaluator receives; absent: the evaluator's own defaults.
    sampling: Optional[bool] = Field(
        default=None, description="Sample tokens (needs temperature > 0); false: greedy decoding (temperature 0)."
    )
    # Upper bounds as for the parameter table's maximums: far above any real setting (docs/security.md).
    max_tokens: Optional[int] = Field(default=None, ge=1, le=16_777_216, description="Most tokens generated per answer.")
    seed: Optional[int] = Field(default=None, ge=0, le=2**32 - 1, description="Random seed of the evaluator's sampling.")
    scorer: list[Scorer] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
    matrix: list[MatrixEntry]
    compute: Optional[Compute] = Field(default=None, description="One evaluation job (a run x task x epoch cell).")


class ExperimentSummary(_Model):
    """experiment_summary.yaml: the complete design of one fine-tuning + evaluation experiment."""

    experiment: Experiment
    tools: Tools
    variables: dict[str, SweepValues] = Field(default_factory=dict)
    controls: Controls
    models: Models
    data: Data
    output: Output
    runs: list[Run] = Field(min_length=1)
    evaluation: Evaluation
