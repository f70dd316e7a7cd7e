"""The plan sections of an experiment's README.md, from the design (a loaded experiment_summary.yaml).

Logic lives here, not in README.md.jinja: the template calls `plan_sections` with the design it
builds from the answers, and `ck-plan` calls it with the design file after hand edits, so both
write the same text. Every user string is escaped for where it lands (docs/security.md):

- `md_text`: paragraphs and table cells. Markdown syntax (`# heading`, code fences, `*`, `[..](..)`,
  `![..](..)`, `|`, HTML tags) shows as the characters typed; line breaks become `<br>`.
- `md_code`: inline code that survives backticks; in a table cell `|` is escaped as GFM requires.
- `mermaid_label`: a quoted mermaid node or edge label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..spec import era as eras
from ..spec import jobs as job_files
from ..spec import naming, sweep
from ..spec.params import GENERATION_SETTINGS
from ..facts.yamlwriter import shown_value as _shown
from ..facts.yamlwriter import yaml_scalar as _yaml_scalar
from ..facts.yamlwriter import yaml_value as _yaml_value
from .counts import epochs_text, run_types
from .counts import summary_counts as counts

PLAN_BEGIN = "<!-- ck-plan: generated from experiment_summary.yaml by ck-plan; edits here are replaced -->"
PLAN_END = "<!-- ck-plan: end -->"

# Characters that start markdown syntax anywhere in a line: escaped with a backslash, which
# CommonMark allows before any ASCII punctuation. `_` only where it could open emphasis
# (not inside a word: `lora_rank` stays as typed).
_ALWAYS = set("\\`*[]|~#")
_BLOCK_START = re.compile(r"^(?:[-+=]|\d{1,9}[.)])")


def md_text(value: Any) -> str:
    """`value` as literal text in a markdown paragraph or table cell."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = []
    for i, ch in enumerate(text):
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()):
            out.append("\\_")
        else:
            out.append(ch)
    text = "".join(out)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Each line could start a block (list item, setext underline, indented code): neutralize it.
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        indent = "&#32;" * (len(line) - len(stripped))
        m = _BLOCK_START.match(stripped)
        if m:
            stripped = stripped[: m.end() - 1] + "\\" + stripped[m.end() - 1 :]
        lines.append(indent + stripped)
    return "<br>".join(lines)


def md_code(value: Any, *, in_table: bool = False) -> str:
    """Inline code that survives backticks in the value; `in_table`: `|` escaped (GFM tables)."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def md_cell_code(value: Any) -> str:
    return md_code(value, in_table=True)


def mermaid_label(value: Any) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch, ent in (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(ch, ent)
    return text


def _split(value: Any) -> str:
    return "?" if value is None else str(value)


def _question(e: Mapping[str, Any]) -> list[str]:
    lines = ["## Question", "", md_text(e["question"])]
    if e.get("hypothesis"):
        lines += ["", f"**Hypothesis:** {md_text(e['hypothesis'])}"]
    if e.get("purpose"):
        lines += ["", f"**Purpose:** {md_text(e['purpose'])}"]
    return lines


def _overview(d: Mapping[str, Any]) -> list[str]:
    e, n, training = d["experiment"], counts(d), d["data"]["training"]
    variables = d.get("variables") or {}
    varying = "; ".join(
        f"{md_cell_code(k)} = {', '.join(md_cell_code(_shown(v)) for v in values)}" for k, values in variables.items()
    ) or "nothing (one run per model)"
    splits = training.get("splits") or {}
    dataset = ", ".join(f"{s} {_split(splits.get(s))}" for s in ("train", "validation", "test"))
    rows = [
        ("Type", naming.experiment_type(e)),
        ("Fine-tuned runs", n["fine_tuned"]),
        ("Control runs", n["controls"]),
        *([("Eval-only runs (existing checkpoints, not trained)", n["eval_only"])] if n["eval_only"] else []),
        ("Evaluation tasks", n["tasks"]),
        ("Total evaluations", n["evaluations"]),
        *([("Estimated compute", f"{n['gpu_hours']:.1f} GPU-hours (per job: below)")] if n["gpu_hours"] else []),
        ("Varying", varying),
        ("Tools", f"{md_text(d['tools']['preparation'])} (training), {md_text(d['tools']['evaluation'])} (evaluation)"),
        ("Experiment directory", md_cell_code(eras.experiment_dir(d))),
        ("Outputs", md_cell_code(naming.checkpoint_path_of(d))),
        ("W&B project", md_cell_code(d["output"]["wandb_project"])),
        ("Dataset", f"{md_cell_code(training['path'])} ({dataset})"),
    ]
    # The estimates follow the table (not the runs table): lines next to ones every version renders
    # alike, so `copier update` from an older release merges them without a conflict.
    return ["## Overview", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), *_compute(d)]


def _runs(d: Mapping[str, Any]) -> list[str]:
    lines = ["## Runs", "", "| Run | Type | Model | Parameters | SLURM overrides |", "|---|---|---|---|---|"]
    for r in d["runs"]:
        params = ", ".join(md_cell_code(f"{k}={_shown(v)}") for k, v in (r.get("parameters") or {}).items()) or "-"
        slurm = ", ".join(f"{md_text(k)}={md_text(v)}" for k, v in (r.get("slurm_overrides") or {}).items()) or "-"
        lines.append(f"| {md_cell_code(r['name'])} | {md_text(r['type'])} | {md_text(r['model'])} | {params} | {slurm} |")
    constants = ", ".join(f"{md_code(k)}={md_code(_shown(v))}" for k, v in (d.get("controls") or {}).items())
    return [*lines, "", f"Constants (controls): {constants}."]


def _job(c: Mapping[str, Any]) -> str:
    return f"{md_text(c.get('time'))}, {md_text(c.get('gpus'))} GPU, {md_text(c.get('mem'))}"


def _compute(d: Mapping[str, Any]) -> list[str]:
    """The compute estimates per job and their basis (spec/compute.py); none: no lines."""
    jobs = [(r["name"], r["compute"]) for r in d["runs"] if isinstance(r.get("compute"), Mapping)]
    ev = (d.get("evaluation") or {}).get("compute")
    if not jobs and not isinstance(ev, Mapping):
        return []
    parts = [f"{md_code(name)} {_job(c)}" for name, c in jobs]
    if isinstance(ev, Mapping):
        parts.append(f"each evaluation job {_job(ev)}")
    lines = ["", f"Estimated per job (SLURM --time, GPUs, --mem): {'; '.join(parts)}."]
    bases = dict.fromkeys(str(c["basis"]) for _, c in jobs if c.get("basis"))
    return lines + [f"Basis: {md_text(b)}." for b in bases]


def _matrix(d: Mapping[str, Any]) -> list[str]:
    ev = d["evaluation"]
    scorers = []
    for s in eras.scorers(d) or ():
        params = ", ".join(f"{md_text(k)}={md_text(_yaml_value(v))}" for k, v in (s.get("params") or {}).items())
        scorers.append(md_code(s["name"]) + (f" ({params})" if params else ""))
    tasks = ev["tasks"]
    lines = [
        "## Evaluation matrix",
        "",
        f"Scorers: {', '.join(scorers)}" + (f"; temperature {ev['temperature']}" if "temperature" in ev else "")
        + "".join(f", {k} {md_text(_yaml_scalar(ev[k]))}" for k in (*GENERATION_SETTINGS, "do_sample") if k in ev) + ".",
        "Epochs are 0-indexed checkpoints (`epoch_0` is the first); control runs evaluate the base model once"
        + (", eval-only runs their `checkpoint_path` once." if counts(d)["eval_only"] else "."),
        "",
        "| Run | Label |" + "".join(f" {md_text(t['name'])} |" for t in tasks),
        "|---|---|" + "---|" * len(tasks),
    ]
    types = run_types(d)
    for m in ev["matrix"]:
        label = m.get("vis_label")
        label = m["run"] if label is None else label
        text = epochs_text(m["epochs"], types.get(m["run"]))
        cells = "".join(f" {md_text(text) if t['name'] in m['tasks'] else '-'} |" for t in tasks)
        lines.append(f"| {md_cell_code(m['run'])} | {md_text(label)} |{cells}")
    lines += ["", "Tasks:", ""]
    for t in tasks:
        dataset = f", dataset {md_code(t['dataset'])}" if "dataset" in t else ""
        lines.append(f"- {md_code(t['name'])}: {md_text(t['description'])} (script {md_code(t['script'])}{dataset})")
    return [*lines, *_prompts(d), "", *_mermaid(d)]


def _prompts(d: Mapping[str, Any]) -> list[str]:
    """Which prompt each cell uses, when they differ (spec.sweep.prompt_groups; nothing otherwise)."""
    ev = d["evaluation"]
    groups = sweep.prompt_groups(d["runs"], ev["tasks"], d.get("controls") or {}, ev, ev["matrix"])
    if not groups:
        return []
    lines = ["", "Prompts (task over run over controls):", ""]
    for (prompt, system), cells in groups:
        shown = ", ".join(f"{run} / {task}" for run, task in cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
        lines.append(f"- prompt {md_code(_yaml_scalar(prompt))}, system prompt {md_code(_yaml_scalar(system))}: {md_text(shown)}")
    return lines


def _mermaid(d: Mapping[str, Any]) -> list[str]:
    runs, tasks = d["runs"], d["evaluation"]["tasks"]
    index = {r["name"]: i for i, r in reversed(list(enumerate(runs)))}
    lines = ["```mermaid", "flowchart LR"]
    lines += [f'  r{i}["{mermaid_label(r["name"])}"]' for i, r in enumerate(runs)]
    lines += [f'  t{j}[("{mermaid_label(t["name"])}")]' for j, t in enumerate(tasks)]
    types = run_types(d)
    for m in d["evaluation"]["matrix"]:
        i = index.get(m["run"])
        if i is None:
            continue
        label = mermaid_label(epochs_text(m["epochs"], types.get(m["run"])))
        lines += [f'  r{i} -->|"{label}"| t{j}' for j, t in enumerate(tasks) if t["name"] in m["tasks"]]
    return [*lines, "```"]


PREREQUISITES_HEADING = "## Prerequisites"
_PREREQUISITES_INTRO = "Missing resources (not blockers; the experiment cannot run until they exist):"
_NO_PREREQUISITES = ("None: every model directory, the dataset and every task script were found when this plan "
                     "was rendered.")


def prerequisite_line(problem: str) -> str:
    """One unticked checklist item of README.md's Prerequisites section."""
    return f"- [ ] {md_text(problem)}"


def prerequisites_block(lines: list[str]) -> str:
    """README.md's Prerequisites section (heading to the blank line before the next heading) from
    its checklist lines: the template renders it, the post-update hook rewrites it
    (hooks/README.md, "Resource facts on update")."""
    if not lines:
        return f"{PREREQUISITES_HEADING}\n\n{_NO_PREREQUISITES}\n\n"
    return f"{PREREQUISITES_HEADING}\n\n{_PREREQUISITES_INTRO}\n\n" + "".join(f"{line}\n" for line in lines) + "\n"


def prerequisites_section(problems: list[str]) -> str:
    return prerequisites_block([prerequisite_line(p) for p in problems])


def _jobs(d: Mapping[str, Any]) -> list[str]:
    """The SLURM jobs (spec/jobs.py), the files ck-scaffold writes for them and the commands."""
    era = eras.era_of(d)
    j = job_files.jobs(d)
    trained = [c for c in j.evaluations if isinstance(c.epoch, int)]
    untrained = [c for c in j.evaluations if c.epoch is None]
    pending = len(j.evaluations) - len(trained) - len(untrained)
    config = job_files.EVAL_CONFIG[era]
    hours = f", {j.gpu_hours['total']:.1f} GPU-hours as estimated" if j.gpu_hours["total"] else ""
    lines = [
        "## Jobs",
        "",
        f"{j.training_jobs} training jobs and {j.evaluation_jobs} evaluation jobs{hours}. `ck-scaffold` writes their "
        "files from this design, for cruijff_kit to render into SLURM scripts (ck-design runs it after `copier copy` "
        "and `copier update`, and the `ck-scaffold-sync` commit hook after a change of the design):",
        "",
        f"- `{{run}}/{job_files.SETUP_FINETUNE}`: one per fine-tuned run ({j.training_jobs})",
        f"- `{{run}}/{job_files.EVAL_DIR}/{{task}}_epoch{{N}}/{config}`: one per evaluated checkpoint ({len(trained)})",
    ]
    if untrained:
        lines.append(f"- `{{run}}/{job_files.EVAL_DIR}/{{task}}/{config}`: one per task of a control or eval-only run ({len(untrained)})")
    if pending:
        lines.append(f"- none yet for the {pending} evaluations at the best validation loss: that checkpoint is chosen after training")
    lines += [f"- `{job_files.SUBMIT}`: queues every job, each evaluation after its training", "",
              "In this folder:", "", "```sh",
              "ck-scaffold            # write the job files again (--check lists stale ones, --diff previews)",
              "ck-scaffold --render   # cruijff_kit's setup_finetune and setup_inspect write the SLURM scripts",
              f"{'sh ' + job_files.SUBMIT:<23}# submit every job"]
    if era == eras.V03:
        lines.append("python -m cruijff_kit.tools.run.submit_torchtune .   # or cruijff_kit's own submitters (then submit_inspect)")
    return [*lines, "```"]


def plan_sections(design: Mapping[str, Any]) -> str:
    """Question, overview, runs, evaluation matrix and jobs, between the PLAN markers (no final newline)."""
    parts = [_question(design["experiment"]), _overview(design), _runs(design), _matrix(design), _jobs(design)]
    body = "\n\n".join("\n".join(p) for p in parts)
    return f"{PLAN_BEGIN}\n{body}\n{PLAN_END}"
