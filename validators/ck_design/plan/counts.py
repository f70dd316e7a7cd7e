"""What a design counts and how its epochs read: the numbers and words the README plan
(plan/markdown.py), step 8's approval plan (wizard/approval.py) and the README template share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..spec import compute, sweep


def summary_counts(design: Mapping[str, Any]) -> dict[str, Any]:
    runs = design["runs"]
    return {
        "fine_tuned": sum(r["type"] == sweep.FINE_TUNED for r in runs),
        "controls": sum(r["type"] == sweep.CONTROL for r in runs),
        "eval_only": sum(r["type"] == sweep.EVAL_ONLY for r in runs),
        "tasks": len(design["evaluation"]["tasks"]),
        "evaluations": sweep.total_evaluations(design["evaluation"]["matrix"]),
        # A float in a mapping of counts: the README shows it rounded (template/README.md.jinja).
        "gpu_hours": compute.gpu_hours(design)["total"],  # type: ignore[dict-item]
    }


def run_types(design: Mapping[str, Any]) -> dict[str, str]:
    """Run name -> type, for laying out matrix entries (an entry names its run only)."""
    return {str(r.get("name")): str(r.get("type")) for r in design.get("runs") or [] if isinstance(r, Mapping)}


def epochs_text(epochs: Any, run_type: str | None = None) -> str:
    if epochs is None:
        return "checkpoint as it is (no epoch)" if run_type == sweep.EVAL_ONLY else "base model (no epoch)"
    if isinstance(epochs, str):
        return epochs
    return ", ".join(f"epoch_{e}" for e in epochs)
