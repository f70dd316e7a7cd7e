"""Hostile text in every string answer executes nothing (answers reach the hook as data,
every subprocess is an argument list). Real copier, real git; paths with hostile names exist."""

from __future__ import annotations

from pathlib import Path

import yaml

from ck_design.validate.rules.log import check_log_file

from copier_support import answers_for, clean_env, copier_copy, git, log_actions, make_scratch

HOSTILE = "$(touch PWNED) ; rm -rf ~ `touch PWNED` \"quoted\" 'single' && touch PWNED | touch PWNED"


def test_hostile_answers_execute_nothing(tmp_path):
    from copier_support import shared_template

    env = clean_env(tmp_path / "home")
    sentinel = tmp_path / "home" / "keep-me"
    sentinel.write_text("still here\n")
    template = shared_template()
    # the resources themselves live under a hostile directory name
    res = make_scratch(tmp_path / "scr $(touch PWNED) `touch PWNED`")
    answers = answers_for(
        res,
        question=f"Q {HOSTILE}?",
        hypothesis=HOSTILE,
        purpose=HOSTILE,
        system_prompt=HOSTILE,
        prompt=f"{HOSTILE} {{input}}\n",
        wandb_project=HOSTILE,
        # gpu_constraint and gpu_partition are SLURM option values: the wizard refuses HOSTILE
        # there outright (issue 21 item 2, tests/test_hostile_slurm.py), so it never reaches the hook.
        task_label=HOSTILE,
        experiment_factor=HOSTILE,
        eval_tasks=[{"name": HOSTILE, "script": str(res["task"]), "description": HOSTILE, "dataset": HOSTILE}],
        eval_selection="selective",
        eval_matrix={HOSTILE: ["*", HOSTILE]},
        scorers=["match", "risk_scorer", "numeric_risk_scorer"],
        risk_option_tokens=[HOSTILE, "1"],
        numeric_labels=[HOSTILE, "1"],
    )
    work = tmp_path / "cwd"
    work.mkdir()
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers, env, work)
    assert r.returncode == 0, r.stderr
    assert not [p for p in tmp_path.rglob("PWNED")], "an answer was executed"
    assert sentinel.read_text() == "still here\n"
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    assert design["experiment"]["question"] == f"Q {HOSTILE}?"
    assert design["experiment"]["hypothesis"] == HOSTILE
    assert design["controls"]["system_prompt"] == HOSTILE
    assert design["evaluation"]["system_prompt"] == HOSTILE
    assert design["evaluation"]["tasks"][0]["name"] == HOSTILE
    assert design["evaluation"]["matrix"][0]["tasks"] == [HOSTILE]
    assert git(["status", "--porcelain"], dst).stdout == ""
    log = (dst / "logs" / "design-experiment.log").read_text()
    assert '"Q $(touch PWNED)' in log and "VERIFY_MODEL" in log_actions(dst)
    assert check_log_file(dst / "logs" / "design-experiment.log") == []
