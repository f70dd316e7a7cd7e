"""Issue 13, item 13: a copy into a folder that already holds files this template writes (and is
not an experiment of it) stops before writing anything, with one line. Real copier CLI, both
non-interactive (--defaults) and quiet, plus a folder of unrelated files that is accepted."""

from __future__ import annotations

import subprocess

import pytest

from copier_support import COPIER, answers_for, clean_env, copier_copy, make_scratch, shared_template


def _snapshot(d):
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("quiet", [False, True])
def test_conflicting_readme_refused_before_writing(tmp_path, quiet):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "project"
    dst.mkdir()
    (dst / "README.md").write_text("my own readme\n")
    (dst / "notes.txt").write_text("mine\n")
    before = _snapshot(dst)
    work = tmp_path / "cwd"
    work.mkdir()
    if quiet:
        data = work / "answers.yml"
        import yaml

        data.write_text(yaml.safe_dump(answers_for(res)))
        r = subprocess.run([COPIER, "copy", "--quiet", "--trust", "--defaults", "--data-file", str(data), str(template), str(dst)],
                           cwd=work, env=env, capture_output=True, text=True, timeout=600)
    else:
        r = copier_copy(template, dst, answers_for(res), env, work)
    assert r.returncode != 0
    assert _snapshot(dst) == before, "something was written"
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in r.stderr
    assert any(ln.startswith(f"ck-design: destination {dst} already holds README.md") for ln in lines), r.stderr
    assert any("nothing was written; choose an empty or new folder" in ln for ln in lines)


def test_destination_that_is_a_file_is_refused(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "afile"
    dst.write_text("x")
    work = tmp_path / "cwd"
    work.mkdir()
    r = copier_copy(template, dst, answers_for(res), env, work)
    assert r.returncode != 0
    assert dst.read_text() == "x"
    assert "is a file, not a folder" in r.stderr and "Traceback" not in r.stderr
