"""CK290-CK293: scorers and their params (spec/scorers.py), and whether each run's model fits
the GPUs it is given (spec/model_registry.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...facts import model_size
from ...spec import era as eras
from ...spec import model_registry, naming
from ...spec.params import PARAMS
from ...spec.scorers import KNOWN_SCORERS, LIST_OF_STR
from ..context import Ctx, Design
from ..values import PathT, as_list, closest, describe, fmt_path, is_int, short
from . import E, SCORERS, W, rule

DOCS = [
    rule(
        "CK290", E, SCORERS,
        "A known scorer has invalid params (match.location not exact/begin/end/any, ignore_case not a bool, option_tokens/labels not a non-empty list of strings, or an unknown param).",
        """Scorer params are passed to the scorer as keyword arguments when the evaluation
        starts: a bad one fails every evaluation job, or scores against the wrong tokens.""",
        "Use the params the message lists for that scorer.",
        """
        evaluation:
          scorer:
            - name: match
              params: {location: start, ignore_case: 'no'}
        """,
        """
        evaluation:
          scorer:
            - name: match
              params: {location: begin, ignore_case: false}
        """,
        v03="""The list is evaluation.scorers.""",
    ),
    rule(
        "CK291", W, SCORERS,
        "Unknown scorer name (custom scorers are allowed).",
        """Known scorers are match, includes, risk_scorer and numeric_risk_scorer. Anything else
        must exist in your task code; a typo fails at evaluation time.""",
        "Check the spelling, or make sure the custom scorer is importable by the task.",
        """
        evaluation:
          scorer:
            - name: exact_match
        """,
        """
        evaluation:
          scorer:
            - name: match
              params: {location: exact}
        """,
        v03="""The list is evaluation.scorers.""",
    ),
    rule(
        "CK292", W, SCORERS,
        "GPU placement: a run has no full-GPU slurm_overrides (warning: a model that fits a shared GPU in an `experiment`; a model that needs a full GPU or more in any experiment or sanity check); a model that needs more VRAM than one GPU runs with too few GPUs (error).",
        """Small models (registry min_gpu_vram_gb below a full 80 GB GPU) may land on a shared or
        MIG slice where GPU utilization reads [N/A]; experiments want full-GPU metrics, sanity
        checks may skip them (the seed: "Recommended for experiments, optional for sanity
        checks"). For the others the seed leaves no choice: "Larger models always need full
        dedicated GPUs — read the constraint/partition from claude.local.md and include it
        automatically." The wizard writes that override without asking, so a hand-written run
        of such a model without it is warned in a sanity check too. A model that needs more
        than one GPU (Llama-3.3-70B-Instruct: 320 GB, 4 GPUs) runs out of memory with gpus: 1;
        that finding is an error. Without experiment.type, the type follows
        experiment.directory (ck-sanity-checks/ is a sanity check).""",
        "Add slurm_overrides: {constraint: <full-GPU constraint>} to the run; give large models enough gpus.",
        """
        experiment:
          type: experiment
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        experiment:
          type: experiment
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
            slurm_overrides: {constraint: gpu80}
        """,
    ),
    rule(
        "CK293", W, SCORERS,
        "A base model is not in ck-design's model registry, so its GPU needs are unknown.",
        """ck-design's model registry knows each supported model's minimum GPU memory; that is how
        CK292 catches a 70B model given one GPU, or a 1B experiment without a full-GPU
        constraint. An unknown model is allowed (new models appear every month), but nothing
        checks its GPU placement, and a misspelt known model silently loses those checks.""",
        "Check the spelling against the registry; for a new model, set gpus and slurm_overrides by hand.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruc, path: /models/Llama-3.2-1B-Instruc, size_gb: 2.4}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
    ),
]

DEFAULT_GPUS = PARAMS["gpus"].default  # what a run gets when the design does not set gpus


def check(ctx: Ctx, d: Design) -> None:
    """With --check-resources (`ctx.base_dir` set), CK293's hint also reads the model's folder."""
    ck004 = d.schema_flagged
    at = eras.field_path(eras.SCORERS, d.era)  # evaluation.scorer, or 0.3's evaluation.scorers
    for j, scorer in enumerate(as_list(d.evaluation.get(at[-1]))):
        if isinstance(scorer, dict) and isinstance(scorer.get("name"), str):
            _check_scorer(ctx, (*at, j), scorer, ck004)
    _check_gpus(ctx, d)
    _check_model_registry(ctx, d, ctx.base_dir)


# --- CK290, CK291: scorers -----------------------------------------------------------------------


def _check_scorer(ctx: Ctx, base: PathT, scorer: dict[Any, Any], ck004: set[PathT]) -> None:
    name = scorer["name"]
    spec = KNOWN_SCORERS.get(name)
    if spec is None:
        near = closest(name, KNOWN_SCORERS)
        ctx.add(
            "CK291",
            base + ("name",),
            f"{fmt_path(base)}.name {name!r} is not a known scorer ({', '.join(KNOWN_SCORERS)})",
            f"did you mean {near!r}?" if near else "fine for a custom scorer your task code defines; check the spelling otherwise",
        )
        return
    params = scorer.get("params")
    if isinstance(params, dict):
        for key, value in params.items():
            _check_scorer_param(ctx, name, spec, base + ("params", key), key, value, ck004)


def _check_scorer_param(
    ctx: Ctx, name: str, spec: dict[str, Any], where: PathT, key: Any, value: Any, ck004: set[PathT]
) -> None:
    label = fmt_path(where)
    want = spec.get(key)
    if want is None:
        near = closest(key, spec)
        ctx.add(
            "CK290",
            where,
            f"{label}: {name} takes no param {short(key)} (its params: {', '.join(spec)})",
            f"did you mean {near!r}?" if near else f"remove it; {name} accepts {', '.join(spec)}",
            at_key=True,
        )
    elif want is bool:
        if not isinstance(value, bool):
            ctx.add("CK290", where, f"{label}: {describe(value)} is not true or false", "write true or false, unquoted")
    elif want == LIST_OF_STR:
        _check_token_list(ctx, where, label, value, ck004)
    elif isinstance(want, tuple) and value not in want:
        near = closest(value, want)
        ctx.add(
            "CK290",
            where,
            f"{label}: {short(value)} is not one of {', '.join(repr(w) for w in want)}",
            f"did you mean {near!r}?" if near else f"use one of {', '.join(want)}",
        )


def _check_token_list(ctx: Ctx, where: PathT, label: str, value: Any, ck004: set[PathT]) -> None:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return
    if isinstance(value, list) and value and all(isinstance(v, str) or where + (k,) in ck004 for k, v in enumerate(value)):
        return  # only yes/no words: CK004 already says to quote them
    fixed = [str(v) for v in value] if isinstance(value, list) and value else ["0", "1"]
    ctx.add(
        "CK290",
        where,
        f"{label}: {short(value)} is not a non-empty list of strings",
        f"quote each token: {fixed!r}",
    )


# --- CK292, CK293: GPUs --------------------------------------------------------------------------


def _gpu_class(model: str) -> str | None:
    """'multi' (needs several GPUs), 'shared' (fits a shared GPU), 'full' (needs one whole GPU)
    or None (unknown to the registry)."""
    if model_registry.lookup(model) is None:
        return None
    if model_registry.needs_multi_gpu(model):
        return "multi"
    return "shared" if model_registry.fits_shared_gpu(model) else "full"


def _check_gpus(ctx: Ctx, d: Design) -> None:
    """CK292, per run whose model the registry knows."""
    exp_type = d.experiment_type
    example = next(
        (r["slurm_overrides"] for r in d.runs if isinstance(r, dict) and isinstance(r.get("slurm_overrides"), dict) and r["slurm_overrides"]),
        None,
    )
    classes: dict[str, str | None] = {}
    for i, run in enumerate(d.runs):
        model = run.get("model") if isinstance(run, dict) else None
        if not isinstance(model, str):
            continue
        if model not in classes:
            classes[model] = _gpu_class(model)
        gpu_class = classes[model]
        enough = _check_multi_gpu(ctx, d, i, run, model) if gpu_class == "multi" else True
        if not enough or run.get("slurm_overrides"):
            continue
        # Larger models always need full dedicated GPUs (the seed's param_selection.md), whatever
        # the experiment type: the wizard writes the override without asking. Small ones only
        # want it in an experiment (full utilization metrics).
        if gpu_class in ("multi", "full") or (gpu_class == "shared" and exp_type == naming.EXPERIMENT):
            _no_overrides(ctx, i, run, model, example)


def _check_multi_gpu(ctx: Ctx, d: Design, i: int, run: dict[Any, Any], model: str) -> bool:
    """CK292 error when the run has fewer GPUs than the model needs; True when it has enough."""
    info = model_registry.lookup(model)
    assert info is not None
    gpus, source = d.run_value(i, "gpus")
    if gpus is None:
        gpus, source_text = DEFAULT_GPUS, f"gpus is not set (default {DEFAULT_GPUS})"
    elif is_int(gpus):
        source_text = f"{fmt_path(source or ())} is {gpus}"
    else:
        return False
    if gpus >= info.min_gpus:
        return True
    ctx.add(
        "CK292",
        ("runs", i, "model"),
        f"runs[{i}] {run.get('name')!r}: {model} needs {info.min_gpu_vram_gb} GB of GPU memory ({info.min_gpus} GPUs of {model_registry.FULL_GPU_VRAM_GB} GB), but {source_text}",
        f"set gpus: {info.min_gpus} (in controls, or in this run's parameters)",
        severity="error",
    )
    return False


def _no_overrides(ctx: Ctx, i: int, run: dict[Any, Any], model: str, example: Any) -> None:
    info = model_registry.lookup(model)
    assert info is not None
    example_text = (
        "{" + ", ".join(f"{k}: {v}" for k, v in example.items()) + "}"
        if example
        else "{constraint: <your full-GPU constraint, e.g. gpu80>}"
    )
    small = model_registry.fits_shared_gpu(model)
    if info.min_gpus > 1:
        problem = f"needs {info.min_gpus} full GPUs of {model_registry.FULL_GPU_VRAM_GB} GB) has no full-GPU slurm_overrides: larger models always need full dedicated GPUs"
    elif not small:
        problem = f"needs {info.min_gpu_vram_gb} GB, a full GPU) has no full-GPU slurm_overrides: larger models always need full dedicated GPUs"
    else:
        problem = f"needs {info.min_gpu_vram_gb} GB) has no slurm_overrides: in an experiment it may land on a shared or MIG GPU where utilization reads [N/A]"
    ctx.add(
        "CK292",
        ("runs", i),
        f"runs[{i}] {run.get('name')!r} ({model}, {problem}",
        f"add `slurm_overrides: {example_text}` to the run" + (", or set experiment.type: sanity_check" if small else ""),
    )


def _check_model_registry(ctx: Ctx, d: Design, base_dir: Path | None) -> None:
    """CK293: a base model the registry does not know gets no VRAM-based GPU check (docs/rules.md).
    With --check-resources the hint gives the estimate from the model's folder instead of a
    registry name that merely looks alike (docs/wizard.md, "Model choices")."""
    for j, m in enumerate(d.models or ()):
        name = m.get("name") if isinstance(m, dict) else None
        if isinstance(name, str) and model_registry.lookup(name) is None:
            found = _estimate(m, base_dir)
            near = closest(name, model_registry.MODELS, cutoff=0.8)
            if found is not None:
                hint = f"{found.describe()}: set gpus and slurm_overrides for its runs by hand"
            else:
                hint = f"did you mean {near!r}?" if near else "check gpus and slurm_overrides for its runs by hand"
            ctx.add(
                "CK293",
                ("models", "base", j, "name"),
                f"models.base[{j}].name {name!r} is not in ck-design's model registry: its GPU memory needs are unknown, so no GPU check (CK292) applies",
                hint,
            )


def _estimate(m: dict[Any, Any], base_dir: Path | None) -> model_registry.Estimate | None:
    path = m.get("path")
    if base_dir is None or not isinstance(path, str) or not path:
        return None
    folder = Path(path).expanduser()
    return model_size.estimate(folder if folder.is_absolute() else base_dir / folder, m["name"])
