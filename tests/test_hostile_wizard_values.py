"""Issue 13, item 8: the wizard refuses values nobody can train with at the question, before
anything is written: inf/nan, and a design too big to run (runs x epochs beyond
spec/sweep.py MAX_EVALUATIONS). Real copier, through its Python API (run_copy)."""

from __future__ import annotations

import pytest
from copier import run_copy

from test_hook_support import answers_for, clean_env, make_scratch, template_ready, template_repo

pytestmark = pytest.mark.skipif(not template_ready(), reason="the wizard has not landed")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wizard-values")
    env = clean_env(tmp / "home")
    return tmp, template_repo(tmp, env), make_scratch(tmp / "res")


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
    tmp, template, res = setup
    monkeypatch.setenv("HOME", str(tmp / "home"))
    dst = tmp / f"exp-{abs(hash(message))}"
    with pytest.raises(ValueError) as exc:
        run_copy(str(template), dst, data=answers_for(res, **override), defaults=True, unsafe=True, quiet=True)
    assert message in str(exc.value)
    assert not dst.exists(), "something was written"
