"""The hook's verifications: models, dataset, task scripts, disk, runs and their training steps,
the evaluation matrix, and ck-validate's verdict on the rendered design.

Each logs one entry (a failure is an entry and a prerequisite, never a crash: hooks/README.md)
and records what it found. A missing resource is worded by facts/prerequisites.py, the same
sentence the wizard's plan and the rendered README use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..facts import prerequisites as prereq
from ..facts.loader import LoadError, load_file
from ..facts.resources import free_disk_gb
from ..spec import era as eras
from ..spec import sweep
from ..validate.engine import check
from ..validate.registry import RULES
from ..validate.rules import RESOURCES
from ..facts.designlog import DesignLog
from .rendered import Plan


@dataclass
class Findings:
    model_sizes: dict[str, float | None] = field(default_factory=dict)
    train_count: int | None = None
    train_chars: int | None = None  # the train split's characters (packing's step estimate)
    free_gb: float | None = None
    prerequisites: list[str] = field(default_factory=list)
    steps: dict[str, int] = field(default_factory=dict)
    speed: float | None = None
    notes: list[str] = field(default_factory=list)

    def require(self, problem: str | None) -> None:
        if problem:
            self.prerequisites.append(problem)


# --- resources ------------------------------------------------------------------------------

def verify_models(log: DesignLog, plan: Plan, found: Findings) -> None:
    details = "Verifying model directory exists"
    for name, path in plan.models:
        facts = prereq.model_facts(path) if path else None
        fields: dict[str, Any] = {"Model": name, "Path": path or "(none)"}
        found.require(prereq.model_problem(name, path or "(none)"))
        if facts is None or not facts.exists:
            found.model_sizes[name] = None
            log.add("VERIFY_MODEL", details, fields, "failure", f"ModelNotFound - model directory {path!r} does not exist")
            continue
        found.model_sizes[name] = facts.size_gb
        fields["Size"] = f"{facts.size_gb} GB" if facts.size_gb is not None else "unknown"
        fields["Config"] = "config.json present" if facts.has_config else "config.json missing"
        if facts.error:
            log.add("VERIFY_MODEL", details, fields, "warning", f"IncompleteModel - {facts.error}")
        elif plan.from_design and name in plan.recorded_sizes and plan.recorded_sizes[name] is None:
            # e.g. downloaded between the render and this check; after an update, a null the
            # refresh could not rewrite (hooks/README.md "Resource facts on update").
            found.notes.append(f"model {name} now exists: set its models.base size_gb to {facts.size_gb} by hand"
                               " (or commit and run `copier update --trust`, which refreshes it)")
            log.add("VERIFY_MODEL", details, fields, "warning",
                    f"StaleDesign - experiment_summary.yaml records size_gb: null for {name} but it now measures "
                    f"{facts.size_gb} GB; set it by hand or let `copier update --trust` refresh it")
        else:
            log.add("VERIFY_MODEL", details, fields)


def verify_checkpoints(log: DesignLog, plan: Plan, found: Findings) -> None:
    """Eval-only runs: the existing checkpoint each evaluates must be there (a prerequisite)."""
    details = "Verifying an eval-only run's checkpoint exists"
    for run, path in prereq.eval_only_checkpoints(plan.runs):
        problem = prereq.checkpoint_problem(run, path)
        found.require(problem)
        fields: dict[str, Any] = {"Model": run, "Path": path}
        if problem:
            log.add("VERIFY_MODEL", details, fields, "failure", f"CheckpointNotFound - {problem}")
        else:
            log.add("VERIFY_MODEL", details, fields)


def _split_mismatches(plan: Plan, counts: dict[str, int | None]) -> list[str]:
    if not plan.from_design:
        return []
    recorded = plan.dataset_splits
    return [
        f"{s}: design says {recorded[s]}, file has {n}"
        for s, n in counts.items()
        if recorded.get(s) is not None and n is not None and recorded[s] != n
    ]


def verify_dataset(log: DesignLog, plan: Plan, found: Findings) -> None:
    path = plan.dataset
    facts = prereq.dataset_facts(path) if path else None
    fields: dict[str, Any] = {"Path": path or "(none)"}
    found.require(prereq.dataset_problem(path))
    if facts is None or not facts.exists:
        log.add("VERIFY_DATASET", "Verifying training dataset exists", fields, "failure",
                f"DatasetNotFound - dataset {path!r} does not exist")
        log.add("COUNT_DATASET_SAMPLES", "Counting samples per split", fields, "failure",
                "DatasetNotFound - no dataset to count")
        return
    fields["Format"] = facts.format
    fields["Size"] = f"{facts.size_kb} KB" if facts.size_kb is not None else "unknown"
    unreadable = facts.error if facts.error and all(v is None for v in facts.splits.values()) else None
    details = "Verifying training dataset exists and parses"
    if unreadable:
        log.add("VERIFY_DATASET", details, fields, "failure", f"DatasetUnreadable - {unreadable}")
    else:
        log.add("VERIFY_DATASET", details, fields)
    counts = dict(facts.splits)
    found.train_count = counts.get("train")
    found.train_chars = facts.train_chars
    count_fields = {"Path": path, **{s.capitalize(): ("unknown" if n is None else n) for s, n in counts.items()}}
    mismatched = _split_mismatches(plan, counts)
    details = "Counting samples per split"
    if unreadable:
        log.add("COUNT_DATASET_SAMPLES", details, count_fields, "failure", f"DatasetUnreadable - {unreadable}")
    elif mismatched:
        log.add("COUNT_DATASET_SAMPLES", details, count_fields, "warning",
                "SplitMismatch - " + "; ".join(mismatched) + " (CK281: update data.training.splits)")
    elif counts.get("train") is None:
        log.add("COUNT_DATASET_SAMPLES", details, count_fields, "warning",
                f"NoTrainSplit - {facts.error or 'train split not counted'}")
    else:
        log.add("COUNT_DATASET_SAMPLES", details, count_fields)


def verify_tasks(log: DesignLog, plan: Plan, found: Findings) -> None:
    for name, script, dataset in plan.tasks:
        facts = prereq.task_facts(script) if script else None
        fields: dict[str, Any] = {"Task": name, "Script": script or "(none)"}
        found.prerequisites.extend(prereq.task_problems(name, script or "(none)", dataset))
        if facts is None or not facts.exists:
            log.add("VERIFY_EVAL_TASK", "Verifying inspect-ai task script exists", fields, "failure",
                    f"TaskScriptNotFound - task script {script!r} does not exist")
            continue
        fields["Task functions"] = ", ".join(facts.task_functions) or "none"
        details = "Verifying inspect-ai task script defines an @task function"
        if facts.error:
            log.add("VERIFY_EVAL_TASK", details, fields, "warning", f"NoTaskFunction - {facts.error}")
        else:
            log.add("VERIFY_EVAL_TASK", details, fields)


# --- disk -----------------------------------------------------------------------------------

def check_disk(log: DesignLog, plan: Plan, found: Findings) -> None:
    if plan.era == eras.V03:  # 0.3 writes checkpoints inside the experiment folder
        where = plan.directory or plan.scratch_dir
        details = "Checking free disk space under the experiment directory (0.3: checkpoints land there)"
    else:
        where = plan.scratch_dir or plan.directory
        details = "Checking free disk space under the scratch directory"
    found.free_gb = free_disk_gb(where) if where else None
    fields: dict[str, Any] = {"Path": where or "(none)"}
    if found.free_gb is None:
        log.add("CHECK_DISK_SPACE", details, fields, "warning", f"DiskUnknown - cannot measure free space under {where!r}")
        return
    fields["Free"] = f"{found.free_gb} GB"
    if where and not Path(where).expanduser().exists():
        log.add("CHECK_DISK_SPACE", details, fields, "warning",
                f"ScratchNotFound - {where!r} does not exist yet; measured its nearest existing parent")
        return
    log.add("CHECK_DISK_SPACE", details, fields)


def fine_tuned_runs(plan: Plan) -> list[Any]:
    return [r for r in plan.runs if r.get("type") == sweep.FINE_TUNED]


def eval_only_count(plan: Plan) -> int:
    """Eval-only runs: evaluated existing checkpoints, no training steps, no checkpoints on disk."""
    return sum(1 for r in plan.runs if r.get("type") == sweep.EVAL_ONLY)


def runs_text(plan: Plan) -> str:
    """`6 runs`, or `8 runs (2 eval-only: not trained, no checkpoints written)` for the summaries."""
    n = eval_only_count(plan)
    return f"{len(plan.runs)} runs" + (f" ({n} eval-only: not trained, no checkpoints written)" if n else "")


def calculate_disk_usage(log: DesignLog, plan: Plan, found: Findings) -> None:
    """Checkpoint disk use: model size x saved epochs, over the fine-tuned runs. torchtune saves a
    checkpoint after every epoch, evaluated or not, so every trained epoch counts."""
    fine_tuned = fine_tuned_runs(plan)
    saved = {str(r.get("name")): sweep.saved_epochs(r, plan.controls) for r in fine_tuned}
    total = 0.0
    unknown: set[str] = set()
    for run in fine_tuned:
        size = found.model_sizes.get(str(run.get("model")))
        if size is None:
            unknown.add(str(run.get("model")))
        else:
            total += size * saved[str(run.get("name"))]
    fields: dict[str, Any] = {
        "Fine-tuned runs": len(fine_tuned),
        "Checkpoints": sum(saved.values()),
        "Estimate": f"{total:.1f} GB (model size x saved epochs x fine-tuned runs)",
    }
    if plan.era == eras.V03 and plan.checkpoints:
        fields["Checkpoints under"] = f"{plan.checkpoints} (<run>/artifacts/epoch_<N>)"
    if found.free_gb is not None:
        fields["Free"] = f"{found.free_gb} GB"
    details = "Estimating checkpoint disk usage"
    short_of_space = prereq.disk_problem(total, found.free_gb)
    if unknown:
        log.add("CALCULATE_DISK_USAGE", details, fields, "warning",
                "ModelSizeUnknown - no size for " + ", ".join(sorted(unknown)) + "; estimate excludes their runs")
    elif short_of_space:
        found.require(short_of_space)
        log.add("CALCULATE_DISK_USAGE", details, fields, "warning",
                f"InsufficientDisk - checkpoints need ~{total:.1f} GB but only {found.free_gb} GB are free; "
                "clean up or choose another " + ("experiment folder" if plan.era == eras.V03 else "scratch dir"))
    else:
        log.add("CALCULATE_DISK_USAGE", details, fields)


# --- runs, steps, matrix --------------------------------------------------------------------

def _whole(value: Any, default: int) -> int:
    """A count from a (possibly hand-edited) design; the default where it is not a number."""
    try:
        return int(value) if value else default
    except (TypeError, ValueError):
        return default


def training_steps(plan: Plan, run: Any, train_count: int, train_chars: int | None = None) -> tuple[sweep.Steps, list[str]]:
    """Optimizer steps of one run and the CK250-CK252 warnings they raise (the validator's rule,
    spec/sweep.py, so hook and validator agree; with packing, estimated from the dataset)."""
    steps = sweep.steps_of_run(run, plan.controls, train_count, train_chars)
    warmup = _whole(sweep.effective_value(run, plan.controls, "num_warmup_steps"), 0)
    problems = sweep.step_problems(steps.total, warmup)
    return steps, [f"{code} {run.get('name')}: {what}" for code, what in problems]


# A log entry names at most this many runs (or warnings): an entry listing every run of a
# 10,000-run design added 680 KB per update, and the log hook refuses a log past 10 MB. The
# design itself lists them all.
LISTED = 20


def listed(items: list[str], sep: str = ", ", where: str = "experiment_summary.yaml") -> str:
    """The first LISTED items, then how many more (`where` lists them all): an entry's size does
    not grow with the design."""
    shown = sep.join(items[:LISTED])
    return shown + (f"{sep}... and {len(items) - LISTED:,} more ({where} lists them)"
                    if len(items) > LISTED else "")


def steps_summary(shown: dict[str, str], steps: dict[str, int]) -> str:
    """Training steps per run (`shown`: as the log words each): each run while there are few;
    else the range of `steps` and how many runs."""
    if not steps:
        return "none"
    if len(steps) <= LISTED:
        return ", ".join(f"{k}={v}" for k, v in shown.items())
    values = sorted(steps.values())
    spread = f"{values[0]}" if values[0] == values[-1] else f"{values[0]} to {values[-1]}"
    return f"{spread} per run ({len(steps):,} fine-tuned runs; median {values[len(values) // 2]})"


def generate_runs(log: DesignLog, plan: Plan, found: Findings) -> None:
    fine_tuned = fine_tuned_runs(plan)
    fields: dict[str, Any] = {
        "Fine-tuned runs": len(fine_tuned),
        "Control runs": sum(1 for r in plan.runs if r.get("type") == sweep.CONTROL),
        **({"Eval-only runs": f"{n} (not trained: no steps, no checkpoints)"} if (n := eval_only_count(plan)) else {}),
        "Runs": listed([str(r.get("name")) for r in plan.runs]) or "none",
    }
    if not plan.from_design:
        log.add("GENERATE_RUNS", "Reading the runs of experiment_summary.yaml", fields, "failure",
                "DesignUnreadable - experiment_summary.yaml cannot be read; runs not checked")
        return
    warnings: list[str] = []
    if found.train_count is not None:
        shown: dict[str, str] = {}
        for run in fine_tuned:
            steps, w = training_steps(plan, run, found.train_count, found.train_chars)
            found.steps[str(run.get("name"))] = steps.total
            shown[str(run.get("name"))] = steps.shown
            warnings.extend(w)
        fields["Training steps"] = steps_summary(shown, found.steps)
    else:
        fields["Training steps"] = "unknown (train split not counted)"
    details = "Generated runs: models x variables, plus controls"
    if warnings:
        log.add("GENERATE_RUNS", details, fields, "warning", "TooFewSteps - " + listed(warnings, sep="; "))
    else:
        log.add("GENERATE_RUNS", details, fields)


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
        "Tasks": ", ".join(t[0] for t in plan.tasks) or "none",
        "Total evaluations": total,
    }
    details = "Evaluation matrix: runs x tasks x epochs"
    if missing:
        log.add("GENERATE_EVAL_MATRIX", details, fields, "warning",
                "RunNotEvaluated - not in the matrix (CK233): " + listed(missing))
    else:
        log.add("GENERATE_EVAL_MATRIX", details, fields)
    return total


# --- the validator's verdict ----------------------------------------------------------------

def _section(code: str) -> str:
    rule = RULES.get(code)
    return rule.section if rule is not None else ""


def validation_entry(path: Path) -> tuple[str, dict[str, Any], str | None]:
    """ck-validate's verdict on the rendered design, as (result, fields, error) for CREATE_YAML."""
    try:
        findings = list(check(load_file(path), check_resources=True, base_dir=path.parent))
    except LoadError as exc:
        return "failure", {"Validation": "unreadable"}, f"DesignUnreadable - {exc.code} line {exc.line}: {exc.message}"
    except Exception as exc:
        return "warning", {"Validation": "crashed"}, f"{type(exc).__name__} - validator failed: {exc}"
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    counts = Counter(f.code for f in findings)
    by_code = ", ".join(f"{c} x{n}" if n > 1 else c for c, n in sorted(counts.items()))
    fields = {"Validation": f"{len(errors)} errors, {len(warnings)} warnings" + (f" ({by_code})" if counts else "")}
    # A resource that is missing or unreadable is a prerequisite (its VERIFY_* entry says so),
    # not a broken design: only the other errors fail this step (and COMPLETE_DESIGN).
    design_errors = [f for f in errors if _section(f.code) != RESOURCES]
    if design_errors:
        first = "; ".join(f"{f.code} line {f.line}: {f.message}" for f in design_errors[:3])
        return "failure", fields, f"InvalidDesign - {first} (run ck-validate for all findings)"
    if errors:
        first = "; ".join(f"{f.code} line {f.line}: {f.message}" for f in errors[:3])
        return "warning", fields, f"ResourceErrors - {first} (prerequisites: resolve before running)"
    if warnings:
        one_per_code = {f.code: f for f in reversed(warnings)}  # the first finding of each code
        first = "; ".join(f"{f.code}: {f.message}" for f in sorted(one_per_code.values(), key=lambda f: f.line)[:3])
        return "warning", fields, f"ValidationWarnings - {first}"
    return "success", fields, None
