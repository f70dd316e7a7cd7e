"""ck-migrate: rewrite a seed-era experiment_summary.yaml as a cruijff_kit 0.3 one, in place.

    ck-migrate [--project NAME] [--diff] FILE

Renames what 0.3 renamed, drops what it dropped (saying what and why), adds experiment.project
(from --project, or from the path when the file sits under {scratch}/ck-projects/{project}/),
keeping comments and layout (ruamel.yaml, as `ck-validate --fix` does). The result is validated
first: a result with errors is not written. Migration is a decision, so no hook runs it.

Exit status: 0 written (or nothing to change), 1 the result would have errors or the file cannot
be migrated as it is (nothing written), 2 usage error or unreadable file, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from ..terminal import escape_unencodable_output

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "ck-migrate"


def _parser():  # type: ignore[no-untyped-def]
    import argparse

    from .. import __version__

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    p = _Parser(
        prog=PROG,
        description="Rewrite a seed-era experiment_summary.yaml as a cruijff_kit 0.3 design, in place, keeping comments.",
        epilog="Exit status: 0 written (or already 0.3), 1 the result would have errors (nothing written), "
        "2 usage error or unreadable file.",
    )
    p.add_argument("file", metavar="FILE", help="the design to migrate (experiment_summary.yaml)")
    p.add_argument("--project", metavar="NAME",
                   help="experiment.project, the folder under {scratch}/ck-projects/ (default: read from the file's path)")
    p.add_argument("--diff", action="store_true", help="print the change as a unified diff; write nothing")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _say(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ..facts.loader import LoadError, NotText, loads
    from ..validate import report
    from ..validate.cli import _unreadable
    from ..validate.engine import check
    from ..facts.files import ChangedSinceRead, UnsafeTarget
    from ..validate.fixes.run import FixResult, _decode, _read, write_atomically
    from .apply import CannotRewrite, migrate_text
    from ..spec.migration import MigrationError, NeedsProject, plan

    path = args.file
    try:
        raw = _read(path)  # as --fix reads: a regular file, at most a design's size
        text, bom = _decode(raw, path)
        doc = loads(text, path)
    except OSError as exc:
        _say(_unreadable(path, exc))
        return EXIT_USAGE
    except NotText as exc:
        _say(f"{path}: could not be read: {exc}")
        return EXIT_USAGE
    except LoadError as exc:
        _say(f"{path}:{exc.line}:{exc.column}: {exc.code}: {exc.message} (fix it first; nothing written)")
        return EXIT_ERRORS
    folder = os.path.dirname(os.path.abspath(path))
    try:
        steps = plan(doc.data, project=args.project, folder=folder)
    except MigrationError as exc:
        _say(f"{path}: {exc}; nothing written")
        return EXIT_USAGE if isinstance(exc, NeedsProject) else EXIT_ERRORS
    if not steps:
        from ..spec import era

        already = era.detect(doc.data) == era.V03
        _say(f"{path} is already a 0.3 design: nothing to change" if already
             else f"{path} has no seed-era key to migrate: nothing to change (`ck-validate {path}` says what it holds)")
        return EXIT_OK
    try:
        new_text = migrate_text(text, steps)
    except CannotRewrite as exc:
        _say(f"{path}: cannot rewrite it without reformatting the file ({exc}); nothing written")
        return EXIT_ERRORS
    findings = check(loads(new_text, path))
    errors = [f for f in findings if f.severity == "error"]
    if args.diff:
        sys.stdout.write(FixResult(path, text, new_text, findings).diff())
    for step in steps:
        print(f"  {step.describe()}", file=sys.stderr)
    if errors:
        sys.stdout.write(report.format_text(errors))
        n = len(errors)
        _say(f"{path}: the migrated design would have {n} error{'s' if n != 1 else ''} (above); nothing written")
        return EXIT_ERRORS
    if args.diff:
        _say(f"{path}: {len(steps)} changes previewed; nothing written (run without --diff to write them)")
        return EXIT_OK
    try:
        write_atomically(path, new_text, bom, expect=raw)
    except (UnsafeTarget, ChangedSinceRead) as exc:
        _say(f"{exc}; nothing written")
        return EXIT_ERRORS
    except OSError as exc:
        _say(f"{path}: cannot be written ({exc.strerror or exc}); nothing written")
        return EXIT_ERRORS
    warnings = len(findings)
    _say(f"wrote {path}: seed era -> 0.3 ({len(steps)} changes)"
         + (f"; `ck-validate {path}` shows its {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    escape_unencodable_output()
    try:
        return run(argv)
    except KeyboardInterrupt:
        _say("interrupted; nothing written")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
