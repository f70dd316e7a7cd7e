"""`copier copy` puts the design under git, on a machine with no git identity (as CI),
and `copier update` then works with no manual step. Real copier, real git."""

from __future__ import annotations

from pathlib import Path

import subprocess


from copier_support import (
    CK_VALIDATE,
    COPIER,
    REQUIRED_COPY_ACTIONS,
    answers_for,
    clean_env,
    copier_copy,
    copier_update,
    git,
    is_subsequence,
    log_actions,
    make_scratch,
)


def no_identity(tmp: Path) -> dict[str, str]:
    """An environment with no git identity anywhere, like CI."""
    return clean_env(tmp / "ci-home", identity=False)


def test_copy_outside_a_work_tree_is_one_clean_commit_with_a_valid_log(setup):
    tmp, _, template, _ = setup
    env = no_identity(tmp)
    res = make_scratch(tmp / "a")
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    assert git(["rev-list", "--count", "HEAD"], dst).stdout.strip() == "1"
    assert git(["log", "-1", "--format=%s|%an"], dst).stdout.strip() == "Design cap_lora_rank_comparison_2026-11-25|ck-design"
    assert git(["status", "--porcelain", "--ignored"], dst).stdout == ""
    tracked = set(git(["ls-files"], dst).stdout.split())
    assert {"experiment_summary.yaml", "README.md", ".copier-answers.yml", ".pre-commit-config.yaml",
            ".github/workflows/validate.yml", "logs/design-experiment.log"} <= tracked
    assert "no git identity is configured" in r.stdout
    actions = log_actions(dst)
    assert is_subsequence(REQUIRED_COPY_ACTIONS, actions), actions
    check = subprocess.run([CK_VALIDATE, "--log", str(dst / "logs" / "design-experiment.log")],
                           capture_output=True, text=True, env=env)
    assert check.returncode == 0 and "CK3" not in check.stdout, check.stdout
    # the closing summary
    assert "files written:" in r.stdout and "next:" in r.stdout
    # and `copier update` works right away, with no manual step
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    assert "UPDATE_DESIGN" in log_actions(dst)


def test_copy_inside_a_work_tree_stages_and_says_so(setup):
    tmp, _, template, _ = setup
    env = no_identity(tmp)
    res = make_scratch(tmp / "b")
    outer = tmp / "b" / "experiments"
    outer.mkdir()
    git(["init", "-q"], outer)
    dst = outer / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    status = git(["status", "--porcelain"], outer).stdout.splitlines()
    assert f"A  {dst.name}/experiment_summary.yaml" in status
    assert f"A  {dst.name}/logs/design-experiment.log" in status
    assert git(["rev-parse", "-q", "--verify", "HEAD"], outer, check=False).returncode != 0  # nothing committed
    assert "staged, not committed" in r.stdout


def test_recopy_appends_to_the_log_and_stages(setup):
    tmp, _, template, _ = setup
    env = no_identity(tmp)
    res = make_scratch(tmp / "c")
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    assert copier_copy(template, dst, answers_for(res), env, tmp).returncode == 0
    log = dst / "logs" / "design-experiment.log"
    before = log.read_text()
    r = subprocess.run([COPIER, "recopy", "--trust", "--defaults", "--overwrite"], cwd=dst, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    after = log.read_text()
    assert after.startswith(before) and after.count("] START_DESIGN") == 2
    assert git(["status", "--porcelain"], dst).stdout.splitlines() == ["M  logs/design-experiment.log"]
    assert git(["rev-list", "--count", "HEAD"], dst).stdout.strip() == "1"


def test_a_template_file_the_user_ignores_is_not_committed_and_is_named(setup):
    # A user whose global git ignore file excludes *.log (common): the design's log is theirs to
    # commit or not. The hook never forces it in (`git add -f` would override their choice), commits
    # the rest of the template's files, and says which file it left out and how to keep it.
    tmp, _, template, _ = setup
    env = clean_env(tmp / "d-home", identity=False)
    ignore = Path(env["XDG_CONFIG_HOME"]) / "git" / "ignore"
    ignore.parent.mkdir(parents=True)
    ignore.write_text("*.log\n")
    res = make_scratch(tmp / "d")
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    tracked = set(git(["ls-files"], dst, env).stdout.split())
    assert "logs/design-experiment.log" not in tracked
    assert {"experiment_summary.yaml", "README.md", ".copier-answers.yml"} <= tracked
    assert git(["status", "--porcelain"], dst, env).stdout == ""
    assert git(["status", "--porcelain", "--ignored"], dst, env).stdout == "!! logs/design-experiment.log\n"
    assert "START_DESIGN" in (dst / "logs" / "design-experiment.log").read_text()
    said = [line.strip() for line in r.stdout.splitlines() if "git-ignored" in line]
    assert said == ["git: left out, git-ignored here: logs/design-experiment.log"
                    " (`git add -f logs/design-experiment.log` to keep it anyway)"], r.stdout
