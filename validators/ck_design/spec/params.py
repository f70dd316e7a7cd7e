"""The one table of training parameters: name, type, bounds, default, run-name short form, help.

Everything that knows a hyperparameter derives it from `PARAMS`: the pydantic schema
(`spec.schema.Controls`), the JSON schema generated from it, the wizard's question validators,
run names (`spec.naming.value_label`), the validator's type checks and docs/rules.md.
copier.yml asks one question per parameter; tests/test_params.py proves its types, defaults and
validators agree with this table. To add a parameter: add a row here and a question there
(docs/design.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    name: str
    type: type  # int, float, bool or str
    default: Any  # the wizard's default (None: asked without one)
    help: str  # one line, shown in the JSON schema and docs
    short: str | None = None  # the short form in run names (`rank4`); None: the name itself
    minimum: float | None = None
    exclusive_minimum: bool = False  # True: value > minimum, else value >= minimum
    below: float | None = None  # an exclusive upper bound (value < below)
    # An inclusive upper bound: far above any real experiment, low enough that a typo
    # (`epochs: 10000000`, `gpus: 1e14`) is refused before it generates a 1 GB plan
    # (docs/security.md).
    maximum: float | None = None
    sweepable: bool = True  # may be a key of `variables`
    required: bool = False  # must be in `controls` unless it is varied (docs/rules.md, CK100)
    always_present: bool = False  # in `controls` even when runs override it (the prompts)
    choices: tuple[str, ...] | None = None  # a str parameter's allowed values
    index_label: bool = False  # run names say the value's position in variables (`prompt2`), not its text

    @property
    def label(self) -> str:
        """The prefix of this parameter's values in run names."""
        return self.short or self.name

    def bound_error(self, value: Any) -> str:
        """'' when a number is finite and within bounds (a str one of the choices), else why not."""
        if self.choices is not None:
            return "" if value in self.choices else f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{self.name} must be a finite number, not {value!r}"
        if self.minimum is not None:
            if self.exclusive_minimum and not value > self.minimum:
                return f"{self.name} must be > {_num(self.minimum)}, not {value!r}"
            if not self.exclusive_minimum and not value >= self.minimum:
                return f"{self.name} must be >= {_num(self.minimum)}, not {value!r}"
        if self.below is not None and not value < self.below:
            return f"{self.name} must be < {_num(self.below)}, not {value!r}"
        if self.maximum is not None and not value <= self.maximum:
            return f"{self.name} must be <= {_num(self.maximum)}, not {_short_num(value)}"
        return ""


def _num(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else repr(bound)


def _short_num(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} digits)"


# Order is the order of `controls` in experiment_summary.yaml (after the two prompts and dataset_type).
_TABLE = (
    Param("epochs", int, 1, "Training epochs; checkpoints are saved 0-indexed (epoch_0 ...).", short="ep", minimum=1, maximum=1000, required=True),
    Param("batch_size", int, 4, "Batch size per GPU.", short="bs", minimum=1, maximum=65536),
    Param("gpus", int, 1, "GPUs per training job.", minimum=1, maximum=1024),
    Param("validation_during_training", bool, True, "Compute validation loss during training (needed for best_val_loss)."),
    Param("lora_rank", int, 8, "LoRA adapter rank.", short="rank", minimum=1, maximum=65536),
    Param("lr", float, 1e-4, "Learning rate.", short="lr", minimum=0, exclusive_minimum=True, maximum=10),
    Param("gradient_accumulation_steps", int, 1, "Gradient accumulation steps (effective batch = batch_size x this).", short="ga", minimum=1, maximum=65536),
    Param("weight_decay", float, 0.01, "Optimizer weight decay.", short="wd", minimum=0, maximum=100),
    Param("lora_dropout", float, 0.0, "Dropout on the LoRA layers.", short="do", minimum=0, below=1),
    Param("num_warmup_steps", int, 100, "Learning-rate warmup steps.", short="wu", minimum=0, maximum=100_000_000),
    Param("max_seq_len", int, 2048, "Maximum sequence length in tokens.", short="len", minimum=1, maximum=16_777_216),
    Param("packing", bool, True, "Pack several short examples into one sequence."),
)
# The prompts: in controls always (the design's default), and sweepable or set per run (a control
# evaluated with its own prompt) or per task; which one a cell uses: spec.sweep.effective_prompt.
# A swept prompt is named by its position, not its text (`prompt1`, `prompt2`: spec.naming.value_label).
PROMPTS = (
    Param("system_prompt", str, "", "System prompt, the same for training and evaluation.", always_present=True,
          index_label=True),
    Param("prompt", str, "{input}\n", "Prompt template; must contain {input}.", always_present=True, index_label=True),
)
# How the trainer formats examples: with the model's chat template (a system prompt is used) or as
# plain text (a system prompt is ignored). Optional: a design without it keeps scaffolding's default;
# the wizard's default follows the model (spec.model_registry.default_dataset_type).
CHAT_COMPLETION, TEXT_COMPLETION = "chat_completion", "text_completion"
SETTINGS = (
    Param("dataset_type", str, None,
          "How examples are formatted: chat_completion (the model's chat template; the system prompt is used) "
          "or text_completion (plain text; a system prompt is ignored).",
          sweepable=False, choices=(CHAT_COMPLETION, TEXT_COMPLETION)),
)

HYPERPARAMETERS: dict[str, Param] = {p.name: p for p in _TABLE}
PARAMS: dict[str, Param] = {**HYPERPARAMETERS, **{p.name: p for p in (*PROMPTS, *SETTINGS)}}
# The evaluation's generation settings (spec.schema.Evaluation), in the file's order: written,
# shown in the plan and README only when a design sets them (docs/wizard.md).
GENERATION_SETTINGS: tuple[str, ...] = ("sampling", "max_tokens", "seed")
# What `variables` and `runs[].parameters` may name.
KNOWN_PARAMETERS: tuple[str, ...] = tuple(PARAMS)
SWEEPABLE: tuple[str, ...] = tuple(p.name for p in PARAMS.values() if p.sweepable)
# Hyperparameters `controls` must give when `variables` does not vary them: torchtune's recipes
# need an epoch count, and every 0-indexed epoch check and step estimate depends on it.
REQUIRED_UNLESS_VARIED: tuple[str, ...] = tuple(p.name for p in _TABLE if p.required)
# The values a run gets when a design leaves a parameter out (the seed's defaults, the table's):
# the step estimates and CK250-CK252 count them as if written (spec.sweep.effective_value).
RECIPE_DEFAULTS: dict[str, Any] = {
    name: PARAMS[name].default for name in ("batch_size", "gradient_accumulation_steps", "epochs", "num_warmup_steps")
}


def param_type(name: str) -> type | None:
    p = PARAMS.get(name)
    return p.type if p else None
