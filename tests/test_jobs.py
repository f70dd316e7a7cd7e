"""spec/jobs.py: the jobs a design asks for, counted once for ck-scaffold and ck-plan --compare."""

from __future__ import annotations

from pathlib import Path

import yaml

from ck_design.spec import compute, jobs, sweep
from designs import make_design

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "experiment_summary.yaml"


def test_example_counts_training_runs_and_matrix_cells() -> None:
    design = yaml.safe_load(EXAMPLE.read_text())
    j = jobs.jobs(design)
    # 2 models x 4 sweep points train; each is evaluated on 2 tasks at epochs 0 and 1, and the
    # 2 controls once per task.
    assert j.training_jobs == 8
    assert j.evaluation_jobs == 8 * 2 * 2 + 2 * 2
    assert [r["name"] for r in j.training][0] == "Llama-3.2-1B-Instruct_rank4_lr1e-05"
    assert j.evaluations[0] == jobs.Cell("Llama-3.2-1B-Instruct_rank4_lr1e-05", "capitalization", 0)
    assert j.evaluations[1] == jobs.Cell("Llama-3.2-1B-Instruct_rank4_lr1e-05", "capitalization", 1)
    assert j.evaluations[-1] == jobs.Cell("Llama-3.2-3B-Instruct_base", "capitalization_hard", None)
    assert j.evaluation_jobs == sweep.total_evaluations(design["evaluation"]["matrix"])


def test_gpu_hours_are_compute_s() -> None:
    design = make_design()
    for run in design["runs"]:
        run["compute"] = {"time": "02:00:00", "gpus": 2, "mem": "32G"}
    design["evaluation"]["compute"] = {"time": "00:30:00", "gpus": 1, "mem": "32G"}
    j = jobs.jobs(design)
    assert j.gpu_hours == compute.gpu_hours(design)
    assert j.gpu_hours["training"] == j.training_jobs * 2 * 2.0
    assert j.gpu_hours["evaluation"] == j.evaluation_jobs * 0.5


def test_best_val_loss_is_one_unresolved_job_per_task() -> None:
    design = make_design(eval_epochs="best_val_loss")
    cells = jobs.evaluation_cells(design)
    assert len(cells) == sweep.total_evaluations(design["evaluation"]["matrix"])
    trained = [c for c in cells if c.epoch == sweep.BEST_VAL_LOSS]
    assert trained and not any(c.resolved for c in trained)
    assert all(c.resolved for c in cells if c.run.endswith("_base"))


def test_tolerates_a_broken_design() -> None:
    assert jobs.jobs({"runs": "x", "evaluation": {"matrix": [1, {"run": "a", "tasks": ["t"], "epochs": None}]}}).evaluation_jobs == 1
    assert jobs.jobs({}).training_jobs == 0
