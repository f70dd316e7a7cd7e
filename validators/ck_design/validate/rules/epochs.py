"""CK210-CK215: the epochs a matrix entry evaluates. Checkpoints are 0-indexed: training for 2
epochs saves epoch_0 and epoch_1 (spec/sweep.py). Called by rules/matrix.py for each entry."""

from __future__ import annotations

from typing import Any

from ...spec.sweep import BEST_VAL_LOSS, CONTROL, EVAL_ONLY, FINE_TUNED, checkpoints_text
from ..context import Ctx, Design
from ..values import PathT, fmt_path, is_int, short, yaml_word
from . import E, EPOCHS, rule

DOCS = [
    rule(
        "CK210", E, EPOCHS,
        "An evaluated epoch is not a checkpoint the run saves (epoch >= the run's training epochs).",
        """Epochs are 0-indexed: training for 2 epochs saves epoch_0 and epoch_1. Asking for
        epoch_2 makes the evaluation job fail hours later, after training, when the
        checkpoint is not there. A list like [1, 2] for 2 epochs is the usual 1-indexed slip.""",
        "Evaluate epochs 0 .. epochs-1 (the last checkpoint is epochs-1).",
        """
        controls:
          epochs: 2
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [1, 2]
        """,
        """
        controls:
          epochs: 2
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [0, 1]
        """,
    ),
    rule(
        "CK211", E, EPOCHS,
        "A control run has an epoch list (it must be null).",
        """A control is the base model, never fine-tuned: it has no checkpoints, so it is
        evaluated once per task, without an epoch suffix.""",
        "Set the control's matrix entry to `epochs: null`.",
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_base
              tasks: [capitalization]
              epochs: [0]
        """,
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_base
              tasks: [capitalization]
              epochs: null
        """,
    ),
    rule(
        "CK212", E, EPOCHS,
        "A fine-tuned run has `epochs: null` or an empty epoch list.",
        """Without epochs a fine-tuned run is trained but none of its checkpoints is ever
        evaluated (or it is evaluated as if it were the base model).""",
        "List the 0-indexed epochs to evaluate, e.g. [epochs-1] for the last one.",
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: null
        """,
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [1]
        """,
    ),
    rule(
        "CK213", E, EPOCHS,
        "A negative or duplicated epoch; or best_val_loss without validation during training.",
        """Checkpoints are epoch_0, epoch_1, ...: a negative epoch does not exist and a
        duplicate evaluates the same checkpoint twice. `best_val_loss` picks the checkpoint
        with the lowest validation loss, which only exists when validation runs during training.""",
        "Remove the negative or repeated epoch; for best_val_loss set validation_during_training: true.",
        """
        controls:
          validation_during_training: false
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
        """
        controls:
          validation_during_training: true
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
    ),
    rule(
        "CK214", E, EPOCHS,
        "best_val_loss is evaluated but there is no validation data: data.training.splits.validation is 0, or (with --check-resources) the dataset has no validation list.",
        """`best_val_loss` picks the checkpoint with the lowest validation loss. With no
        validation examples there is no loss to pick by: the evaluation job has no checkpoint to
        resolve, after hours of training.""",
        "Add a validation split to the dataset (and its count to data.training.splits.validation), or evaluate explicit epochs.",
        """
        data:
          training:
            splits: {train: 400, validation: 0, test: 50}
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
        """
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
    ),
    rule(
        "CK215", E, EPOCHS,
        "An eval-only run's matrix entry has epochs (it must be null).",
        """An eval-only run evaluates one existing checkpoint or model folder
        (`parameters.checkpoint_path`) as it is; it is never trained here, so it has no
        epoch_N checkpoints of its own to pick from.""",
        "Set the eval-only run's matrix entry to `epochs: null` (point checkpoint_path at the epoch you want).",
        """
        evaluation:
          matrix:
            - run: old_rank8_epoch0
              tasks: [capitalization]
              epochs: [0]
        """,
        """
        evaluation:
          matrix:
            - run: old_rank8_epoch0
              tasks: [capitalization]
              epochs: null
        """,
    ),
]


def check_entry(ctx: Ctx, d: Design, j: int, entry: dict[Any, Any], run_i: int, clean: set[tuple[Any, ...]]) -> None:
    """The epochs of matrix entry `j`, for the run `runs[run_i]` it names."""
    run = d.runs[run_i]
    kind = run.get("type")
    if "epochs" not in entry:
        return
    epochs = entry["epochs"]
    memo: tuple[Any, ...] | None = None
    if kind == FINE_TUNED and isinstance(epochs, list) and epochs:
        # Thousands of entries share one epoch list and training length: check each pair once.
        params = run.get("parameters")
        own = params.get("epochs") if isinstance(params, dict) and "epochs" in params else d.controls.get("epochs")
        try:
            memo = (type(own), own, repr(epochs))
            if memo in clean:
                return
        except TypeError:  # an unhashable item: the schema reports it
            memo = None
        before = len(ctx.findings)
        _check(ctx, d, j, run_i, run, kind, epochs)
        if memo is not None and len(ctx.findings) == before:
            clean.add(memo)
        return
    _check(ctx, d, j, run_i, run, kind, epochs)


def _check(ctx: Ctx, d: Design, j: int, run_i: int, run: dict[Any, Any], kind: Any, epochs: Any) -> None:
    path: PathT = ("evaluation", "matrix", j, "epochs")
    run_name_ = run.get("name")
    if kind == CONTROL:
        if epochs is not None:
            ctx.add(
                "CK211",
                path,
                f"evaluation.matrix[{j}] is for the control run {run_name_!r} but lists epochs {short(epochs)}: a control has no checkpoints",
                "set `epochs: null`",
            )
        return
    if kind == EVAL_ONLY:
        if epochs is not None:
            ctx.add(
                "CK215",
                path,
                f"evaluation.matrix[{j}] is for the eval-only run {run_name_!r} but lists epochs {short(epochs)}: it evaluates its checkpoint_path as it is",
                "set `epochs: null` (and point parameters.checkpoint_path at the checkpoint to evaluate)",
            )
        return
    if kind != FINE_TUNED:
        return
    trained, source = d.run_value(run_i, "epochs")
    if not is_int(trained) or trained < 1:
        trained = None
    if epochs is None or epochs == []:
        last = f"[{trained - 1}]" if trained else "[<epochs - 1>]"
        ctx.add(
            "CK212",
            path,
            f"evaluation.matrix[{j}] is for the fine-tuned run {run_name_!r} but has epochs {yaml_word(epochs) if epochs is None else '[]'}: none of its checkpoints would be evaluated",
            f"list the 0-indexed epochs to evaluate, e.g. {last} for the last one",
        )
    elif epochs == BEST_VAL_LOSS:
        _check_best_val_loss(ctx, d, j, run_i, run_name_, path)
    elif isinstance(epochs, list):
        _check_epoch_list(ctx, j, epochs, trained, source, path)


def _check_best_val_loss(ctx: Ctx, d: Design, j: int, run_i: int, run_name_: Any, path: PathT) -> None:
    vdt, vsource = d.run_value(run_i, "validation_during_training")
    if vdt is not True:
        state = f"{fmt_path(vsource)} is {yaml_word(vdt)}" if vsource else "validation_during_training is not set"
        ctx.add(
            "CK213",
            path,
            f"evaluation.matrix[{j}] (run {run_name_!r}) evaluates best_val_loss, but {state}: there is no validation loss to pick by",
            "set controls.validation_during_training: true, or list epochs explicitly",
        )


def _check_epoch_list(
    ctx: Ctx, j: int, epochs: list[Any], trained: int | None, source: PathT | None, path: PathT
) -> None:
    ints = [e for e in epochs if is_int(e)]
    seen: set[int] = set()
    for k, e in enumerate(epochs):
        if not is_int(e):
            continue
        if e < 0:
            ctx.add(
                "CK213",
                path + (k,),
                f"evaluation.matrix[{j}].epochs[{k}] is {e}: epochs are 0-indexed and never negative",
                f"use 0 .. {trained - 1}" if trained else "use 0-indexed epoch numbers",
            )
        elif e in seen:
            ctx.add(
                "CK213",
                path + (k,),
                f"evaluation.matrix[{j}].epochs[{k}]: epoch {e} is listed twice",
                "remove the repeat",
            )
        elif trained is not None and e >= trained:
            _past_training(ctx, path + (k,), e, ints, trained, source)
        seen.add(e)


def _past_training(ctx: Ctx, path: PathT, e: int, ints: list[int], trained: int, source: PathT | None) -> None:
    """CK210, with the 1-indexed reading of the list proposed when it fits."""
    src = fmt_path(source) if source else "epochs"
    looks_one_indexed = bool(ints) and 0 not in ints and all(1 <= x <= trained for x in ints)
    if looks_one_indexed:
        proposal = sorted(dict.fromkeys(x - 1 for x in ints))
        hint = f"epochs are 0-indexed: with {src} = {trained}, {checkpoints_text(trained)}; did you mean {proposal}?"
    else:
        hint = f"evaluate epochs 0 .. {trained - 1}; the last checkpoint is epoch_{trained - 1}"
    ctx.add(
        "CK210",
        path,
        f"epoch {e} is past training: {src} is {trained}, so {checkpoints_text(trained)}",
        hint,
    )


def best_val_loss_entries(d: Design) -> list[int]:
    """The matrix entries that evaluate best_val_loss."""
    return [j for j, e in enumerate(d.matrix or ()) if isinstance(e, dict) and e.get("epochs") == BEST_VAL_LOSS]


def no_validation_data(ctx: Ctx, d: Design, why: str) -> None:
    """CK214, once, at the first entry that evaluates best_val_loss (`why`: where the data lacks)."""
    entries = best_val_loss_entries(d)
    if not entries:
        return
    j = entries[0]
    others = f" (and {len(entries) - 1} more entr{'ies' if len(entries) > 2 else 'y'})" if len(entries) > 1 else ""
    ctx.add(
        "CK214",
        ("evaluation", "matrix", j, "epochs"),
        f"evaluation.matrix[{j}]{others} evaluates best_val_loss, but {why}: there is no validation loss to pick a checkpoint by",
        "add a validation split to the dataset and set data.training.splits.validation to its count, or list epochs explicitly",
    )


def check(ctx: Ctx, d: Design) -> None:
    """CK214 from the design alone: data.training.splits.validation is 0 (the matrix's epochs
    are checked entry by entry from rules/matrix.py, `check_entry`)."""
    splits = d.data_training.get("splits")
    if isinstance(splits, dict) and is_int(splits.get("validation")) and splits["validation"] == 0:
        no_validation_data(ctx, d, "data.training.splits.validation is 0")
