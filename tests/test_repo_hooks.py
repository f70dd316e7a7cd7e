"""This repository's own pre-commit hooks (.pre-commit-config.yaml): run for real on a clone of
the tree under test (clone_support.fresh_clone), the way a contributor's `make lint` (and the GitHub workflow) runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from clone_support import fresh_clone

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ck test", "GIT_AUTHOR_EMAIL": "ck-test@example.invalid",
    "GIT_COMMITTER_NAME": "ck test", "GIT_COMMITTER_EMAIL": "ck-test@example.invalid",
}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, **GIT_ENV, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return env


def _clone(tmp_path: Path) -> Path:
    return fresh_clone(tmp_path)


def test_repo_hooks_pass_on_the_committed_tree(tmp_path):
    clone = _clone(tmp_path)
    run = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=clone, env=_env(tmp_path),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    for hook in ("ruff", "schemas/ generated", "docs/rules.md generated", "ck-validate the example"):
        assert hook in run.stdout


def test_repo_hooks_catch_a_broken_example_and_stale_docs(tmp_path):
    clone = _clone(tmp_path)
    example = clone / "examples" / "experiment_summary.yaml"
    example.write_text(example.read_text().replace("    epochs:\n    - 0\n    - 1\n", "    epochs:\n    - 1\n    - 2\n", 1))
    docs = clone / "docs" / "rules.md"
    docs.write_text(docs.read_text() + "\nhand edit\n")
    run = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=clone, env=_env(tmp_path),
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "CK210 [*] error" in run.stdout  # [*]: ck-validate --fix would repair it
    assert "docs/rules.md is out of date" in run.stdout
