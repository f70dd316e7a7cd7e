"""Shared helpers for the hook tests (test_hook*, test_update, test_git, test_precommit,
test_injection): real resources on disk (make_scratch, from designs.py), a git-clean environment, the template as a git repo,
and the real `copier` CLI. No tests here."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from tools import copy_working_tree
from designs import make_scratch  # noqa: F401 - the one resources helper, for the hook tests

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPIER = str(BIN / "copier")
CK_VALIDATE = str(BIN / "ck-validate")

REQUIRED_COPY_ACTIONS = [
    "START_DESIGN",
    "USER_RESPONSE",
    "VERIFY_MODEL",
    "VERIFY_DATASET",
    "COUNT_DATASET_SAMPLES",
    "VERIFY_EVAL_TASK",
    "CHECK_DISK_SPACE",
    "CALCULATE_DISK_USAGE",
    "GENERATE_RUNS",
    "GENERATE_EVAL_MATRIX",
    "CREATE_YAML",
    "CREATE_LOG",
    "COMPLETE_DESIGN",
]

def clean_env(home: Path, identity: bool = True) -> dict[str, str]:
    """An environment with a private HOME, no system git config, and (optionally) a git identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "COPIER_", "PRE_COMMIT"))}
    env.pop("EMAIL", None)
    env.pop("CK_LOCAL_CONFIG", None)
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["PRE_COMMIT_HOME"] = str(home / ".cache" / "pre-commit")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if identity:
        env.update(
            GIT_AUTHOR_NAME="Test Author",
            GIT_AUTHOR_EMAIL="author@example.invalid",
            GIT_COMMITTER_NAME="Test Author",
            GIT_COMMITTER_EMAIL="author@example.invalid",
        )
    return env


def template_repo(tmp: Path, env: dict[str, str]) -> Path:
    """The working tree of this repository (committed and uncommitted, not ignored), committed into
    a fresh git repository: copier update needs a git template, and tests must see current files."""
    dst = tmp / "ck-design-template"
    copy_working_tree(dst)
    git(["init", "-q"], dst, env)
    git(["add", "-A"], dst, env)
    git(["commit", "-q", "-m", "template"], dst, env)
    return dst


_SHARED_TEMPLATE: list[Path] = []


def shared_template() -> Path:
    """template_repo, built once per test process and shared: copier only reads (clones) it. A test
    that commits to its template uses template_repo (or conftest's `setup`, one per module)."""
    if not _SHARED_TEMPLATE:
        tmp = Path(tempfile.mkdtemp(prefix="ck-template-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        _SHARED_TEMPLATE.append(template_repo(tmp, clean_env(tmp / "home")))
    return _SHARED_TEMPLATE[0]


def commit_template_change(template: Path, env: dict[str, str], message: str = "template change") -> None:
    git(["add", "-A"], template, env)
    git(["commit", "-q", "--allow-empty", "-m", message], template, env)


def git(args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def answers_for(res: dict[str, Path], **overrides: Any) -> dict[str, Any]:
    """A complete non-interactive answer set for the wizard (copier.yml's keys)."""
    answers: dict[str, Any] = {
        "scratch_dir": str(res["scratch"]),
        "experiment_type": "experiment",
        "question": "Does LoRA rank matter for capitalization?",
        "hypothesis": "Rank 4 is enough.",
        "purpose": "Pick the cheapest rank.",
        "models_dir": str(res["models_dir"]),
        "models": ["Llama-3.2-1B-Instruct"],
        "dataset_path": str(res["dataset"]),
        "variables": {"lora_rank": [4, 8]},
        "epochs": 2,
        "num_warmup_steps": 10,
        "packing": False,  # one-word examples: packed, a step or two (CK250)
        "eval_tasks": [
            {"name": "capitalization", "script": str(res["task"]), "description": "Capitalize a word", "dataset": "same"}
        ],
        "eval_epochs": "all",
        "experiment_name": "cap_lora_rank_comparison_2026-11-25",
        "experiment_date": "2026-11-25",
        "wandb_project": "ck-tests",
        "gpu_constraint": "gpu80",
    }
    answers.update(overrides)
    return answers


def copier_copy(template: Path, dst: Path, answers: dict[str, Any], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    data_file = tmp / f"answers-{dst.name}.yml"
    data_file.write_text(yaml.safe_dump(answers, sort_keys=False, allow_unicode=True))
    return subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--data-file", str(data_file), str(template), str(dst)],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=600,
    )


def copied_experiment(tmp: Path, **answers: Any) -> tuple[Path, dict[str, str]]:
    """A real `copier copy` of this template into {scratch}/ck-experiments/<name>, from resources
    made under `tmp`; returns the experiment directory and the git-clean environment."""
    env = clean_env(tmp / "home")
    template = shared_template()
    res = make_scratch(tmp / "x")
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res, **answers), env, tmp)
    assert r.returncode == 0, r.stderr
    return dst, env


def copier_update(dst: Path, env: dict[str, str], data: dict[str, Any] | None = None, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [COPIER, "update", "--trust", "--defaults"]
    if data:
        assert tmp is not None
        data_file = tmp / f"update-{dst.name}.yml"
        data_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        cmd += ["--data-file", str(data_file)]
    return subprocess.run(cmd, cwd=dst, env=env, capture_output=True, text=True, timeout=600)


def log_actions(dst: Path) -> list[str]:
    text = (dst / "logs" / "design-experiment.log").read_text()
    return [line.split("] ", 1)[1] for line in text.splitlines() if line.startswith("[")]


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(x == y for y in it) for x in needle)


def tree(dst: Path, skip: tuple[str, ...] = (".git", "logs")) -> dict[str, bytes]:
    return {
        str(p.relative_to(dst)): p.read_bytes()
        for p in sorted(dst.rglob("*"))
        if p.is_file() and p.relative_to(dst).parts[0] not in skip
    }

