"""Issue 21, item 14: a committed .copier-answers.yml whose `_src_path` was edited makes
`copier update --trust` run that template (and its hook). ck-design's post-update hook, when it
is the one that runs, says the source changed, in the summary and the log. Real copier, real git."""

from __future__ import annotations

import shutil

import yaml

from copier_support import clean_env, copier_copy, copier_update, answers_for, git, make_scratch, shared_template


def test_an_edited_src_path_is_said_after_the_update(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "exp"
    assert copier_copy(template, dst, answers_for(res), env, tmp_path).returncode == 0
    other = tmp_path / "elsewhere" / "ck-design-template"
    shutil.copytree(template, other)  # another copy: here the same code, in a hostile clone any
    answers = dst / ".copier-answers.yml"
    data = yaml.safe_load(answers.read_text())
    data["_src_path"] = str(other)
    answers.write_text(yaml.safe_dump(data, sort_keys=False))
    git(["commit", "-q", "--no-verify", "-am", "points the update elsewhere"], dst, env)
    r = copier_update(dst, env, {"epochs": 3}, tmp_path)
    assert r.returncode == 0, r.stderr
    said = (f"the template source changed: the design was copied from {template}, this update ran {other} "
            "(its .copier-answers.yml _src_path was edited since); check that it is a template you trust")
    assert f"  warning: {said}" in r.stdout, r.stdout
    assert f"Template source: {said}" in (dst / "logs" / "design-experiment.log").read_text()
