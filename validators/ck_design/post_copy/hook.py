"""The post-copy / post-update hook (SPEC sections 5, 7, 8): what happens after copier renders.

`hooks/post_copy.py` (run by copier, see copier.yml and hooks/README.md) is a thin wrapper
around `main()`. The hook

- runs once, in the real destination: after `copier copy` as a `_tasks` entry (condition
  `_copier_operation == 'copy'` and an approved plan, so the temporary old/new renders of an
  update skip it, and a declined plan, which renders nothing, runs nothing), and
  after `copier update` as an "after" `_migrations` entry, which copier runs once, in the
  destination, *after* it has applied the 3-way merge (so the hook sees the merged design and
  any conflicts);
- verifies the resources the design names (models, dataset, task scripts, disk), estimates
  checkpoint disk use, training steps and (from prior `slurm-*.out` logs) training time;
- appends one `logs/design-experiment.log` entry per finished action (never rewrites it);
- puts a copied design under git and prints a closing summary.

It writes exactly one file into the experiment directory, the log, which copier never renders:
the temporary renders of an update contain no log, so the log never takes part in copier's
diff and can never conflict. A failed verification is a log entry and a prerequisite, never a
crash: the hook always exits 0, because a failing task makes `copier copy` delete the freshly
rendered directory. Every subprocess is an argument list; nothing is ever run through a shell.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..spec import sweep
from ..spec.logformat import format_entry
from .designlog import append_entry, last_timestamp
from ..facts.resources import dataset_facts, free_disk_gb, model_facts, task_script_facts

LOG_RELPATH = Path("logs") / "design-experiment.log"
SUMMARY_NAME = "experiment_summary.yaml"
ANSWERS_FILE = ".copier-answers.yml"
FALLBACK_NAME = "ck-design"
FALLBACK_EMAIL = "ck-design@localhost.invalid"
CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>)( |$)", re.M)
SPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(it/s|s/it)")
MAX_SLURM_LOGS = 200  # newest first; a scratch dir can hold thousands
SLURM_SEARCH_DEPTH = 3  # {scratch}/ck-outputs/{experiment}/ck-out-{run}/slurm-*.out
SLURM_SEARCH_SECONDS = 5.0
SLURM_TAIL_BYTES = 256 * 1024
# SPEC 11 CK250-CK252: a run that trains for too few optimizer steps (the validator's thresholds).
try:
    from ..spec.sweep import MIN_TOTAL_STEPS, WARMUP_FACTOR
except ImportError:  # pragma: no cover - the rule engine is optional for the hook
    MIN_TOTAL_STEPS, WARMUP_FACTOR = 50, 3
HYPERPARAMETER_DEFAULTS = {"batch_size": 4, "gradient_accumulation_steps": 1, "epochs": 1, "num_warmup_steps": 100}


# --------------------------------------------------------------------------------------------
# The log


class DesignLog:
    """Appends entries to the design log; timestamps never go backwards."""

    def __init__(self, path: Path):
        self.path = path
        self.existed = path.exists() and path.stat().st_size > 0
        self._last = last_timestamp(path)
        self.entries = 0

    def _when(self, at: datetime | None = None) -> datetime:
        when = (at or datetime.now()).replace(microsecond=0)
        if self._last is not None and when < self._last:
            when = self._last
        self._last = when
        return when

    def add(
        self,
        action: str,
        details: str,
        fields: Mapping[str, Any] | None = None,
        result: str = "success",
        error: str | None = None,
        at: datetime | None = None,
    ) -> None:
        entry = format_entry(action, details, fields, result, error, when=self._when(at))
        append_entry(self.path, entry)
        self.entries += 1


# --------------------------------------------------------------------------------------------
# Inputs: answers and the rendered design


def _json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


class _LenientLoader(yaml.SafeLoader):
    """Reads copier.yml for its question order; `!include` and friends become None."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def question_order(template_dir: str | None) -> list[str]:
    if not template_dir:
        return []
    for name in ("copier.yml", "copier.yaml"):
        p = Path(template_dir) / name
        if p.is_file():
            try:
                docs = list(yaml.load_all(p.read_text(encoding="utf-8"), Loader=_LenientLoader))
            except (yaml.YAMLError, OSError, UnicodeDecodeError):
                return []
            keys: list[str] = []
            for doc in docs:
                if isinstance(doc, dict):
                    keys.extend(k for k in doc if isinstance(k, str) and not k.startswith("_"))
            return keys
    return []


def user_answers(answers: Mapping[str, Any], order: Sequence[str] = ()) -> dict[str, Any]:
    """The answered questions (copier's private `_commit`/`_src_path` left out), in question order."""
    public = {k: v for k, v in answers.items() if not str(k).startswith("_")}
    ordered = {k: public[k] for k in order if k in public}
    ordered.update((k, v) for k, v in public.items() if k not in ordered)
    return ordered


def read_answers_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def load_design(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The rendered design, or (None, why not)."""
    from ..facts.loader import LoadError, load_file

    try:
        data = load_file(path).data
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}"
    except LoadError as exc:
        return None, f"{path.name}:{exc.line}:{exc.column}: {exc.code} {exc.message}"
    if not isinstance(data, dict):
        return None, f"{path.name} is not a mapping"
    return data, None


def validation_entry(path: Path) -> tuple[str, dict[str, Any], str | None]:
    """ck-validate's verdict on the rendered design, as (result, fields, error) for CREATE_YAML."""
    from collections import Counter

    from ..facts.loader import LoadError, load_file

    try:
        from ..validate.engine import check
    except ImportError:  # the rule engine is optional for the hook
        return "success", {"Validation": "not run (ck_design.checks unavailable)"}, None
    try:
        findings = list(check(load_file(path), check_resources=True, base_dir=path.parent))
    except LoadError as exc:
        return "failure", {"Validation": "unreadable"}, f"DesignUnreadable - {exc.code} line {exc.line}: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - a validator bug must not hide the rest of the log
        return "warning", {"Validation": "crashed"}, f"{type(exc).__name__} - validator failed: {exc}"
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    counts = Counter(f.code for f in findings)
    fields = {"Validation": f"{len(errors)} errors, {len(warnings)} warnings"
              + (" (" + ", ".join(f"{c} x{n}" if n > 1 else c for c, n in sorted(counts.items())) + ")" if counts else "")}
    if errors:
        first = "; ".join(f"{f.code} line {f.line}: {f.message}" for f in errors[:3])
        return "failure", fields, f"InvalidDesign - {first} (run ck-validate for all findings)"
    if warnings:
        one_per_code = {f.code: f for f in reversed(warnings)}  # the first finding of each code
        first = "; ".join(f"{f.code}: {f.message}" for f in sorted(one_per_code.values(), key=lambda f: f.line)[:3])
        return "warning", fields, f"ValidationWarnings - {first}"
    return "success", fields, None


def _get(data: Any, *keys: Any, default: Any = None) -> Any:
    for key in keys:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return default
    return data


@dataclass
class Plan:
    """What the hook verifies, taken from the design (or, when it cannot be read, the answers)."""

    name: str = ""
    type: str = ""
    directory: str = ""
    scratch_dir: str = ""
    models: list[tuple[str, str]] = field(default_factory=list)  # (name, path)
    recorded_sizes: dict[str, Any] = field(default_factory=dict)  # models.base[].size_gb as written
    dataset: str = ""
    dataset_splits: dict[str, Any] = field(default_factory=dict)
    tasks: list[tuple[str, str]] = field(default_factory=list)  # (name, script)
    controls: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    matrix: list[dict[str, Any]] = field(default_factory=list)
    from_design: bool = True


def _scratch_from_directory(directory: str) -> str:
    for marker in ("/ck-experiments/", "/ck-sanity-checks/"):
        if marker in directory:
            return directory.split(marker)[0]
    return ""


def plan_from(design: Mapping[str, Any] | None, answers: Mapping[str, Any], dst: Path) -> Plan:
    if design is not None:
        exp = _get(design, "experiment", default={}) or {}
        directory = str(exp.get("directory") or "")
        output = str(_get(design, "output", "base_directory", default="") or "")
        scratch = str(answers.get("scratch_dir") or "") or _scratch_from_directory(directory)
        if not scratch and "/ck-outputs/" in output:
            scratch = output.split("/ck-outputs/")[0]
        return Plan(
            name=str(exp.get("name") or answers.get("experiment_name") or dst.name),
            type=str(exp.get("type") or answers.get("experiment_type") or ""),
            directory=directory or str(dst),
            scratch_dir=scratch,
            models=[
                (str(m.get("name", "")), str(m.get("path", "")))
                for m in (_get(design, "models", "base", default=[]) or [])
                if isinstance(m, Mapping)
            ],
            recorded_sizes={
                str(m.get("name", "")): m.get("size_gb")
                for m in (_get(design, "models", "base", default=[]) or [])
                if isinstance(m, Mapping)
            },
            dataset=str(_get(design, "data", "training", "path", default="") or ""),
            dataset_splits=dict(_get(design, "data", "training", "splits", default={}) or {}),
            tasks=[
                (str(t.get("name", "")), str(t.get("script", "")))
                for t in (_get(design, "evaluation", "tasks", default=[]) or [])
                if isinstance(t, Mapping)
            ],
            controls=dict(_get(design, "controls", default={}) or {}),
            runs=[r for r in (_get(design, "runs", default=[]) or []) if isinstance(r, Mapping)],
            matrix=[m for m in (_get(design, "evaluation", "matrix", default=[]) or []) if isinstance(m, Mapping)],
        )
    # The design cannot be read (e.g. conflict markers): verify what the answers name.
    models_dir = str(answers.get("models_dir") or "")
    models = answers.get("models") or []
    if isinstance(models, str):
        models = [models]
    tasks = answers.get("eval_tasks") or []
    return Plan(
        name=str(answers.get("experiment_name") or dst.name),
        type=str(answers.get("experiment_type") or ""),
        directory=str(dst),
        scratch_dir=str(answers.get("scratch_dir") or ""),
        models=[(str(m), str(Path(models_dir) / str(m)) if models_dir else str(m)) for m in models],
        dataset=str(answers.get("dataset_path") or ""),
        tasks=[(str(t.get("name", "")), str(t.get("script", ""))) for t in tasks if isinstance(t, Mapping)],
        from_design=False,
    )


# --------------------------------------------------------------------------------------------
# Verifications: each logs one entry and returns what it found


@dataclass
class Findings:
    model_sizes: dict[str, float | None] = field(default_factory=dict)
    train_count: int | None = None
    free_gb: float | None = None
    prerequisites: list[str] = field(default_factory=list)
    steps: dict[str, int] = field(default_factory=dict)
    speed: float | None = None
    notes: list[str] = field(default_factory=list)


def verify_models(log: DesignLog, plan: Plan, found: Findings) -> None:
    for name, path in plan.models:
        facts = model_facts(path) if path else None
        fields: dict[str, Any] = {"Model": name, "Path": path or "(none)"}
        if facts is None or not facts.exists:
            found.model_sizes[name] = None
            found.prerequisites.append(f"model {name}: directory {path!r} does not exist (download it there)")
            log.add("VERIFY_MODEL", "Verifying model directory exists", fields, "failure",
                    f"ModelNotFound - model directory {path!r} does not exist")
            continue
        found.model_sizes[name] = facts.size_gb
        fields["Size"] = f"{facts.size_gb} GB" if facts.size_gb is not None else "unknown"
        fields["Config"] = "config.json present" if facts.has_config else "config.json missing"
        if facts.error:
            found.prerequisites.append(f"model {name}: {facts.error}")
            log.add("VERIFY_MODEL", "Verifying model directory exists", fields, "warning",
                    f"IncompleteModel - {facts.error}")
        elif plan.from_design and name in plan.recorded_sizes and plan.recorded_sizes[name] is None:
            # e.g. downloaded after the copy: copier update keeps the committed null (a "hand edit").
            found.notes.append(f"model {name} now exists: set its models.base size_gb to {facts.size_gb} by hand")
            log.add("VERIFY_MODEL", "Verifying model directory exists", fields, "warning",
                    f"StaleDesign - experiment_summary.yaml records size_gb: null for {name} but it now measures "
                    f"{facts.size_gb} GB; copier update keeps committed values, so set it by hand")
        else:
            log.add("VERIFY_MODEL", "Verifying model directory exists", fields)


def verify_dataset(log: DesignLog, plan: Plan, found: Findings) -> None:
    path = plan.dataset
    facts = dataset_facts(path) if path else None
    fields: dict[str, Any] = {"Path": path or "(none)"}
    if facts is None or not facts.exists:
        found.prerequisites.append(f"dataset {path!r} does not exist (create it with the task's preprocessing script)")
        log.add("VERIFY_DATASET", "Verifying training dataset exists", fields, "failure",
                f"DatasetNotFound - dataset {path!r} does not exist")
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", fields, "failure",
                "DatasetNotFound - no dataset to count")
        return
    fields["Format"] = facts.format
    fields["Size"] = f"{facts.size_kb} KB" if facts.size_kb is not None else "unknown"
    parse_error = facts.error if facts.error and all(v is None for v in facts.splits.values()) else None
    if parse_error:
        found.prerequisites.append(f"dataset {path!r}: {parse_error}")
        log.add("VERIFY_DATASET", "Verifying training dataset exists and parses", fields, "failure",
                f"DatasetUnreadable - {parse_error}")
    else:
        log.add("VERIFY_DATASET", "Verifying training dataset exists and parses", fields)
    counts = dict(facts.splits)
    found.train_count = counts.get("train")
    count_fields = {"Path": path, **{s.capitalize(): ("unknown" if n is None else n) for s, n in counts.items()}}
    mismatched = [
        f"{s}: design says {plan.dataset_splits.get(s)}, file has {n}"
        for s, n in counts.items()
        if plan.from_design and s in plan.dataset_splits and plan.dataset_splits.get(s) is not None
        and n is not None and plan.dataset_splits.get(s) != n
    ]
    if parse_error:
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", count_fields, "failure",
                f"DatasetUnreadable - {parse_error}")
    elif mismatched:
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", count_fields, "warning",
                "SplitMismatch - " + "; ".join(mismatched) + " (CK281: update data.training.splits)")
    elif counts.get("train") is None:
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", count_fields, "warning",
                f"NoTrainSplit - {facts.error or 'train split not counted'}")
    else:
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", count_fields)


def verify_tasks(log: DesignLog, plan: Plan, found: Findings) -> None:
    for name, script in plan.tasks:
        facts = task_script_facts(script) if script else None
        fields: dict[str, Any] = {"Task": name, "Script": script or "(none)"}
        if facts is None or not facts.exists:
            found.prerequisites.append(f"eval task {name}: script {script!r} does not exist (create it, e.g. with create-inspect-task)")
            log.add("VERIFY_EVAL_TASK", "Verifying inspect-ai task script exists", fields, "failure",
                    f"TaskScriptNotFound - task script {script!r} does not exist")
            continue
        fields["Task functions"] = ", ".join(facts.task_functions) or "none"
        if facts.error:
            found.prerequisites.append(f"eval task {name}: {facts.error}")
            log.add("VERIFY_EVAL_TASK", "Verifying inspect-ai task script defines an @task function", fields,
                    "warning", f"NoTaskFunction - {facts.error}")
        else:
            log.add("VERIFY_EVAL_TASK", "Verifying inspect-ai task script defines an @task function", fields)


def check_disk(log: DesignLog, plan: Plan, found: Findings) -> None:
    where = plan.scratch_dir or plan.directory
    found.free_gb = free_disk_gb(where) if where else None
    fields: dict[str, Any] = {"Path": where or "(none)"}
    if found.free_gb is None:
        log.add("CHECK_DISK_SPACE", "Checking free disk space under the scratch directory", fields, "warning",
                f"DiskUnknown - cannot measure free space under {where!r}")
        return
    fields["Free"] = f"{found.free_gb} GB"
    if where and not Path(where).expanduser().exists():
        log.add("CHECK_DISK_SPACE", "Checking free disk space under the scratch directory", fields, "warning",
                f"ScratchNotFound - {where!r} does not exist yet; measured its nearest existing parent")
        return
    log.add("CHECK_DISK_SPACE", "Checking free disk space under the scratch directory", fields)


def _run_value(plan: Plan, run: Mapping[str, Any], key: str) -> Any:
    params = run.get("parameters") or {}
    if key in params:
        return params[key]
    if key in plan.controls and plan.controls[key] is not None:
        return plan.controls[key]
    return HYPERPARAMETER_DEFAULTS.get(key)


def saved_epochs(plan: Plan, run: Mapping[str, Any]) -> int:
    """Checkpoints kept for a fine-tuned run: the evaluated epochs (all of them for best_val_loss)."""
    trained = _run_value(plan, run, "epochs")
    entry = next((m for m in plan.matrix if m.get("run") == run.get("name")), None)
    epochs = entry.get("epochs") if entry else None
    if isinstance(epochs, list) and epochs:
        return len(epochs)
    return int(trained) if isinstance(trained, int) and trained > 0 else 1


def calculate_disk_usage(log: DesignLog, plan: Plan, found: Findings) -> None:
    fine_tuned = [r for r in plan.runs if r.get("type") == "fine-tuned"]
    total = 0.0
    unknown: list[str] = []
    for run in fine_tuned:
        size = found.model_sizes.get(str(run.get("model")))
        if size is None:
            unknown.append(str(run.get("model")))
            continue
        total += size * saved_epochs(plan, run)
    fields: dict[str, Any] = {
        "Fine-tuned runs": len(fine_tuned),
        "Checkpoints": sum(saved_epochs(plan, r) for r in fine_tuned),
        "Estimate": f"{total:.1f} GB (model size x saved epochs x fine-tuned runs)",
    }
    if found.free_gb is not None:
        fields["Free"] = f"{found.free_gb} GB"
    if unknown:
        log.add("CALCULATE_DISK_USAGE", "Estimating checkpoint disk usage", fields, "warning",
                "ModelSizeUnknown - no size for " + ", ".join(sorted(set(unknown))) + "; estimate excludes their runs")
    elif found.free_gb is not None and total > found.free_gb:
        log.add("CALCULATE_DISK_USAGE", "Estimating checkpoint disk usage", fields, "warning",
                f"InsufficientDisk - checkpoints need ~{total:.1f} GB but only {found.free_gb} GB are free; clean up or choose another scratch dir")
        found.prerequisites.append(f"disk: checkpoints need ~{total:.1f} GB, {found.free_gb} GB free")
    else:
        log.add("CALCULATE_DISK_USAGE", "Estimating checkpoint disk usage", fields)


def training_steps(plan: Plan, run: Mapping[str, Any], train_count: int) -> tuple[int, list[str]]:
    """Optimizer steps of one run and the CK250-CK252 warnings they raise."""
    bs = int(_run_value(plan, run, "batch_size") or 1)
    ga = int(_run_value(plan, run, "gradient_accumulation_steps") or 1)
    epochs = int(_run_value(plan, run, "epochs") or 1)
    warmup = int(_run_value(plan, run, "num_warmup_steps") or 0)
    total = math.ceil(train_count / max(1, bs * ga)) * epochs
    warnings = []
    name = run.get("name")
    if total < MIN_TOTAL_STEPS:
        warnings.append(f"CK250 {name}: {total} total steps < {MIN_TOTAL_STEPS}")
    if total < warmup:
        warnings.append(f"CK251 {name}: {total} total steps < num_warmup_steps {warmup} (warmup never completes)")
    elif total < WARMUP_FACTOR * warmup:
        warnings.append(f"CK252 {name}: {total} total steps < {WARMUP_FACTOR} x num_warmup_steps {warmup}")
    return total, warnings


def generate_runs(log: DesignLog, plan: Plan, found: Findings) -> None:
    fine_tuned = [r for r in plan.runs if r.get("type") == "fine-tuned"]
    controls = [r for r in plan.runs if r.get("type") == "control"]
    fields: dict[str, Any] = {
        "Fine-tuned runs": len(fine_tuned),
        "Control runs": len(controls),
        "Runs": ", ".join(str(r.get("name")) for r in plan.runs) or "none",
    }
    if not plan.from_design:
        log.add("GENERATE_RUNS", "Reading the runs of experiment_summary.yaml", fields, "failure",
                "DesignUnreadable - experiment_summary.yaml cannot be read; runs not checked")
        return
    warnings: list[str] = []
    if found.train_count is not None:
        for run in fine_tuned:
            steps, w = training_steps(plan, run, found.train_count)
            found.steps[str(run.get("name"))] = steps
            warnings.extend(w)
        fields["Training steps"] = ", ".join(f"{k}={v}" for k, v in found.steps.items()) or "none"
    else:
        fields["Training steps"] = "unknown (train split not counted)"
    if warnings:
        log.add("GENERATE_RUNS", "Generated runs: models x variables, plus controls", fields, "warning",
                "TooFewSteps - " + "; ".join(warnings))
    else:
        log.add("GENERATE_RUNS", "Generated runs: models x variables, plus controls", fields)


def _slurm_logs(scratch: Path, depth: int = SLURM_SEARCH_DEPTH, budget_s: float = SLURM_SEARCH_SECONDS) -> tuple[list[Path], bool]:
    """`slurm-*.out` files up to `depth` levels below scratch, newest first (at most
    MAX_SLURM_LOGS), and whether the walk stopped early: a shared scratch on a parallel file
    system can hold millions of entries, so the search has a time budget and skips hidden dirs."""
    import fnmatch
    from time import monotonic

    deadline = monotonic() + budget_s
    found: list[tuple[float, Path]] = []
    level = [scratch]
    truncated = False
    for _ in range(depth + 1):
        below: list[Path] = []
        for directory in level:
            if monotonic() > deadline:
                truncated = True
                break
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
                continue
        if truncated:
            break
        level = below
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in found[:MAX_SLURM_LOGS]], truncated


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
        if v <= 0:
            continue
        speeds.append(v if unit == "it/s" else 1.0 / v)
    return statistics.median(speeds) if speeds else None


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s}s")


def prior_runs(log: DesignLog, plan: Plan, found: Findings) -> None:
    scratch = Path(plan.scratch_dir).expanduser() if plan.scratch_dir else None
    logs, truncated = _slurm_logs(scratch) if scratch and scratch.is_dir() else ([], False)
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
        return
    log.add("SEARCH_PRIOR_RUNS", "Searching prior SLURM logs for training speed", fields)
    per_file = [(p, file_speed(p)) for p in logs]
    with_speed = [(p, s) for p, s in per_file if s is not None]
    model_names = [m for m, _ in plan.models]
    matching = [s for p, s in with_speed if any(m and m in str(p) for m in model_names)]
    speeds = matching or [s for _, s in with_speed]
    efields: dict[str, Any] = {"Files read": len(per_file), "Files with it/s": len(with_speed)}
    if not speeds:
        found.notes.append("prior slurm-*.out logs hold no it/s figures: training time not estimated")
        log.add("EXTRACT_TRAINING_SPEED", "Extracting it/s from prior SLURM logs", efields, "warning",
                "NoSpeed - no it/s or s/it progress figures in the prior logs")
        return
    found.speed = statistics.median(speeds)
    efields["Basis"] = "logs naming the chosen models" if matching else "all prior logs"
    efields["Speed"] = f"{found.speed:.2f} it/s (median)"
    log.add("EXTRACT_TRAINING_SPEED", "Extracting it/s from prior SLURM logs", efields)
    if not found.steps:
        log.add("CALCULATE_TRAINING_TIME", "Estimating training time per run", {"Speed": efields["Speed"]},
                "warning", "StepsUnknown - training steps unknown (train split not counted)")
        return
    per_run = {k: v / found.speed for k, v in found.steps.items()}
    log.add(
        "CALCULATE_TRAINING_TIME",
        "Estimating training time per run from prior it/s",
        {
            "Speed": efields["Speed"],
            "Per run": ", ".join(f"{k}={_duration(v)}" for k, v in per_run.items()),
            "Longest run": _duration(max(per_run.values())),
            "Total GPU time": _duration(sum(per_run.values())),
        },
    )


def generate_matrix(log: DesignLog, plan: Plan) -> int:
    if not plan.from_design:
        log.add("GENERATE_EVAL_MATRIX", "Reading the evaluation matrix", {}, "failure",
                "DesignUnreadable - experiment_summary.yaml cannot be read; matrix not checked")
        return 0
    total = sweep.total_evaluations(
        [{"tasks": list(m.get("tasks") or []), "epochs": m.get("epochs")} for m in plan.matrix]
    )
    in_matrix = {m.get("run") for m in plan.matrix}
    missing = [str(r.get("name")) for r in plan.runs if r.get("name") not in in_matrix]
    fields = {
        "Entries": len(plan.matrix),
        "Tasks": ", ".join(n for n, _ in plan.tasks) or "none",
        "Total evaluations": total,
    }
    if missing:
        log.add("GENERATE_EVAL_MATRIX", "Evaluation matrix: runs x tasks x epochs", fields, "warning",
                "RunNotEvaluated - not in the matrix (CK233): " + ", ".join(missing))
    else:
        log.add("GENERATE_EVAL_MATRIX", "Evaluation matrix: runs x tasks x epochs", fields)
    return total


# --------------------------------------------------------------------------------------------
# git


def _git(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=dict(env) if env is not None else None,
        capture_output=True, text=True, check=False,
    )


def git_toplevel(path: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    r = _git(["rev-parse", "--show-toplevel"], path)
    return Path(r.stdout.strip()).resolve() if r.returncode == 0 and r.stdout.strip() else None


def identity_env(cwd: Path) -> tuple[dict[str, str], str | None]:
    """The environment for a commit: a fallback identity only where none is configured."""
    env = dict(os.environ)
    missing = []
    for field_, config_key in (("NAME", "user.name"), ("EMAIL", "user.email")):
        configured = _git(["config", config_key], cwd).stdout.strip()
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


def put_under_git(dst: Path, name: str) -> GitOutcome:
    if shutil.which("git") is None:
        return GitOutcome("git is not installed: the design is not under version control and `copier update` will not work", False)
    top = git_toplevel(dst)
    if top is not None and top != dst:
        ignored = _git(["check-ignore", "-q", "--", str(dst)], top).returncode == 0
        if not ignored:
            r = _git(["add", "--", "."], dst)
            if r.returncode != 0:
                return GitOutcome(f"could not stage the design in the work tree {top}: {r.stderr.strip()}", False)
            return GitOutcome(
                f"the destination is inside the git work tree {top}: its files are staged, not committed; "
                "review and commit them (`git commit`) before running `copier update`"
            )
        top = None  # git-ignored inside a parent repo: the design gets its own repository
    outcome = GitOutcome("")
    if top is None:
        r = _git(["init", "-q"], dst)
        if r.returncode != 0:
            return GitOutcome(f"`git init` failed: {r.stderr.strip()}", False)
        created = True
    else:
        created = False
        has_head = _git(["rev-parse", "-q", "--verify", "HEAD"], dst).returncode == 0
        if has_head:
            r = _git(["add", "--", "."], dst)
            return GitOutcome(
                "the destination is an existing git repository: its files are staged, not committed; "
                "review and commit them (`git commit`) before running `copier update`",
                r.returncode == 0,
            )
    r = _git(["add", "--", "."], dst)
    if r.returncode != 0:
        return GitOutcome(f"`git add` failed: {r.stderr.strip()}", False)
    env, note = identity_env(dst)
    message = f"Design {name}"
    r = _git(["commit", "-q", "-m", message], dst, env)
    if r.returncode != 0:
        return GitOutcome(
            f"`git commit` failed ({(r.stderr or r.stdout).strip()}); commit the design yourself before `copier update`",
            False,
        )
    if note:
        outcome.notes.append(note)
    sha = _git(["rev-parse", "--short", "HEAD"], dst).stdout.strip()
    outcome.message = (
        f"{'initialised a git repository and ' if created else ''}committed everything as \"{message}\" ({sha})"
    )
    pre_commit = _pre_commit_executable()
    if pre_commit is None:
        outcome.notes.append(
            "pre-commit is not installed: `pip install pre-commit && pre-commit install` here to validate every commit"
        )
    else:
        r = subprocess.run([*pre_commit, "install"], cwd=dst, capture_output=True, text=True, check=False)
        if r.returncode == 0:
            outcome.notes.append("installed the pre-commit hook: every commit is validated by ck-validate")
        else:
            outcome.notes.append(f"`pre-commit install` failed ({(r.stderr or r.stdout).strip()}); run it yourself")
    return outcome


def conflicts(dst: Path) -> list[str]:
    """Files left conflicted by `copier update`: unmerged index entries, *.rej files, markers."""
    found: dict[str, str] = {}
    r = _git(["ls-files", "-u", "--", "."], dst)
    if r.returncode == 0:
        for line in r.stdout.splitlines():
            if "\t" in line:
                found.setdefault(line.split("\t", 1)[1], "unmerged")
    r = _git(["ls-files", "-co", "--exclude-standard", "--", "."], dst)
    names = r.stdout.splitlines() if r.returncode == 0 else [
        str(p.relative_to(dst)) for p in dst.rglob("*") if p.is_file() and ".git" not in p.parts
    ]
    for name in names:
        p = dst / name
        if name.endswith(".rej"):
            found.setdefault(name, "rejected hunks")
            continue
        try:
            if p.is_file() and p.stat().st_size < 10_000_000 and CONFLICT_MARKER.search(p.read_bytes()):
                found.setdefault(name, "conflict markers")
        except OSError:
            continue
    return sorted(found)


# --------------------------------------------------------------------------------------------
# The two operations


def _process_start(pid: int) -> datetime | None:
    """When copier (our parent) started (Linux /proc), so COMPLETE_DESIGN's Duration covers the
    whole wizard session; None when the parent is not copier or /proc is unavailable."""
    try:
        if b"copier" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return None
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        started = datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    now = datetime.now()
    return started if timedelta(0) <= now - started < timedelta(days=1) else None


@dataclass
class Context:
    dst: Path
    answers: dict[str, Any]
    order: list[str]
    out: TextIO
    answers_file: str = ANSWERS_FILE
    started: datetime = field(default_factory=datetime.now)


def _verify_all(log: DesignLog, plan: Plan) -> tuple[Findings, int]:
    found = Findings()
    verify_models(log, plan, found)
    verify_dataset(log, plan, found)
    verify_tasks(log, plan, found)
    check_disk(log, plan, found)
    calculate_disk_usage(log, plan, found)
    generate_runs(log, plan, found)
    prior_runs(log, plan, found)
    evaluations = generate_matrix(log, plan)
    return found, evaluations


def _create_yaml(log: DesignLog, dst: Path, plan: Plan, evaluations: int, load_error: str | None, details: str) -> None:
    fields: dict[str, Any] = {"Path": SUMMARY_NAME, "Runs": len(plan.runs), "Evaluations": evaluations}
    if load_error:
        log.add("CREATE_YAML", details, fields, "failure", f"DesignUnreadable - {load_error}")
        return
    result, extra, error = validation_entry(dst / SUMMARY_NAME)
    log.add("CREATE_YAML", details, {**fields, **extra}, result, error)


def _complete(log: DesignLog, ctx: Context, found: Findings, extra_problem: str | None = None) -> None:
    duration = (datetime.now() - ctx.started).total_seconds()
    fields = {"Duration": _duration(max(0.0, duration)), "Prerequisites": len(found.prerequisites)}
    prerequisites = (
        f"{len(found.prerequisites)} prerequisites to resolve before running: " + "; ".join(found.prerequisites)
        if found.prerequisites else ""
    )
    if extra_problem:
        error = extra_problem + (f"; also {prerequisites}" if prerequisites else "")
        log.add("COMPLETE_DESIGN", "Design complete, with problems to resolve", fields, "warning", error)
    elif prerequisites:
        log.add("COMPLETE_DESIGN", "Design complete; resources missing", fields, "warning", f"Prerequisites - {prerequisites}")
    else:
        log.add("COMPLETE_DESIGN", "Design complete", fields)


def _print_summary(ctx: Context, title: str, lines: Iterable[str]) -> None:
    print(f"\nck-design: {title}", file=ctx.out)
    for line in lines:
        print(line, file=ctx.out)
    ctx.out.flush()


def _files_written(dst: Path) -> list[str]:
    files = []
    for p in sorted(dst.rglob("*")):
        rel = p.relative_to(dst)
        if p.is_file() and rel.parts[0] != ".git":
            files.append(str(rel))
    return files


def after_copy(ctx: Context) -> int:
    dst = ctx.dst
    summary = dst / SUMMARY_NAME
    if ctx.answers.get("approved") is False or not summary.exists():
        print("ck-design: nothing was rendered (plan not approved); nothing to verify.", file=ctx.out)
        return 0
    log = DesignLog(dst / LOG_RELPATH)
    design, load_error = load_design(summary)
    plan = plan_from(design, ctx.answers, dst)
    log.add(
        "START_DESIGN",
        "Designing experiment with the ck-design wizard (copier copy)" if not log.existed
        else "Re-rendering the experiment design (copier recopy)",
        {"Experiment": plan.name, "Type": plan.type, "Directory": str(dst),
         **({"Design directory": plan.directory} if plan.directory and plan.directory != str(dst) else {}),
         "Template": f"{ctx.answers.get('_src_path', '?')} @ {ctx.answers.get('_commit', '?')}"},
        at=ctx.started,
    )
    for key, value in user_answers(ctx.answers, ctx.order).items():
        log.add("USER_RESPONSE", f"Answer to {key}", {"Question": key, "Response": _json_value(value)})
    found, evaluations = _verify_all(log, plan)
    _create_yaml(log, dst, plan, evaluations, load_error, "experiment_summary.yaml rendered from the answers")
    log.add("CREATE_LOG", "Design log written", {"Path": str(LOG_RELPATH), "Entries": log.entries + 1})
    _complete(log, ctx, found)
    git = put_under_git(dst, plan.name)
    lines = ["  files written:"]
    lines += [f"    {f}" for f in _files_written(dst)]
    lines.append(f"  plan: {len(plan.runs)} runs, {evaluations} evaluations")
    if found.prerequisites:
        lines.append(f"  prerequisites ({len(found.prerequisites)}, also in README.md and the log):")
        lines += [f"    - {p}" for p in found.prerequisites]
    else:
        lines.append("  prerequisites: none, every model, dataset and task script was found")
    lines += [f"  note: {n}" for n in found.notes]
    lines.append(f"  git: {git.message}")
    lines += [f"  git: {n}" for n in git.notes]
    step = "resolve the prerequisites above, then " if found.prerequisites else ""
    lines.append(
        f"  next: {step}scaffold the runs from {dst / SUMMARY_NAME} (torchtune configs and SLURM scripts) and submit them;"
        " change the design later with `copier update --trust` in that directory"
    )
    _print_summary(ctx, f"experiment design ready in {dst}", lines)
    return 0


def _old_answers(dst: Path, answers_file: str) -> dict[str, Any]:
    r = _git(["show", f"HEAD:./{answers_file}"], dst)
    if r.returncode != 0:
        return {}
    try:
        data = yaml.safe_load(r.stdout)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def after_update(ctx: Context) -> int:
    dst = ctx.dst
    log = DesignLog(dst / LOG_RELPATH)
    old = _old_answers(dst, ctx.answers_file)
    new = ctx.answers
    changed = {
        k: (old.get(k), new.get(k))
        for k in user_answers({**old, **new}, ctx.order)
        if old.get(k) != new.get(k)
    }
    conflicted = conflicts(dst)
    fields: dict[str, Any] = {
        "Template": f"{old.get('_commit', '?')} -> {new.get('_commit', '?')}",
        "Answers changed": len(changed),
    }
    for key, (before, after) in changed.items():
        fields[f"Changed {key}"] = f"{_json_value(before)} -> {_json_value(after)}"
    fields["Conflicts"] = ", ".join(conflicted) or "none"
    problem = None
    if conflicted:
        problem = (
            f"MergeConflict - copier update left conflicts in {', '.join(conflicted)}; "
            "resolve the <<<<<<< / >>>>>>> blocks, then git add and commit"
        )
        log.add("UPDATE_DESIGN", "copier update: design re-rendered and merged", fields, "warning", problem, at=ctx.started)
    else:
        log.add("UPDATE_DESIGN", "copier update: design re-rendered and merged", fields, at=ctx.started)
    for key, (_, after) in changed.items():
        log.add("USER_RESPONSE", f"Answer to {key} (changed)", {"Question": key, "Response": _json_value(after)})
    design, load_error = load_design(dst / SUMMARY_NAME)
    plan = plan_from(design, new, dst)
    found, evaluations = _verify_all(log, plan)
    _create_yaml(log, dst, plan, evaluations, load_error, "experiment_summary.yaml updated by copier's 3-way merge")
    _complete(log, ctx, found, problem)
    lines = [f"  answers changed: {len(changed)}"]
    lines += [f"    {k}: {_json_value(a)} -> {_json_value(b)}" for k, (a, b) in changed.items()]
    lines.append(f"  plan: {len(plan.runs)} runs, {evaluations} evaluations; log: {log.entries} entries appended to {LOG_RELPATH}")
    if found.prerequisites:
        lines.append(f"  prerequisites ({len(found.prerequisites)}):")
        lines += [f"    - {p}" for p in found.prerequisites]
    lines += [f"  note: {n}" for n in found.notes]
    lines.append("  next: review `git diff`, then `git add -A && git commit` (pre-commit validates the design)")
    _print_summary(ctx, f"design updated in {dst}", lines)
    if conflicted:
        bar = "!" * 78
        print(
            f"\n{bar}\n!! copier update left MERGE CONFLICTS in: {', '.join(conflicted)}\n"
            "!! In each <<<<<<< before updating / ======= / >>>>>>> after updating block, keep your\n"
            "!! version, the new render, or a mix, and delete the marker lines (merge a *.rej by hand\n"
            "!! and delete it); then `git add` and commit. The pre-commit hook refuses markers.\n"
            f"{bar}",
            file=sys.stderr,
        )
    return 0


# --------------------------------------------------------------------------------------------
# Entry point


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="post_copy.py", description="ck-design post-copy/post-update hook")
    p.add_argument("--operation", choices=("copy", "update"), required=True)
    p.add_argument("--stage", default="tasks", help="copier's phase: 'tasks' after copy, 'after' for the update migration")
    p.add_argument("--answers", default=None, help="the answers as one JSON object (copier's _copier_answers)")
    p.add_argument("--answers-file", default=ANSWERS_FILE)
    p.add_argument("--template", default=None, help="the template's local directory (for the question order)")
    p.add_argument("--dst", default=".", help="the destination (default: the working directory)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = parse_args(argv)
    out = out or sys.stdout
    dst = Path(args.dst).resolve()
    answers: dict[str, Any] = {}
    if args.answers:
        try:
            loaded = json.loads(args.answers)
            answers = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            answers = {}
    if not answers:
        answers = read_answers_file(dst / args.answers_file)
    started = _process_start(os.getppid()) or datetime.now()
    ctx = Context(dst, answers, question_order(args.template), out, args.answers_file, started)
    if args.operation == "update" and args.stage != "after":
        # copier runs _tasks three times during an update (old render, destination, new render):
        # the work happens once, in the "after" migration, in the destination, after the merge.
        return 0
    try:
        return after_copy(ctx) if args.operation == "copy" else after_update(ctx)
    except Exception as exc:  # noqa: BLE001 - never fail copier: it would delete the rendered design
        print(
            f"ck-design: the post-{args.operation} hook failed: {type(exc).__name__}: {exc}\n"
            "The rendered files are untouched. Please report this with the log in logs/design-experiment.log.",
            file=sys.stderr,
        )
        return 0


if __name__ == "__main__":
    sys.exit(main())
