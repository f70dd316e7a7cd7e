"""The sweep: runs, the evaluation matrix, epochs, a run's effective parameters, training steps.

Plain functions on plain data, called by the wizard (to build a design), the validator (to check
one: CK222, CK235, CK250-CK252) and the post-copy hook (to estimate steps and disk use), so the
three can never disagree about what a design means.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from .model_registry import size_token
from .naming import control_name, parameters_label, run_name, safe_name
from .params import RECIPE_DEFAULTS

# Run types (runs[].type). An eval-only run evaluates an existing checkpoint or model folder
# (`parameters.checkpoint_path`) and is never trained (docs/wizard.md, "Existing checkpoints").
FINE_TUNED = "fine-tuned"
CONTROL = "control"
EVAL_ONLY = "eval-only"
RUN_TYPES = (FINE_TUNED, CONTROL, EVAL_ONLY)
# The one parameter an eval-only run has: where the checkpoint (or model folder) is.
CHECKPOINT_PATH = "checkpoint_path"
# Runs that are evaluated as they are: no training, no checkpoints of their own, `epochs: null`.
UNTRAINED = frozenset({CONTROL, EVAL_ONLY})

EVAL_EPOCH_CHOICES = ("last", "all", "specific", "best_val_loss")
BEST_VAL_LOSS = "best_val_loss"

# Training-step thresholds (CK250-CK252).
MIN_TOTAL_STEPS = 50
WARMUP_FACTOR = 3  # warmup should be at most a third of training
# The parameters that decide a run's number of optimizer steps.
STEP_KEYS = frozenset({"batch_size", "gradient_accumulation_steps", "epochs", "num_warmup_steps", "packing",
                       "max_seq_len", "prompt"})


def sweep(variables: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the variables, first variable slowest; [{}] when nothing varies."""
    names = list(variables)
    return [dict(zip(names, combo)) for combo in itertools.product(*(variables[n] for n in names))]


def generate_runs(
    models: Sequence[str],
    variables: Mapping[str, Sequence[Any]],
    include_base_controls: bool = True,
    slurm_overrides: Mapping[str, Mapping[str, str]] | None = None,
    eval_only: Sequence[Mapping[str, str]] = (),
    train: bool = True,
) -> list[dict[str, Any]]:
    """Fine-tuned runs (models x sweep, in the order given), then one control per model, then
    the eval-only runs (`eval_only`: {name, model, checkpoint_path} each, see eval_only_runs).

    `slurm_overrides` maps a model name to the overrides its runs get (controls included);
    models not in it get none. `train=False` makes no fine-tuned runs (an eval-only design).
    """
    slurm_overrides = slurm_overrides or {}
    runs: list[dict[str, Any]] = []

    def add(name: str, kind: str, model: str, parameters: dict[str, Any]) -> None:
        run: dict[str, Any] = {"name": name, "type": kind, "model": model, "parameters": parameters}
        overrides = {k: v for k, v in (slurm_overrides.get(model) or {}).items() if v}
        if overrides:
            run["slurm_overrides"] = overrides
        runs.append(run)

    combos = sweep(variables) if train else []
    for model in models:
        for params in combos:
            add(run_name(model, params, variables), FINE_TUNED, model, dict(params))
    if include_base_controls:
        for model in models:
            add(control_name(model), CONTROL, model, {})
    for e in eval_only:
        add(e["name"], EVAL_ONLY, e["model"], {CHECKPOINT_PATH: e["checkpoint_path"]})
    return runs


def eval_only_runs(
    checkpoints: Sequence[Mapping[str, str]], default_model: str, expand: Any = None
) -> list[dict[str, str]]:
    """{name, model, checkpoint_path} per checkpoint to evaluate, from {path, label[, model]}.

    A path with a glob (`*?[`) is expanded by `expand(pattern) -> sorted paths` (the wizard passes
    glob.glob; spec/ does no I/O): each match is one run named `{label}_{folder name}`. A pattern
    matching nothing is kept as written, so the validator (CK284) and the plan say it is missing.
    """
    out: list[dict[str, str]] = []
    for c in checkpoints:
        path, label = str(c["path"]), str(c.get("label") or "")
        model = str(c.get("model") or default_model)
        matches = expand(path) if expand is not None and any(ch in path for ch in "*?[") else []
        if matches:
            for m in matches:
                leaf = _glob_part(path, m)
                out.append({"name": f"{label}_{leaf}" if label else leaf, "model": model, "checkpoint_path": m})
        else:
            out.append({"name": label or safe_name(path.rstrip("/").rsplit("/", 1)[-1]), "model": model, "checkpoint_path": path})
    return out


def _glob_part(pattern: str, match: str) -> str:
    """What the glob's wildcards matched, as a safe name: `ck-out-a` for .../ck-out-*/epoch_0."""
    pat, got = pattern.rstrip("/").split("/"), match.rstrip("/").split("/")
    parts = [g for p, g in zip(pat, got) if any(ch in p for ch in "*?[")] if len(pat) == len(got) else []
    return safe_name("_".join(parts) or got[-1])


def model_prefixes(models: Sequence[str]) -> dict[str, str]:
    """Label prefix per model: its size token, or its whole name where tokens would collide."""
    tokens = {m: size_token(m) for m in models}
    counts: dict[str, int] = {}
    for t in tokens.values():
        counts[t] = counts.get(t, 0) + 1
    return {m: (t if counts[t] == 1 else m) for m, t in tokens.items()}


def vis_label(
    run: Mapping[str, Any],
    style: str,
    models: Sequence[str] | Mapping[str, str],
    variables: Mapping[str, Sequence[Any]] | None = None,
) -> str:
    """`rank4`, `base`, or with several models `1B_rank4`, `3B_base`; the run name for `run_name`.

    `models` is the design's model list, or the `model_prefixes` of it: callers labelling many
    runs pass the prefixes, computed once, to keep labelling linear in the number of runs.
    `variables` labels a swept prompt by its position (`prompt2`, naming.value_label).
    """
    if style == "run_name":
        return str(run["name"])
    if run["type"] == EVAL_ONLY:
        return str(run["name"])  # the label the researcher gave the checkpoint
    label = "base" if run["type"] == CONTROL else parameters_label(run.get("parameters") or {}, variables)
    prefixes = models if isinstance(models, dict) else model_prefixes(list(dict.fromkeys(models)))
    if len(prefixes) > 1:
        label = f"{prefixes[run['model']]}_{label}"
    return label


def epochs_to_evaluate(
    choice: str, training_epochs: int, specific: Sequence[int] | None = None
) -> list[int] | str:
    """0-indexed epochs for a fine-tuned run: training for 2 epochs saves epoch_0 and epoch_1."""
    if choice == "last":
        return [training_epochs - 1]
    if choice == "all":
        return list(range(training_epochs))
    if choice == "specific":
        return list(specific or [])
    if choice == BEST_VAL_LOSS:
        return BEST_VAL_LOSS
    raise ValueError(f"eval_epochs must be one of {', '.join(EVAL_EPOCH_CHOICES)}, not {choice!r}")


def checkpoints_text(epochs: int) -> str:
    """What training `epochs` epochs saves, 0-indexed, in words."""
    if epochs == 1:
        return "the only checkpoint is epoch_0"
    if epochs == 2:
        return "checkpoints are epoch_0 and epoch_1"
    return f"checkpoints are epoch_0 to epoch_{epochs - 1}"


def tasks_for_run(
    run_name_: str, task_names: Sequence[str], eval_matrix: Mapping[str, Iterable[str]] | None
) -> list[str]:
    """Tasks a run is evaluated on: a task listed in eval_matrix only where a pattern matches."""
    if not eval_matrix:
        return list(task_names)
    return [
        t
        for t in task_names
        if t not in eval_matrix or any(fnmatchcase(run_name_, p) for p in eval_matrix[t])
    ]


def run_checkpoints(
    run: Mapping[str, Any], eval_epochs: str, epochs: int, eval_epoch_list: Sequence[int] | None = None
) -> list[int] | str | None:
    """A run's matrix `epochs`: None for a run evaluated as it is (a control, an eval-only run),
    else its 0-indexed epochs (its own training length when it varies `epochs`)."""
    if run["type"] in UNTRAINED:
        return None
    trained = (run.get("parameters") or {}).get("epochs", epochs)
    return epochs_to_evaluate(eval_epochs, int(trained), eval_epoch_list)


def build_matrix(
    runs: Sequence[Mapping[str, Any]],
    task_names: Sequence[str],
    *,
    eval_epochs: str,
    epochs: int,
    eval_epoch_list: Sequence[int] | None = None,
    eval_matrix: Mapping[str, Iterable[str]] | None = None,
    vis_label_style: str = "short",
    variables: Mapping[str, Sequence[Any]] | None = None,
) -> list[dict[str, Any]]:
    """One matrix entry per run (runs matching no task are left out; the validator warns CK233).

    `epochs` is the constant training length; a run that varies `epochs` uses its own value.
    """
    prefixes = model_prefixes(list(dict.fromkeys(r["model"] for r in runs)))
    matrix: list[dict[str, Any]] = []
    for run in runs:
        tasks = tasks_for_run(run["name"], task_names, eval_matrix)
        if not tasks:
            continue
        run_epochs = run_checkpoints(run, eval_epochs, epochs, eval_epoch_list)
        matrix.append(
            {
                "run": run["name"],
                "vis_label": vis_label(run, vis_label_style, prefixes, variables),
                "tasks": tasks,
                "epochs": run_epochs,
            }
        )
    return matrix


# The largest design the wizard builds (docs/security.md): every run is a SLURM job and every
# evaluation an inspect-ai job; beyond this the plan, README and matrix stop being readable.
MAX_EVALUATIONS = 10_000


def total_evaluations(matrix: Sequence[Mapping[str, Any]]) -> int:
    """Task x checkpoint evaluations the matrix asks for (best_val_loss and controls count once)."""
    total = 0
    for entry in matrix:
        per_task = len(entry["epochs"]) if isinstance(entry.get("epochs"), list) else 1
        total += per_task * len(entry["tasks"])
    return total


def count_evaluations(
    runs: Sequence[Mapping[str, Any]],
    task_names: Sequence[str],
    *,
    eval_epochs: str,
    epochs: int,
    eval_epoch_list: Sequence[int] | None = None,
    eval_matrix: Mapping[str, Iterable[str]] | None = None,
) -> int:
    """total_evaluations(build_matrix(...)) without building the matrix, so the wizard can bound a
    design at its questions: per run, its checkpoints (run_checkpoints, as the matrix has them)
    x its tasks, counted with a pattern match only for the tasks `eval_matrix` lists."""
    listed = {t: list(eval_matrix[t]) for t in task_names if eval_matrix and t in eval_matrix}
    everywhere = len(task_names) - len(listed)
    total = 0
    for run in runs:
        tasks = everywhere + sum(1 for ps in listed.values() if any(fnmatchcase(run["name"], p) for p in ps))
        checkpoints = run_checkpoints(run, eval_epochs, epochs, eval_epoch_list)
        total += tasks * (len(checkpoints) if isinstance(checkpoints, list) else 1)
    return total


def run_value(run: Mapping[str, Any], controls: Mapping[str, Any], key: str) -> tuple[Any, tuple[Any, ...] | None]:
    """A run's effective setting: its own parameter, else controls; with where it came from
    (("parameters", key), ("controls", key), or None when neither sets it)."""
    params = run.get("parameters") if isinstance(run, Mapping) else None
    if isinstance(params, Mapping) and key in params:
        return params[key], ("parameters", key)
    if key in controls:
        return controls[key], ("controls", key)
    return None, None


PROMPT_KEYS = ("prompt", "system_prompt")


def effective_prompt(
    run: Mapping[str, Any],
    task: Mapping[str, Any] | None,
    controls: Mapping[str, Any],
    evaluation: Mapping[str, Any] | None,
    key: str,
) -> tuple[Any, str | None]:
    """The prompt (`key`: prompt or system_prompt) one (run, task) cell is evaluated with, and
    the level it came from: "task", "run", "evaluation" or "controls" (None when nothing sets it).

    The one precedence (docs/rules.md, Prompts): the task's own (`evaluation.tasks[].prompt`)
    over the run's own (`runs[].parameters.prompt`, a swept value) over the design's constant
    (for system_prompt `evaluation.system_prompt`, which CK201 keeps equal to
    `controls.system_prompt`; else `controls`). A fine-tuned run trains with `run_value`
    (its own, else controls), so without a task override it is evaluated as it trained.
    """
    if isinstance(task, Mapping) and task.get(key) is not None:
        return task[key], "task"
    params = run.get("parameters") if isinstance(run, Mapping) else None
    if isinstance(params, Mapping) and key in params:
        return params[key], "run"
    if key == "system_prompt" and isinstance(evaluation, Mapping) and key in evaluation:
        return evaluation[key], "evaluation"
    if key in controls:
        return controls[key], "controls"
    return None, None


def prompt_groups(
    runs: Sequence[Mapping[str, Any]],
    tasks: Sequence[Mapping[str, Any]],
    controls: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    matrix: Sequence[Mapping[str, Any]],
) -> list[tuple[tuple[Any, Any], list[tuple[str, str]]]]:
    """The evaluation cells grouped by the (prompt, system_prompt) they use (effective_prompt),
    in matrix order; [] when every cell uses the same pair (the plans then say nothing more)."""
    by_name = {r.get("name"): r for r in runs if isinstance(r, Mapping)}
    task_by_name = {t.get("name"): t for t in tasks if isinstance(t, Mapping)}
    groups: dict[tuple[Any, Any], list[tuple[str, str]]] = {}
    for entry in matrix:
        run = by_name.get(entry.get("run"))
        if run is None:
            continue
        for name in entry.get("tasks") or ():
            task = task_by_name.get(name)
            pair = tuple(effective_prompt(run, task, controls, evaluation, k)[0] for k in PROMPT_KEYS)
            groups.setdefault(pair, []).append((str(run["name"]), str(name)))  # type: ignore[arg-type]
    return list(groups.items()) if len(groups) > 1 else []  # type: ignore[arg-type]


def effective_value(run: Mapping[str, Any], controls: Mapping[str, Any], key: str) -> Any:
    """run_value, falling back to the recipe's default when the design does not set it."""
    value, _ = run_value(run, controls, key)
    return RECIPE_DEFAULTS.get(key) if value is None else value


def steps_per_epoch(train_examples: int, batch_size: int, grad_accum: int) -> int:
    return math.ceil(train_examples / max(1, batch_size * grad_accum))


# A fast approximate token count for packing: about four characters a token (English text with
# the Llama / Qwen tokenizers); the dataset is never tokenized, so a count from it is an estimate.
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Steps:
    """A run's optimizer steps and how they were counted, said the same by CK250-CK252, the
    hook's log ("Training steps") and the plans. kind: "exact" (one example per sequence),
    "estimate" (packing, from the dataset's characters) or "upper_bound" (packing, the
    dataset not read: packed sequences are fewer than examples)."""

    total: int
    per_epoch: int
    kind: str
    arithmetic: str

    @property
    def shown(self) -> str:
        """The count as the log and plans show it: `12`, `~3 (estimated: packing)`, `at most 200 (packing)`."""
        if self.kind == "estimate":
            return f"~{self.total} (estimated: packing)"
        if self.kind == "upper_bound":
            return f"at most {self.total} (packing)"
        return str(self.total)


def run_steps(train_examples: int, batch_size: int, grad_accum: int, epochs: int, *, packing: bool = False,
              max_seq_len: int | None = None, train_chars: int | None = None) -> Steps:
    """A run's steps. With packing, torchtune fills each max_seq_len-token sequence with as many
    examples as fit: the steps come from the tokens (estimated from `train_chars`, the train
    split's characters, prompt included), or are at most the unpacked count when unknown."""
    batch = f"(batch_size {batch_size} x gradient_accumulation_steps {grad_accum})"

    def per(n: int, what: str) -> str:
        return f"{n:,} {what}{'' if n == 1 else 's'}"

    if packing and train_chars is not None and max_seq_len:
        tokens = math.ceil(train_chars / CHARS_PER_TOKEN)
        sequences = max(1, math.ceil(tokens / max_seq_len)) if train_examples else 0
        per_epoch = steps_per_epoch(sequences, batch_size, grad_accum)
        total = per_epoch * epochs
        return Steps(total, per_epoch, "estimate", (
            f"with packing, an estimate: ~{tokens:,} train tokens ({train_chars:,} characters / {CHARS_PER_TOKEN}) "
            f"in {per(sequences, 'sequence')} of max_seq_len {max_seq_len} / {batch} = "
            f"{per(per_epoch, 'step')} per epoch x {per(epochs, 'epoch')} = ~{total} total steps"))
    per_epoch = steps_per_epoch(train_examples, batch_size, grad_accum)
    total = per_epoch * epochs
    arithmetic = (f"{train_examples} train examples / {batch} = {per(per_epoch, 'step')} per epoch x "
                  f"{per(epochs, 'epoch')} = {total} total steps")
    if packing:
        return Steps(total, per_epoch, "upper_bound", arithmetic + (
            " at most (packing puts several examples in one sequence; the dataset's tokens were not "
            "counted: ck-validate --check-resources estimates them)"))
    return Steps(total, per_epoch, "exact", arithmetic)


def _positive(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def steps_of_run(run: Mapping[str, Any], controls: Mapping[str, Any], train_examples: int,
                 train_chars: int | None = None) -> Steps:
    """run_steps with the run's effective values; `train_chars`: the train split's characters
    (facts/resources.py), the prompt template's own characters are added once per example."""
    def value(key: str, default: int) -> int:
        return _positive(effective_value(run, controls, key), default)

    packing = effective_value(run, controls, "packing") is True
    chars = None
    if train_chars is not None:
        prompt = effective_value(run, controls, "prompt")
        chars = train_chars + train_examples * len(prompt.replace("{input}", "") if isinstance(prompt, str) else "")
    return run_steps(train_examples, value("batch_size", 1), value("gradient_accumulation_steps", 1),
                     value("epochs", 1), packing=packing, max_seq_len=value("max_seq_len", 2048), train_chars=chars)


def step_problems(total: int, warmup: int) -> list[tuple[str, str]]:
    """(code, what) for the CK250-CK252 thresholds a run of `total` steps crosses."""
    out = []
    if total < MIN_TOTAL_STEPS:
        out.append(("CK250", f"{total} total steps < {MIN_TOTAL_STEPS}"))
    if warmup > 0 and total < warmup:
        out.append(("CK251", f"{total} total steps < num_warmup_steps {warmup} (warmup never completes)"))
    elif warmup > 0 and total < WARMUP_FACTOR * warmup:
        out.append(("CK252", f"{total} total steps < {WARMUP_FACTOR} x num_warmup_steps {warmup}"))
    return out


def saved_epochs(run: Mapping[str, Any], controls: Mapping[str, Any]) -> int:
    """Checkpoints torchtune saves for a fine-tuned run: one per trained epoch."""
    trained = effective_value(run, controls, "epochs")
    return trained if isinstance(trained, int) and not isinstance(trained, bool) and trained > 0 else 1
