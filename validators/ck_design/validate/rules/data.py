"""CK255-CK257: the training data as the design describes it: a train count, a format that is
the file's, and validation data when training validates (the seed: "Required splits: train,
validation (optional), test (optional)")."""

from __future__ import annotations

from typing import Any

from ...spec.sweep import FINE_TUNED
from ..context import Ctx, Design
from ..values import PathT, fmt_path, is_int
from . import DATA, E, rule, schema

DOCS = [
    rule(
        "CK255", E, DATA,
        "validation_during_training is true, but there is no validation data: data.training.splits.validation is 0, or (with --check-resources) the dataset has no validation list.",
        """The seed lists the splits as "Required splits: train, validation (optional), test
        (optional)" and asks "Should validation run during training? (default: yes)": validation
        is optional only when training does not validate. A job told to validate every N steps
        on a split the dataset does not have stops when it loads the data, before the first
        step (best_val_loss has its own rule, CK214).""",
        "Add a validation split to the dataset (and its count to data.training.splits.validation), or set validation_during_training: false.",
        """
        controls:
          validation_during_training: true
        data:
          training:
            splits: {train: 400, validation: 0, test: 50}
        """,
        """
        controls:
          validation_during_training: false
        data:
          training:
            splits: {train: 400, validation: 0, test: 50}
        """,
    ),
    rule(
        "CK256", E, DATA,
        "data.training.format disagrees with the dataset file's extension (a .parquet file with format: json, or the reverse).",
        """The seed's template: `format: string  # REQUIRED: "json" or "parquet"`. The format, not
        the file name, tells the training job how to read the data (its dataset extension and
        loader): a parquet file read as JSON fails when the job starts, after it waited in the
        queue.""",
        "Set format to the file's format (json for .json/.jsonl, parquet for .parquet), or point path at the file you meant.",
        """
        data:
          training:
            path: /data/words_8L_500.parquet
            format: json
        """,
        """
        data:
          training:
            path: /data/words_8L_500.parquet
            format: parquet
        """,
    ),
    rule(
        "CK257", E, DATA,
        "data.training.splits has no train count.",
        """The seed: "Required splits: train", and its template marks splits REQUIRED with
        `train: int`. The train count is what every step estimate divides (CK250-CK252: too few
        steps, a warmup that never completes) and what the training job is told as its number
        of samples; without it those checks are silently off.""",
        "Add splits.train: the number of examples in the dataset's train list.",
        """
        data:
          training:
            splits: {validation: 50, test: 50}
        """,
        """
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
]

# Which format each data file extension is (a folder of parquet shards has none: not checked).
_FORMAT_OF_EXTENSION = {".json": "json", ".jsonl": "json", ".parquet": "parquet"}


def check(ctx: Ctx, d: Design) -> None:
    training = d.data_training
    splits = training.get("splits")
    if isinstance(splits, dict):
        if "train" not in splits:
            ctx.add(
                "CK257",
                ("data", "training", "splits"),
                "data.training.splits has no train count: the step checks (CK250-CK252) cannot run and the training job is not told its number of samples",
                "add `train: <the number of examples in the dataset's train list>` to data.training.splits",
                at_key=True,
            )
        if is_int(splits.get("validation")) and splits["validation"] == 0:
            validation_without_data(ctx, d, "data.training.splits.validation is 0")
    _check_format(ctx, training)


def validating_runs(d: Design) -> list[tuple[int, PathT]]:
    """(index, where it is set) of each fine-tuned run whose validation_during_training is true."""
    out = []
    for i, run in enumerate(d.runs):
        if isinstance(run, dict) and run.get("type") == FINE_TUNED:
            value, source = d.run_value(i, "validation_during_training")
            if value is True and source is not None:
                out.append((i, source))
    return out


def validation_without_data(ctx: Ctx, d: Design, why: str) -> None:
    """CK255, once, where the first validating run gets its validation_during_training: true."""
    runs = validating_runs(d)
    if not runs:
        return
    sources = list(dict.fromkeys(source for _, source in runs))
    at = sources[0]
    who = "every fine-tuned run" if len(runs) == sum(1 for r in d.runs if isinstance(r, dict) and r.get("type") == FINE_TUNED) else (
        f"{len(runs)} fine-tuned run{'s' if len(runs) != 1 else ''}"
    )
    ctx.add(
        "CK255",
        at,
        f"{fmt_path(at)} is true ({who} validates during training), but {why}: the training job stops when it loads the validation split",
        "add a validation split to the dataset and set data.training.splits.validation to its count, or set validation_during_training: false",
    )


def _check_format(ctx: Ctx, training: dict[Any, Any]) -> None:
    """CK256: the format the design says is the one the file's extension says."""
    path, given = training.get("path"), training.get("format")
    if not isinstance(path, str) or not isinstance(given, str):
        return
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    actual = _FORMAT_OF_EXTENSION.get(extension)
    if actual is None or actual == given:
        return
    # A format the era does not allow (parquet in 0.3) is the schema's finding: one is enough.
    line = ctx.line_of(("data", "training", "format"))
    structural = {r.code for r in schema.DOCS}
    if any(f.code in structural and f.line == line for f in ctx.findings):
        return
    ctx.add(
        "CK256",
        ("data", "training", "format"),
        f"data.training.format is {given!r}, but data.training.path {path!r} is a {extension} file: the training job would read it as {given}",
        f"set format: {actual} (or point path at the {given} file you meant)",
    )

