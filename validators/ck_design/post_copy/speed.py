"""Training time from earlier runs: the tqdm progress bars torchtune writes into `slurm-*.out`
logs under the scratch directory give a speed in it/s, and a run's optimizer steps divided by it
its duration (hooks/README.md, SEARCH_PRIOR_RUNS)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

# The reading of the logs lives in facts/ (the wizard calibrates its compute estimates with it).
from ..facts.priorspeed import (  # noqa: F401  (names this module has always offered)
    MAX_SLURM_ENTRIES,
    MAX_SLURM_LOGS,
    SEARCH_PATTERN,
    SLURM_SEARCH_DEPTH,
    SLURM_SEARCH_SECONDS,
    SLURM_TAIL_BYTES,
    SPEED_RE,
    file_speeds,
    slurm_logs,
)
from ..spec import compute
from ..facts.designlog import DesignLog
from .rendered import Plan
from .verify import Findings, listed

def duration(seconds: float) -> str:
    """`1h 02m 03s`, `4m 05s`, `6s`."""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s}s")


def _speed_from(log: DesignLog, plan: Plan, found: Findings, logs: list[Path]) -> str | None:
    """The median it/s of the logs (those naming a chosen model preferred), logged; None if none."""
    figures = [(p, *file_speeds(p)) for p in logs]
    per_file = [(p, s) for p, s, _ in figures]
    ignored = sum(n for _, _, n in figures)
    with_speed = [(p, s) for p, s in per_file if s is not None]
    model_names = [m for m, _ in plan.models]
    matching = [s for p, s in with_speed if any(m and m in str(p) for m in model_names)]
    speeds = matching or [s for _, s in with_speed]
    fields: dict[str, Any] = {"Files read": len(per_file), "Files with it/s": len(with_speed)}
    if ignored:
        # A figure no fine-tuning job shows (spec/compute.py plausible_speed): a broken or
        # hostile log must not turn into a 83,333-hour estimate.
        fields["Ignored"] = f"{ignored} implausible it/s figures"
        found.notes.append(f"{ignored} implausible it/s figures in prior slurm-*.out logs were ignored")
    if not speeds:
        found.notes.append(compute.DEFAULTS_NOTE)
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
        "Pattern": SEARCH_PATTERN,
        "Found": len(logs),
    }
    if truncated:
        fields["Search"] = (f"stopped after {SLURM_SEARCH_SECONDS:g}s or {MAX_SLURM_ENTRIES:,} entries; "
                            "newer runs deeper in the tree may be missed")
    if not logs:
        fields["Note"] = compute.DEFAULTS_NOTE
        found.notes.append(compute.DEFAULTS_NOTE)
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
            "Per run": listed([f"{k}={duration(v)}" for k, v in per_run.items()]),
            "Longest run": duration(max(per_run.values())),
            "Total GPU time": duration(sum(per_run.values())),
        },
    )
