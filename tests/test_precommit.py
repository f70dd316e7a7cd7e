"""The rendered .pre-commit-config.yaml (installed by the hook) validates every commit, offline:
`pre-commit run --all-files` passes on a fresh design; 1-indexed epochs are rejected (CK210)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from copier_support import copied_experiment, git

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    return copied_experiment(tmp_path_factory.mktemp("precommit"), epochs=2, eval_epochs="all")


def test_the_hook_installed_pre_commit(design):
    dst, env = design
    assert (dst / ".git" / "hooks" / "pre-commit").is_file()
    config = yaml.safe_load((dst / ".pre-commit-config.yaml").read_text())
    ids = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    assert {"ck-validate-summary", "ck-validate-log", "ck-no-conflict-markers", "ck-no-rejected-hunks"} <= set(ids)
    assert all(repo["repo"] == "local" for repo in config["repos"])  # no clone, no network


def test_pre_commit_run_all_files_passes(design):
    dst, env = design
    r = subprocess.run([PRE_COMMIT, "run", "--all-files"], cwd=dst, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ck-validate experiment_summary.yaml" in r.stdout and "Passed" in r.stdout


def test_one_indexed_epochs_are_rejected_at_commit_naming_ck210(design):
    dst, env = design
    summary = dst / "experiment_summary.yaml"
    original = summary.read_text()
    design = yaml.safe_load(original)
    assert design["evaluation"]["matrix"][0]["epochs"] == [0, 1]
    flow, block = "epochs: [0, 1]", re.compile(r"epochs:\n(\s+)- 0\n\1- 1\n")
    broken = original.replace(flow, "epochs: [1, 2]") if flow in original else block.sub(r"epochs:\n\1- 1\n\1- 2\n", original)
    assert yaml.safe_load(broken)["evaluation"]["matrix"][0]["epochs"] == [1, 2]
    summary.write_text(broken)
    try:
        c = git(["commit", "-qam", "epochs 1-indexed"], dst, env, check=False)
        assert c.returncode != 0
        assert "CK210" in c.stdout + c.stderr
        assert git(["rev-list", "--count", "HEAD"], dst).stdout.strip() == "1"
    finally:
        summary.write_text(original)


def test_the_workflow_runs_the_same_hooks(design):
    dst, env = design
    wf = yaml.safe_load((dst / ".github" / "workflows" / "validate.yml").read_text())
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    steps = wf["jobs"]["validate"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("pre-commit run --all-files" in r for r in runs)
    assert any('"$CK_DESIGN_SPEC"' in r for r in runs)


def test_rejected_hunks_are_refused(design):
    dst, env = design
    rej = dst / "experiment_summary.yaml.rej"
    rej.write_text("@@ -1,1 +1,1 @@\n-a\n+b\n")
    try:
        git(["add", rej.name], dst, env)
        c = git(["commit", "-qm", "with a .rej"], dst, env, check=False)
        assert c.returncode != 0 and "ck-no-rejected-hunks" in c.stdout + c.stderr
    finally:
        git(["rm", "-q", "--cached", "--force", rej.name], dst, env, check=False)
        rej.unlink()


# --- issue 22 item 2: nothing silent at commit -------------------------------------------------


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    return copied_experiment(tmp_path_factory.mktemp("precommit-warnings"), epochs=2, eval_epochs="all")


def _commit_with_controls_line(dst, env, line: str, message: str):
    """Add `line` under controls: of the design, commit it through the installed hook."""
    summary = dst / "experiment_summary.yaml"
    text = summary.read_text()
    assert "\ncontrols:\n" in text
    summary.write_text(text.replace("\ncontrols:\n", f"\ncontrols:\n  {line}\n", 1))
    return _commit(dst, env, message)


def _commit(dst, env, message: str):
    """`git commit -am`; when only ck-plan-sync stopped it (the plan follows the design), add the
    regenerated README.md and commit again, as the hook's message says."""
    before = git(["rev-list", "--count", "HEAD"], dst).stdout.strip()
    c = git(["commit", "-am", message], dst, env, check=False)
    if c.returncode != 0 and "ck-plan: regenerated the plan" in c.stdout + c.stderr and "Failed" not in (
        (c.stdout + c.stderr).split("ck-plan (README.md", 1)[0]
    ):
        git(["add", "README.md"], dst, env)
        c = git(["commit", "-am", message], dst, env, check=False)
    after = git(["rev-list", "--count", "HEAD"], dst).stdout.strip()
    return c, before != after


def test_a_commit_shows_warnings_while_it_passes_and_an_ignore_comment_quiets_them(noisy):
    dst, env = noisy
    c, committed = _commit_with_controls_line(dst, env, "lora_alpha: 16", "an unknown key")
    assert committed and c.returncode == 0, c.stdout + c.stderr
    out = c.stdout + c.stderr
    assert "Passed" in out and "CK103 warning: controls.lora_alpha: unknown hyperparameter" in out
    # Acknowledged on its line: the next commit passes without repeating it.
    summary = dst / "experiment_summary.yaml"
    summary.write_text(summary.read_text().replace("  lora_alpha: 16\n", "  lora_alpha: 16  # ck-validate: ignore CK103\n"))
    c, committed = _commit(dst, env, "acknowledged")
    assert committed and c.returncode == 0, c.stdout + c.stderr
    assert "CK103" not in c.stdout + c.stderr


def test_a_misspelled_key_stops_the_commit_naming_the_key_it_resembles(noisy):
    dst, env = noisy
    c, committed = _commit_with_controls_line(dst, env, "lora_rnak: 8", "a typo")
    try:
        out = c.stdout + c.stderr
        assert c.returncode != 0 and not committed, out
        assert "CK105 error: controls.lora_rnak" in out and "'lora_rank'" in out, out
    finally:
        git(["checkout", "--", "experiment_summary.yaml", "README.md"], dst, env)
