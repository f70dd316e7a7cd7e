"""The schema of experiment_summary.yaml (SPEC section 6), as pydantic v2 models.

These models are the single source of truth: `schemas/experiment_summary.schema.json` is
generated from them (`python -m ck_design.schema_gen`), and the structural rules CK100-CK103
are pydantic's errors mapped onto YAML line/column.

Models are strict (a quoted "4" is not an int) but allow unknown keys: an unknown key is a
warning (CK103, a typo guard), not an error, because recipes grow.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

SAFE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

# Hyperparameters torchtune recipes take, with the short forms used in run names (SPEC 6).
HYPERPARAMETER_SHORT_FORMS: dict[str, str] = {
    "lora_rank": "rank",
    "lr": "lr",
    "batch_size": "bs",
    "epochs": "ep",
    "gradient_accumulation_steps": "ga",
    "weight_decay": "wd",
    "lora_dropout": "do",
    "num_warmup_steps": "wu",
    "max_seq_len": "len",
}
KNOWN_PARAMETERS: tuple[str, ...] = (
    *HYPERPARAMETER_SHORT_FORMS,
    "packing",
    "system_prompt",
    "prompt",
    "gpus",
    "validation_during_training",
)

Scalar = Union[bool, int, float, str]
SweepValues = Annotated[list[Scalar], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class Experiment(_Model):
    name: str = Field(pattern=SAFE_NAME_PATTERN, description="Experiment name; also the directory name.")
    type: Literal["experiment", "sanity_check"]
    question: str = Field(description="The scientific question the experiment answers.")
    date: str = Field(pattern=DATE_PATTERN, description="Design date, YYYY-MM-DD.")
    hypothesis: str = ""
    purpose: str = ""
    directory: str = Field(
        description="{scratch_dir}/ck-experiments/{name} or {scratch_dir}/ck-sanity-checks/{name}"
    )


class Tools(_Model):
    preparation: Literal["torchtune"]
    evaluation: Literal["inspect-ai"]


class Controls(_Model):
    """Every constant of the sweep; a hyperparameter that is varied lives in `variables` instead."""

    system_prompt: str
    prompt: str = Field(description="Prompt template; must contain {input}.")
    epochs: Optional[int] = Field(default=None, ge=1)
    batch_size: Optional[int] = Field(default=None, ge=1)
    gpus: Optional[int] = Field(default=None, ge=1)
    validation_during_training: Optional[bool] = None
    lora_rank: Optional[int] = Field(default=None, ge=1)
    lr: Optional[float] = Field(default=None, gt=0)
    gradient_accumulation_steps: Optional[int] = Field(default=None, ge=1)
    weight_decay: Optional[float] = Field(default=None, ge=0)
    lora_dropout: Optional[float] = Field(default=None, ge=0, lt=1)
    num_warmup_steps: Optional[int] = Field(default=None, ge=0)
    max_seq_len: Optional[int] = Field(default=None, ge=1)
    packing: Optional[bool] = None


class BaseModelRef(_Model):
    name: str
    path: str
    size_gb: Optional[float] = Field(default=None, ge=0)


class Models(_Model):
    base: list[BaseModelRef] = Field(min_length=1)


class Splits(_Model):
    train: Optional[int] = Field(default=None, ge=0)
    validation: Optional[int] = Field(default=None, ge=0)
    test: Optional[int] = Field(default=None, ge=0)


class TrainingData(_Model):
    path: str
    label: str
    format: Literal["json", "parquet"]
    size_kb: Optional[int] = Field(default=None, ge=0)
    splits: Splits


class Data(_Model):
    training: TrainingData


class Output(_Model):
    base_directory: str
    checkpoint_pattern: str = "ck-out-{run_name}/epoch_{N}"
    wandb_project: str


class SlurmOverrides(_Model):
    constraint: Optional[str] = None
    partition: Optional[str] = None


class Run(_Model):
    name: str
    type: Literal["fine-tuned", "control"]
    model: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    slurm_overrides: Optional[SlurmOverrides] = None


class Scorer(_Model):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class Task(_Model):
    name: str
    script: str
    description: str
    dataset: Optional[str] = Field(default=None, description='"same" means the training dataset.')


class MatrixEntry(_Model):
    run: str
    vis_label: Optional[str] = None
    tasks: list[str] = Field(min_length=1)
    epochs: Union[list[int], Literal["best_val_loss"], None] = Field(
        description="0-indexed epochs to evaluate; null for control runs; best_val_loss resolves after training."
    )


class Evaluation(_Model):
    system_prompt: str
    temperature: float = Field(ge=0)
    scorer: list[Scorer] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
    matrix: list[MatrixEntry]


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
