"""Issue 13, item 1: the post-copy hook stages and commits only the files this template wrote
(facts/destination.py), never the user's. Real copier CLI, real git: an existing repository with
partial staging, a repository with no commits, and a non-empty folder that is not a repository."""

from __future__ import annotations

import json

from copier_support import answers_for, copier_copy, git

TEMPLATE_FILES = {".copier-answers.yml", ".github/dependabot.yml", ".github/workflows/validate.yml", ".pre-commit-config.yaml", "README.md",
                  "experiment_summary.yaml", "logs/design-experiment.log", "logs/resource-facts.json"}


def _design_files(d):
    """The template's files and the job files ck-scaffold wrote (its manifest lists them): what
    the hook commits or stages, and nothing else (issue 20: the first commit holds the job files)."""
    manifest = d / "logs" / "scaffold-manifest.json"
    jobs = set(json.loads(manifest.read_text())["files"]) | {"logs/scaffold-manifest.json"}
    assert "submit.sh" in jobs
    return TEMPLATE_FILES | jobs


def _porcelain(d):
    return sorted(git(["status", "--porcelain", "--untracked-files=all"], d).stdout.splitlines())


def _diff(d, *args):
    return git(["diff", *args], d).stdout


def test_existing_repository_keeps_partial_staging_untracked_and_staged_files(setup):
    tmp, env, template, res = setup
    repo = tmp / "repo"
    repo.mkdir()
    git(["init", "-q"], repo, env)
    (repo / "app.py").write_text("".join(f"line {i}\n" for i in range(40)))
    git(["add", "app.py"], repo, env)
    git(["commit", "-q", "-m", "app"], repo, env)
    # partial staging: one hunk staged, one not
    lines = (repo / "app.py").read_text().splitlines(keepends=True)
    lines[1] = "staged change\n"
    (repo / "app.py").write_text("".join(lines))
    git(["add", "app.py"], repo, env)
    lines[35] = "unstaged change\n"
    (repo / "app.py").write_text("".join(lines))
    (repo / "new_staged.py").write_text("x = 1\n")
    git(["add", "new_staged.py"], repo, env)
    (repo / "secret.env").write_text("TOKEN=hunter2\n")
    (repo / ".env.local").write_text("KEY=abc\n")
    cached, unstaged, before = _diff(repo, "--cached"), _diff(repo), _porcelain(repo)

    r = copier_copy(template, repo, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    assert _diff(repo) == unstaged, "the user's unstaged hunks changed"
    staged_now = git(["diff", "--cached", "--name-only"], repo).stdout.split()
    assert set(staged_now) == _design_files(repo) | {"app.py", "new_staged.py"}
    assert _diff(repo, "--cached", "--", "app.py", "new_staged.py") == cached
    after = _porcelain(repo)
    assert "?? secret.env" in after and "?? .env.local" in after
    assert [ln for ln in after if ln[3:] not in _design_files(repo)] == before
    assert git(["rev-list", "--count", "HEAD"], repo).stdout.strip() == "1"  # nothing committed
    assert "the design's files are staged, not committed" in r.stdout
    assert "left untouched: 4 files that are not the template's" in r.stdout
    written = r.stdout.split("files written:", 1)[1].split("  left untouched:", 1)[0]
    assert "secret.env" not in written and ".env.local" not in written and "app.py" not in written


def test_repository_without_commits_commits_only_the_template(setup):
    tmp, env, template, res = setup
    repo = tmp / "fresh"
    repo.mkdir()
    git(["init", "-q"], repo, env)
    (repo / "mine.txt").write_text("staged by the user\n")
    git(["add", "mine.txt"], repo, env)
    (repo / ".env.local").write_text("KEY=abc\n")

    r = copier_copy(template, repo, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    committed = set(git(["show", "--name-only", "--format=", "HEAD"], repo).stdout.split())
    assert committed == _design_files(repo)
    after = _porcelain(repo)
    assert "A  mine.txt" in after and "?? .env.local" in after
    assert len(after) == 2, after
    assert "left untouched: 2 files that are not the template's" in r.stdout


def test_non_repository_folder_commits_and_lists_only_the_template(setup):
    tmp, env, template, res = setup
    d = tmp / "plain"
    (d / "notes").mkdir(parents=True)
    (d / ".env").write_text("SECRET_TOKEN=s3cr3t\n")
    (d / "blob.bin").write_bytes(bytes(range(256)) * 4096)
    (d / "notes" / "ideas.md").write_text("ideas\n")

    r = copier_copy(template, d, answers_for(res), env, tmp)
    assert r.returncode == 0, r.stderr
    assert set(git(["ls-files"], d).stdout.split()) == _design_files(d)
    assert _porcelain(d) == ["?? .env", "?? blob.bin", "?? notes/ideas.md"]
    written = r.stdout.split("files written:", 1)[1].split("  left untouched:", 1)[0]
    assert sorted(ln.strip() for ln in written.splitlines() if ln.strip()) == sorted(TEMPLATE_FILES)
    assert "left untouched: 3 files that are not the template's" in r.stdout
    assert f"committed the design's {len(_design_files(d))} files" in r.stdout
