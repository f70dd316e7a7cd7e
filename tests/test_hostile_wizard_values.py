"""Issue 13, item 8: the wizard refuses values nobody can train with at the question, before
anything is written: inf/nan, and a design too big to run (runs x epochs beyond
spec/sweep.py MAX_EVALUATIONS). Real copier, through its Python API (run_copy)."""

from __future__ import annotations

import pytest
from copier import run_copy

from copier_support import answers_for, clean_env, make_scratch, template_repo


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"temperature": float("inf")}, "temperature must be a finite number, not inf"),
        ({"temperature": float("nan")}, "temperature must be a finite number, not nan"),
        ({"weight_decay": float("inf")}, "weight_decay must be a finite number, not inf"),
        ({"variables": {"lr": [float("nan"), 1e-4]}}, "lr must be a finite number, not nan"),
        ({"epochs": 10_000_000}, "epochs must be <= 1000"),
        ({"variables": {"lora_rank": list(range(1, 102)), "lr": [1e-5 * i for i in range(1, 101)]}},
         "10,100 runs (models x combinations of the variables) give 10,100 evaluations or more"),
        ({"variables": {"lora_rank": list(range(1, 51)), "lr": [1e-5 * i for i in range(1, 11)]}, "epochs": 30},
         "500 runs x 30 epochs give 15,000 evaluations or more; one design holds at most 10,000"),
    ],
)
def test_unusable_answers_refused_at_the_question(setup, monkeypatch, override, message):
    tmp, _, template, res = setup
    monkeypatch.setenv("HOME", str(tmp / "home"))
    dst = tmp / f"exp-{abs(hash(message))}"
    with pytest.raises(ValueError) as exc:
        run_copy(str(template), dst, data=answers_for(res, **override), defaults=True, unsafe=True, quiet=True)
    assert message in str(exc.value)
    assert not dst.exists(), "something was written"


# --- the evaluation count (runs x tasks x checkpoints), bounded where the matrix is decided ----

# 2 models x 500 combinations x 4 epochs = 4,000 checkpoints (within the epochs bound); on 3
# tasks, every epoch: 12,000 evaluations + 2 controls x 3 tasks.
BIG = {"models": ["Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"],
       "variables": {"lora_rank": list(range(1, 51)), "lr": [1e-5 * i for i in range(1, 11)]},
       "epochs": 4, "eval_epochs": "all"}


@pytest.fixture(scope="module")
def three_tasks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wizard-evaluations")
    env = clean_env(tmp / "home")
    res = make_scratch(tmp / "res", tasks=("t1", "t2", "t3"))
    tasks = [{"name": n, "script": s, "description": n} for n, s in res["scripts"].items()]
    return tmp, template_repo(tmp, env), res, tasks


def _copy_big(three_tasks, monkeypatch, **override):
    tmp, template, res, tasks = three_tasks
    monkeypatch.setenv("HOME", str(tmp / "home"))
    dst = tmp / f"exp-{abs(hash(repr(override)))}"
    run_copy(str(template), dst, data=answers_for(res, **{**BIG, "eval_tasks": tasks, **override}),
             defaults=True, unsafe=True, quiet=True)
    return dst


def test_every_run_on_every_task_is_refused_when_it_is_too_many(three_tasks, monkeypatch):
    with pytest.raises(ValueError) as exc:
        _copy_big(three_tasks, monkeypatch, eval_selection="all")
    assert "Invalid choice for 'eval_selection': 12,006 evaluations; at most 10,000" in str(exc.value)


def test_a_selective_matrix_is_counted(three_tasks, monkeypatch):
    with pytest.raises(ValueError) as exc:
        _copy_big(three_tasks, monkeypatch, eval_selection="selective", eval_matrix={"t3": ["*"]})
    assert ("Validation error for question 'eval_matrix': this matrix gives 12,006 evaluations; at most 10,000: match fewer runs per task, or split the experiment") in str(exc.value)


def test_defaults_cannot_slip_a_design_past_the_bound(three_tasks, monkeypatch):
    """--defaults: eval_selection's default turns selective (every run on every task is too
    many), and eval_matrix has no default then ({} would be every task on every run): copier
    asks for an answer instead of taking a design it cannot hold."""
    with pytest.raises(ValueError) as exc:
        _copy_big(three_tasks, monkeypatch)
    assert str(exc.value) == 'Question "eval_matrix" is required'


def test_a_checkpoint_glob_matching_too_many_folders_is_refused(three_tasks, monkeypatch):
    tmp = three_tasks[0]
    old = tmp / "old"
    for i in range(10_001):
        (old / f"ck-out-{i}").mkdir(parents=True)
    with pytest.raises(ValueError) as exc:
        _copy_big(three_tasks, monkeypatch, models=["Llama-3.2-1B-Instruct"], variables={}, epochs=1,
                  eval_epochs="last", eval_checkpoints_wanted=True,
                  eval_checkpoints=[{"path": f"{old}/ck-out-*", "label": "old"}])
    assert "these paths give 10,001 or more eval-only runs; one design holds at most 10,000" in str(exc.value)
