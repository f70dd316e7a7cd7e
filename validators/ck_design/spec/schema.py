"""The schema of experiment_summary.yaml, as pydantic v2 models (see docs/design.md).

Two eras (spec/era.py, UPSTREAM.md section 1): `ExperimentSummary` is the seed era's file,
`ExperimentSummaryV03` cruijff_kit 0.3's (renamed fields, no output.base_directory, a project).
`SUMMARY_MODELS` maps each era to its model; the validator detects the era first and checks the
file against that era's model only.

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
from .era import SEED, V03
from .naming import (
    CHECKPOINT_PATTERN,
    DATE_PATTERN,
    EXPERIMENT_TYPES,
    SAFE_NAME_PATTERN,
    SCRIPT_SAFE_PATTERN,
    SLURM_VALUE_PATTERN,
)
from .sweep import BEST_VAL_LOSS, RUN_TYPES
from .params import HYPERPARAMETERS, PROMPTS, SETTINGS, Param

Scalar = Union[bool, int, float, str]
SweepValues = Annotated[list[Scalar], Field(min_length=1)]
# Text that lands in a SLURM script, a command line or a path: one line, no control characters.
ScriptText = Annotated[str, Field(pattern=SCRIPT_SAFE_PATTERN)]
# A SLURM option value (partition, constraint): SLURM's own characters (spec/naming.py).
SlurmValue = Annotated[str, Field(pattern=SLURM_VALUE_PATTERN)]


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
    constraint: Optional[SlurmValue] = None
    partition: Optional[SlurmValue] = None


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


# --- The 0.3 era (cruijff_kit 0.3.4; UPSTREAM.md section 1) ----------------------------------------
# What both eras share is the seed's model above; what 0.3 renamed, added or dropped is here.

class ExperimentV03(_Model):
    name: str = Field(pattern=SAFE_NAME_PATTERN, description="Experiment name; also the directory name.")
    # Required and one folder name: the experiment lives in {scratch}/ck-projects/{project}/{name}.
    # (CK266 words a bad one; the pattern keeps the JSON schema saying the same.)
    project: str = Field(pattern=SAFE_NAME_PATTERN, description="The project: the folder under {scratch}/ck-projects/.")
    type: Optional[Literal[EXPERIMENT_TYPES]] = None
    question: str = Field(description="The scientific question the experiment answers.")
    date: str = Field(pattern=DATE_PATTERN, description="Design date, YYYY-MM-DD.")
    hypothesis: str = ""
    purpose: str = ""
    dir: ScriptText = Field(description="{scratch_dir}/ck-projects/{project}/{name}; checkpoints live inside it.")


ControlsV03 = create_model(  # type: ignore[call-overload]
    "ControlsV03",
    __base__=Controls,
    __doc__="Every constant of the sweep (0.3: also the training seed).",
    seed=(Optional[int], Field(default=None, ge=0, le=2**32 - 1, description="Training seed (cruijff_kit's default: 14).")),
)


class TrainingDataV03(_Model):
    path: ScriptText
    dataset_label: ScriptText
    format: Literal["json"]
    size_kb: Optional[int] = Field(default=None, ge=0)
    splits: Splits


class DataV03(_Model):
    training: TrainingDataV03
    data_generation: Optional[dict[str, Any]] = Field(default=None, description="A generator tool's dataset, made before scaffolding.")


class OutputV03(_Model):
    wandb_project: ScriptText


class ComputeV03(Compute):
    cpus_per_task: Optional[int] = Field(default=None, ge=1, le=65536, description="CPUs of the job (SLURM --cpus-per-task).")


class RunV03(Run):
    compute: Optional[ComputeV03] = None
    training_condition: Optional[ScriptText] = Field(default=None, description="The data_generation condition that provides this run's training file.")


class TaskV03(Task):
    assistant_prefix: Optional[str] = Field(default=None, description="This task's assistant prefix; overrides evaluation.assistant_prefix.")
    eval_condition: Optional[ScriptText] = Field(default=None, description="A data_generation condition whose test split is this task's dataset.")


class EvaluationV03(_Model):
    # Optional in 0.3: controls.system_prompt is the one source; when given, CK201 keeps it equal.
    system_prompt: Optional[str] = None
    # Optional in 0.3: greedy decoding (do_sample false, the default) ignores it; > 0 with do_sample.
    temperature: Optional[float] = Field(default=None, ge=0, allow_inf_nan=False)
    do_sample: Optional[bool] = Field(default=None, description="Sample tokens (needs temperature > 0); false (the default): greedy decoding.")
    max_tokens: Optional[int] = Field(default=None, ge=1, le=16_777_216, description="Most tokens generated per answer.")
    max_connections: Optional[int] = Field(default=None, ge=1, le=65536, description="Most samples per batch (inspect-ai's default: 32).")
    seed: Optional[int] = Field(default=None, ge=0, le=2**32 - 1, description="Evaluation seed (cruijff_kit's default: 14).")
    assistant_prefix: Optional[str] = Field(default=None, description="Text the answer starts with, for every task without its own.")
    scorers: list[Scorer] = Field(min_length=1)
    tasks: list[TaskV03] = Field(min_length=1)
    matrix: list[MatrixEntry]
    compute: Optional[ComputeV03] = Field(default=None, description="One evaluation job (a run x task x epoch cell).")


class ExperimentSummaryV03(_Model):
    """experiment_summary.yaml as cruijff_kit 0.3 writes it."""

    experiment: ExperimentV03
    tools: Tools
    variables: dict[str, SweepValues] = Field(default_factory=dict)
    controls: ControlsV03
    models: Models
    data: DataV03
    output: OutputV03
    runs: list[RunV03] = Field(min_length=1)
    evaluation: EvaluationV03


SUMMARY_MODELS: dict[str, type[_Model]] = {SEED: ExperimentSummary, V03: ExperimentSummaryV03}
