"""The SLURM jobs a design asks for: one training job per fine-tuned run, one evaluation job per
matrix cell (run x task x epoch), and the GPU-hours of both.

Defined once, here, for everything that counts jobs: ck-scaffold writes one file per job and
prints this summary, `ck-plan --compare` sets two designs' counts side by side. Pure functions on
the design's data (the validated `runs` and `evaluation.matrix`, which spec/sweep.py builds); no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

from .compute import gpu_hours
from .era import SEED, V03
from .sweep import BEST_VAL_LOSS, FINE_TUNED

# The job files ck-scaffold writes, relative to the experiment folder (docs/scaffold.md): one
# setup_finetune.yaml per training job, one evaluation config per evaluation job, in each era.
SETUP_FINETUNE = "setup_finetune.yaml"
EVAL_DIR = "eval"
EVAL_CONFIG = {SEED: "eval_config.yaml", V03: "eval.yaml"}
SUBMIT = "submit.sh"

# A cell's epoch: the 0-indexed checkpoint of a fine-tuned run, None for a run evaluated as it
# is (a control, an eval-only run), BEST_VAL_LOSS when training picks it (one job per task).
Epoch = Union[int, str, None]


class Cell(NamedTuple):
    """One evaluation job: a run evaluated on a task at one checkpoint. A NamedTuple, not a
    dataclass: a 1,000-run design has ~15,000 cells, built and hashed (ck-plan --compare's set
    differences) in C instead of in generated Python methods: jobs() 3x faster."""

    run: str
    task: str
    epoch: Epoch

    @property
    def resolved(self) -> bool:
        """False for a best_val_loss cell: its checkpoint is known only after training."""
        return self.epoch != BEST_VAL_LOSS


@dataclass(frozen=True)
class Jobs:
    training: tuple[Mapping[str, Any], ...]  # the fine-tuned runs, in design order
    evaluations: tuple[Cell, ...]  # the matrix's cells, in matrix order
    gpu_hours: Mapping[str, float]  # spec/compute.gpu_hours: training, evaluation, total

    @property
    def training_jobs(self) -> int:
        return len(self.training)

    @property
    def evaluation_jobs(self) -> int:
        return len(self.evaluations)


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def training_runs(design: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The runs that train: every fine-tuned run (controls and eval-only runs do not)."""
    return [r for r in _mappings(design.get("runs")) if r.get("type") == FINE_TUNED]


def evaluation_cells(design: Mapping[str, Any]) -> list[Cell]:
    """Every (run, task, epoch) the matrix names, entry by entry, task by task, epoch by epoch.

    Counts as spec/sweep.py's total_evaluations does: an entry with `epochs: null` (a run
    evaluated as it is) or `best_val_loss` is one job per task.
    """
    evaluation = design.get("evaluation")
    matrix = _mappings(evaluation.get("matrix")) if isinstance(evaluation, Mapping) else []
    cells: list[Cell] = []
    for entry in matrix:
        epochs = entry.get("epochs")
        per_task: list[Epoch] = list(epochs) if isinstance(epochs, list) else [epochs if epochs == BEST_VAL_LOSS else None]
        tasks = entry.get("tasks")
        for task in tasks if isinstance(tasks, list) else ():  # a malformed entry names no job
            cells.extend(Cell(str(entry.get("run")), str(task), e) for e in per_task)
    return cells


def jobs(design: Mapping[str, Any]) -> Jobs:
    """The design's training and evaluation jobs and their GPU-hours."""
    return Jobs(tuple(training_runs(design)), tuple(evaluation_cells(design)), gpu_hours(design))
