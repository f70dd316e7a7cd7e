"""CK220-CK224, CK226, CK227, CK230, CK234: the runs, one pass over them. A run is a point of
the sweep that `variables` declares (spec/sweep.py), named by the convention of spec/naming.py;
a control evaluates a base model, an eval-only run an existing checkpoint (docs/wizard.md). The
pass also records which points of the sweep the runs cover, for CK235 (rules/completeness.py)."""

from __future__ import annotations

from typing import Any

from ...spec import naming
from ...spec.params import KNOWN_PARAMETERS, PROMPTS
from ...spec.sweep import CHECKPOINT_PATH, CONTROL, EVAL_ONLY, FINE_TUNED, PROMPT_KEYS, RUN_TYPES
from ..context import Ctx, Design
from ..values import closest, short, vkey
from . import E, RUNS, W, rule
from .completeness import Coverage, VKey, check_repeat

DOCS = [
    rule(
        "CK220", E, RUNS,
        "A control run has non-empty parameters (other than its own prompt or system_prompt).",
        """A control evaluates the base model as it is; parameters on it suggest it was meant
        to be fine-tuned, and tools that read them would treat it inconsistently. Its own
        `prompt` and `system_prompt` are allowed: they are how it is evaluated (a base model
        evaluated without a prompt: `prompt: "{input}"`; precedence in spec/sweep.py
        effective_prompt).""",
        "Set `parameters: {}` on the control, or make it a fine-tuned run.",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
    ),
    rule(
        "CK221", W, RUNS,
        "A control run's name lacks `base`.",
        """By convention controls are named `{model}_base`; plots, reports and the matrix tell
        controls from fine-tuned runs by that name.""",
        "Rename the control to {model}_base (and its matrix entry).",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_control
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
    ),
    rule(
        "CK222", E, RUNS,
        "A fine-tuned run's parameter is not a declared variable, its value is not one of the variable's values, or it leaves a variable unset.",
        """`parameters` holds this run's point of the sweep declared in `variables`. A value
        outside the sweep, or a variable the run does not set, means the run trains with
        settings the design does not describe (a missing variable silently falls back to the
        recipe default).""",
        "Use a declared variable and one of its values (or add the value to variables).",
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - name: Llama-3.2-1B-Instruct_rank16
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 16}
        """,
        """
        variables:
          lora_rank: [4, 8, 16]
        runs:
          - name: Llama-3.2-1B-Instruct_rank16
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 16}
        """,
    ),
    rule(
        "CK223", W, RUNS,
        "A run name does not contain its model and its varied values (naming convention).",
        """The seed: "Run names should include model and varying parameter values (e.g.
        Llama-3.2-1B-Instruct_rank4)". Run names become checkpoint directories and plot labels;
        the model and the varied values keep them unique and self-describing, and a name that
        disagrees with its parameters misleads whoever reads the results. Accepted forms of a
        varied value: the short form the wizard writes or the full parameter name (rank4,
        lora_rank4; bs4, batch_size4), with or without a '_' or '-' before the value
        (lora_rank_4, bs-4), the number as Python writes it or as people do (lr1e-5, lr1e-05,
        lr0.00001); the parts in any order. The proposed rename (and --fix) is the wizard's
        form, offered only for a name that lacks a part: a name in any accepted form is never
        renamed.""",
        "Rename the run to the conventional name the hint proposes (and its matrix entry).",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank8
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
    ),
    rule(
        "CK226", E, RUNS,
        "An eval-only run has no `parameters.checkpoint_path`.",
        """An eval-only run evaluates an existing checkpoint or model folder and is never
        trained: without the path there is nothing to evaluate, and the evaluation job fails
        when it is scaffolded.""",
        "Set `parameters.checkpoint_path` to the checkpoint (or model folder with config.json) to evaluate.",
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {checkpoint_path: /scratch/me/ck-outputs/old/ck-out-rank8/epoch_0}
        """,
    ),
    rule(
        "CK227", E, RUNS,
        "An eval-only run has training parameters.",
        """An eval-only run is never trained: a training parameter on it (lora_rank, lr,
        epochs, ...) describes training that does not happen, and whoever reads the design
        would believe it did. Only checkpoint_path (and a prompt override) belong there.""",
        "Remove the training parameters; to train with them, make it a fine-tuned run.",
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {checkpoint_path: /scratch/me/old/epoch_0, lora_rank: 8}
        """,
        """
        runs:
          - name: old_rank8
            type: eval-only
            model: Llama-3.2-1B-Instruct
            parameters: {checkpoint_path: /scratch/me/old/epoch_0}
        """,
    ),
    rule(
        "CK230", E, RUNS,
        "Two runs have the same name.",
        """A run's name is its output directory (`ck-out-{run_name}`): two runs with one name
        overwrite each other's checkpoints.""",
        "Give each run a unique name.",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank8, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
    ),
    rule(
        "CK234", E, RUNS,
        "A run's model is not listed in models.base.",
        """The model's path comes from models.base; a run of an unlisted model has no weights
        to start from.""",
        "Use a model name from models.base, or add the model there.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        runs:
          - {name: Llama-3.2-3B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-3B-Instruct, parameters: {lora_rank: 4}}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
            - {name: Llama-3.2-3B-Instruct, path: /scratch/me/models/Llama-3.2-3B-Instruct, size_gb: 6.4}
        runs:
          - {name: Llama-3.2-3B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-3B-Instruct, parameters: {lora_rank: 4}}
        """,
    ),
    rule(
        "CK224", E, RUNS,
        "A parameter is both varied (variables) and constant (controls).",
        """A varied parameter takes each run's own value; a constant applies to all runs. With
        both, it is unclear which value trains: tools that read controls train every run with
        the constant, and the sweep silently does not happen. The prompts are the exception:
        controls.prompt and controls.system_prompt are always present, the default of the runs
        that set none (the controls), so a swept prompt keeps them.""",
        "Keep it in one place: in variables to sweep it, or in controls to hold it constant.",
        """
        variables:
          lora_rank: [4, 8]
        controls:
          lora_rank: 16
        """,
        """
        variables:
          lora_rank: [4, 8]
        controls:
          epochs: 2
        """,
    ),
]


class _Sweep:
    """What the pass over runs knows of the sweep, and what it has seen so far."""

    def __init__(self, d: Design) -> None:
        variables = d.variables
        # A non-string variable name (`2:`, `on:`) is the schema's finding (CK101/CK004); the sweep
        # is judged on the well-formed names, so one bad key does not make every run look wrong.
        if variables is not None and not all(isinstance(n, str) for n in variables):
            variables = {n: v for n, v in variables.items() if isinstance(n, str)}
        self.variables = variables
        self.names: list[Any] = list(variables) if variables is not None else []
        self.name_set = set(self.names)
        self.allowed: dict[Any, set[VKey]] = {
            name: {vkey(v) for v in values} for name, values in (variables or {}).items() if isinstance(values, list)
        }
        self.labels: dict[tuple[Any, ...], str] = {}
        self.seen_names: dict[str, int] = {}
        self.typos: dict[Any, str | None] = {}
        self.coverage = Coverage(self.names, variables)  # CK235's share of the pass

    def typo_of(self, param: Any) -> str | None:
        """The known parameter an unknown name misspells (`lora_rnak` -> `lora_rank`), else None.
        Findings that only follow from the typo (run names without `lora_rnak4`, a variable the
        run seems not to set, a hole in the sweep) are dropped: CK103/CK222 name the root cause."""
        if param in self.typos:
            return self.typos[param]
        found = None if param in KNOWN_PARAMETERS else closest(param, KNOWN_PARAMETERS)
        self.typos[param] = found
        return found

    def label(self, param: Any, value: Any, vk: VKey) -> str:
        """naming.value_label, cached: 10,000 runs share a few dozen distinct values."""
        key = (param, type(value), vk)
        label = self.labels.get(key)
        if label is None:
            values = self.variables.get(param) if self.variables else None
            label = self.labels[key] = naming.value_label(param, value, values if isinstance(values, list) else None)
        return label


def check(ctx: Ctx, d: Design) -> None:
    """The runs' rules (and CK235's repeats); what the runs cover of the sweep goes to
    `d.coverage`, for completeness.check (after this family in rules.FAMILIES)."""
    s = _Sweep(d)
    _check_varied_and_constant(ctx, s, d)
    for i, run in enumerate(d.runs):
        if isinstance(run, dict):
            _check_run(ctx, d, s, i, run)
        else:
            s.coverage.decidable = False
    d.coverage = s.coverage


def _check_varied_and_constant(ctx: Ctx, s: _Sweep, d: Design) -> None:
    """CK224: a parameter in both variables and controls."""
    for name in s.names:
        if name in d.controls and name not in PROMPT_KEYS:  # controls' prompt: the controls' default
            ctx.add(
                "CK224",
                ("controls", name),
                f"{name} is both varied (variables.{name}: {short(s.variables[name])}) and constant (controls.{name}: {short(d.controls[name])}): which value trains?",
                f"remove controls.{name} to sweep it, or remove variables.{name} (and the runs' {name}) to hold it constant",
                at_key=True,
            )


def _check_run(ctx: Ctx, d: Design, s: _Sweep, i: int, run: dict[Any, Any]) -> None:
    name = run.get("name")
    kind = run.get("type")
    model = run.get("model")
    params = run.get("parameters", {})
    params_ok = isinstance(params, dict)
    if not params_ok:
        params = {}
        s.coverage.decidable = False
    if kind not in RUN_TYPES:
        s.coverage.decidable = False
    if isinstance(name, str):
        _check_unique_name(ctx, s, i, name)
    if isinstance(model, str) and d.model_names is not None and model not in d.model_names:
        _unknown_model(ctx, d.model_names, i, model)
    if kind == CONTROL:
        _check_control(ctx, i, name, model, params if params_ok else None)
    elif kind == EVAL_ONLY:
        if params_ok:
            _check_eval_only(ctx, i, name, params)
    elif kind == FINE_TUNED:
        if isinstance(model, str):
            s.coverage.ft_models.append(model)
        else:
            s.coverage.decidable = False
        if params_ok:
            _check_fine_tuned(ctx, d, s, i, name, model, params)


def _check_unique_name(ctx: Ctx, s: _Sweep, i: int, name: str) -> None:
    """CK230."""
    first = s.seen_names.get(name)
    if first is None:
        s.seen_names[name] = i
        return
    ctx.add(
        "CK230",
        ("runs", i, "name"),
        f"runs[{i}].name {name!r} is already used by runs[{first}] (line {ctx.line_of(('runs', first, 'name'))})",
        f"rename one of them: a run's checkpoints go to {_output_folder(ctx.era)}, so the two would overwrite each other",
    )


def _output_folder(era: str) -> str:
    """A run's training output folder in the era's layout: ck-out-{run_name} (seed),
    {run_name}/artifacts (0.3)."""
    return naming.training_output_directory(era, "{run_name}").lstrip("/")


def _unknown_model(ctx: Ctx, model_names: set[str], i: int, model: str) -> None:
    """CK234."""
    near = ctx.closest(model, sorted(model_names))
    ctx.add(
        "CK234",
        ("runs", i, "model"),
        f"runs[{i}].model {model!r} is not in models.base ({', '.join(sorted(model_names)) or 'empty'})",
        f"did you mean {near!r}?" if near else "add the model (name, path, size_gb) to models.base",
    )


def _check_control(ctx: Ctx, i: int, name: Any, model: Any, params: dict[Any, Any] | None) -> None:
    """CK220, CK221, CK223 for a control run."""
    if params and any(k not in PROMPT_KEYS for k in params):
        ctx.add(
            "CK220",
            ("runs", i, "parameters"),
            f"runs[{i}] {name!r} is a control but has parameters {short(params)}",
            "set `parameters: {}` (a control is the base model as it is), or make it a fine-tuned run",
        )
    if isinstance(name, str) and naming.CONTROL_SUFFIX not in name:
        proposal = naming.control_name(model) if isinstance(model, str) else "{model}_base"
        ctx.add(
            "CK221",
            ("runs", i, "name"),
            f"runs[{i}].name {name!r} is a control run but does not say `{naming.CONTROL_SUFFIX}`",
            f"rename it to {proposal!r} (and its matrix entry)",
        )
    if isinstance(name, str) and isinstance(model, str) and model not in name:
        ctx.add(
            "CK223",
            ("runs", i, "name"),
            f"runs[{i}].name {name!r} does not contain its model {model!r}",
            f"rename it to {naming.control_name(model)!r} (and its matrix entry)",
        )


# What an eval-only run may carry besides its checkpoint: a prompt override is an evaluation setting.
_EVAL_ONLY_KEYS = frozenset({CHECKPOINT_PATH, *(p.name for p in PROMPTS)})


def _check_eval_only(ctx: Ctx, i: int, name: Any, params: dict[Any, Any]) -> None:
    """CK226, CK227 for an eval-only run with readable parameters."""
    path = params.get(CHECKPOINT_PATH)
    if not isinstance(path, str) or not path.strip():
        ctx.add(
            "CK226",
            ("runs", i, "parameters", CHECKPOINT_PATH) if CHECKPOINT_PATH in params else ("runs", i, "parameters"),
            f"runs[{i}] {name!r} is eval-only but has no checkpoint_path"
            + (f" ({short(path)} is not a path)" if CHECKPOINT_PATH in params else ""),
            "set parameters.checkpoint_path to the checkpoint or model folder to evaluate",
        )
    training = [k for k in params if k not in _EVAL_ONLY_KEYS]
    for k in training:
        ctx.add(
            "CK227",
            ("runs", i, "parameters", k),
            f"runs[{i}].parameters.{k}: {name!r} is eval-only (never trained), so a training parameter has no effect",
            "remove it (only checkpoint_path belongs to an eval-only run), or make the run fine-tuned",
            at_key=True,
        )


def _check_fine_tuned(ctx: Ctx, d: Design, s: _Sweep, i: int, name: Any, model: Any, params: dict[Any, Any]) -> None:
    """CK222, CK223, CK235 for a fine-tuned run with readable parameters."""
    # One identity per value, shared by CK222, CK223 and CK235.
    vkeys = {k: vkey(v) for k, v in params.items()}
    if s.variables is not None and not _in_sweep(s, params, vkeys):
        _check_run_parameters(ctx, d, s, i, name, params)
    if isinstance(name, str) and isinstance(model, str):
        named = {k: v for k, v in params.items() if not s.typo_of(k)}
        _check_run_name(ctx, s, i, name, model, named, vkeys)
    check_repeat(ctx, s.coverage, i, name, model, params, vkeys)


def _in_sweep(s: _Sweep, params: dict[Any, Any], vkeys: dict[Any, VKey]) -> bool:
    """The fast yes: every variable set, to one of its values, and nothing else."""
    if len(params) != len(s.names):
        return False
    for k, vk in vkeys.items():
        values = s.allowed.get(k)
        if values is None or vk not in values:
            return False
    return True


def _check_run_parameters(ctx: Ctx, d: Design, s: _Sweep, i: int, name: Any, params: dict[Any, Any]) -> None:
    """CK222: what is wrong with a run that is not a point of the sweep."""
    variables = d.variables  # as written: a non-string name is still declared
    assert variables is not None
    declared = ", ".join(str(n) for n in s.names) or "none"
    misspelled = set()
    for k, v in params.items():
        if k not in variables and k not in d.controls and s.typo_of(k) in s.name_set:
            misspelled.add(s.typo_of(k))
            s.coverage.decidable = False  # the run may well be the combination the sweep seems to miss
        if k not in variables:
            if k in d.controls:
                hint = f"{k} is a constant (controls.{k} = {short(d.controls[k])}): remove it from the run, or move it to variables to sweep it"
            else:
                near = ctx.closest(k, [str(n) for n in s.names])
                hint = f"did you mean {near!r}?" if near else "declare it in variables (to sweep it) or move it to controls"
            ctx.add(
                "CK222",
                ("runs", i, "parameters", k),
                f"runs[{i}].parameters.{k} is not a declared variable (variables: {declared})",
                hint,
                at_key=True,
            )
        elif k in s.allowed and vkey(v) not in s.allowed[k]:
            values = variables[k]
            ctx.add(
                "CK222",
                ("runs", i, "parameters", k),
                f"runs[{i}].parameters.{k}: {short(v)} is not one of the values of variables.{k} {short(values)}",
                f"use one of {short(values)}, or add {short(v)} to variables.{k}",
            )
    for n in s.names:
        if n not in params and n not in misspelled:
            ctx.add(
                "CK222",
                ("runs", i, "parameters"),
                f"runs[{i}] {name!r} does not set the variable {n} (values {short(variables[n])}): it would train with the recipe's default",
                f"add `{n}: <one of {short(variables[n])}>` to its parameters",
            )


def _lists(variables: Any) -> dict[Any, list[Any]]:
    """The variables whose values are lists (the ones a run name can index)."""
    return {k: v for k, v in (variables or {}).items() if isinstance(v, list)}


def _check_run_name(
    ctx: Ctx, s: _Sweep, i: int, name: str, model: str, params: dict[Any, Any], vkeys: dict[Any, VKey]
) -> None:
    """CK223: a fine-tuned run's name holds its model and its varied values."""
    labels = [s.label(k, params[k], vkeys[k]) for k in s.names if k in params]
    if len(labels) < len(params):
        labels += [s.label(k, v, vkeys[k]) for k, v in params.items() if k not in s.name_set]
    # naming.run_name(model, params in variable order), with its labels cached;
    # naming.run_name itself stays the authority whenever the fast guess disagrees.
    expected = f"{model}_{'_'.join(labels)}" if labels else naming.run_name(model, {})
    if name == expected:
        return
    ordered = {k: params[k] for k in s.names if k in params}
    ordered.update((k, v) for k, v in params.items() if k not in ordered)
    expected = naming.run_name(model, ordered, _lists(s.variables))
    if name == expected:
        return
    # Hand-written names spell numbers as people do: lr1e-05 (earlier versions) is lr1e-5 (naming.label_spellings).
    absent = [] if model in name else [model]
    absent += [
        label
        for k, label in zip([k for k in s.names if k in params] + [k for k in params if k not in s.name_set], labels)
        if label not in name and not any(sp in name for sp in naming.label_spellings(k, params[k]))
    ]
    if absent:
        ctx.add(
            "CK223",
            ("runs", i, "name"),
            f"runs[{i}].name {name!r} does not contain {', '.join(repr(p) for p in absent)} (its model and varied values)",
            f"rename it to {expected!r} (and its matrix entry)",
        )
