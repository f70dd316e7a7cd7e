"""The two schemas cruijff_kit has had, and how a design's era is told from its keys.

cruijff_kit writes no version marker into experiment_summary.yaml: the seed era (February 2026)
and the 0.3 era (release 0.3.4, August 2026) differ by renamed, moved and added keys
(../shared/UPSTREAM.md section 1). One table of those keys here; the validator, the wizard,
ck-migrate and ck-scaffold all ask this module which era a design is in. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEED = "seed"
V03 = "0.3"
ERAS = (SEED, V03)

# The keys only one era has: their presence is what tells the eras apart. Keys both eras may
# carry (controls.dataset_type, runs[].compute, evaluation.seed, ...) say nothing about the era.
ERA_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    SEED: (
        ("experiment", "directory"),
        ("data", "training", "label"),
        ("evaluation", "scorer"),
        ("output", "base_directory"),
        ("output", "checkpoint_pattern"),
    ),
    V03: (
        ("experiment", "dir"),
        ("experiment", "project"),
        ("data", "training", "dataset_label"),
        ("evaluation", "scorers"),
    ),
}

# A design with neither era's keys is read as the seed era: what ck-design has always read.
DEFAULT = SEED


def _has(data: Any, path: tuple[str, ...]) -> bool:
    node = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def era_keys_present(data: Any) -> dict[str, list[tuple[str, ...]]]:
    """For each era, which of its own keys `data` has (in ERA_KEYS order)."""
    return {era: [p for p in paths if _has(data, p)] for era, paths in ERA_KEYS.items()}


def detect(data: Any) -> str | None:
    """SEED or V03 as the keys say; None when the file has keys of both (a mixed file)."""
    present = era_keys_present(data)
    if present[SEED] and present[V03]:
        return None
    if present[V03]:
        return V03
    return DEFAULT


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)
