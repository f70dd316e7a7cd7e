"""Issue 21, item 5: --fix, --diff and ck-plan read their inputs as plain validation does
(facts/files.py): regular files only, bounded, never blocking, the same one-line errors. Real
FIFOs, /dev/zero, a 3 GB sparse file under a memory ceiling (resource.setrlimit in the child)."""

from __future__ import annotations

import os
import subprocess

import pytest
from designs import make_design, write_design

from tools import CK_PLAN, CK_VALIDATE

DEADLINE = 60  # a hang is a failure, not a stuck suite


def _limited(max_bytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    return apply


def _run(args, cwd, memory=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=DEADLINE,
                          preexec_fn=_limited(memory) if memory else None)


@pytest.mark.parametrize("mode", ["--fix", "--diff"])
def test_fix_and_diff_refuse_a_fifo_without_blocking(tmp_path, mode):
    fifo = tmp_path / "experiment_summary.yaml"
    os.mkfifo(fifo)
    r = _run([CK_VALIDATE, mode, str(fifo)], tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        f"ck-validate: {fifo}: is a FIFO (named pipe or process substitution), not a regular file; "
        "ck-design reads regular files only")


def test_diff_of_dev_zero_is_refused_not_a_memory_error(tmp_path):
    r = _run([CK_VALIDATE, "--diff", "/dev/zero"], tmp_path, memory=512 * 1024 * 1024)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        "ck-validate: /dev/zero: is a character device, not a regular file; ck-design reads regular files only")
    assert "internal error" not in r.stderr


@pytest.mark.parametrize("mode", ["--fix", "--diff"])
def test_a_huge_sparse_file_is_not_read_whole(tmp_path, mode):
    big = tmp_path / "experiment_summary.yaml"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024**3)
    r = _run([CK_VALIDATE, mode, str(big)], tmp_path, memory=512 * 1024 * 1024)
    assert r.stderr.splitlines()[0] == f"ck-validate: {big}: not fixed: it does not parse", r.stderr
    if mode == "--fix":  # --diff prints only diffs: there is none (exit 0, as ruff --diff)
        assert r.returncode == 1
        assert f"{big}:1:1: CK003 error: file is 3221.2 MB; a design is at most 10 MB" in r.stdout
    assert os.path.getsize(big) == 3 * 1024**3


def test_ck_plan_refuses_a_fifo_readme_without_blocking(tmp_path):
    write_design(tmp_path, make_design())
    os.mkfifo(tmp_path / "README.md")
    r = _run([CK_PLAN, str(tmp_path)], tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"ck-plan: {tmp_path / 'README.md'}: is a FIFO (named pipe or process "
                                "substitution), not a regular file; ck-design reads regular files only")
