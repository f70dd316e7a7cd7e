"""After `copier copy` and `copier update`: write the job files of a design without errors
(ck-scaffold, scaffold/sync.py), so the first commit holds them and an update rescaffolds.

One SCAFFOLD_JOBS entry in the design log says what was written, the job counts and the hash of
the design they came from. A design with errors, a file in the way or a failed write is a
warning entry and a summary line, never a failed hook: the design itself is written.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..scaffold import sync, writer
from ..spec.jobs import jobs
from ..facts.designlog import DesignLog

ACTION = sync.ACTION


@dataclass
class Scaffolded:
    files: list[str] = field(default_factory=list)  # what ck-scaffold keeps here (for git add)
    changed: list[str] = field(default_factory=list)  # written, updated or removed this time
    lines: list[str] = field(default_factory=list)  # for the closing summary
    # the command to run next, for an update's summary; a copy's summary ends with its own `next:`
    # naming the same commands, so it leaves this out rather than say it twice
    next: list[str] = field(default_factory=list)


def _top_level(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(p.split("/", 1)[0] if "/" in p and not p.startswith("logs/") else p for p in paths))


def scaffold_jobs(log: DesignLog, dst: Path, wanted: bool, quiet: bool = False) -> Scaffolded:
    """Scaffold `dst` when `wanted` (the `scaffold` answer); log it; what to commit and say.
    `quiet` (an update that changed no answer): an entry and lines only when files changed."""
    out = Scaffolded()
    if not wanted:
        if not quiet:
            out.lines.append("  job files: not written (answer scaffold: false); `ck-scaffold` writes them when you want them")
        return out
    try:
        p = sync.prepare(dst)
        entries = sync.write(p)
    except sync.Refused as exc:
        why = exc.lines[0].removeprefix(f"{sync.PROG}: ")
        kind = "DesignHasErrors" if exc.design_errors else "ScaffoldRefused"
        if not quiet:
            log.add(ACTION, "Job files not written by ck-scaffold", {"Path": str(dst)}, "warning", f"{kind} - {why}")
        out.lines.append(f"  job files: not written: {why}")
        return out
    except writer.ScaffoldError as exc:
        log.add(ACTION, "Job files not written by ck-scaffold", {"Path": str(dst)}, "warning", f"WriteFailed - {exc}")
        out.lines.append(f"  job files: not written: {exc}")
        return out
    except Exception as exc:  # the design is written and must still be committed: say it, never crash here
        what = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        log.add(ACTION, "Job files not written by ck-scaffold", {"Path": str(dst)}, "warning", f"ScaffoldFailed - {what}")
        out.lines.append(f"  job files: not written ({what}); run `ck-scaffold` to see why")
        return out
    ch = p.changes
    if quiet and not ch.stale:
        return out
    j = jobs(p.data)
    job_files = sorted(e for e in entries if e in p.files)
    sync.record(log, p, entries)
    out.files = sync.owned_files(entries)
    out.changed = ch.stale
    # Two rows, each led by a one-word label, so a wrapped row hangs under its text (terminal.py)
    # rather than at the item's indent, where it would read as a new item.
    out.lines.append(f"  job files (ck-scaffold): {j.training_jobs} training, {j.evaluation_jobs} evaluation jobs")
    out.lines.append(f"    files: {sync.file_kinds(job_files)}")
    if ch.stale and ch.of(writer.SAME):  # an update: say what changed, and how to stage it (removals too)
        stage = " ".join(shlex.quote(t) for t in _top_level(ch.stale + ["logs/scaffold-manifest.json"]))
        out.lines.append(f"    rescaffolded: {len(ch.of(writer.WRITE))} written, {len(ch.of(writer.UPDATE))} updated, "
                         f"{len(ch.of(writer.REMOVE))} removed; stage them with `git add -A -- {stage}`")
    out.next.append("    next: `ck-scaffold --render` (cruijff_kit writes the SLURM scripts), then `sh submit.sh`")
    return out
