"""`ck-plan`: keep the plan in README.md true to experiment_summary.yaml after hand edits.

    ck-plan [--check] [--exit-non-zero-on-fix] [DIR]        default: the current directory
    ck-plan --compare REF [--format markdown|json] [DIR]

Regenerates the text between the plan markers of DIR/README.md from DIR/experiment_summary.yaml
(`markdown.plan_sections`, the same code the template renders it with). Exit 0 when the plan
was up to date or was rewritten; with --exit-non-zero-on-fix (what the rendered pre-commit hook
ck-plan-sync passes) 1 when it was rewritten, so the commit stops and the new README.md can be
reviewed and added; with --check, 1 when it would be rewritten; 2 when README.md is not a
regular file (a FIFO, a link: it is never followed) or cannot be written. A design ck-validate
rejects leaves the README alone (exit 0): the ck-validate hook reports it.

With --compare REF it changes nothing and prints what the working design changes against the
design at git ref REF (plan/compare.py): exit 0, or 2 when REF is not a commit or the design
cannot be read.

After `copier update`, the hook calls `regenerate_after_update`: the plan is generated text, so
its lines never reach the person as merge conflicts; they are regenerated from the merged design.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
from pathlib import Path

from ..facts.files import NotRegularFile, UnsafeTarget, read_text_file, write_regular_file
from ..terminal import escape_unencodable_output
from .markdown import PLAN_BEGIN, PLAN_END, plan_sections

SUMMARY = "experiment_summary.yaml"
README = "README.md"


def _design(path: Path) -> dict | None:
    """The loaded design, or None when it does not load or ck-validate finds errors in it."""
    from ..facts.loader import LoadError, NotText, load_file
    from ..validate.engine import check

    try:
        doc = load_file(path)
    except (OSError, LoadError, NotText):
        return None
    if any(f.severity == "error" for f in check(doc)):
        return None
    return doc.data


def _plan_span(readme: str) -> tuple[int, int] | None:
    """[start, end) of the marked plan: from the line that is exactly PLAN_BEGIN to the first
    line after it that is exactly PLAN_END. Whole lines, not substrings: every value in the plan
    is escaped (md_text) or inside a code span (md_code, one line opening with a backtick), so
    no answer can make a line that is a marker (`wandb_project: x<!-- ck-plan: end -->y` once
    ended the plan early, and the README grew by the rest at every run)."""
    pos, start = 0, None
    for line in readme.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if start is None and bare == PLAN_BEGIN:
            start = pos
        elif start is not None and bare == PLAN_END:
            return start, pos + len(bare)
        pos += len(line)
    return None


def _outer_markers(readme: str) -> tuple[int, int]:
    """Offsets of the first line that is exactly PLAN_BEGIN and of the last line that is exactly
    PLAN_END (-1 when missing): whole lines, so a value holding a marker's text is no marker."""
    start = end = -1
    pos = 0
    for line in readme.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare == PLAN_BEGIN and start < 0:
            start = pos
        elif bare == PLAN_END:
            end = pos
        pos += len(line)
    return start, end


def replace_plan(readme: str, plan: str) -> str | None:
    """`readme` with its marked plan replaced by `plan`; None when the markers are missing."""
    span = _plan_span(readme)
    if span is None:
        return None
    return readme[:span[0]] + plan + readme[span[1]:]


# copier's inline conflict markers (git merge-file's): a line starting with 7 of them.
_OPEN = re.compile(r"^<<<<<<<(?: |$)", re.M)
_CLOSE = re.compile(r"^>>>>>>>(?: |$)", re.M)


def regenerate_after_update(directory: Path) -> str:
    """README.md's plan regenerated from the merged design after `copier update`, conflicts in
    it included: what was done, in one line ('' when nothing changed or it cannot be done: no
    markers, a design that does not load or has errors - then its own conflicts are reported).

    The region runs from the first begin marker to the last end marker, so a conflict that
    repeats a marker on both of its sides is inside it; a conflict that crosses the region's
    edge (an opening marker without its close inside) is left for the person."""
    readme_path = directory / README
    try:
        readme = read_text_file(readme_path)
    except (OSError, ValueError):  # missing, not a regular file, not UTF-8: left to the person
        return ""
    start, end = _outer_markers(readme)
    if start < 0 or end < start:
        return ""
    region = readme[start:end]
    opened, closed = len(_OPEN.findall(region)), len(_CLOSE.findall(region))
    if opened != closed:
        return ""
    design = _design(directory / SUMMARY)
    if design is None:
        return ""
    new = readme[:start] + plan_sections(design) + readme[end + len(PLAN_END):]
    if new == readme:
        return ""
    try:
        write_regular_file(readme_path, new, directory)
    except OSError:
        return ""
    if opened:
        return (f"{README}: the plan's merge conflicts ({opened}) resolved: it is generated text, "
                f"regenerated from the merged {SUMMARY}")
    return f"{README}: the plan regenerated from the merged {SUMMARY}"


def sync(directory: Path, *, check_only: bool = False, exit_on_fix: bool = False) -> tuple[int, str]:
    """(exit status, one-line message or '')."""
    readme_path = directory / README
    try:
        readme = read_text_file(readme_path)
    except FileNotFoundError:
        return 0, f"ck-plan: no readable {readme_path}: nothing to regenerate"
    except NotRegularFile as exc:
        return 2, f"ck-plan: {exc}"
    except (OSError, ValueError) as exc:
        return 2, f"ck-plan: {readme_path}: cannot be read ({str(exc).splitlines()[0]}): nothing regenerated"
    design = _design(directory / SUMMARY)
    if design is None:
        return 0, f"ck-plan: {directory / SUMMARY} has errors or cannot be read (see ck-validate): the plan is left as it is"
    new = replace_plan(readme, plan_sections(design))
    if new is None:
        return 0, f"ck-plan: {readme_path} has no plan markers (rendered before ck-plan existed; `copier update` adds them)"
    if new == readme:
        return 0, ""
    if check_only:
        return 1, f"ck-plan: the plan in {readme_path} is out of date with {SUMMARY}; run ck-plan"
    try:
        write_regular_file(readme_path, new, directory)
    except OSError as exc:
        return 2, f"ck-plan: {exc}" if isinstance(exc, UnsafeTarget) else f"ck-plan: {readme_path}: {exc.strerror or exc}: nothing written"
    return int(exit_on_fix), f"ck-plan: regenerated the plan in {readme_path} from {SUMMARY}; review it and `git add {README}`"


def main(argv: list[str] | None = None) -> int:
    escape_unencodable_output()
    parser = argparse.ArgumentParser(prog="ck-plan", description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=".", type=Path, help="the experiment directory (default: .)")
    parser.add_argument("--check", action="store_true", help="only report (exit 1) when the plan is out of date")
    parser.add_argument("--compare", metavar="REF", help="print what the design changes against the design at git ref REF")
    parser.add_argument("--format", choices=("markdown", "json"), default=None, help="with --compare: markdown (default) or json")
    parser.add_argument("--exit-non-zero-on-fix", action="store_true",
                        help="exit 1 after rewriting the plan (the pre-commit hook: the commit stops for review)")
    args = parser.parse_args(argv)
    if args.compare is not None:
        if args.check:
            parser.error("--check and --compare do different things: give one")
        return _compare(args.directory, args.compare, args.format or "markdown")
    if args.format is not None:
        parser.error("--format goes with --compare REF")
    status, message = sync(args.directory, check_only=args.check, exit_on_fix=args.exit_non_zero_on_fix)
    if message:
        print(message, file=sys.stderr)
    return status


def _compare(directory: Path, ref: str, fmt: str) -> int:
    from ..facts.gitref import BadRef
    from .compare import run_compare

    # A short-lived process building two large acyclic trees (as ck-validate): the cyclic GC
    # would only rescan them.
    gc.disable()
    try:
        report = run_compare(directory, ref, fmt)
    except BadRef as exc:
        print(f"ck-plan: --compare: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ck-plan: --compare: cannot read {directory / SUMMARY}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
