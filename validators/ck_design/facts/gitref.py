"""A file as it was at a git revision: what `ck-plan --compare REF` compares the working design with.

git is run with an argument list (never a shell line), so a ref or path is passed as data; a ref
that names an option (`--output=...`) is refused before git sees it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class BadRef(Exception):
    """REF is not a commit of the repository holding the design (or there is no repository)."""


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, check=False)
    except OSError as exc:  # git not installed: nothing to compare with
        raise BadRef(f"cannot run git: {exc.strerror or exc}") from None


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else ""


def resolve(directory: Path, ref: str) -> str:
    """The full commit id `ref` names in the repository holding `directory`; BadRef when none."""
    if not ref or ref.startswith("-"):
        raise BadRef(f"{ref!r} is not a git revision")
    r = _git(directory, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if r.returncode == 0:
        return r.stdout.decode().strip()
    if r.stderr.strip():  # --quiet silences a bad ref; what is left is git's own complaint
        raise BadRef(f"{directory}: {_first_line(r.stderr).removeprefix('fatal: ')}")
    raise BadRef(f"{ref!r} is not a commit in the repository at {directory}")


def read_at(directory: Path, commit: str, name: str) -> bytes | None:
    """The bytes of `directory/name` at `commit` (a resolved id); None when the file is not there."""
    # `<commit>:./<name>`: the path relative to `directory`, wherever it sits in the repository.
    r = _git(directory, "cat-file", "blob", f"{commit}:./{name}")
    return r.stdout if r.returncode == 0 else None


def describe(directory: str | Path) -> tuple[str, int] | None:
    """What copier calls the template's commit (`git describe --tags --always`, its `_commit`)
    and how many commits HEAD has (the N of copier's `0.0.0.postN` for a clone without tags);
    None when `directory` is not in a git repository or git cannot run."""
    try:
        desc = _git(Path(directory), "describe", "--tags", "--always")
        count = _git(Path(directory), "rev-list", "--count", "HEAD")
    except BadRef:
        return None
    if desc.returncode or count.returncode:
        return None
    try:
        return _first_line(desc.stdout), int(_first_line(count.stdout))
    except ValueError:
        return None
