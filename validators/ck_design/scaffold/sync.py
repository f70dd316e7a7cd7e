"""The scaffold as one step, shared by `ck-scaffold` (cli.py), its commit hook (`--sync`) and the
post-copy hook (after `copier copy` and `copier update`): load and validate the design, lay out
its files, compare them with the disk, write what is stale, and record a scaffold that changed
files as one SCAFFOLD_JOBS entry in the design log (`record`; its format: spec/logformat.py).

Nothing here prints: the callers say what happened, each in its own voice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..spec.naming import ANSWERS_FILE, LOG_FILE, SUMMARY_FILE

PROG = "ck-scaffold"
ACTION = "SCAFFOLD_JOBS"  # the design log's entry for a scaffold
EXIT_ERRORS, EXIT_USAGE = 1, 2


class Refused(Exception):
    """Nothing is written: `lines` say why (`stdout`: findings to print first)."""

    def __init__(self, lines: list[str], status: int = EXIT_ERRORS, stdout: str = "", design_errors: int = 0) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.status = status
        self.stdout = stdout
        self.design_errors = design_errors


@dataclass
class Prepared:
    root: Path
    data: Any
    scaffold: Any  # keys.Scaffold
    files: dict[str, bytes]
    design_sha256: str
    old: Any = None  # the manifest as read (writer.Manifest: path -> writer.Entry, and its site)
    changes: Any = None  # writer.Changes

    @property
    def site(self) -> dict[str, str]:
        return dict(self.scaffold.design.site.values)


def load_design(root: Path) -> tuple[Any, str]:
    """The validated design's data and the SHA-256 of its file; Refused when it has errors."""
    from ..facts.loader import LoadError, NotText, load_file
    from ..validate import report
    from ..validate.engine import check
    from ..validate.findings import Finding

    path = root / SUMMARY_FILE
    try:
        doc = load_file(path)
    except FileNotFoundError:
        raise Refused([f"{PROG}: {path}: no such file (give the experiment folder: {PROG} EXPERIMENT_DIR)"], EXIT_USAGE) from None
    except (OSError, NotText) as exc:
        raise Refused([f"{PROG}: {path}: cannot read it: {exc}"], EXIT_USAGE) from None
    except LoadError as exc:
        findings = [Finding(str(path), exc.line, exc.column, exc.code, "error", exc.message, exc.hint)]
    else:
        findings = check(doc)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        n = len(errors)
        raise Refused([f"{PROG}: {path}: {n} error{'s' if n != 1 else ''}: nothing written (fix them, then rerun; ck-validate shows warnings too)"],
                      stdout=report.format_text(errors), design_errors=n)
    return doc.data, hashlib.sha256(path.read_bytes()).hexdigest()


def site_settings(root: Path, recorded: dict[str, str]) -> dict[str, str]:
    """The claude.local.md settings the job files take (keys.SITE_KEYS, the W&B project): from the
    claude.local.md found from the experiment folder, else as the manifest recorded them (CI and
    other machines without one reproduce the same files)."""
    from ..facts import localconfig
    from . import keys

    found = localconfig.load(dst_path=root)
    if found.path is None:
        return dict(recorded)
    return {k: v for k, v in found.values.items() if k in (*keys.SITE_KEYS, "wandb_project") and v}


def build(root: Path, data: Any, site_values: dict[str, str] | None = None) -> tuple[Any, dict[str, bytes]]:
    """The scaffold (keys.Scaffold) of a validated design and its files' bytes; Refused when it cannot be scaffolded."""
    from ..facts.yamlwriter import job_file
    from . import keys, submit

    site = keys.Site(site_values if site_values is not None else site_settings(root, {}))
    try:
        sc = keys.scaffold(data, site)
    except keys.UnsafeName as exc:
        raise Refused([f"{PROG}: {root / SUMMARY_FILE}: {exc}: nothing written"]) from None
    files: dict[str, bytes] = {}
    for planned in sc.files:
        data_ = job_file(planned.keys, keys.HEADER)
        if files.get(planned.path, data_) != data_:
            sc.problems.append(f"two matrix cells write {planned.path} differently (a run or task listed twice?)")
        files[planned.path] = data_
    if sc.problems:
        raise Refused([f"{PROG}: {root / SUMMARY_FILE}: {p}" for p in sc.problems] + [f"{PROG}: nothing written"])
    files[keys.SUBMIT] = submit.script(sc).encode("utf-8")
    return sc, files


def prepare(root: Path) -> Prepared:
    """Everything up to writing: the design validated, its files laid out and compared with the
    disk; Refused (nothing written) on design errors, an unscaffoldable design or a file in the way."""
    from . import keys, writer

    data, digest = load_design(root)
    try:
        old = writer.read_manifest(root, keys.MANIFEST)
    except writer.ScaffoldError as exc:
        raise Refused([f"{PROG}: {exc}"]) from None
    sc, files = build(root, data, site_settings(root, old.site))
    # A rendered file (--render) stays while the job file it came from is unchanged.
    keep = frozenset(p for p, e in old.items() if e.source in files and writer.sha256(files[e.source]) == e.source_sha256)
    ch = writer.plan(root, files, old, keep)
    if ch.conflicts:
        raise Refused([f"{PROG}: {c}" for c in ch.conflicts] + [f"{PROG}: nothing written"])
    return Prepared(root, data, sc, files, digest, old, ch)


def write(p: Prepared) -> dict[str, Any]:
    """Apply the changes; returns the manifest as it now is. writer.ScaffoldError on a failed write."""
    from . import keys, writer

    entries = dict(p.old)
    writer.apply(p.root, p.files, p.changes, entries, keys.MANIFEST, {keys.SUBMIT: writer.file_mode(executable=True)},
                 site=p.site, before=p.old)
    return entries


def log_fields(p: Prepared, entries: dict[str, Any]) -> dict[str, Any]:
    """The fields of a SCAFFOLD_JOBS entry: what this scaffold changed, the job counts and the
    hash of the design they came from."""
    from ..spec.jobs import jobs
    from . import writer

    ch, j = p.changes, jobs(p.data)
    return {
        "Written": len(ch.of(writer.WRITE)), "Updated": len(ch.of(writer.UPDATE)), "Removed": len(ch.of(writer.REMOVE)),
        "Unchanged": len(ch.of(writer.SAME)), "Files": file_kinds(sorted(e for e in entries if e in p.files)) or "none",
        "Training jobs": j.training_jobs, "Evaluation jobs": j.evaluation_jobs,
        "GPU-hours": f"{j.gpu_hours['total']:.1f}", "Design SHA-256": p.design_sha256,
    }


def record(log: Any, p: Prepared, entries: dict[str, Any], by: str = PROG) -> None:
    """Append the SCAFFOLD_JOBS entry of a scaffold that wrote to `log` (a facts.designlog.DesignLog)."""
    log.add(ACTION, f"Job files written by {by} from {SUMMARY_FILE}", log_fields(p, entries))


def record_in_design_log(p: Prepared, entries: dict[str, Any], by: str = PROG) -> str:
    """`record` in the experiment's own design log, when it has one (a folder without one was not
    made by the template: no log is started for it). '' when recorded or nothing to record, else
    why the entry could not be appended (one line; the job files stay written)."""
    import os

    from ..facts.designlog import DesignLog, LogNotWritable

    path = p.root / LOG_FILE
    if not p.changes.stale or not os.path.lexists(path):
        return ""
    try:
        record(DesignLog(path, p.root), p, entries, by)
    except LogNotWritable as exc:
        return f"{path}: {exc}"
    except OSError as exc:  # facts.files.UnsafeTarget (a link, a FIFO), or unreadable: it names the path
        return str(exc) if str(path) in str(exc) else f"{path}: {exc.strerror or exc}"
    return ""


def owned_files(entries: dict[str, Any]) -> list[str]:
    """Every file ck-scaffold keeps in the experiment (for `git add`), its manifest included."""
    from . import keys

    return sorted(entries) + [keys.MANIFEST]


def file_kinds(files: list[str]) -> str:
    """`8 setup_finetune.yaml, 36 eval_config.yaml, submit.sh`: the files by name, counted."""
    counts = Counter(f.rsplit("/", 1)[-1] for f in files)
    return ", ".join(f"{n} {name}" if n > 1 else name for name, n in counts.items())


def wanted(root: Path) -> bool:
    """The experiment's `scaffold` answer (.copier-answers.yml; true when absent)."""
    import yaml

    from ..facts.files import read_regular
    from ..spec.answers import Answers

    try:
        answers = yaml.safe_load(read_regular(root / ANSWERS_FILE, 1024 * 1024))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):  # missing or unreadable: other hooks report it
        return True
    return Answers.read(answers).scaffold if isinstance(answers, dict) else True
