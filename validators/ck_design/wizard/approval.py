"""Step 8's plan: the approval question's help.

The plan is the design as it would be written, plus its prerequisites and ck-validate's
findings on it, so approving is an informed decision (docs/wizard.md, "Approval").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..facts.prerequisites import prerequisites
from ..facts.yamlwriter import shown_value, yaml_scalar
from ..spec import compute, naming, sweep
from ..spec import era as eras
from ..spec.params import GENERATION_SETTINGS
from ..plan.counts import epochs_text, run_types, summary_counts
from ..spec.answers import Answers, absolute_path
from . import steps
from .build import build_design
from .defaults import model_estimates


def render_summary(design: Mapping[str, Any]) -> str:
    """The design as experiment_summary.yaml text, laid out like the template (for findings)."""
    return yaml.safe_dump(dict(design), sort_keys=False, allow_unicode=True, width=2**31)


def findings(design: Mapping[str, Any]) -> list[Any]:
    """The validator's findings on the design, as the pre-commit hook will report them."""
    from ..facts.loader import loads
    from ..validate.engine import check

    try:
        doc = loads(render_summary(design), "experiment_summary.yaml")
        return sorted(check(doc, check_resources=True, base_dir=Path.cwd()), key=lambda f: (f.line, f.code))
    except Exception as exc:  # the plan must show even if a rule breaks
        return [f"(the validator failed on this plan: {type(exc).__name__}: {exc})"]


def _design_lines(d: Mapping[str, Any], c: Mapping[str, int]) -> list[str]:
    e = d["experiment"]
    constants = {k: v for k, v in d["controls"].items() if k not in ("system_prompt", "prompt")}
    varying = ", ".join(f"{k} [{', '.join(shown_value(v) for v in vs)}]" for k, vs in d["variables"].items())
    varying = f", varying {varying}" if varying else ""
    lines = [
        f"Experiment: {e['name']} ({e['type']})",
        f"Question:   {e['question']!r}" if "\n" in e["question"] else f"Question:   {e['question']}",
        "Constants:  " + ", ".join(f"{k}={shown_value(v)}" for k, v in constants.items()),
        f"Prompt:     {yaml_scalar(d['controls']['prompt'])}; system prompt: {yaml_scalar(d['controls']['system_prompt'])}",
        f"Runs:       {c['fine_tuned']} fine-tuned + {c['controls']} control(s){varying}",
    ]
    for r in d["runs"]:
        if r["type"] == sweep.EVAL_ONLY:
            continue
        extra = f" [slurm: {', '.join(f'{k}={v}' for k, v in r['slurm_overrides'].items())}]" if r.get("slurm_overrides") else ""
        lines.append(f"  - {r['name']}  ({r['type']}){extra}")
    lines += _eval_only_lines(d, c)
    lines.append(f"Tasks:      {', '.join(t['name'] for t in d['evaluation']['tasks'])}")
    ev = d["evaluation"]
    generation = [f"{k} {yaml_scalar(ev[k])}" for k in (*GENERATION_SETTINGS, "do_sample") if k in ev]
    if generation:  # only what the design sets; the rest is the evaluator's default
        if "temperature" in ev:  # optional in the 0.3 era
            generation.insert(0, f"temperature {ev['temperature']}")
        lines.append(f"Generation: {', '.join(generation)}")
    lines.append("Evaluation matrix:")
    types = run_types(d)
    for m in d["evaluation"]["matrix"]:
        lines.append(f"  - {m['run']} -> {', '.join(m['tasks'])} @ {epochs_text(m['epochs'], types.get(m['run']))}")
    ev = d["evaluation"]
    for (prompt, system), cells in sweep.prompt_groups(d["runs"], ev["tasks"], d["controls"], ev, ev["matrix"]):
        shown = ", ".join(f"{run} -> {task}" for run, task in cells[:3]) + (f" and {len(cells) - 3} more" if len(cells) > 3 else "")
        lines.append(f"  prompt {yaml_scalar(prompt)}, system prompt {yaml_scalar(system)}: {shown}")
    lines.append(f"Total evaluations: {c['evaluations']}")
    return lines + compute_lines(d)


def _eval_only_lines(d: Mapping[str, Any], c: Mapping[str, Any]) -> list[str]:
    """The existing checkpoints, apart from the runs this design trains (none: no lines)."""
    if not c["eval_only"]:
        return []
    lines = [f"Eval-only:  {c['eval_only']} existing checkpoint(s), evaluated as they are, never trained"]
    for r in d["runs"]:
        if r["type"] == sweep.EVAL_ONLY:
            path = (r.get("parameters") or {}).get(sweep.CHECKPOINT_PATH, "?")
            lines.append(f"  - {r['name']}  ({r['model']}): {path}")
    return lines


def compute_lines(d: Mapping[str, Any]) -> list[str]:
    """Per-job compute estimates and the design's GPU-hours (spec/compute.py)."""
    jobs = [(r["name"], r["compute"]) for r in d["runs"] if r.get("compute")]
    ev = d["evaluation"].get("compute")
    if not jobs and not ev:
        return []
    hours = compute.gpu_hours(d)
    lines = ["Compute estimates (SLURM --time, GPUs, --mem per job):"]
    lines += [f"  - {name}: {c['time']}, {c['gpus']} GPU, {c['mem']}" for name, c in jobs]
    if ev:
        lines.append(f"  - each evaluation job: {ev['time']}, {ev['gpus']} GPU, {ev['mem']}")
    bases = list(dict.fromkeys(c.get("basis") for _, c in jobs if c.get("basis")))
    lines += [f"  basis: {b}" for b in bases]
    lines.append(f"Total: {hours['total']:.1f} GPU-hours (training {hours['training']:.1f}, evaluation {hours['evaluation']:.1f})")
    return lines


def _model_lines(a: Answers) -> list[str]:
    """What the wizard estimated for the chosen models the registry does not know."""
    found = model_estimates(a.models, absolute_path(a.models_dir))
    return [f"Model:      {e.describe()}" for e in found]


def _where_lines(d: Mapping[str, Any], dst_path: Any) -> list[str]:
    e = d["experiment"]
    era = eras.era_of(d)
    directory = eras.experiment_dir(d, era)
    lines = [f"Experiment directory: {directory}"]
    if era == eras.V03:
        lines.insert(0, f"Schema:               cruijff_kit 0.3 (project {e['project']})")
        scratch = naming.scratch_from_directory(directory) or "<scratch>"
        convention = naming.project_directory(scratch, e["project"], e["name"])
        what = f"project {e['project']} and name {e['name']}"
    else:
        scratch = naming.scratch_of(d["output"]["base_directory"], naming.OUTPUTS_DIR, e["name"]) or "<scratch>"
        convention = naming.experiment_directory(scratch, e["type"], e["name"])
        what = f"{'an' if e['type'] == naming.EXPERIMENT else 'a'} {e['type']} named {e['name']}"
    if directory != convention:
        lines.append(f"  Not {convention}, where the convention puts {what}: the design records where its files are (CK260 warns).")
    if dst_path and absolute_path(dst_path) != directory:
        lines.append(f"  (files are rendered into {absolute_path(dst_path)})")
    label = "Checkpoints:" if era == eras.V03 else "Output directory:"
    lines.append(f"{label:<22}{naming.checkpoint_path_of(d, '<run>')}")
    return lines


def _check_lines(d: Mapping[str, Any]) -> list[str]:
    lines = []
    prereq = prerequisites(d)
    if prereq:
        lines.append("Prerequisites (not blockers):")
        lines.extend(f"  - {p}" for p in prereq)
    found = findings(d)
    if found:
        lines.append("Validator findings:")
        for f in found:
            lines.append(f"  - {f.code} {f.severity}: {f.message}" if hasattr(f, "code") else f"  - {f}")
            if getattr(f, "hint", None):
                lines.append(f"    hint: {f.hint}")
    else:
        lines.append("Validator: no findings.")
    return lines


def plan_text(answers: Answers | Mapping[str, Any], dst_path: Any = None) -> str:
    """Step 8: the complete plan, shown in the approval question."""
    a = Answers.of(answers)
    d = build_design(a)
    lines = [f"{steps.header('resources', 'approval')} - the resources checked; approve the plan. "
             "Nothing has been written yet.", ""]
    lines += _design_lines(d, summary_counts(d))
    lines += _model_lines(a)
    lines += _where_lines(d, dst_path)
    lines += _check_lines(d)
    lines += ["", "Write these files? (No = nothing is written)"]
    return "\n".join(lines)
