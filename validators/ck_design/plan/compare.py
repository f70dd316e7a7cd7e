"""`ck-plan --compare REF`: what the working design changes against the design at git ref REF.

A reviewer of a pull request reads a YAML diff; this says what it does: runs added, removed and
changed, evaluations (run x task x epoch) added and removed, training and evaluation jobs and
GPU-hours before -> after (spec/jobs.py, the counts ck-scaffold prints), validator findings new
and fixed (ck-validate's engine on both versions), and whether the schema era changed
(spec/era.py). Markdown for a pull request's job summary or a terminal; JSON for tools.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..facts import gitref
from ..facts.files import read_regular
from ..facts.loader import MAX_BYTES, LoadError, loads
from ..spec import era as eras
from ..spec.jobs import Cell, jobs
from ..spec.sweep import BEST_VAL_LOSS
from ..validate.findings import Finding
from .markdown import md_code, md_text

SUMMARY = "experiment_summary.yaml"
# Items a markdown list shows before "... and N more" (JSON lists them all).
LIST_LIMIT = 20
NOT_SET = "(not set)"


@dataclass
class Version:
    """One side of the comparison: the design's data ({} when absent or unreadable) and findings."""

    label: str
    present: bool
    data: Mapping[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def load_version(raw: bytes | None, label: str) -> Version:
    if raw is None:
        return Version(label, present=False)
    from ..validate.engine import check

    try:
        doc = loads(raw, label)
    except LoadError as exc:
        return Version(label, True, {}, [Finding(label, exc.line, exc.column, exc.code, "error", exc.message, exc.hint)])
    data = doc.data if isinstance(doc.data, Mapping) else {}
    return Version(label, True, data, check(doc))


# --- What changed -----------------------------------------------------------------------------

def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


_MISSING = object()


def _before_after(old: Any, new: Any) -> dict[str, Any]:
    return {"before": old, "after": new}


def _changes(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """{field, from, to} for each key whose value differs (absent on one side: from/to None, set False)."""
    out = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old != new or type(old) is not type(new):
            out.append({"field": f"{prefix}{key}",
                        "from": None if old is _MISSING else old, "to": None if new is _MISSING else new,
                        "was_set": old is not _MISSING, "is_set": new is not _MISSING})
    return out


def _run_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A run's own changes: its type and model, its parameters, its SLURM overrides."""
    def identity(run: Mapping[str, Any]) -> dict[str, Any]:
        return {k: run[k] for k in ("type", "model") if k in run}

    return (_changes(identity(old), identity(new))
            + _changes(_section(old, "parameters"), _section(new, "parameters"))
            + _changes(_section(old, "slurm_overrides"), _section(new, "slurm_overrides"), "slurm_overrides."))


def _runs(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    old = {str(r.get("name")): r for r in _mappings(before.get("runs"))}
    new = {str(r.get("name")): r for r in _mappings(after.get("runs"))}
    changed = []
    for name in new:
        if name in old and (diff := _run_changes(old[name], new[name])):
            changed.append({"run": name, "changes": diff})
    return {"count": _before_after(len(_mappings(before.get("runs"))), len(_mappings(after.get("runs")))),
            "added": [n for n in new if n not in old], "removed": [n for n in old if n not in new], "changed": changed}


def _cell(c: Cell) -> dict[str, Any]:
    return {"run": c.run, "task": c.task, "epoch": c.epoch}


def _as_text(c: Cell) -> tuple[str, str, str]:
    return (c.run, c.task, repr(c.epoch))


def _evaluations(before: Sequence[Cell], after: Sequence[Cell]) -> dict[str, list[dict[str, Any]]]:
    """The cells (spec/jobs.py) only one version has, each list in matrix order."""
    try:
        old, new = set(before), set(after)
    except TypeError:  # a malformed matrix epoch (a mapping, a list) cannot be hashed: compare by its text
        old, new = set(map(_as_text, before)), set(map(_as_text, after))
        return {"added": [_cell(c) for c in after if _as_text(c) not in old],
                "removed": [_cell(c) for c in before if _as_text(c) not in new]}
    return {"added": [_cell(c) for c in after if c not in old],
            "removed": [_cell(c) for c in before if c not in new]}


def _key(f: Finding) -> tuple[str, str, str]:
    # Lines move when a design is edited: a finding is the same one when its rule and words are.
    return (f.code, f.severity, f.message)


def _finding(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity, "line": f.line, "message": f.message}


def _only_in(these: Sequence[Finding], others: Sequence[Finding]) -> list[dict[str, Any]]:
    left = Counter(_key(f) for f in others)
    out = []
    for f in these:
        if left[_key(f)]:
            left[_key(f)] -= 1
        else:
            out.append(_finding(f))
    return out


def _has_estimates(data: Mapping[str, Any]) -> bool:
    """Whether the design carries compute estimates (without them its GPU-hours are unknown, not 0)."""
    return any("compute" in r for r in _mappings(data.get("runs"))) or "compute" in _section(data, "evaluation")


def _era(v: Version) -> str | None:
    return (eras.detect(v.data) or "mixed") if v.present and v.data else None


def _status(before: Version, after: Version, same: bool) -> str:
    if not before.present:
        return "new design"
    if not after.present:
        return "design removed"
    return "unchanged" if same else "changed"


def compare(before: Version, after: Version, ref: str, same: bool = False) -> dict[str, Any]:
    """The comparison as plain data (what --format json prints)."""
    jb, ja = jobs(before.data), jobs(after.data)
    hours_known = _has_estimates(before.data) or _has_estimates(after.data)
    return {
        "ref": ref,
        "design": SUMMARY,
        "status": _status(before, after, same),
        "era": _before_after(_era(before), _era(after)),
        "runs": _runs(before.data, after.data),
        "controls": _changes(_section(before.data, "controls"), _section(after.data, "controls")),
        "evaluations": _evaluations(jb.evaluations, ja.evaluations),
        "jobs": {"training": _before_after(jb.training_jobs, ja.training_jobs),
                 "evaluation": _before_after(jb.evaluation_jobs, ja.evaluation_jobs)},
        "gpu_hours": {k: _before_after(round(jb.gpu_hours[k], 2), round(ja.gpu_hours[k], 2))
                      for k in ("training", "evaluation", "total")} if hours_known else None,
        "findings": {"new": _only_in(after.findings, before.findings), "fixed": _only_in(before.findings, after.findings),
                     "before": len(before.findings), "after": len(after.findings)},
    }


# --- Markdown ---------------------------------------------------------------------------------

def _value(value: Any, is_set: bool = True) -> str:
    if not is_set:
        return NOT_SET
    return md_code(json.dumps(value, ensure_ascii=False, default=str))


def _epoch(epoch: Any) -> str:
    if epoch is None:
        return "as it is (not trained)"
    if epoch == BEST_VAL_LOSS:
        return "best_val_loss checkpoint"
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        return f"epoch_{epoch}"
    return f"epoch {_value(epoch)}"  # not an epoch number (the findings say so): shown as written


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= LIST_LIMIT:
        return lines
    return [*lines[:LIST_LIMIT], f"- ... and {len(lines) - LIST_LIMIT} more (`--format json` lists them all)"]


def _arrow(old: Any, new: Any) -> str:
    return f"{old} → {new}" if old != new else f"{new} (unchanged)"


def _hours(h: Mapping[str, Any] | None, key: str) -> str:
    if h is None:
        return "not estimated"
    return _arrow(f"{h[key]['before']:g}", f"{h[key]['after']:g}")


def _table(c: Mapping[str, Any]) -> list[str]:
    era = c["era"]
    findings = c["findings"]
    return [
        "| | before → after |",
        "|---|---|",
        f"| runs | {_arrow(c['runs']['count']['before'], c['runs']['count']['after'])} |",
        f"| training jobs | {_arrow(c['jobs']['training']['before'], c['jobs']['training']['after'])} |",
        f"| evaluation jobs | {_arrow(c['jobs']['evaluation']['before'], c['jobs']['evaluation']['after'])} |",
        f"| GPU-hours | {_hours(c['gpu_hours'], 'total')} |",
        f"| findings | {_arrow(findings['before'], findings['after'])} |",
        f"| schema era | {_arrow(era['before'] or 'none', era['after'] or 'none')} |",
    ]


def _change_text(ch: Mapping[str, Any]) -> str:
    return f"{md_code(ch['field'])}: {_value(ch['from'], ch['was_set'])} → {_value(ch['to'], ch['is_set'])}"


def _runs_md(runs: Mapping[str, Any]) -> list[str]:
    lines = [f"- added: {md_code(n)}" for n in runs["added"]]
    lines += [f"- removed: {md_code(n)}" for n in runs["removed"]]
    lines += [f"- changed: {md_code(r['run'])}: " + ", ".join(_change_text(ch) for ch in r["changes"]) for r in runs["changed"]]
    return ["", "### Runs", "", *_limited(lines)] if lines else []


def _evaluations_md(ev: Mapping[str, Any]) -> list[str]:
    out = []
    for kind in ("added", "removed"):
        cells = ev[kind]
        if cells:
            lines = [f"- {md_code(e['run'])} × {md_code(e['task'])} × {_epoch(e['epoch'])}" for e in cells]
            out += ["", f"### Evaluations {kind} ({len(cells)})", "", *_limited(lines)]
    return out


def _findings_md(f: Mapping[str, Any]) -> list[str]:
    lines = [f"- new: {x['code']} {x['severity']} (line {x['line']}): {md_text(x['message'])}" for x in f["new"]]
    lines += [f"- fixed: {x['code']} {x['severity']} (was line {x['line']}): {md_text(x['message'])}" for x in f["fixed"]]
    return ["", "### Findings", "", *_limited(lines)] if lines else []


def to_markdown(c: Mapping[str, Any]) -> str:
    title = f"## Design change: {SUMMARY} against {md_code(c['ref'])}"
    status = c["status"]
    if status == "unchanged":
        return f"{title}\n\nNo change: {SUMMARY} is the same as at {md_code(c['ref'])}.\n"
    lead = {"new design": f"New design: {SUMMARY} is not in {md_code(c['ref'])}.",
            "design removed": f"Design removed: {SUMMARY} is in {md_code(c['ref'])} but not in the working tree."}
    lines = [title, ""]
    if status in lead:
        lines += [lead[status], ""]
    lines += _table(c)
    era = c["era"]
    if era["before"] and era["after"] and era["before"] != era["after"]:
        lines += ["", f"The schema era changed: {era['before']} → {era['after']}."]
    if c["controls"] and status == "changed":  # a new or removed design's every setting would be listed
        lines += ["", "### Settings every run shares (controls)", "",
                  *_limited([f"- {_change_text(ch)}" for ch in c["controls"]])]
    lines += _runs_md(c["runs"]) + _evaluations_md(c["evaluations"]) + _findings_md(c["findings"])
    return "\n".join(lines) + "\n"


# --- Entry point ------------------------------------------------------------------------------

def run_compare(directory: Path, ref: str, fmt: str = "markdown") -> str:
    """The report; raises gitref.BadRef (a bad ref, no repository) and OSError (unreadable design)."""
    commit = gitref.resolve(directory, ref)
    old_raw = gitref.read_at(directory, commit, SUMMARY)
    try:
        new_raw: bytes | None = read_regular(directory / SUMMARY, MAX_BYTES)
    except FileNotFoundError:
        new_raw = None
    if old_raw is None and new_raw is None:
        raise FileNotFoundError(2, f"no such file, and none at {ref}")
    same = old_raw is not None and old_raw == new_raw
    before = load_version(old_raw, f"{ref}:{SUMMARY}")
    after = before if same else load_version(new_raw, SUMMARY)
    result = compare(before, after, ref, same)
    if fmt == "json":
        return json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n"
    return to_markdown(result)
