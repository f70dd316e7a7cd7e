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


def era_of(data: Any) -> str:
    """The era whose names to read `data` by: detect(), and the default for a mixed file (whose
    one error, CK104, says what to fix; its seed-era keys are read meanwhile)."""
    return detect(data) or DEFAULT


# --- The renamed fields: one role, its path in each era -------------------------------------------
# Read a renamed field through these, never by one era's spelling. `sampling` is ck-design's own
# name in the seed era (the seed's template has no sampling switch); 0.3 names it do_sample.
EXPERIMENT_DIR = "experiment_dir"
DATASET_LABEL = "dataset_label"
SCORERS = "scorers"
SAMPLING = "sampling"
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    EXPERIMENT_DIR: {SEED: ("experiment", "directory"), V03: ("experiment", "dir")},
    DATASET_LABEL: {SEED: ("data", "training", "label"), V03: ("data", "training", "dataset_label")},
    SCORERS: {SEED: ("evaluation", "scorer"), V03: ("evaluation", "scorers")},
    SAMPLING: {SEED: ("evaluation", "sampling"), V03: ("evaluation", "do_sample")},
}
# seed path -> 0.3 path, for ck-migrate.
RENAMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple((f[SEED], f[V03]) for f in FIELDS.values())

# What 0.3 removed, and why (ck-migrate says it when it drops them).
_CHECKPOINTS_MOVED = "0.3 keeps checkpoints inside the experiment folder ({experiment.dir}/{run}/artifacts/epoch_{N})"
DROPPED: dict[tuple[str, ...], str] = {
    ("output", "base_directory"): _CHECKPOINTS_MOVED,
    ("output", "checkpoint_pattern"): _CHECKPOINTS_MOVED,
}
# Required in 0.3, with no seed-era source: ck-migrate asks for it (--project) or reads the path.
PROJECT = ("experiment", "project")


def field_path(role: str, era: str) -> tuple[str, ...]:
    """Where the field `role` (EXPERIMENT_DIR, DATASET_LABEL, SCORERS, SAMPLING) sits in `era`."""
    return FIELDS[role][era]


def get(data: Any, role: str, era: str | None = None, default: Any = None) -> Any:
    """The value of the field `role` in `data` read by `era`'s name (default: the data's own era)."""
    node = data
    for key in field_path(role, era or era_of(data)):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


def experiment_dir(data: Any, era: str | None = None) -> Any:
    """experiment.directory (seed) or experiment.dir (0.3); None when absent."""
    return get(data, EXPERIMENT_DIR, era)


def dataset_label(data: Any, era: str | None = None) -> Any:
    """data.training.label (seed) or data.training.dataset_label (0.3); None when absent."""
    return get(data, DATASET_LABEL, era)


def scorers(data: Any, era: str | None = None) -> Any:
    """evaluation.scorer (seed) or evaluation.scorers (0.3): the list of {name, params}; None when absent."""
    return get(data, SCORERS, era)


def sampling(data: Any, era: str | None = None) -> Any:
    """evaluation.sampling (seed, ck-design's name) or evaluation.do_sample (0.3); None when absent."""
    return get(data, SAMPLING, era)
