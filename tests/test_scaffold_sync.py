"""The job files kept in sync with the design (issue 20 item 3), through real copier, git and
pre-commit: the post-copy hook scaffolds an approved design so the first commit holds the job
files (and logs SCAFFOLD_JOBS); the ck-scaffold-sync commit hook rewrites stale files and stops the
commit; `copier update` rescaffolds; `scaffold: false` turns all of it off."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from copier_support import copied_experiment, copier_update, git, log_actions

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    return copied_experiment(tmp_path_factory.mktemp("scaffold-sync"), epochs=2, eval_epochs="all")


def _entry(dst: Path, action: str) -> dict[str, str]:
    """The fields of the last `action` entry of the design log."""
    blocks = (dst / "logs" / "design-experiment.log").read_text().split("\n\n")
    block = [b for b in blocks if f"] {action}\n" in b + "\n"][-1]
    return dict(line.split(": ", 1) for line in block.splitlines()[1:])


def test_the_first_commit_holds_the_job_files(design):
    dst, env = design
    tracked = set(git(["ls-files"], dst, env).stdout.split())
    data = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    trained = [r["name"] for r in data["runs"] if r["type"] == "fine-tuned"]
    assert trained
    assert {f"{r}/setup_finetune.yaml" for r in trained} <= tracked
    assert {"submit.sh", "logs/scaffold-manifest.json"} <= tracked
    assert git(["status", "--porcelain"], dst, env).stdout == ""  # nothing left unstaged
    entry = _entry(dst, "SCAFFOLD_JOBS")
    assert entry["Result"] == "success"
    assert entry["Training jobs"] == str(len(trained))
    assert entry["Design SHA-256"] == hashlib.sha256((dst / "experiment_summary.yaml").read_bytes()).hexdigest()
    jobs = [f for f in tracked if f.endswith(("/setup_finetune.yaml", "/eval_config.yaml")) or f == "submit.sh"]
    assert entry["Written"] == str(len(jobs))
    assert log_actions(dst).index("SCAFFOLD_JOBS") < log_actions(dst).index("COMPLETE_DESIGN")
    r = subprocess.run([str(BIN / "ck-validate"), "--log", "logs/design-experiment.log"], cwd=dst, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    check = subprocess.run([str(BIN / "ck-scaffold"), "--check"], cwd=dst, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    readme = (dst / "README.md").read_text()
    assert "## Jobs" in readme and "ck-scaffold --render" in readme


def test_the_commit_hook_rewrites_stale_job_files_and_stops_the_commit(design):
    dst, env = design
    summary = dst / "experiment_summary.yaml"
    original = summary.read_text()
    run = next(r["name"] for r in yaml.safe_load(original)["runs"] if r["type"] == "fine-tuned")
    job = dst / run / "setup_finetune.yaml"
    before = job.read_text()
    assert "batch_size: 4\n" in original
    summary.write_text(original.replace("batch_size: 4\n", "batch_size: 8\n", 1))
    try:
        c = git(["commit", "-qam", "bigger batches"], dst, env, check=False)
        assert c.returncode != 0
        out = c.stdout + c.stderr
        assert "ck-scaffold (the job files follow experiment_summary.yaml)" in out and "rewrote" in out
        assert "batch_size: 8\n" in job.read_text()
        git(["add", "-A", "--", "."], dst, env)
        c = git(["commit", "-qm", "bigger batches"], dst, env, check=False)
        assert c.returncode == 0, c.stdout + c.stderr  # rewritten and reviewed: the commit passes
    finally:
        summary.write_text(original)
        git(["commit", "-qam", "back"], dst, env, check=False)
        git(["add", "-A", "--", "."], dst, env)
        git(["commit", "-qm", "back"], dst, env, check=False)
    assert job.read_text() == before


def test_copier_update_rescaffolds(design, tmp_path):
    dst, env = design
    data = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    runs = [r["name"] for r in data["runs"] if r["type"] == "fine-tuned"]
    r = copier_update(dst, env, {"epochs": 3}, tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "job files (ck-scaffold)" in r.stdout + r.stderr
    assert yaml.safe_load((dst / runs[0] / "setup_finetune.yaml").read_text())["epochs"] == 3
    assert (dst / runs[0] / "eval").is_dir()
    assert any(p.name.endswith("_epoch2") for p in (dst / runs[0] / "eval").iterdir())  # the new last epoch
    entry = _entry(dst, "SCAFFOLD_JOBS")
    assert entry["Result"] == "success" and int(entry["Updated"]) > 0


def test_scaffold_false_writes_no_job_file(tmp_path):
    dst, env = copied_experiment(tmp_path, scaffold=False)
    assert not (dst / "submit.sh").exists()
    assert "SCAFFOLD_JOBS" not in log_actions(dst)
    r = subprocess.run([str(BIN / "ck-scaffold"), "--sync"], cwd=dst, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and not (dst / "submit.sh").exists()  # the commit hook stays off too
