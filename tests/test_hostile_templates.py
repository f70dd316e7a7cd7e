"""Issue 13, item 2: no answer is ever rendered as a Jinja template. A model name that is a Jinja
expression (`expandvars` reading a secret, `fileglob` listing files) is kept as text, given with
`copier copy --data` or found in a committed .copier-answers.yml during `copier update`.
Real copier CLI, real git."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from copier_support import COPIER, answers_for, copier_copy, git, make_scratch, shared_template

SECRET = "s3cr3t-value-4242"
CANARY = "canary-file-7731"


def _hostile(tmp):
    hidden = tmp / "hidden"
    hidden.mkdir(exist_ok=True)
    (hidden / f"{CANARY}.txt").write_text("x\n")
    return ['{{ "$SECRET_TOKEN" | expandvars }}', '{{ "%s/*" | fileglob }}' % hidden]


def _everything(d):
    return "\n".join(p.read_text(errors="replace") for p in sorted(d.rglob("*"))
                     if p.is_file() and ".git" not in p.relative_to(d).parts)


def _assert_inert(r, dst, names):
    seen = r.stdout + r.stderr + _everything(dst)
    assert SECRET not in seen, "an answer was rendered as a template: the secret leaked"
    assert CANARY not in seen, "an answer was rendered as a template: fileglob listed files"
    assert yaml.safe_load((dst / ".copier-answers.yml").read_text())["models"] == names  # verbatim


def _design_models(dst):
    return [m["name"] for m in yaml.safe_load((dst / "experiment_summary.yaml").read_text())["models"]["base"]]


@pytest.fixture
def env(env):
    """tests/conftest.py's clean environment, with a secret a template must not be able to read."""
    env["SECRET_TOKEN"] = SECRET
    return env


def test_copy_with_data_keeps_a_jinja_model_name_as_text(tmp_path, env):
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    names = _hostile(tmp_path)
    dst = tmp_path / "exp"
    work = tmp_path / "cwd"
    work.mkdir()
    r = subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--data-file", str(_data(work, answers_for(res, models=names))),
         "--data", f"hypothesis={names[0]}", str(template), str(dst)],
        cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    _assert_inert(r, dst, names)
    assert _design_models(dst) == names


def _data(work, answers):
    f = work / "answers.yml"
    f.write_text(yaml.safe_dump(answers, sort_keys=False))
    return f


def test_update_from_a_crafted_answers_file_keeps_it_as_text(tmp_path, env):
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "exp"
    assert copier_copy(template, dst, answers_for(res), env, tmp_path).returncode == 0
    names = _hostile(tmp_path)
    answers_file = dst / ".copier-answers.yml"
    answers = yaml.safe_load(answers_file.read_text())
    answers["models"] = names
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False))
    git(["commit", "-q", "-am", "crafted answers"], dst, env)
    # copier update renders the old and the new template version with these answers (their
    # questions, the models' choices list included) and merges the difference into the files.
    r = subprocess.run([COPIER, "update", "--trust", "--defaults"], cwd=dst, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    _assert_inert(r, dst, names)
