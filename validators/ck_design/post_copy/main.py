"""The post-copy / post-update hook: what happens after copier renders.

`hooks/post_copy.py` (run by copier, see copier.yml) is a thin wrapper around `main()`. The hook
runs once, in the real destination: after `copier copy` as a `_tasks` entry, after `copier
update` as an "after" migration (why: hooks/README.md). It verifies the resources the design
names (verify.py), estimates disk use, training steps and time (speed.py), appends one entry per
finished action to logs/design-experiment.log (facts/designlog.py), puts a copied design under git
(git.py) and prints a closing summary.

A failed verification is a log entry and a prerequisite, never a crash. After a copy it exits 0
even when a step failed (copier deletes a fresh copy whose task fails): its summary, the log's
COMPLETE_DESIGN and copier's closing message say what failed. After an update a step that could
not finish (an unwritable log, an error, Ctrl-C) exits non-zero, so `copier update` does too.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from ..facts.destination import own_template_dir, rendered_files
from ..facts.files import UnsafeTarget, write_problem
from ..facts.questions import question_texts
from ..spec.answers import Answers
from ..spec.era import V03
from ..spec.naming import ANSWERS_FILE, LOG_FILE, SUMMARY_FILE
from ..terminal import wrap
from . import refresh, speed, verify
from .answers import (
    answer_value,
    answers_from,
    json_value,
    old_answers,
    question_order,
    source_change,
    user_answers,
    vanished_variables,
)
from ..facts.designlog import DesignLog, LogNotWritable
from .git import conflicts, mark_resolved, put_under_git
from .interrupt import GIT_STEP, record_interrupt
from ..plan.sync import regenerate_after_update
from .rendered import Plan, load_design, plan_from
from .scaffolding import scaffold_jobs
from .session import Context

LOG_RELPATH = Path(LOG_FILE)
VERIFY_STEP = "verifying the models, dataset and task scripts"
SCAFFOLD_STEP = "writing the job files (ck-scaffold)"


def process_start(pid: int) -> datetime | None:
    """When copier (our parent) started, read from Linux's /proc, so COMPLETE_DESIGN's Duration
    covers the whole wizard session; None when the parent is not copier or /proc is unavailable."""
    try:
        if b"copier" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return None
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime, after "(comm)"
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        started = datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return started if timedelta(0) <= datetime.now() - started < timedelta(days=1) else None


class _Quiet(DesignLog):
    """A step whose inputs did not change still runs (its prerequisites count), unlogged."""

    def __init__(self) -> None:
        self.entries = 0

    def add(self, *args: Any, **kwargs: Any) -> None:
        pass


# The answers each verification step depends on (after an update, only the steps whose answers
# changed write log entries; docs: hooks/README.md).
_STEP_ANSWERS = {
    "models": {"models", "models_dir"},
    "checkpoints": {"eval_checkpoints", "eval_checkpoints_wanted"},
    "dataset": {"dataset_path"},
    "tasks": {"eval_tasks"},
    "disk": {"models", "models_dir", "dataset_path", "scratch_dir"},
}


def _verify_all(log: DesignLog, plan: Plan, changed: set[str] | None = None) -> tuple[verify.Findings, int]:
    """Every verification step; with `changed` (an update), only the steps that depend on a
    changed answer are logged (runs and matrix always: the design was re-rendered)."""
    quiet = _Quiet()

    def log_for(step: str) -> DesignLog:
        return log if changed is None or _STEP_ANSWERS[step] & changed else quiet

    # Called through the modules, not imported names, so a test can make one step fail.
    found = verify.Findings()
    verify.verify_models(log_for("models"), plan, found)
    verify.verify_checkpoints(log_for("checkpoints"), plan, found)
    verify.verify_dataset(log_for("dataset"), plan, found)
    verify.verify_tasks(log_for("tasks"), plan, found)
    verify.check_disk(log_for("disk"), plan, found)
    verify.calculate_disk_usage(log_for("disk"), plan, found)
    verify.generate_runs(log, plan, found)
    speed.prior_runs(log if changed is None else quiet, plan, found)
    evaluations = verify.generate_matrix(log, plan)
    return found, evaluations


def _create_yaml(log: DesignLog, dst: Path, plan: Plan, evaluations: int, load_error: str | None, details: str) -> None:
    fields: dict[str, Any] = {"Path": SUMMARY_FILE, "Runs": len(plan.runs), "Evaluations": evaluations}
    if load_error:
        log.add("CREATE_YAML", details, fields, "failure", f"DesignUnreadable - {load_error}")
        return
    result, extra, error = verify.validation_entry(dst / SUMMARY_FILE)
    log.add("CREATE_YAML", details, {**fields, **extra}, result, error)


# Verification steps whose failure is a missing or unreadable resource: a prerequisite to
# resolve before running (listed in README.md), not a broken design.
_RESOURCE_ACTIONS = frozenset({"VERIFY_MODEL", "VERIFY_DATASET", "COUNT_DATASET_SAMPLES", "VERIFY_EVAL_TASK"})


def _step_errors(log: DesignLog) -> list[str]:
    """The steps of this run that failed for a reason other than a missing resource."""
    return [f"{action} ({error.split(' - ', 1)[0] or 'failed'})" for action, error in log.failures
            if action not in _RESOURCE_ACTIONS]


# How the closing summary's first line says COMPLETE_DESIGN's verdict, after a copy and after an update.
VERDICTS = {
    "ready": ("ready", ""),
    "prerequisites": ("ready, with prerequisites to resolve", ""),
    "problems": ("written, with problems to resolve", ", with problems to resolve"),
    "errors": ("written with errors to fix", ", with errors to fix"),
}


def _complete(log: DesignLog, ctx: Context, found: verify.Findings, extra_problem: str | None = None) -> str:
    """COMPLETE_DESIGN, whose Result follows the steps before it; returns its verdict (a key of
    VERDICTS)."""
    elapsed = (datetime.now() - ctx.started).total_seconds()
    fields = {"Duration": speed.duration(max(0.0, elapsed)), "Prerequisites": len(found.prerequisites)}
    prerequisites = (
        f"{len(found.prerequisites)} prerequisites to resolve before running: "
        + verify.listed(found.prerequisites, sep="; ", where="README.md")
        if found.prerequisites else ""
    )
    also = f"; also {prerequisites}" if prerequisites else ""
    if errors := _step_errors(log):
        log.add("COMPLETE_DESIGN", "Design written with errors to fix", fields, "failure",
                f"StepFailed - {', '.join(errors)}: see those entries; fix the design and run ck-validate{also}")
        return "errors"
    if extra_problem:
        log.add("COMPLETE_DESIGN", "Design complete, with problems to resolve", fields, "warning", extra_problem + also)
        return "problems"
    if prerequisites:
        log.add("COMPLETE_DESIGN", "Design complete; resources missing", fields, "warning", f"Prerequisites - {prerequisites}")
        return "prerequisites"
    log.add("COMPLETE_DESIGN", "Design complete", fields)
    return "ready"


def _print_summary(ctx: Context, title: str, lines: Iterable[str]) -> None:
    print(wrap("\n".join([f"\nck-design: {title}", *lines]), ctx.out), file=ctx.out)
    ctx.out.flush()


UNTOUCHED_COUNT_LIMIT = 100_000


def _others(dst: Path, written: Sequence[str]) -> str:
    """How many files in dst are not the template's (counted, never listed: they may be secrets)."""
    mine = set(written)
    n = 0
    for root, dirs, names in os.walk(dst):
        dirs[:] = [d for d in dirs if not (root == str(dst) and d == ".git")]
        rel = Path(root).relative_to(dst)
        n += sum(1 for name in names if (rel / name).as_posix() not in mine)
        if n >= UNTOUCHED_COUNT_LIMIT:
            return f"{UNTOUCHED_COUNT_LIMIT}+"
    return str(n) if n else ""


def _start_entry(log: DesignLog, ctx: Context, plan: Plan) -> None:
    fields = {"Experiment": plan.name, "Type": plan.type, "Directory": str(ctx.dst)}
    if plan.era == V03:
        fields["Schema"] = "cruijff_kit 0.3"
    if plan.directory and plan.directory != str(ctx.dst):
        fields["Design directory"] = plan.directory
    fields["Template"] = f"{ctx.typed.src_path or '?'} @ {ctx.typed.commit or '?'}"
    details = ("Designing experiment with the ck-design wizard (copier copy)" if not log.existed
               else "Resuming the interrupted post-copy hook" if ctx.resume
               else "Re-rendering the experiment design (copier recopy)")
    log.add("START_DESIGN", details, fields, at=ctx.started)


def _copy_summary(dst: Path, written: Sequence[str], plan: Plan, evaluations: int, found: verify.Findings,
                  job_files: Sequence[str] = ()) -> list[str]:
    lines = ["  files written:", *(f"    {f}" for f in written)]
    others = _others(dst, [*written, *job_files])
    if others:
        lines.append(f"  left untouched: {others} files that are not the template's (not staged, not committed)")
    lines.append(f"  plan: {verify.runs_text(plan)}, {evaluations} evaluations")
    if found.prerequisites:
        lines.append(f"  prerequisites ({len(found.prerequisites)}, also in README.md and the log):")
        lines += [f"    - {p}" for p in found.prerequisites]
    else:
        lines.append("  prerequisites: none, every model, dataset and task script was found")
    lines += [f"  note: {n}" for n in found.notes]
    return lines


def after_copy(ctx: Context) -> int:
    dst = ctx.dst
    summary = dst / SUMMARY_FILE
    if ctx.typed.approved is False or not summary.exists():
        print("ck-design: nothing was rendered (plan not approved); nothing to verify.", file=ctx.out)
        return 0
    log = _open_log(ctx)
    design, load_error = load_design(summary)
    plan = plan_from(design, ctx.typed, dst)
    _start_entry(log, ctx, plan)
    for key, value in user_answers(ctx.answers, ctx.order).items():
        log.add("USER_RESPONSE", f"Answer to {key}", _response(ctx, key, value))
    ctx.step = VERIFY_STEP
    found, evaluations = _verify_all(log, plan)
    ctx.step = "finishing the log"
    _create_yaml(log, dst, plan, evaluations, load_error, "experiment_summary.yaml rendered from the answers")
    ctx.step = SCAFFOLD_STEP
    jobs_ = scaffold_jobs(log, dst, ctx.typed.scaffold)
    ctx.step = "finishing the log"
    log.add("CREATE_LOG", "Design log written", {"Path": str(LOG_RELPATH), "Entries": log.entries + 1})
    verdict = VERDICTS[_complete(log, ctx, found)][0]
    refresh.record_after_copy(dst, design)  # committed with the design (hooks/README.md)
    written = ctx.written()
    ctx.step = GIT_STEP
    git = put_under_git(dst, plan.name, written + jobs_.files)
    if not git.ok:
        verdict += ", not committed"
    lines = _copy_summary(dst, written, plan, evaluations, found, jobs_.files)
    lines += jobs_.lines
    lines.append(f"  git: {git.message}")
    lines += [f"  git: {n}" for n in git.notes]
    step = "resolve the prerequisites above, then " if found.prerequisites else ""
    then = ("render the SLURM scripts with `ck-scaffold --render` and submit them (`sh submit.sh`)" if jobs_.files
            else f"write the job files from {summary} with `ck-scaffold`, render them with `ck-scaffold --render`"
            " and submit them (`sh submit.sh`)")
    lines.append(
        f"  next: {step}{then}; README.md lists the steps. Change the design later with"
        " `copier update --trust` in that directory"
    )
    _print_summary(ctx, f"experiment design {verdict} in {dst}", lines)
    return 0


CHANGE_CHARS = 400  # of an answer, in UPDATE_DESIGN: the full answer is its USER_RESPONSE


def _short_change(before: str, after: str) -> str:
    def cut(text: str) -> str:
        return text if len(text) <= CHANGE_CHARS else f"{text[:CHANGE_CHARS]}... ({len(text):,} characters)"

    return f"{cut(before)} -> {cut(after)}"


def _response(ctx: Context, key: str, value: Any) -> dict[str, Any]:
    """USER_RESPONSE's fields: the question as it was asked, its answer key, the answer."""
    return {"Question": question_texts(ctx.template or own_template_dir()).get(key, key), "Key": key,
            "Response": json_value(value, key)}


def _update_entry(log: DesignLog, ctx: Context, old: dict[str, Any], changed: dict[str, tuple[Any, Any]],
                  conflicted: list[str], regenerated: str = "") -> str | None:
    """UPDATE_DESIGN and the changed answers; the merge-conflict problem, if any."""
    fields: dict[str, Any] = {
        "Template": f"{Answers.read(old).commit or '?'} -> {ctx.typed.commit or '?'}",
        "Answers changed": len(changed),
    }
    for key, (before, after) in changed.items():
        fields[f"Changed {key}"] = _short_change(json_value(before, key), json_value(after, key))
    fields["Conflicts"] = ", ".join(conflicted) or "none"
    if moved := source_change(ctx.dst, ctx.answers_file, ctx.answers):
        fields["Template source"] = moved
    if regenerated:
        fields["Plan"] = regenerated
    details = "copier update: design re-rendered and merged"
    problem = None
    if conflicted:
        problem = (
            f"MergeConflict - copier update left conflicts in {', '.join(conflicted)}; "
            "resolve the <<<<<<< / >>>>>>> blocks, then git add and commit"
        )
        log.add("UPDATE_DESIGN", details, fields, "warning", problem, at=ctx.started)
    else:
        log.add("UPDATE_DESIGN", details, fields, at=ctx.started)
    for key, (_, after) in changed.items():
        log.add("USER_RESPONSE", f"Answer to {key} (changed)", _response(ctx, key, after))
    return problem


def _conflict_banner(conflicted: list[str]) -> None:
    # copier update itself exits 0 with conflicts left in the files: say so loudly.
    bar = "!" * 78
    print(
        f"\n{bar}\n!! copier update left MERGE CONFLICTS in: {', '.join(conflicted)}\n"
        "!! In each <<<<<<< before updating / ======= / >>>>>>> after updating block, keep your\n"
        "!! version, the new render, or a mix, and delete the marker lines (merge a *.rej by hand\n"
        "!! and delete it); then `git add` and commit. The pre-commit hook refuses markers.\n"
        f"{bar}",
        file=sys.stderr,
    )


def _unchanged(log: DesignLog, ctx: Context, old: dict[str, Any]) -> int:
    """An update that changes no answer: one short entry, no re-verification; the measured
    values are refreshed (an entry each when one changed)."""
    before, after = Answers.read(old).commit or "?", ctx.typed.commit or "?"
    fields = {"Template": f"{before} -> {after}", "Answers changed": 0}
    moved = source_change(ctx.dst, ctx.answers_file, ctx.answers)
    if moved:
        fields["Template source"] = moved
    details = "copier update: no change" + ("" if before == after else " to the answers (template updated)")
    log.add("UPDATE_DESIGN", details, fields, at=ctx.started)
    refreshed = refresh.refresh_after_update(ctx.dst, log)
    # Refreshed values (split counts) and a newer template reach the job files too.
    ctx.step = SCAFFOLD_STEP
    jobs_ = scaffold_jobs(log, ctx.dst, ctx.typed.scaffold, quiet=True)
    what = ("no change; one entry appended to the log" if log.entries == 1
            else f"measured values refreshed; {log.entries} entries appended to the log")
    _print_summary(ctx, f"design updated in {ctx.dst}", [
        f"  answers changed: 0 ({what})",
        *([f"  warning: {moved}"] if moved else []),
        *refreshed.summary(),
        *jobs_.lines,
        *jobs_.next,
        "  next: review `git diff`, then `git add -- "
        + " ".join(shlex.quote(f) for f in ctx.written()) + " && git commit` if anything changed",
    ])
    return 0


def _unsafe_target(ctx: Context) -> None:
    """Raise UnsafeTarget, before anything is written, when a file the hook may write (the
    log, logs/resource-facts.json, README.md, experiment_summary.yaml: every file the template
    writes) is a link or not a regular file inside the experiment (docs/security.md)."""
    for rel in rendered_files(ctx.template or own_template_dir(), ctx.answers_file):
        problem = write_problem(ctx.dst / rel, ctx.dst)
        if problem:
            raise UnsafeTarget(problem)


def _open_log(ctx: Context) -> DesignLog:
    _unsafe_target(ctx)
    log = DesignLog(ctx.dst / LOG_RELPATH, ctx.dst)
    problem = log.writable_problem()
    if problem:
        raise LogNotWritable(problem)
    ctx.log = log
    ctx.step = "logging the answers"
    return log


def after_update(ctx: Context) -> int:
    dst = ctx.dst
    log = _open_log(ctx)
    if not log.existed:
        # Deleted (or emptied) since the last commit: say so, so nobody reads this log as the
        # whole history of the design.
        log.add("CREATE_LOG", "Log started fresh during copier update: the earlier log was missing",
                {"Path": str(LOG_RELPATH)}, "warning",
                f"LogMissing - {LOG_RELPATH} was missing; its earlier history is in git"
                f" (`git log -p -- {LOG_RELPATH}`)", at=ctx.started)
    old = old_answers(dst, ctx.answers_file)
    new = ctx.answers
    changed = {
        k: (old.get(k), new.get(k))
        for k in user_answers({**old, **new}, ctx.order)
        if answer_value(k, old.get(k)) != answer_value(k, new.get(k))
    }
    # README.md's plan is generated: regenerated from the merged design, its conflicts with it
    regenerated = regenerate_after_update(dst)
    if regenerated:
        mark_resolved(dst, "README.md")
    conflicted = conflicts(dst)
    if not changed and not conflicted and not regenerated:
        return _unchanged(log, ctx, old)
    problem = _update_entry(log, ctx, old, changed, conflicted, regenerated)
    # Conflicts first: a half-merged design is not re-measured into (hooks/README.md).
    refreshed = refresh.Refresh() if conflicted else refresh.refresh_after_update(dst, log)
    design, load_error = load_design(dst / SUMMARY_FILE)
    plan = plan_from(design, ctx.typed, dst)
    ctx.step = VERIFY_STEP
    found, evaluations = _verify_all(log, plan, set(changed))
    ctx.step = "finishing the log"
    _create_yaml(log, dst, plan, evaluations, load_error, "experiment_summary.yaml updated by copier's 3-way merge")
    ctx.step = SCAFFOLD_STEP
    # A half-merged design (conflict markers) is not scaffolded: ck-scaffold-sync does it at the commit.
    jobs_ = scaffold_jobs(log, dst, ctx.typed.scaffold and not conflicted)
    ctx.step = "finishing the log"
    verdict = VERDICTS[_complete(log, ctx, found, problem)][1]
    lines = [f"  answers changed: {len(changed)}"]
    lines += [f"    {k}: {json_value(a, k)} -> {json_value(b, k)}" for k, (a, b) in changed.items()]
    lines += vanished_variables(Answers.read(old).variables, ctx.typed.variables)
    if moved := source_change(dst, ctx.answers_file, ctx.answers):
        lines.append(f"  warning: {moved}")
    lines += refreshed.summary()
    lines += [f"  {regenerated}"] if regenerated else []
    lines.append(f"  plan: {verify.runs_text(plan)}, {evaluations} evaluations; log: {log.entries} entries appended to {LOG_RELPATH}")
    if found.prerequisites:
        lines.append(f"  prerequisites ({len(found.prerequisites)}):")
        lines += [f"    - {p}" for p in found.prerequisites]
    lines += [f"  note: {n}" for n in found.notes]
    lines += jobs_.lines + jobs_.next
    add = " ".join(shlex.quote(f) for f in ctx.written())
    lines.append(f"  next: review `git diff`, then `git add -- {add} && git commit` (pre-commit validates the design)")
    _print_summary(ctx, f"design updated in {dst}{verdict}", lines)
    if conflicted:
        _conflict_banner(conflicted)
    return 0


def _resume_command(args: argparse.Namespace) -> str | None:
    """The command that runs this hook again, when ck-design is installed beside copier (not
    only in the template's temporary clone, gone after copier exits)."""
    from .. import __file__ as package_file

    if args.template and Path(package_file).resolve().is_relative_to(Path(args.template).resolve()):
        return None
    stage = " --stage after" if args.operation == "update" else ""
    return f"{shlex.quote(sys.executable)} -m ck_design.post_copy.main --operation {args.operation}{stage} --resume"


def _log_not_writable(args: argparse.Namespace, dst: Path, reason: str) -> str:
    done = "updated" if args.operation == "update" else "rendered"
    resume = _resume_command(args)
    how = (f"then run `{resume}` in {dst} before committing (it writes this {args.operation}'s entries)"
           if resume else f"then re-run `copier {args.operation} --trust`")
    return (
        f"ck-design: the design was {done}, but {LOG_FILE} cannot be written ({reason}), so no entry was added"
        f" to it. Make it writable (`chmod u+w {LOG_FILE}`), {how}; or append the entries by hand"
        " (the format: docs/rules.md, \"design-experiment.log\")."
    )


def _log_failure(ctx: Context, exc: Exception) -> None:
    """A hook that failed after opening the log ends it with COMPLETE_DESIGN `failure`, so no
    reader of the log (nor `ck-validate --log`) takes the design for finished."""
    if ctx.log is None:
        return
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    elapsed = max(0.0, (datetime.now() - ctx.started).total_seconds())
    try:
        ctx.log.add("COMPLETE_DESIGN", "Design hook failed", {"Duration": speed.duration(elapsed), "Step": ctx.step}, "failure",
                    f"HookFailed - {type(exc).__name__} while {ctx.step}: {first}")
    except Exception:  # the log itself is what failed: the message on stderr says it all
        pass


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="post_copy.py", description="ck-design post-copy/post-update hook")
    p.add_argument("--operation", choices=("copy", "update"), required=True)
    p.add_argument("--stage", default="tasks", help="copier's phase: 'tasks' after copy, 'after' for the update migration")
    p.add_argument("--answers", default=None, help="the answers as one JSON object (copier's _copier_answers)")
    p.add_argument("--answers-file", default=ANSWERS_FILE)
    p.add_argument("--template", default=None, help="the template's local directory (for the question order)")
    p.add_argument("--dst", default=".", help="the destination (default: the working directory)")
    p.add_argument("--resume", action="store_true", help="run again after an interruption (Ctrl-C) or an unwritable log")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = parse_args(argv)
    if args.operation == "update" and args.stage != "after":
        # copier runs _tasks three times during an update (old render, destination, new render):
        # the work happens once, in the "after" migration, in the destination, after the merge.
        return 0
    dst = Path(args.dst).resolve()
    answers = answers_from(args.answers, dst / args.answers_file)
    started = process_start(os.getppid()) or datetime.now()
    ctx = Context(dst, answers, question_order(args.template), out or sys.stdout, args.answers_file, started,
                  args.template, resume=args.resume)
    # A step that failed is never reported as success (docs/security.md). After an update the
    # exit status says so (copier update then exits non-zero; the merged files stay). After a
    # copy it cannot: copier deletes a fresh copy whose task fails, and with it every answer of
    # the session, so the message and copier's closing words (wizard/render.py) say it instead.
    failed = 1 if args.operation == "update" else 0
    try:
        return after_copy(ctx) if args.operation == "copy" else after_update(ctx)
    except LogNotWritable as exc:
        print(wrap(_log_not_writable(args, dst, str(exc))), file=sys.stderr)
        return failed
    except UnsafeTarget as exc:
        done = "updated" if args.operation == "update" else "rendered"
        print(wrap(f"ck-design: the design was {done}, but the post-{args.operation} hook wrote nothing: {exc}"),
              file=sys.stderr)
        return failed
    except KeyboardInterrupt:
        print(wrap(record_interrupt(ctx, args.operation, _resume_command(args))), file=sys.stderr)
        return 130 if failed else 0
    except Exception as exc:
        _log_failure(ctx, exc)
        print(wrap(
            f"ck-design: the post-{args.operation} hook failed: {type(exc).__name__}: {exc}\n"
            f"The rendered files are untouched. Please report this with the log in {LOG_FILE}."),
            file=sys.stderr,
        )
        return failed


if __name__ == "__main__":
    sys.exit(main())
