"""Resource facts on update: keep the measured values of a design true after `copier update`.

experiment_summary.yaml's `models.base[].size_gb`, `data.training.size_kb` and `.splits`, and
README.md's Prerequisites section, are measured when copier renders. `copier update` renders the
old and the new template version *now*, so both renders agree and copier keeps the committed
values as if they were hand edits (hooks/README.md, "Resource facts on update"). So the hook
records what it measured in logs/resource-facts.json (never rendered by copier: it cannot
conflict) and, after an update, re-measures:

- a fact whose value is still what was measured last time, or null (never measured), takes the
  new measurement, edited in place with ruamel.yaml round-trip (validate/fixes/apply.py: comments
  and layout stay);
- a value that differs from the last measurement was edited by hand: kept, and reported;
- README.md's plan follows (plan/sync.py, what `ck-plan` runs) and its Prerequisites section is
  rewritten when it is still in its generated form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..facts import prerequisites as prereq
from ..facts.files import UnsafeTarget, read_json_file, read_text_file, write_regular_file
from ..facts.resources import SPLITS
from ..facts.yamlwriter import yaml_scalar
from ..plan import markdown
from ..spec.naming import FACTS_FILE, SUMMARY_FILE
from ..validate.fixes.apply import CannotRewrite, apply
from ..validate.fixes.fixers import Edit
from ..facts.designlog import DesignLog

README = "README.md"
_NOTE = "What ck-design's post-copy hook last measured; `copier update` refreshes the design from it (hooks/README.md)."


@dataclass(frozen=True)
class Fact:
    """One measured value of the design."""

    label: str  # where it is, as the summary and the record name it
    path: tuple[Any, ...]  # its place in experiment_summary.yaml
    source: str  # the model directory or dataset it measures
    value: Any  # what the design says
    measured: Any  # what the resource measures now (None: cannot be measured)
    action: str  # the log entry it belongs to
    resource: str  # the resource's name in that entry
    key: str  # its name inside that entry


@dataclass
class Refresh:
    refreshed: list[tuple[Fact, Any]] = field(default_factory=list)  # (fact, old value)
    kept: list[Fact] = field(default_factory=list)
    readme: str = ""  # what happened to README.md's prerequisites ("" = nothing)
    readme_rewritten: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"  refreshed {f.label}: {_text(old)} -> {_text(f.measured)} (measured now)" for f, old in self.refreshed]
        lines += [f"  kept {f.label}: {_text(f.value)} (edited by hand; it measures {_text(f.measured)})" for f in self.kept]
        if self.readme:
            lines.append(f"  README.md: {self.readme}")
        return lines + [f"  note: {n}" for n in self.notes]


def _text(value: Any) -> str:
    return yaml_scalar(value) if isinstance(value, (int, float, type(None))) else repr(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b if type(a) is type(b) or {type(a), type(b)} <= {int, float} else False


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def design_facts(design: Mapping[str, Any]) -> list[Fact]:
    """Every measured value of the design with what its resource measures now (facts/resources.py,
    the same measurement the wizard renders)."""
    out: list[Fact] = []
    base = _mapping(design.get("models")).get("base")
    for i, m in enumerate(base if isinstance(base, list) else []):
        name, path = _mapping(m).get("name"), _mapping(m).get("path")
        if not isinstance(name, str) or not isinstance(path, str) or not path:
            continue
        facts = prereq.model_facts(path)
        out.append(Fact(f"models.base[{name}].size_gb", ("models", "base", i, "size_gb"), path, m.get("size_gb"),
                        facts.size_gb if facts.exists else None, "VERIFY_MODEL", name, "size_gb"))
    training = _mapping(_mapping(design.get("data")).get("training"))
    path = training.get("path")
    if not isinstance(path, str) or not path:
        return out
    ds = prereq.dataset_facts(path)
    out.append(Fact("data.training.size_kb", ("data", "training", "size_kb"), path, training.get("size_kb"),
                    ds.size_kb if ds.exists else None, "VERIFY_DATASET", path, "size_kb"))
    splits = training.get("splits")
    if isinstance(splits, Mapping):
        for split in SPLITS:
            if split in splits:
                out.append(Fact(f"data.training.splits.{split}", ("data", "training", "splits", split), path,
                                splits[split], ds.splits.get(split) if ds.exists else None,
                                "COUNT_DATASET_SAMPLES", path, split))
    return out


# --- the record ------------------------------------------------------------------------------

def read_record(dst: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """logs/resource-facts.json, or {} (a design rendered before it existed, or an unreadable
    one: then why, in `notes`; the hook rewrites it from what it measures now)."""
    try:
        record = read_json_file(dst / FACTS_FILE)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        if notes is not None:
            notes.append(f"{FACTS_FILE} could not be read ({_first_line(exc)}): measured values are compared with"
                         " nothing this time, and the file is written anew")
        return {}
    if not isinstance(record, dict):
        if notes is not None:
            notes.append(f"{FACTS_FILE} is not a JSON object: measured values are compared with nothing this time,"
                         " and the file is written anew")
        return {}
    return record


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _recorded(record: Mapping[str, Any], fact: Fact) -> tuple[bool, Any]:
    """(was this fact measured before, at the same resource path; what it measured)."""
    entry = _mapping(_mapping(record.get("facts")).get(fact.label))
    if entry.get("source") != fact.source or "value" not in entry:
        return False, None
    return True, entry["value"]


def write_record(dst: Path, facts: list[Fact], prerequisites: list[str], old: Mapping[str, Any] | None = None) -> None:
    """Record the measurements (a fact that cannot be measured now keeps its last measurement);
    the file is rewritten only when its content changes, so an update that finds nothing new
    leaves the work tree as it was."""
    entries: dict[str, Any] = {}
    for fact in facts:
        if fact.measured is not None:
            entries[fact.label] = {"source": fact.source, "value": fact.measured}
        else:
            seen, value = _recorded(old or {}, fact)
            if seen:
                entries[fact.label] = {"source": fact.source, "value": value}
    text = json.dumps({"note": _NOTE, "facts": entries, "prerequisites": prerequisites}, indent=2) + "\n"
    path = dst / FACTS_FILE
    try:
        if read_text_file(path) == text:
            return
    except (OSError, ValueError):
        pass
    write_regular_file(path, text, dst)


def record_after_copy(dst: Path, design: Mapping[str, Any] | None) -> None:
    """After `copier copy`: what the render measured (the hook measures the same, just after)."""
    if design is None:
        return
    try:
        problems = prereq.prerequisites(design)
    except (KeyError, TypeError):
        problems = []
    write_record(dst, design_facts(design), problems)


# --- README.md's prerequisites ---------------------------------------------------------------

def _section_bounds(readme: str) -> tuple[int, int] | None:
    start = readme.find(f"\n{markdown.PREREQUISITES_HEADING}\n")
    if start < 0:
        return None
    end = readme.find("\n## ", start + 1)
    return start + 1, (end + 1 if end >= 0 else len(readme))


def rewrite_prerequisites(readme: str, recorded: list[str] | None, now: list[str]) -> tuple[str | None, str]:
    """(the new README text or None, what happened). The section is rewritten only while it is in
    its generated form: unticked items the hook wrote (recorded) or would write now; a ticked
    box or added text is a hand edit, kept."""
    bounds = _section_bounds(readme)
    if bounds is None:
        return None, ""
    start, end = bounds
    section, new = readme[start:end], markdown.prerequisites_section(now)
    if section == new:
        return None, ""
    known = {markdown.prerequisite_line(p) for p in [*(recorded or []), *now]}
    items = [line for line in section.splitlines() if line.startswith("- ")]
    if section != markdown.prerequisites_block(items) or not set(items) <= known:
        return None, "its Prerequisites section was edited by hand (or predates logs/resource-facts.json): left as it is"
    met = len(items) - len(set(items) & {markdown.prerequisite_line(p) for p in now})
    return readme[:start] + new + readme[end:], (
        f"Prerequisites rewritten from the resources on disk ({met} met, {len(now)} left)")


def _readme(dst: Path, record: Mapping[str, Any], design: Mapping[str, Any], plan_changed: bool, out: Refresh) -> list[str]:
    """Regenerate README.md's plan (as `ck-plan` does) and prerequisites; the prerequisites now."""
    try:
        now = prereq.prerequisites(design)
    except (KeyError, TypeError):
        return []
    if plan_changed:
        from ..plan.sync import sync

        sync(dst)  # its message tells a committer to review; here the summary says so
    path = dst / README
    try:
        readme = read_text_file(path)
    except (OSError, ValueError):
        return now
    recorded = record.get("prerequisites")
    new, what = rewrite_prerequisites(readme, recorded if isinstance(recorded, list) else None, now)
    if new is not None:
        write_regular_file(path, new, dst)
        out.readme_rewritten = True
    out.readme = what
    return now


# --- after an update -------------------------------------------------------------------------

def _decide(facts: list[Fact], record: Mapping[str, Any], out: Refresh) -> list[Edit]:
    edits = []
    for fact in facts:
        if fact.measured is None or _same(fact.value, fact.measured):
            continue
        seen, last = _recorded(record, fact)
        if fact.value is None or (seen and _same(fact.value, last)):
            edits.append(Edit("refresh", "number", fact.path, yaml_scalar(fact.measured)))
            out.refreshed.append((fact, fact.value))
        else:
            out.kept.append(fact)
    return edits


def _log(log: DesignLog, out: Refresh) -> None:
    """One entry per resource: what was refreshed (old -> new), what was kept."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for fact, old in out.refreshed:
        groups.setdefault((fact.action, fact.resource), {"fields": {}, "kept": []})["fields"][
            f"Refreshed {fact.key}"] = f"{_text(old)} -> {_text(fact.measured)}"
    for fact in out.kept:
        group = groups.setdefault((fact.action, fact.resource), {"fields": {}, "kept": []})
        group["fields"][f"Kept {fact.key}"] = f"{_text(fact.value)} (measures {_text(fact.measured)})"
        group["kept"].append(fact.key)
    for (action, resource), group in groups.items():
        fields = {("Model" if action == "VERIFY_MODEL" else "Path"): resource, **group["fields"]}
        details = "copier update: measured values refreshed in experiment_summary.yaml"
        if group["kept"]:
            log.add(action, details, fields, "warning",
                    f"HandEdited - {', '.join(group['kept'])} differ from the last measurement: kept as edited")
        else:
            log.add(action, details, fields)
    if out.readme_rewritten:
        log.add("UPDATE_DESIGN", "copier update: README.md's prerequisites follow the resources on disk",
                {"Path": README, "Prerequisites": out.readme})


def refresh_after_update(dst: Path, log: DesignLog) -> Refresh:
    """Re-measure, refresh the facts still as measured, follow in README.md, record, log."""
    from .rendered import load_design

    out = Refresh()
    summary = dst / SUMMARY_FILE
    design, error = load_design(summary)
    if design is None:
        out.notes.append(f"measured values not refreshed: {error}")
        return out
    record = read_record(dst, out.notes)
    facts = design_facts(design)
    edits = _decide(facts, record, out)
    if edits:
        try:
            write_regular_file(summary, apply(read_text_file(summary), edits), dst)
        except UnsafeTarget:
            raise
        except (CannotRewrite, OSError) as exc:
            out.notes.append(f"{SUMMARY_FILE} not refreshed ({exc}); set "
                             + ", ".join(f"{f.label} to {_text(f.measured)}" for f, _ in out.refreshed) + " by hand")
            out.refreshed = []
    prerequisites = _readme(dst, record, design, bool(out.refreshed), out)
    write_record(dst, facts, prerequisites, record)
    _log(log, out)
    return out
