"""`ck-scaffold`: from a validated experiment_summary.yaml to the per-job files cruijff_kit renders.

    ck-scaffold [EXPERIMENT_DIR]          write the job files (default: the current folder)
    ck-scaffold --check [EXPERIMENT_DIR]  write nothing; exit 1 listing what is stale (for CI)
    ck-scaffold --diff [EXPERIMENT_DIR]   write nothing; print what would change as a unified diff
    ck-scaffold --sync [EXPERIMENT_DIR]   the commit hook ck-scaffold-sync: rewrite what is stale, exit 1
                                          when something changed (the commit stops for review)
    ck-scaffold --render [--python PATH] [EXPERIMENT_DIR]
                                          also run cruijff_kit's setup_finetune / setup_inspect in
                                          each job folder (the SLURM scripts submit.sh submits)

For the design's era (spec/era.py) it writes every fine-tuned run's `{run}/setup_finetune.yaml`
and one evaluation config per matrix cell, laid out as docs/scaffold.md says, and submit.sh. The design is
validated first: with an error nothing is written. Exit status: 0 written (or up to date),
1 errors in the design, a file in the way, or (--check, --diff) something stale; 2 usage error or
an unreadable design; 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Any, NoReturn

from ..spec import era as eras
from ..spec.naming import SUMMARY_FILE
from ..terminal import escape_unencodable_output

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "ck-scaffold"


def _parser() -> argparse.ArgumentParser:
    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    p = _Parser(prog=PROG, description="Write the SLURM job inputs (setup_finetune.yaml, evaluation configs) of a validated design.",
                epilog="Exit status: 0 written or up to date, 1 design errors / a file in the way / stale (--check, --diff), 2 usage, 130 interrupted.")
    p.add_argument("directory", nargs="?", default=".", metavar="EXPERIMENT_DIR",
                   help=f"the folder holding {SUMMARY_FILE} (default: the current folder)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 listing the files that are stale")
    mode.add_argument("--diff", action="store_true", help="write nothing; print the changes as a unified diff (exit 1 when there are some)")
    mode.add_argument("--sync", action="store_true",
                      help="the commit hook's mode (ck-scaffold-sync): rewrite what is stale and exit 1 when something "
                      "changed, so the commit stops for review; a design with errors, or `scaffold: false` in "
                      ".copier-answers.yml, is left alone (exit 0)")
    mode.add_argument("--render", action="store_true",
                      help="then run cruijff_kit's setup_finetune and setup_inspect in each job folder (the SLURM scripts)")
    p.add_argument("--python", metavar="PATH", help="with --render: the Python that has cruijff_kit "
                   "(default: this one if it has it, else the conda environment claude.local.md names)")
    return p


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_lines(data: Any, sc: Any, ch: Any, root: Path) -> list[str]:
    from ..spec.jobs import jobs

    j = jobs(data)
    hours = j.gpu_hours
    gpu = (f"{hours['total']:.1f} GPU-hours (training {hours['training']:.1f}, evaluation {hours['evaluation']:.1f})"
           if hours["total"] else "GPU-hours unknown (the design has no compute estimates)")
    lines = [
        f"{PROG}: {sc.era}-era design: {_plural(j.training_jobs, 'training job')}, {_plural(j.evaluation_jobs, 'evaluation job')}, {gpu}",
        f"{PROG}: {root}: {len(ch.of('write'))} written, {len(ch.of('update'))} updated, {len(ch.of('remove'))} removed, {len(ch.of('unchanged'))} unchanged",
    ]
    if sc.pending:
        lines.append(f"{PROG}: {_plural(len(sc.pending), 'evaluation')} at the best validation loss not written: "
                     "that checkpoint is chosen after training (give the matrix entry its epochs to scaffold them)")
    return lines


def next_step(sc: Any, root: Path, rendered: bool) -> str:
    """The command to run next: render, then submit (0.3: upstream's own submitters, which stagger,
    cap the queue and resume; or submit.sh to queue everything at once)."""
    from shlex import quote

    from . import keys

    where = "" if str(root) == "." else " " + quote(str(root))
    if not rendered:
        return f"next: {PROG} --render{where}   (cruijff_kit's setup_finetune and setup_inspect write the SLURM scripts)"
    submit_sh = quote(str(root / keys.SUBMIT))
    if sc.era == eras.V03:
        exp = quote(str(root.resolve()))
        return (f"next: python -m cruijff_kit.tools.run.submit_torchtune {exp}, then python -m cruijff_kit.tools.run.submit_inspect {exp}"
                f"; or sh {submit_sh} to queue every job at once, evaluations after their training")
    return f"next: sh {submit_sh}   (queues every job: evaluations after their training, controls at once)"


def _render(args: Any, root: Path, sc: Any, files: dict[str, bytes], entries: dict[str, Any]) -> int:
    """--render after the files are written: exit 0 rendered (or no cruijff_kit: said, the YAML
    stays written), 1 when a job failed (each named)."""
    from . import keys, render, writer

    site = sc.design.site
    try:
        python = render.find_python(args.python, site.get("conda_env"))
    except render.NoCruijffKit as exc:
        where = "" if str(root) == "." else " " + str(root)
        print(f"{PROG}: {exc}: the SLURM scripts are not rendered (the job files are written). "
              f"To render them: {render.INSTALL}, then run: {PROG} --render{where}", file=sys.stderr)
        return EXIT_OK
    before = writer.Manifest(entries, site.values)
    outcomes, already = render.render(python, root, sc, files, entries)
    writer.save_manifest(root, keys.MANIFEST, entries, before, site=dict(site.values))
    failed = [o for o in outcomes if o.error]
    for o in failed:
        print(f"{PROG}: {o.job.label}: {o.error}", file=sys.stderr)
    print(f"{PROG}: rendered {len(outcomes) - len(failed)} of {len(outcomes) + already} jobs with {python}"
          f" ({already} already rendered{f', {len(failed)} failed' if failed else ''})")
    if failed:
        print(f"{PROG}: {_plural(len(failed), 'job')} not rendered: fix what is said above and rerun {PROG} --render", file=sys.stderr)
        return EXIT_ERRORS
    print(next_step(sc, root, True))
    return EXIT_OK


def _record(p: Any, entries: dict[str, Any], by: str) -> None:
    """The scaffold's SCAFFOLD_JOBS entry in the design log when it changed files; a log that
    cannot take it is a warning (the job files are written, the exit status stays)."""
    from . import sync

    problem = sync.record_in_design_log(p, entries, by)
    if problem:
        print(f"{PROG}: warning: {problem}: this scaffold is not recorded in the design log", file=sys.stderr)


def _sync(root: Path) -> int:
    """--sync: what the ck-scaffold-sync commit hook runs (module docstring)."""
    from . import sync, writer

    if not sync.wanted(root):
        return EXIT_OK
    try:
        p = sync.prepare(root)
        if p.changes.stale:
            _record(p, sync.write(p), f"{PROG} --sync (the commit hook ck-scaffold-sync)")
    except sync.Refused as exc:
        if exc.design_errors:  # the ck-validate hook reports them
            print(f"{PROG}: {root / SUMMARY_FILE} has errors (see ck-validate): the job files are left as they are", file=sys.stderr)
            return EXIT_OK
        print("\n".join(exc.lines), file=sys.stderr)
        return exc.status
    except writer.ScaffoldError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if not p.changes.stale:
        return EXIT_OK
    stale = p.changes.stale
    print(f"{PROG}: rewrote {_plural(len(stale), 'job file')} from {SUMMARY_FILE} ({sync.file_kinds(stale)}); "
          f"review them and `git add` them (git status lists them)", file=sys.stderr)
    return EXIT_ERRORS


def run(argv: list[str] | None = None) -> int:
    from . import sync, writer

    parser = _parser()
    args = parser.parse_args(argv)
    if args.python and not args.render:
        parser.error("--python names the Python for --render; add --render")
    root = Path(args.directory)
    if args.sync:
        return _sync(root)
    try:
        p = sync.prepare(root)
    except sync.Refused as exc:
        sys.stdout.write(exc.stdout)
        print("\n".join(exc.lines), file=sys.stderr)
        return exc.status
    ch, files = p.changes, p.files
    if args.check:
        for rel in ch.stale:
            print(f"{root / rel}: stale ({ch.actions[rel]})")
        print(f"{PROG}: {_plural(len(ch.stale), 'file')} stale; run {PROG}" if ch.stale else f"{PROG}: up to date", file=sys.stderr)
        return EXIT_ERRORS if ch.stale else EXIT_OK
    if args.diff:
        sys.stdout.write(writer.diff(root, files, ch))
        return EXIT_ERRORS if ch.stale else EXIT_OK
    try:
        entries = sync.write(p)
    except writer.ScaffoldError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    _record(p, entries, PROG)
    print("\n".join(summary_lines(p.data, p.scaffold, ch, root)))
    if args.render:
        try:
            return _render(args, root, p.scaffold, files, entries)
        except writer.ScaffoldError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return EXIT_ERRORS
    print(next_step(p.scaffold, root, False))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    # A short-lived process building tens of thousands of small acyclic objects (one dict per
    # job file): the cyclic GC would only rescan them, as in ck-validate.
    gc.disable()
    escape_unencodable_output()
    try:
        return run(argv)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted (each file is written whole or not at all)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

