"""Training speed from earlier runs: the tqdm progress bars torchtune writes into `slurm-*.out`
logs under the scratch directory give a speed in it/s. Read by the post-copy hook
(post_copy/speed.py: EXTRACT_TRAINING_SPEED) and by the wizard, which calibrates its compute
estimates with it (spec/compute.py; docs/wizard.md, "Compute estimates")."""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from pathlib import Path
from time import monotonic

from ..spec.compute import plausible_speed
from ..spec.naming import PROJECTS_DIR
from .files import read_tail
from .walk import Budget

SPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(it/s|s/it)")
MAX_SLURM_LOGS = 200  # newest first; a scratch dir can hold thousands
# Where each era's jobs leave their logs: seed {scratch}/ck-outputs/{experiment}/ck-out-{run}/
# (or ck-experiments/{experiment}/{run}/), 3 levels down; 0.3 runs its jobs in
# {scratch}/ck-projects/{project}/{experiment}/{run}/, 4 levels down. Only ck-projects/ is
# searched that deep: one more level everywhere would list every checkpoint folder's files.
SLURM_SEARCH_DEPTH = 3
PROJECTS_SEARCH_DEPTH = 4
SLURM_SEARCH_SECONDS = 5.0
# Directory entries the search may visit (facts/walk.py): a thousand experiments of a hundred
# runs are within it, a whole shared file system is not.
MAX_SLURM_ENTRIES = 200_000
SLURM_TAIL_BYTES = 256 * 1024  # the progress bars of the last epochs are enough
SEARCH_PATTERN = f"slurm-*.out, up to {SLURM_SEARCH_DEPTH} levels deep ({PROJECTS_SEARCH_DEPTH} under {PROJECTS_DIR}/)"


def _scan(directory: Path, depth: int, below: list[tuple[Path, int]], found: list[tuple[float, Path]],
          budget: Budget) -> None:
    """`directory`'s logs into `found`, its folders (with the depth left below each) into `below`."""
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if not budget.take():
                    return
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if depth > 0:
                        below.append((Path(entry.path), depth - 1))
                elif fnmatch.fnmatchcase(entry.name, "slurm-*.out") and entry.is_file():
                    found.append((entry.stat().st_mtime, Path(entry.path)))
    except OSError:
        return


def slurm_logs(scratch: Path, depth: int = SLURM_SEARCH_DEPTH, budget_s: float = SLURM_SEARCH_SECONDS,
               max_entries: int = MAX_SLURM_ENTRIES) -> tuple[list[Path], bool]:
    """`slurm-*.out` files up to `depth` levels below scratch (PROJECTS_SEARCH_DEPTH - SLURM_SEARCH_DEPTH
    more under ck-projects/), newest first (at most MAX_SLURM_LOGS), and whether the walk stopped
    early: a shared scratch on a parallel file system can hold millions of entries, so the search
    has a time budget and an entry budget, and skips hidden dirs."""
    deadline = monotonic() + budget_s
    budget = Budget(max_entries)
    found: list[tuple[float, Path]] = []
    projects = scratch / PROJECTS_DIR
    level = [(scratch, depth)]
    stopped = False
    while level and not stopped:
        below: list[tuple[Path, int]] = []
        for directory, left in level:
            if monotonic() > deadline or budget.stopped:
                stopped = True
                break
            if directory == projects:
                left += PROJECTS_SEARCH_DEPTH - SLURM_SEARCH_DEPTH
            _scan(directory, left, below, found, budget)
        level = below
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in found[:MAX_SLURM_LOGS]], stopped or budget.stopped


def file_speeds(path: Path) -> tuple[float | None, int]:
    """(median training speed in it/s of one SLURM log's progress bars, or None; how many
    figures were implausible and ignored: spec/compute.py plausible_speed)."""
    try:
        text = read_tail(path, SLURM_TAIL_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None, 0
    speeds, ignored = [], 0
    for value, unit in SPEED_RE.findall(text):
        try:
            v = float(value)
            it_s = v if unit == "it/s" else 1.0 / v
        except (ValueError, ZeroDivisionError, OverflowError):
            ignored += 1
            continue
        if plausible_speed(it_s):
            speeds.append(it_s)
        else:
            ignored += 1
    return _median(speeds), ignored


def _median(speeds: list[float]) -> float | None:
    """statistics.median, imported only when there is a speed to take it of: the wizard imports
    this module in every copier process and most designs have no earlier runs to read."""
    if not speeds:
        return None
    import statistics

    return statistics.median(speeds)


def file_speed(path: Path) -> float | None:
    """Median training speed (iterations per second) in one SLURM log's progress bars."""
    return file_speeds(path)[0]


@lru_cache(maxsize=16)
def _prior_speed(scratch: str, models: tuple[str, ...], _mtime: float) -> tuple[float | None, int, int]:
    root = Path(scratch).expanduser()
    if not root.is_dir():
        return None, 0, 0
    logs, _ = slurm_logs(root)
    per_file = [(p, *file_speeds(p)) for p in logs]
    with_speed = [(p, s) for p, s, _ in per_file if s is not None]
    ignored = sum(n for _, _, n in per_file)
    matching = [s for p, s in with_speed if any(m and m in str(p) for m in models)]
    speeds = matching or [s for _, s in with_speed]
    return _median(speeds), len(speeds), ignored


def prior_speed(scratch: str, models: tuple[str, ...]) -> tuple[float | None, int, int]:
    """(median it/s of the earlier logs under scratch, those naming a model preferred; files
    it comes from; implausible figures ignored), or (None, 0, 0). Cached per scratch dir
    state: the wizard asks once per render."""
    if not scratch:
        return None, 0, 0
    try:
        mtime = os.stat(os.path.expanduser(scratch)).st_mtime
    except OSError:
        return None, 0, 0
    return _prior_speed(scratch, tuple(models), mtime)
