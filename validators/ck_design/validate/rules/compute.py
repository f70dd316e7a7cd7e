"""CK298: the compute estimates (`runs[].compute`, `evaluation.compute`; spec/compute.py) against
the partition's time limit ("Time limit" in claude.local.md). Only with --check-resources: the
limit is a fact of the machine the design is checked on, like the resources on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...facts import localconfig
from ...spec.compute import hhmmss, parse_time
from ..context import Ctx, Design
from ..values import PathT, as_dict
from . import COMPUTE, W, rule

DOCS = [
    rule(
        "CK298", W, COMPUTE,
        "A job's estimated time (compute.time) is over the partition's time limit.",
        """SLURM refuses a job that asks for more time than its partition allows, or kills it
        at the limit, losing the epochs not yet saved. The limit is "Time limit" in
        claude.local.md (checked only with --check-resources, which reads the machine's
        facts). The estimate is the wizard's (docs/wizard.md, "Compute estimates").""",
        "Split the job (fewer epochs or less data per run), use a partition with a longer limit, or lower the estimate if you know it is too high.",
        """
        # claude.local.md: - **Time limit**: `24:00:00`
        runs:
          - name: Llama-3.1-8B-Instruct_rank8
            compute: {time: '36:00:00', gpus: 1, mem: 64G}
        """,
        """
        # claude.local.md: - **Time limit**: `24:00:00`
        runs:
          - name: Llama-3.1-8B-Instruct_rank8
            parameters: {epochs: 1}
            compute: {time: '18:00:00', gpus: 1, mem: 64G}
        """,
    ),
]


def time_limit(base_dir: Path) -> tuple[int | None, str]:
    """The partition's limit in seconds (None when not given) and the file that gives it."""
    config = localconfig.load(dst_path=base_dir)
    return parse_time(config.get("time_limit") or None), config.path or ""


def check(ctx: Ctx, d: Design) -> None:
    if ctx.base_dir is None:  # a disk family: only with --check-resources
        return
    limit, source = time_limit(ctx.base_dir)
    if limit is None:
        return
    jobs: list[tuple[PathT, str, Any]] = [
        (("runs", i, "compute", "time"), f"runs[{i}] {run.get('name')!r}", as_dict(run.get("compute")).get("time"))
        for i, run in enumerate(d.runs)
        if isinstance(run, dict)
    ]
    jobs.append((("evaluation", "compute", "time"), "an evaluation job", as_dict(d.evaluation.get("compute")).get("time")))
    for path, who, value in jobs:
        seconds = parse_time(value)
        if seconds is not None and seconds > limit:
            ctx.add(
                "CK298",
                path,
                f"{who}: compute.time {value} is over the partition's time limit {hhmmss(limit)} ({source})",
                "split the job (fewer epochs or less data), or use a partition with a longer limit",
            )
