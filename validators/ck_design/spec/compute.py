"""Compute estimates: wall time, GPUs and memory per training job and per evaluation job.

Pure arithmetic (no I/O) on a design and, when there is one, a training speed measured in earlier
SLURM logs (facts/priorspeed.py). The wizard writes the estimates into the design
(`runs[].compute`, `evaluation.compute`), the plan and the README show them with the design's
total GPU-hours, and CK298 warns when one is over the partition's time limit. The documented
defaults and the formula are in docs/wizard.md, "Compute estimates".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import model_registry
from .sweep import FINE_TUNED, effective_value, steps_of_run, total_evaluations

# The shape of `compute:` (schema.py): SLURM's --time (HH:MM:SS, hours may exceed 24) and --mem.
TIME_PATTERN = r"^[0-9]{1,4}:[0-5][0-9]:[0-5][0-9]$"
MEM_PATTERN = r"^[1-9][0-9]*[KMGT]$"

# Documented defaults (docs/wizard.md, "Compute estimates"), used when no earlier log gives a speed.
# Training throughput of LoRA on one 80 GB GPU for a 1B-parameter model, in tokens per second;
# a model of N billion parameters is taken to be N times slower.
DEFAULT_TOKENS_PER_SECOND_1B = 6000.0
# Evaluation: seconds per evaluated example for a 1B model (generation of a short answer).
DEFAULT_EVAL_SECONDS_PER_EXAMPLE_1B = 0.05
DEFAULT_EVAL_EXAMPLES = 1000  # when the design does not count its test/validation split
STARTUP_SECONDS = 600  # loading the model, the dataset, writing the first checkpoint
CHECKPOINT_SECONDS_PER_GB = 10  # saving one epoch's checkpoint (LoRA + merged weights)
SAFETY_FACTOR = 1.5  # a job that hits --time is killed: ask for more than the estimate
ROUND_SECONDS = 15 * 60  # times are rounded up to a quarter hour
MIN_MEM_GB = 32
MEM_STEP_GB = 16
DEFAULT_PARAMS_B = 8.0  # an unknown model without a size in its name or on disk

# Training speeds outside this range (a step taking more than 1000 s, or a thousand steps a
# second) are not progress bars of a fine-tuning job: a log saying `0.000001it/s` would ask for
# 83,333 hours. They are ignored, and the estimate says so.
MIN_PLAUSIBLE_IT_S = 1e-3
MAX_PLAUSIBLE_IT_S = 1e3
# The longest --time TIME_PATTERN can write (9999:59:59): every written estimate validates.
MAX_TIME_SECONDS = 9999 * 3600 + 59 * 60 + 59

BASIS_DEFAULTS = "documented defaults (no earlier slurm-*.out logs with it/s figures)"
# What the hook's summary and log say when no earlier log gives a speed: the same words as the
# plans' "Basis:" line (an estimate from defaults is an estimate, never "not estimated").
DEFAULTS_NOTE = f"training time estimated from {BASIS_DEFAULTS}"

_PARAMS_B = re.compile(r"(\d+(?:\.\d+)?)B(?![a-z])")


def params_billions(model: str, size_gb: float | None = None) -> float:
    """Parameters in billions: the size in the name (Llama-3.2-1B -> 1), else the bf16 weights
    on disk (2 bytes per parameter), else DEFAULT_PARAMS_B."""
    m = _PARAMS_B.search(model)
    if m:
        return float(m.group(1))
    if size_gb:
        return max(0.1, size_gb / 2)
    return DEFAULT_PARAMS_B


def plausible_speed(it_s: float) -> bool:
    return MIN_PLAUSIBLE_IT_S <= it_s <= MAX_PLAUSIBLE_IT_S


def clamped(seconds: float, limit: int | None = None) -> tuple[int, bool]:
    """(seconds rounded up with the safety factor, at most the partition's `limit` and what
    TIME_PATTERN can write; whether the limit cut it). Never an OverflowError: inf is clamped."""
    cap = min(limit, MAX_TIME_SECONDS) if limit else MAX_TIME_SECONDS
    if not seconds < cap:  # also inf and nan
        return cap, bool(limit) and cap == limit
    rounded = _round_up(seconds)
    return (int(rounded), False) if rounded <= cap else (cap, bool(limit) and cap == limit)


def hhmmss(seconds: float) -> str:
    """SLURM's --time: 01:30:00; hours past 24 stay hours (36:00:00)."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def parse_time(text: Any) -> int | None:
    """Seconds of a SLURM time (HH:MM:SS, MM:SS, D-HH[:MM[:SS]]); None when it is not one."""
    if not isinstance(text, str):
        return None
    m = re.fullmatch(r"\s*(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?\s*", text)
    if not m:
        return None
    days, a, b, c = (int(g) if g else None for g in m.groups())
    if days is not None:
        h, mi, s = a, b or 0, c or 0
        return ((days * 24 + h) * 60 + mi) * 60 + s
    if c is not None:
        return (a * 60 + (b or 0)) * 60 + c
    if b is not None:  # MM:SS
        return a * 60 + b
    return a * 60  # SLURM reads a bare number as minutes


def _round_up(seconds: float) -> float:
    return max(ROUND_SECONDS, math.ceil(seconds * SAFETY_FACTOR / ROUND_SECONDS) * ROUND_SECONDS)


def _mem(params_b: float) -> str:
    """Host memory: four bytes per parameter (bf16 weights loaded and saved), at least MIN_MEM_GB."""
    gb = max(MIN_MEM_GB, math.ceil(params_b * 4 / MEM_STEP_GB) * MEM_STEP_GB)
    return f"{gb}G"


def _gpus(run: Mapping[str, Any], controls: Mapping[str, Any]) -> int:
    info = model_registry.lookup(str(run.get("model")))
    gpus = effective_value(run, controls, "gpus")
    gpus = gpus if isinstance(gpus, int) and not isinstance(gpus, bool) and gpus > 0 else 1
    return max(gpus, info.min_gpus if info else 1)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def training_seconds(run: Mapping[str, Any], controls: Mapping[str, Any], train_examples: int,
                     size_gb: float | None, speed_it_s: float | None, train_chars: int | None = None) -> float:
    """One fine-tuned run's expected seconds (before the safety factor). Its steps are the ones
    CK250-CK252, the hook's log and the plans count (spec/sweep.py steps_of_run): with packing,
    estimated from the train split's characters `train_chars` when known."""
    bs = _int(effective_value(run, controls, "batch_size"), 1)
    ga = _int(effective_value(run, controls, "gradient_accumulation_steps"), 1)
    epochs = _int(effective_value(run, controls, "epochs"), 1)
    seq = _int(effective_value(run, controls, "max_seq_len"), 2048)
    steps = steps_of_run(run, controls, train_examples, train_chars).total
    params_b = params_billions(str(run.get("model")), size_gb)
    if speed_it_s:
        per_step = 1.0 / speed_it_s
    else:
        per_step = bs * ga * seq * params_b / (DEFAULT_TOKENS_PER_SECOND_1B * _gpus(run, controls))
    saving = epochs * CHECKPOINT_SECONDS_PER_GB * (size_gb or params_b * 2)
    return STARTUP_SECONDS + steps * per_step + saving


def run_compute(run: Mapping[str, Any], controls: Mapping[str, Any], train_examples: int,
                size_gb: float | None, speed_it_s: float | None, basis: str,
                limit: int | None = None, train_chars: int | None = None) -> dict[str, Any]:
    """`runs[].compute` of a fine-tuned run; its time at most `limit` (the partition's, seconds);
    `train_chars`: the train split's characters (packing's step estimate, training_seconds)."""
    if speed_it_s is not None and not plausible_speed(speed_it_s):
        speed_it_s = None  # the caller's basis says why (speed_basis)
    seconds, cut = clamped(training_seconds(run, controls, train_examples, size_gb, speed_it_s, train_chars), limit)
    if cut:
        basis += f"; clamped to the partition's time limit {hhmmss(seconds)} (claude.local.md): the estimate was longer"
    return {
        "time": hhmmss(seconds),
        "gpus": _gpus(run, controls),
        "mem": _mem(params_billions(str(run.get("model")), size_gb)),
        "basis": basis,
    }


def evaluation_compute(runs: Sequence[Mapping[str, Any]], controls: Mapping[str, Any],
                       eval_examples: int | None, sizes: Mapping[str, float | None],
                       limit: int | None = None) -> dict[str, Any]:
    """`evaluation.compute`: one evaluation job (a run x task x epoch cell) of the largest model."""
    models = list(dict.fromkeys(str(r.get("model")) for r in runs)) or ["?"]
    largest = max(models, key=lambda m: params_billions(m, sizes.get(m)))
    params_b = params_billions(largest, sizes.get(largest))
    examples = eval_examples or DEFAULT_EVAL_EXAMPLES
    seconds = STARTUP_SECONDS + examples * DEFAULT_EVAL_SECONDS_PER_EXAMPLE_1B * params_b
    info = model_registry.lookup(largest)
    return {
        "time": hhmmss(clamped(seconds, limit)[0]),
        "gpus": info.min_gpus if info else 1,
        "mem": _mem(params_b),
        "basis": f"documented defaults ({DEFAULT_EVAL_SECONDS_PER_EXAMPLE_1B:g} s per example per billion parameters, {examples} examples)",
    }


def speed_basis(speed_it_s: float | None, files: int = 0, ignored: int = 0) -> str:
    """The `basis` of a training estimate; `ignored`: implausible it/s figures left out."""
    note = (f"; {ignored} implausible it/s figure{'s' if ignored != 1 else ''} ignored (outside "
            f"{MIN_PLAUSIBLE_IT_S:g}-{MAX_PLAUSIBLE_IT_S:g} it/s)") if ignored else ""
    if speed_it_s and plausible_speed(speed_it_s):
        return f"earlier slurm-*.out logs: {speed_it_s:.2f} it/s (median of {files} file{'s' if files != 1 else ''}){note}"
    return BASIS_DEFAULTS + note


def gpu_hours(design: Mapping[str, Any]) -> dict[str, float]:
    """GPU-hours the design's compute estimates ask for: training, evaluation and their total."""
    training = 0.0
    # Any design, not only a valid one (ck-plan --compare reads both sides of a change): what
    # is not the shape the schema asks for counts for nothing instead of raising.
    runs = design.get("runs")
    for r in runs if isinstance(runs, list) else []:
        c = r.get("compute") if isinstance(r, Mapping) else None
        if isinstance(c, Mapping) and r.get("type") == FINE_TUNED:
            training += (parse_time(c.get("time")) or 0) / 3600 * _int(c.get("gpus"), 1)
    ev = design.get("evaluation")
    c = ev.get("compute") if isinstance(ev, Mapping) else None
    evaluation = 0.0
    if isinstance(c, Mapping):
        matrix = ev.get("matrix")  # type: ignore[union-attr]
        entries = [e for e in matrix if isinstance(e, Mapping) and isinstance(e.get("tasks"), list)] if isinstance(matrix, list) else []
        cells = total_evaluations(entries)
        evaluation = cells * (parse_time(c.get("time")) or 0) / 3600 * _int(c.get("gpus"), 1)
    return {"training": training, "evaluation": evaluation, "total": training + evaluation}
