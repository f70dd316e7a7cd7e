"""CK250-CK252: training steps, per fine-tuned run, from the dataset's train split and the run's
batch size, gradient accumulation, epochs and warmup (the arithmetic and thresholds: spec/sweep.py).

Each value is the run's effective one (spec.sweep.effective_value): a parameter left out counts
with its default (num_warmup_steps 100), so writing a default out never changes the verdict."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ...spec.sweep import FINE_TUNED, MIN_TOTAL_STEPS, STEP_KEYS, WARMUP_FACTOR, effective_value, steps_of_run
from ..context import Ctx, Design
from ..values import PathT, as_dict, is_int
from . import STEPS, W, rule

DOCS = [
    rule(
        "CK250", W, STEPS,
        "A run trains for fewer than 50 optimizer steps.",
        """steps_per_epoch = ceil(train / (batch_size x gradient_accumulation_steps)) and
        total_steps = steps_per_epoch x epochs, per run with its own values. With packing
        (packing: true, the default) torchtune fills each max_seq_len-token sequence with as many
        examples as fit, so train counts sequences, not examples: with --check-resources the
        dataset is read and the steps are estimated from its characters (about 4 a token, the
        prompt template included; the message says "an estimate"); without it the count from
        examples is an upper bound, and the message says so. Under ~50 steps a LoRA adapter
        barely moves from its initialisation, so every run looks like the control.""",
        "Train longer (more epochs or data) or take smaller optimizer steps (batch_size, gradient_accumulation_steps).",
        """
        controls:
          epochs: 1
          batch_size: 16
          gradient_accumulation_steps: 4
          packing: false
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 2
          batch_size: 4
          gradient_accumulation_steps: 1
          packing: false
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    rule(
        "CK251", W, STEPS,
        "A run's total_steps is below num_warmup_steps: the learning-rate warmup never completes.",
        """The learning rate ramps up over num_warmup_steps; a run that ends first never trains
        at the learning rate you chose, so comparisons across lr values are meaningless. A
        num_warmup_steps left out counts as the seed's default ("num_warmup_steps | LR scheduler
        warmup steps | 100"), as the job will use it: writing the default out never changes
        the verdict.""",
        "Lower num_warmup_steps to about a tenth of total_steps, or train longer.",
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 100
        data:
          training:
            splits: {train: 200, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 5
        data:
          training:
            splits: {train: 200, validation: 50, test: 50}
        """,
    ),
    rule(
        "CK252", W, STEPS,
        "A run's total_steps is below 3 x num_warmup_steps: most of training is warmup.",
        """With warmup taking over a third of training, little of it runs at the chosen learning
        rate; results mostly reflect the warmup schedule. A num_warmup_steps left out counts as
        the seed's default, 100, exactly as if it were written.""",
        "Lower num_warmup_steps to about a tenth of total_steps, or train longer.",
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 40
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 10
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
]


def _train_chars(ctx: Ctx, d: Design) -> int | None:
    """The train split's characters, for packing's estimate: read only with --check-resources
    (the dataset path resolved against the design's folder); None when it cannot be read."""
    path = d.data_training.get("path")
    if ctx.base_dir is None or not isinstance(path, str) or not path:
        return None
    from ...facts.prerequisites import dataset_facts

    full = Path(path).expanduser()
    return dataset_facts(str(full if full.is_absolute() else ctx.base_dir / full)).train_chars


def check(ctx: Ctx, d: Design) -> None:
    """Per fine-tuned run; runs that take every value from controls share one finding."""
    splits = as_dict(d.data_training.get("splits"))
    train = splits.get("train")
    if not is_int(train) or train < 0:
        return
    chars = _train_chars(ctx, d) if any(
        isinstance(r, dict) and effective_value(r, d.controls, "packing") is True for r in d.runs) else None
    shared_done = False
    for i, run in enumerate(d.runs):
        if not isinstance(run, dict) or run.get("type") != FINE_TUNED:
            continue
        params = run.get("parameters")
        overridden = isinstance(params, dict) and not STEP_KEYS.isdisjoint(params)
        if not overridden and shared_done:
            continue
        _check_run(ctx, d, i, run, train, overridden, chars)
        shared_done = shared_done or not overridden


def _value(d: Design, i: int, key: str) -> tuple[Any, PathT | None, str]:
    """The run's effective value of `key`, where it is written (None: not written), and a note
    for the message when it is not written (" (not set: the default)")."""
    _, source = d.run_value(i, key)
    return effective_value(d.runs[i], d.controls, key), source, "" if source else " (not set: the default)"


def _check_run(ctx: Ctx, d: Design, i: int, run: dict[Any, Any], train: int, overridden: bool,
               chars: int | None) -> None:
    """The findings of one run (none when its values cannot be read: the schema says why)."""
    bs, bs_src, _ = _value(d, i, "batch_size")
    ga, _, _ = _value(d, i, "gradient_accumulation_steps")
    ep, ep_src, _ = _value(d, i, "epochs")
    wu, wu_src, wu_note = _value(d, i, "num_warmup_steps")
    if not (is_int(bs) and bs >= 1 and is_int(ga) and ga >= 1 and is_int(ep) and ep >= 1):
        return
    steps = steps_of_run(run, d.controls, train, chars)
    per_epoch, total, arithmetic = steps.per_epoch, steps.total, steps.arithmetic
    if overridden:
        who = f"runs[{i}] {run.get('name')!r}"
        at_steps: PathT = ("runs", i, "parameters")
        at_warmup: PathT = wu_src if wu_src and wu_src[0] == "runs" else at_steps
    else:
        who = "every fine-tuned run (values from controls)"
        at_steps = ep_src or bs_src or ("controls",)
        # A default warmup is not written anywhere: the finding sits at `controls:`, where it goes.
        at_warmup = wu_src or ("controls",)
    if total < MIN_TOTAL_STEPS:
        need_epochs = math.ceil(MIN_TOTAL_STEPS / per_epoch) if per_epoch else None
        more = f"train for at least {need_epochs} epochs, " if need_epochs else ""
        ctx.add(
            "CK250",
            at_steps,
            f"{who}: {arithmetic}, fewer than {MIN_TOTAL_STEPS}",
            f"{more}lower batch_size or gradient_accumulation_steps, or use more training data",
        )
    if is_int(wu) and wu > 0:
        _check_warmup(ctx, at_warmup, who, arithmetic, wu_note, wu, total, at_key=at_warmup == ("controls",))


def _check_warmup(ctx: Ctx, at: PathT, who: str, arithmetic: str, note: str, wu: int, total: int, *, at_key: bool) -> None:
    suggestion = max(1, total // 10)
    if total < wu:
        ctx.add(
            "CK251",
            at,
            f"{who}: warmup never completes: num_warmup_steps is {wu}{note} but {arithmetic}",
            f"set num_warmup_steps to about {suggestion} (a tenth of {total} steps), or train longer",
            at_key=at_key,
        )
    elif total < WARMUP_FACTOR * wu:
        ctx.add(
            "CK252",
            at,
            f"{who}: num_warmup_steps {wu}{note} is more than a third of training: {arithmetic}",
            f"set num_warmup_steps to about {suggestion} (a tenth of {total} steps), or train longer",
            at_key=at_key,
        )
