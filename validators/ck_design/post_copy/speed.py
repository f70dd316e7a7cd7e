"""Training time from earlier runs: the tqdm progress bars torchtune writes into `slurm-*.out`
logs under the scratch directory give a speed in it/s, and a run's optimizer steps divided by it
its duration (hooks/README.md, SEARCH_PRIOR_RUNS)."""

from __future__ import annotations

import fnmatch
import os
import re
import statistics
from pathlib import Path
from time import monotonic
from typing import Any

from .designlog import DesignLog
from .plan import Plan
from .verify import Findings

SPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(it/s|s/it)")
MAX_SLURM_LOGS = 200  # newest first; a scratch dir can hold thousands
SLURM_SEARCH_DEPTH = 3  # {scratch}/ck-outputs/{experiment}/ck-out-{run}/slurm-*.out
SLURM_SEARCH_SECONDS = 5.0
SLURM_TAIL_BYTES = 256 * 1024  # the progress bars of the last epochs are enough


def _scan(directory: Path, below: list[Path], found: list[tuple[float, Path]]) -> None:
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    below.append(Path(entry.path))
                elif fnmatch.fnmatchcase(entry.name, "slurm-*.out") and entry.is_file():
                    found.append((entry.stat().st_mtime, Path(entry.path)))
    except OSError:
        return


def slurm_logs(scratch: Path, depth: int = SLURM_SEARCH_DEPTH, budget_s: float = SLURM_SEARCH_SECONDS) -> tuple[list[Path], bool]:
    """`slurm-*.out` files up to `depth` levels below scratch, newest first (at most
    MAX_SLURM_LOGS), and whether the walk stopped early: a shared scratch on a parallel file
    system can hold millions of entries, so the search has a time budget and skips hidden dirs."""
    deadline = monotonic() + budget_s
    found: list[tuple[float, Path]] = []
    level = [scratch]
    for _ in range(depth + 1):
        below: list[Path] = []
        for directory in level:
            if monotonic() > deadline:
                found.sort(key=lambda item: item[0], reverse=True)
                return [path for _, path in found[:MAX_SLURM_LOGS]], True
            _scan(directory, below, found)
        level = below
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in found[:MAX_SLURM_LOGS]], False


def file_speed(path: Path) -> float | None:
    """Median training speed (iterations per second) in one SLURM log's progress bars."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - SLURM_TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    speeds = []
    for value, unit in SPEED_RE.findall(text):
        v = float(value)
        if v > 0:
            speeds.append(v if unit == "it/s" else 1.0 / v)
    return statistics.median(speeds) if speeds else None


def duration(seconds: float) -> str:
    """`1h 02m 03s`, `4m 05s`, `6s`."""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s}s")


def _speed_from(log: DesignLog, plan: Plan, found: Findings, logs: list[Path]) -> str | None:
    """The median it/s of the logs (those naming a chosen model preferred), logged; None if none."""
    per_file = [(p, file_speed(p)) for p in logs]
    with_speed = [(p, s) for p, s in per_file if s is not None]
    model_names = [m for m, _ in plan.models]
    matching = [s for p, s in with_speed if any(m and m in str(p) for m in model_names)]
    speeds = matching or [s for _, s in with_speed]
    fields: dict[str, Any] = {"Files read": len(per_file), "Files with it/s": len(with_speed)}
    if not speeds:
        found.notes.append("prior slurm-*.out logs hold no it/s figures: training time not estimated")
        log.add("EXTRACT_TRAINING_SPEED", "Extracting it/s from prior SLURM logs", fields, "warning",
                "NoSpeed - no it/s or s/it progress figures in the prior logs")
        return None
    found.speed = statistics.median(speeds)
    fields["Basis"] = "logs naming the chosen models" if matching else "all prior logs"
    fields["Speed"] = f"{found.speed:.2f} it/s (median)"
    log.add("EXTRACT_TRAINING_SPEED", "Extracting it/s from prior SLURM logs", fields)
    return fields["Speed"]


def prior_runs(log: DesignLog, plan: Plan, found: Findings) -> None:
    """SEARCH_PRIOR_RUNS, then (when logs were found) EXTRACT_TRAINING_SPEED and CALCULATE_TRAINING_TIME."""
    scratch = Path(plan.scratch_dir).expanduser() if plan.scratch_dir else None
    logs, truncated = slurm_logs(scratch) if scratch and scratch.is_dir() else ([], False)
    fields: dict[str, Any] = {
        "Path": str(scratch) if scratch else "(none)",
        "Pattern": f"slurm-*.out, up to {SLURM_SEARCH_DEPTH} levels deep",
        "Found": len(logs),
    }
    if truncated:
        fields["Search"] = f"stopped after {SLURM_SEARCH_SECONDS:g}s; newer runs deeper in the tree may be missed"
    if not logs:
        fields["Note"] = "no prior runs: training time not estimated"
        found.notes.append("no prior slurm-*.out logs under the scratch dir: training time not estimated")
    log.add("SEARCH_PRIOR_RUNS", "Searching prior SLURM logs for training speed", fields)
    speed = _speed_from(log, plan, found, logs) if logs else None
    if speed is None or found.speed is None:
        return
    if not found.steps:
        log.add("CALCULATE_TRAINING_TIME", "Estimating training time per run", {"Speed": speed},
                "warning", "StepsUnknown - training steps unknown (train split not counted)")
        return
    per_run = {k: v / found.speed for k, v in found.steps.items()}
    log.add(
        "CALCULATE_TRAINING_TIME",
        "Estimating training time per run from prior it/s",
        {
            "Speed": speed,
            "Per run": ", ".join(f"{k}={duration(v)}" for k, v in per_run.items()),
            "Longest run": duration(max(per_run.values())),
            "Total GPU time": duration(sum(per_run.values())),
        },
    )
