"""git for a rendered design: put a copied design under version control (so `copier update`
works with no manual step), install the pre-commit hook, and find what an update left
conflicted. Every call is an argument list, never a shell string (hooks/README.md, "git")."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..facts.files import read_regular

FALLBACK_NAME = "ck-design"
FALLBACK_EMAIL = "ck-design@localhost.invalid"
CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>)( |$)", re.M)
STAGED_ONLY = "review and commit them (`git commit`) before running `copier update`"


def run_git(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=dict(env) if env is not None else None,
        capture_output=True, text=True, check=False, input=stdin,
    )


def git_toplevel(path: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    r = run_git(["rev-parse", "--show-toplevel"], path)
    return Path(r.stdout.strip()).resolve() if r.returncode == 0 and r.stdout.strip() else None


def show_at_head(dst: Path, relpath: str) -> str | None:
    """A file's committed content (the answers before an update), or None."""
    r = run_git(["show", f"HEAD:./{relpath}"], dst)
    return r.stdout if r.returncode == 0 else None


def show_at_first(dst: Path, relpath: str) -> str | None:
    """A file's content in the first commit that added it (the answers of the copy), or None."""
    r = run_git(["log", "--diff-filter=A", "--format=%H", "--", relpath], dst)
    commits = r.stdout.split() if r.returncode == 0 else []
    if not commits:
        return None
    shown = run_git(["show", f"{commits[-1]}:./{relpath}"], dst)
    return shown.stdout if shown.returncode == 0 else None


def identity_env(cwd: Path) -> tuple[dict[str, str], str | None]:
    """The environment for a commit: a fallback identity only where none is configured."""
    env = dict(os.environ)
    missing = []
    for field_, config_key in (("NAME", "user.name"), ("EMAIL", "user.email")):
        configured = run_git(["config", config_key], cwd).stdout.strip()
        if not configured and field_ == "EMAIL":
            configured = os.environ.get("EMAIL", "")
        for role in ("AUTHOR", "COMMITTER"):
            var = f"GIT_{role}_{field_}"
            if not os.environ.get(var) and not configured:
                env[var] = FALLBACK_NAME if field_ == "NAME" else FALLBACK_EMAIL
                missing.append(var)
    if not missing:
        return env, None
    return env, (
        f"no git identity is configured, so the commit was made as {FALLBACK_NAME} <{FALLBACK_EMAIL}>; "
        "set `git config --global user.name/user.email` and run `git commit --amend --reset-author` to take it over"
    )


def _pre_commit_executable() -> list[str] | None:
    # copier's own environment first: `uv tool install copier --with pre-commit` puts it there.
    beside = Path(sys.executable).parent / "pre-commit"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("pre-commit")
    return [found] if found else None


@dataclass
class GitOutcome:
    message: str
    ok: bool = True
    notes: list[str] = field(default_factory=list)


def _stageable(dst: Path, files: Sequence[str]) -> tuple[list[str], list[str]]:
    """The template's files git may stage, and those the user's .gitignore excludes (left alone:
    forcing them in would override the user's choice)."""
    if not files:
        return [], []
    # No --literal-pathspecs here: check-ignore takes paths, not pathspecs, and refuses that flag
    # (exit 128), which once read as "nothing ignored" and made `git add` fail on the first one.
    r = run_git(["check-ignore", "-z", "--stdin"], dst, stdin="".join(f"{f}\0" for f in files))
    ignored = set(filter(None, r.stdout.split("\0"))) if r.returncode == 0 else set()
    return [f for f in files if f not in ignored], sorted(ignored)


def _add(dst: Path, files: Sequence[str]) -> tuple[subprocess.CompletedProcess[str] | None, list[str]]:
    """Stage exactly the template's files (never `git add -A`/`.`: the user's unstaged hunks,
    untracked and staged files stay as they were; docs/security.md)."""
    stage, ignored = _stageable(dst, files)
    notes = [f"left out, git-ignored here: {', '.join(ignored)} (`git add -f {shlex.join(ignored)}`"
             f" to keep {'it' if len(ignored) == 1 else 'them'} anyway)"] if ignored else []
    if not stage:
        return None, notes
    return run_git(["--literal-pathspecs", "add", "--", *stage], dst), notes


def _stage_only(dst: Path, files: Sequence[str], where: str) -> GitOutcome:
    r, notes = _add(dst, files)
    if r is not None and r.returncode != 0:
        return GitOutcome(f"could not stage the design's files {where}: {r.stderr.strip()}", False, notes)
    return GitOutcome(f"{where}: the design's files are staged, not committed; {STAGED_ONLY}", True, notes)


def _install_pre_commit(dst: Path) -> str:
    pre_commit = _pre_commit_executable()
    if pre_commit is None:
        return "pre-commit is not installed: `pip install pre-commit && pre-commit install` here to validate every commit"
    r = subprocess.run([*pre_commit, "install"], cwd=dst, capture_output=True, text=True, check=False)
    if r.returncode == 0:
        return "installed the pre-commit hook: every commit is validated by ck-validate" + _tools_on_path()
    return f"`pre-commit install` failed ({(r.stderr or r.stdout).strip()}); run it yourself"


# The commands the rendered .pre-commit-config.yaml runs by name (`language: system`).
HOOK_COMMANDS = ("ck-validate", "ck-plan", "ck-scaffold")


def _tools_on_path() -> str:
    """'' when the rendered hooks' commands are on PATH; else what every commit would say and how
    to fix it (a `uv tool` or `pipx` install whose bin folder is not on PATH, or copier run by
    its full path: README.md, step 1)."""
    missing = [c for c in HOOK_COMMANDS if shutil.which(c) is None]
    if not missing:
        return ""
    beside = Path(sys.executable).parent
    where = (f"add {beside} to your PATH (or activate its environment): they are there"
             if all((beside / c).is_file() for c in missing)
             else "install ck-design where you commit (README.md, step 1)")
    names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    return (f"; but {names} {'is' if len(missing) == 1 else 'are'} not on your PATH, so every"
            f" commit here would stop with \"Executable `{missing[0]}` not found\": {where}")


def _commit(dst: Path, name: str, created: bool, files: Sequence[str]) -> GitOutcome:
    r, notes = _add(dst, files)
    if r is None:
        return GitOutcome("nothing of the design could be staged (all git-ignored); commit it yourself", False, notes)
    if r.returncode != 0:
        return GitOutcome(f"`git add` failed: {r.stderr.strip()}", False, notes)
    env, note = identity_env(dst)
    message = f"Design {name}"
    staged, _ = _stageable(dst, files)
    # `--only` with paths: the commit holds these files alone, whatever else the user had staged
    # (their index entries stay staged for their own commit).
    r = run_git(["--literal-pathspecs", "commit", "-q", "-m", message, "--only", "--", *staged], dst, env)
    if r.returncode != 0:
        return GitOutcome(
            f"`git commit` failed ({(r.stderr or r.stdout).strip()}); commit the design yourself before `copier update`",
            False, notes,
        )
    sha = run_git(["rev-parse", "--short", "HEAD"], dst).stdout.strip()
    outcome = GitOutcome(
        f"{'initialised a git repository and ' if created else ''}committed the design's {len(staged)} files"
        f" as \"{message}\" ({sha})", True, notes,
    )
    if note:
        outcome.notes.append(note)
    outcome.notes.append(_install_pre_commit(dst))
    return outcome


def put_under_git(dst: Path, name: str, files: Sequence[str]) -> GitOutcome:
    """Commit a copied design in its own repository; only stage it inside someone else's.

    `files` (relative to dst) are the files this template wrote (facts/destination.py): nothing
    else is ever staged or committed."""
    if shutil.which("git") is None:
        return GitOutcome("git is not installed: the design is not under version control and `copier update` will not work", False)
    top = git_toplevel(dst)
    if top is not None and top != dst:
        if run_git(["check-ignore", "-q", "--", str(dst)], top).returncode != 0:
            return _stage_only(dst, files, f"the destination is inside the git work tree {top}")
        top = None  # git-ignored inside a parent repo: the design gets its own repository
    if top is None:
        r = run_git(["init", "-q"], dst)
        if r.returncode != 0:
            return GitOutcome(f"`git init` failed: {r.stderr.strip()}", False)
        return _commit(dst, name, True, files)
    if run_git(["rev-parse", "-q", "--verify", "HEAD"], dst).returncode == 0:
        return _stage_only(dst, files, "the destination is an existing git repository")
    return _commit(dst, name, False, files)


def _tracked_or_new(dst: Path) -> list[str]:
    r = run_git(["ls-files", "-co", "--exclude-standard", "--", "."], dst)
    if r.returncode == 0:
        return r.stdout.splitlines()
    return [str(p.relative_to(dst)) for p in dst.rglob("*") if p.is_file() and ".git" not in p.parts]


def _has_markers(p: Path) -> bool:
    try:
        return CONFLICT_MARKER.search(read_regular(p, 10_000_000)) is not None
    except OSError:
        return False


def mark_resolved(dst: Path, name: str) -> None:
    """`name`, regenerated without its conflict markers, no longer unmerged: its index entry back
    to HEAD's (its new content unstaged, as copier leaves every other updated file)."""
    r = run_git(["ls-files", "-u", "--", name], dst)
    if r.returncode == 0 and r.stdout.strip() and not _has_markers(dst / name):
        run_git(["reset", "-q", "--", name], dst)


def conflicts(dst: Path) -> list[str]:
    """Files left conflicted by `copier update`: unmerged index entries, *.rej files, markers."""
    found: dict[str, str] = {}
    r = run_git(["ls-files", "-u", "--", "."], dst)
    if r.returncode == 0:
        for line in r.stdout.splitlines():
            if "\t" in line:
                found.setdefault(line.split("\t", 1)[1], "unmerged")
    for name in _tracked_or_new(dst):
        if name.endswith(".rej"):
            found.setdefault(name, "rejected hunks")
        elif _has_markers(dst / name):
            found.setdefault(name, "conflict markers")
    return sorted(found)
