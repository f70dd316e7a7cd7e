"""Declined at approval (step 8): nothing is rendered, and the post-copy task does not run."""

from __future__ import annotations

from pathlib import Path


from copier_support import answers_for, clean_env, copier_copy, make_scratch


def test_declined_plan_runs_no_hook_and_writes_nothing(tmp_path):
    from copier_support import shared_template

    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "r")
    dst = Path(res["scratch"]) / "ck-experiments" / "declined"
    r = copier_copy(template, dst, answers_for(res, approved=False), env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "post_copy.py" not in r.stderr
    assert not dst.exists() or not any(dst.iterdir())
