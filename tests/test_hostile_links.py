"""Issue 21, item 1: no file ck-design writes or appends to is reached through a symbolic link.

A cloned experiment can hold a link where the design log, logs/resource-facts.json or README.md
belongs (git stores links). Following it would append answer values to ~/.bashrc or overwrite
another experiment's README. Real copier update, real git, real ck-plan, real links."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ck_design.facts.files import UnsafeTarget, append_regular_file, write_problem, write_regular_file
from copier_support import clean_env, copied_experiment, copier_update, git
from tools import CK_PLAN

LOG = "logs/design-experiment.log"
FACTS = "logs/resource-facts.json"
BASHRC = "export PS1='$ '\n"


def _plant_link(dst: Path, rel: str, target: Path, env: dict[str, str]) -> None:
    """Replace `rel` with a link to `target` and commit it, as a hostile clone would hold it."""
    (dst / rel).unlink()
    os.symlink(target, dst / rel)
    git(["add", "-A", rel], dst, env)
    git(["commit", "-q", "-m", f"{rel} is a link"], dst, env)


@pytest.mark.parametrize("rel", [LOG, FACTS, "README.md"])
def test_update_writes_nothing_through_a_planted_link(tmp_path, rel):
    dst, env = copied_experiment(tmp_path)
    bashrc = tmp_path / "home" / ".bashrc"
    bashrc.write_text(BASHRC)
    _plant_link(dst, rel, bashrc, env)
    r = copier_update(dst, env, {"epochs": 3, "wandb_project": "x$(touch pwned)"}, tmp_path)
    assert r.returncode != 0, r.stdout + r.stderr  # the update did not finish: it says so
    assert bashrc.read_text() == BASHRC  # nothing appended, nothing overwritten
    assert (dst / rel).is_symlink()
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("ck-design:")]
    assert lines == [
        f"ck-design: the design was updated, but the post-update hook wrote nothing: {dst / rel}: is a symbolic "
        f"link (to {bashrc}); ck-design writes only regular files inside the experiment and follows no link: "
        "nothing was written. Replace the link with a regular file (or name the file it points to) and run again"
    ], r.stderr
    assert "Traceback" not in r.stderr


def test_ck_plan_does_not_rewrite_another_experiments_readme(tmp_path):
    from designs import make_design, write_design

    from ck_design.plan.markdown import PLAN_BEGIN, PLAN_END

    exp = tmp_path / "exp"
    exp.mkdir()
    write_design(exp, make_design())
    other = tmp_path / "other" / "README.md"
    other.parent.mkdir()
    other.write_text(f"# another experiment\n{PLAN_BEGIN}\nold\n{PLAN_END}\n")
    before = other.read_bytes()
    os.symlink(other, exp / "README.md")
    r = subprocess.run([CK_PLAN, str(exp)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert other.read_bytes() == before
    assert r.stderr.startswith(f"ck-plan: {exp / 'README.md'}: is a symbolic link (to {other})")


def test_a_linked_folder_is_not_written_into(tmp_path):
    exp, elsewhere = tmp_path / "exp", tmp_path / "elsewhere"
    exp.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, exp / "logs")
    with pytest.raises(UnsafeTarget, match=r"logs: is a symbolic link"):
        append_regular_file(exp / LOG, "entry\n", exp)
    with pytest.raises(UnsafeTarget):
        write_regular_file(exp / FACTS, "{}\n", exp)
    assert list(elsewhere.iterdir()) == []
    assert write_problem(exp / LOG, exp).startswith(f"{exp / 'logs'}: is a symbolic link")


def test_a_hard_link_a_fifo_and_a_path_outside_are_refused(tmp_path):
    exp = tmp_path / "exp"
    (exp / "logs").mkdir(parents=True)
    outside = tmp_path / "bashrc"
    outside.write_text(BASHRC)
    os.link(outside, exp / LOG)
    with pytest.raises(UnsafeTarget, match="other hard link"):
        append_regular_file(exp / LOG, "entry\n", exp)
    assert outside.read_text() == BASHRC
    os.mkfifo(exp / FACTS)
    with pytest.raises(UnsafeTarget, match="is a FIFO"):
        write_regular_file(exp / FACTS, "{}\n", exp)
    with pytest.raises(UnsafeTarget, match="outside"):
        write_regular_file(outside, "x", exp)
    # a regular file inside is written, keeping its mode
    (exp / "README.md").write_text("old\n")
    (exp / "README.md").chmod(0o640)
    write_regular_file(exp / "README.md", "new\n", exp)
    assert (exp / "README.md").read_text() == "new\n" and (exp / "README.md").stat().st_mode & 0o777 == 0o640


def test_a_recopy_stops_before_copier_writes_through_a_link(tmp_path):
    """copier writes rendered files itself and follows links: a recopy (`copier copy` into the
    experiment again) would overwrite the file README.md points to. The destination check stops
    it before anything is written."""
    from copier_support import answers_for, copier_copy, make_scratch, template_repo

    env = clean_env(tmp_path / "home")
    template = template_repo(tmp_path, env)
    res = make_scratch(tmp_path / "res")
    dst = tmp_path / "exp"
    assert copier_copy(template, dst, answers_for(res), env, tmp_path).returncode == 0
    other = tmp_path / "other" / "README.md"
    other.parent.mkdir()
    other.write_text("another experiment's README\n")
    (dst / "README.md").unlink()
    os.symlink(other, dst / "README.md")
    r = copier_copy(template, dst, answers_for(res, epochs=3), env, tmp_path)
    assert r.returncode != 0
    assert other.read_text() == "another experiment's README\n"
    assert f"destination {dst}: {dst / 'README.md'}: is a symbolic link (to {other})" in r.stderr, r.stderr[-2000:]
