"""Directory walks bounded by the entries they visit, not by what they find.

A checkpoint glob that matches nothing (`/scratch/*/*/*/*/*/nothing`) visited the whole file
system, several times per answer; a model path of `/usr` had its whole tree measured. Each walk
here stops after a fixed number of directory entries and says so (docs/security.md), and a
glob is evaluated once per pattern (cached), however often the wizard re-renders.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import lru_cache

# A checkpoint glob may visit this many directory entries: a shared scratch with a thousand
# experiments of a hundred runs is within it; a whole file system is not.
MAX_GLOB_ENTRIES = 200_000
# A model folder holds tens of files (a Hugging Face snapshot a few hundred).
MAX_MODEL_ENTRIES = 20_000

_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class GlobResult:
    matches: tuple[str, ...]
    stopped: bool  # the walk hit MAX_GLOB_ENTRIES: the matches may be incomplete


class Budget:
    """How many more directory entries a walk may visit; `stopped` once it has run out."""

    def __init__(self, entries: int):
        self.left = entries
        self.stopped = False

    def take(self) -> bool:
        self.left -= 1
        if self.left < 0:
            self.stopped = True
        return not self.stopped


def has_magic(pattern: str) -> bool:
    return _MAGIC.search(pattern) is not None


@lru_cache(maxsize=64)
def bounded_glob(pattern: str) -> GlobResult:
    """The sorted matches of a glob pattern (glob.glob's rules: `*` and `?` do not match a
    leading dot, no `**`), visiting at most MAX_GLOB_ENTRIES directory entries."""
    budget = Budget(MAX_GLOB_ENTRIES)
    absolute = pattern.startswith("/")
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    paths = ["/" if absolute else ""]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        found: list[str] = []
        for base in paths:
            if not has_magic(part):
                candidate = os.path.join(base, part) if base else part
                if budget.take() and (os.path.lexists(candidate) if last else os.path.isdir(candidate)):
                    found.append(candidate)
            else:
                found.extend(_matches(base, part, last, budget))
            if budget.stopped:
                return GlobResult(tuple(sorted(found)), True)
        paths = found
        if not paths:
            break
    return GlobResult(tuple(sorted(paths)), False)


def _matches(base: str, part: str, last: bool, budget: Budget) -> list[str]:
    out = []
    try:
        with os.scandir(base or ".") as it:
            for entry in it:
                if not budget.take():
                    break
                if entry.name.startswith(".") and not part.startswith("."):
                    continue
                if not fnmatch.fnmatchcase(entry.name, part):
                    continue
                try:
                    if not last and not entry.is_dir():
                        continue
                except OSError:
                    continue
                out.append(os.path.join(base, entry.name) if base else entry.name)
    except OSError:
        pass
    return out


class TooManyEntries(OSError):
    """A tree bigger than the walk's bound (not a model folder)."""


def tree_size(path: str | os.PathLike[str]) -> int:
    """Bytes of the regular files under `path` (links to files counted, to folders not
    followed); TooManyEntries past MAX_MODEL_ENTRIES entries."""
    max_entries = MAX_MODEL_ENTRIES
    total, seen = 0, 0
    stack = [os.fspath(path)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                seen += 1
                if seen > max_entries:
                    raise TooManyEntries(f"{os.fspath(path)!r} holds more than {max_entries:,} files and folders: "
                                         "its size is not measured (is it the right folder?)")
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=True):
                    total += entry.stat(follow_symlinks=True).st_size
    return total
