"""CK231-CK233, CK236, CK240: the evaluation matrix, one pass over its entries (their epochs:
rules/epochs.py). Each run is evaluated; each entry names a run, known tasks and a label that
tells it apart in plots."""

from __future__ import annotations

from typing import Any

from ...spec import sweep
from ..context import Ctx, Design
from ..values import PathT, as_dict
from . import E, RUNS, W, epochs, rule

DOCS = [
    rule(
        "CK231", E, RUNS,
        "A matrix entry names a run that is not in `runs`.",
        """The evaluation job would look for checkpoints of a run that is never trained.""",
        "Use the name of a run from `runs` (the hint names the closest one).",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B_rank4, tasks: [capitalization], epochs: [0]}
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    rule(
        "CK232", E, RUNS,
        "A matrix entry names a task that is not in evaluation.tasks.",
        """Scaffolding cannot find the task's script, so the evaluation is never set up.""",
        "Use the name of a task from evaluation.tasks.",
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: Capitalize a word}
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalisation], epochs: [0]}
        """,
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: Capitalize a word}
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    rule(
        "CK233", W, RUNS,
        "A run has no entry in the evaluation matrix.",
        """The run is trained but never evaluated. That is deliberate with a selective matrix
        whose patterns match no task for it, and an oversight otherwise.""",
        "Add a matrix entry for the run, or remove the run.",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix: []
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    rule(
        "CK236", W, RUNS,
        "Two evaluation tasks have the same name.",
        """Matrix entries name tasks; with two tasks of one name it is undefined which script
        runs, and their results land in the same place.""",
        "Give each task a unique name.",
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: 8 letters}
            - {name: capitalization, script: tasks/capitalization_hard.py, description: 12 letters}
        """,
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: 8 letters}
            - {name: capitalization_hard, script: tasks/capitalization_hard.py, description: 12 letters}
        """,
    ),
    rule(
        "CK240", W, RUNS,
        "Two matrix entries share a vis_label for the same task.",
        """vis_label names a run in plots (a missing one means the run name); two runs with one
        label on the same task are drawn as one series, and one of them disappears.""",
        "Give each run a distinct vis_label, e.g. prefixed with the model size (1B_rank4).",
        """
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, vis_label: rank4, tasks: [capitalization], epochs: [0]}
            - {run: Llama-3.2-3B-Instruct_rank4, vis_label: rank4, tasks: [capitalization], epochs: [0]}
        """,
        """
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, vis_label: 1B_rank4, tasks: [capitalization], epochs: [0]}
            - {run: Llama-3.2-3B-Instruct_rank4, vis_label: 3B_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
]


class _Pass:
    """What the pass over matrix entries has seen."""

    def __init__(self, d: Design, task_names: set[str] | None) -> None:
        self.task_names = task_names
        self.in_matrix: set[str] = {
            e["run"] for e in d.matrix or () if isinstance(e, dict) and isinstance(e.get("run"), str)
        }
        # A matrix entry naming an unknown run usually meant a run no entry names: look there first.
        self.orphans: list[str] | None = None
        self.clean_epochs: set[tuple[Any, ...]] = set()  # (training epochs, epoch list) found fine
        self.labels: dict[str, dict[str, int]] = {}  # vis_label -> task -> the first entry using both
        # Distinct models, in order: sweep.vis_label scans the list it is given, once per call.
        self.models = list(
            dict.fromkeys(r.get("model") for r in d.runs if isinstance(r, dict) and isinstance(r.get("model"), str))
        )


def check(ctx: Ctx, d: Design) -> None:
    if d.matrix is None:
        return
    m = _Pass(d, _task_names(ctx, d))
    for j, entry in enumerate(d.matrix):
        if isinstance(entry, dict):
            _check_entry(ctx, d, m, j, entry)
    for i, run in enumerate(d.runs):
        if isinstance(run, dict) and isinstance(run.get("name"), str) and run["name"] not in m.in_matrix:
            what = "it would do nothing" if run.get("type") == sweep.EVAL_ONLY else "it is trained but never evaluated"
            ctx.add(
                "CK233",
                ("runs", i, "name"),
                f"runs[{i}] {run['name']!r} has no entry in evaluation.matrix: {what}",
                "add a matrix entry for it (or remove the run, if that is intended)",
            )


def _task_names(ctx: Ctx, d: Design) -> set[str] | None:
    """The names of evaluation.tasks (None when unreadable); CK236 for a name used twice."""
    if d.tasks is None:
        return None
    first_of: dict[str, int] = {}
    for j, task in enumerate(d.tasks):
        if isinstance(task, dict) and isinstance(task.get("name"), str):
            tname = task["name"]
            first = first_of.setdefault(tname, j)
            if first != j:
                ctx.add(
                    "CK236",
                    ("evaluation", "tasks", j, "name"),
                    f"evaluation.tasks[{j}].name {tname!r} is already used by evaluation.tasks[{first}]",
                    "give each task a unique name",
                )
    return set(first_of)


def _check_entry(ctx: Ctx, d: Design, m: _Pass, j: int, entry: dict[Any, Any]) -> None:
    base: PathT = ("evaluation", "matrix", j)
    run_name_ = entry.get("run")
    run_i: int | None = None
    if isinstance(run_name_, str):
        run_i = d.run_index.get(run_name_)
        if run_i is None:
            _unknown_run(ctx, d, m, base, j, run_name_)
    tasks = entry.get("tasks")
    if isinstance(tasks, list) and m.task_names is not None and not _all_in(tasks, m.task_names):
        _unknown_tasks(ctx, m.task_names, base, j, tasks)
    if run_i is not None:
        epochs.check_entry(ctx, d, j, entry, run_i, m.clean_epochs)
    # vis_label defaults to the run name (scaffold-inspect's behaviour).
    label = entry.get("vis_label")
    if label is None:
        label = run_name_
    if isinstance(label, str) and isinstance(tasks, list):
        _check_label(ctx, d, m, base, j, entry, run_i, label, tasks)


def _unknown_run(ctx: Ctx, d: Design, m: _Pass, base: PathT, j: int, run_name_: str) -> None:
    """CK231."""
    if m.orphans is None:
        m.orphans = [n for n in d.run_index if n not in m.in_matrix]
    near = ctx.closest(run_name_, m.orphans) or ctx.closest(run_name_, list(d.run_index))
    ctx.add(
        "CK231",
        base + ("run",),
        f"evaluation.matrix[{j}].run {run_name_!r} is not a run in `runs`",
        f"did you mean {near!r}?" if near else "use the name of a run from `runs`",
    )


def _unknown_tasks(ctx: Ctx, task_names: set[str], base: PathT, j: int, tasks: list[Any]) -> None:
    """CK232."""
    for k, t in enumerate(tasks):
        if isinstance(t, str) and t not in task_names:
            near = ctx.closest(t, sorted(task_names))
            ctx.add(
                "CK232",
                base + ("tasks", k),
                f"evaluation.matrix[{j}].tasks[{k}] {t!r} is not a task in evaluation.tasks ({', '.join(sorted(task_names)) or 'none'})",
                f"did you mean {near!r}?" if near else "use a task name from evaluation.tasks",
            )


def _all_in(items: list[Any], known: set[str]) -> bool:
    try:
        return known.issuperset(items)
    except TypeError:  # an unhashable item (the schema reports it)
        return False


def _check_label(
    ctx: Ctx, d: Design, m: _Pass, base: PathT, j: int, entry: dict[Any, Any], run_i: int | None, label: str, tasks: list[Any]
) -> None:
    """CK240: two entries with one vis_label for the same task cannot be told apart."""
    clashes: list[tuple[str, int]] = []
    owners = m.labels.get(label)
    if owners is None:  # the common case: a label not seen before
        m.labels[label] = {t: j for t in tasks if isinstance(t, str)}
        return
    for t in tasks:
        if isinstance(t, str):
            other = owners.setdefault(t, j)
            if other != j:
                clashes.append((t, other))
    if not clashes:
        return
    other_j = clashes[0][1]
    other_run = as_dict(d.matrix[other_j] if d.matrix else None).get("run")
    suggestion = None
    if run_i is not None and m.models:
        try:
            suggestion = sweep.vis_label(d.runs[run_i], "short", m.models, d.variables)
        except (KeyError, TypeError):
            suggestion = None
    hint = (
        f"use {suggestion!r}" if suggestion and suggestion != label else "give each run a distinct vis_label (e.g. 1B_rank4, 3B_rank4)"
    )
    ctx.add(
        "CK240",
        base + ("vis_label",) if "vis_label" in entry else base,
        f"evaluation.matrix[{j}] (run {entry.get('run')!r}) has vis_label {label!r}, as does matrix[{other_j}] (run {other_run!r}), for task{'s' if len(clashes) > 1 else ''} {', '.join(t for t, _ in clashes)}",
        hint,
    )
