"""`ck-validate`: validate experiment_summary.yaml files (or design-experiment.log files).

    ck-validate [PATH ...]                  default: ./experiment_summary.yaml
    ck-validate --log [PATH ...]            default: ./logs/design-experiment.log
    ck-validate --fix [PATH ...]            apply the safe fixes (marked [*]), then report what is left
    ck-validate --diff [PATH ...]           print those fixes as a unified diff; write nothing

Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 usage error or a file
that cannot be read (missing, a directory, a FIFO or device, no permission), 130 interrupted
(Ctrl-C). The status never depends on whether stdout is still open. Findings go to stdout (text or a
JSON array); the one-line summary and any reason a file could not be read go to stderr, so
`--format json` output stays machine-readable. `--diff` exits 1 when there is something
to fix, 0 when not (as `ruff --diff` does); the diff goes to stdout.

Files whose name ends in `.log` are validated as logs even without `--log`, so one
`ck-validate` call can take both kinds (e.g. from pre-commit).
"""

from __future__ import annotations

import gc
import os
import re
import sys
from dataclasses import replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, NoReturn

from .. import __version__
from ..terminal import escape_unencodable_output
from .findings import Finding

if TYPE_CHECKING:
    import argparse

    from ..facts.loader import Document
    from .fixes.run import FixResult

DEFAULT_SUMMARY = "experiment_summary.yaml"
DEFAULT_LOG = "logs/design-experiment.log"
CODE_RE = re.compile(r"^CK\d{3}$")

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# What the options are when none is given (pre-commit's `ck-validate FILE ...`).
DEFAULTS = {"paths": [], "format": "text", "check_resources": False, "strict": False, "ignore": [], "log": False,
            "explain": None, "fix": False, "diff": False}


def _parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # argparse prints the whole usage block; one line is easier to read in a hook's output.
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    p = _Parser(
        prog="ck-validate",
        description="Validate experiment_summary.yaml designs and design-experiment.log audit logs.",
        epilog="`ck-validate --explain CODE` prints what a finding code means, why it matters and the fix. "
        "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file, 130 interrupted.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"files to validate (default: ./{DEFAULT_SUMMARY}, or ./{DEFAULT_LOG} with --log)")
    p.add_argument("--format", choices=("text", "json"), default=DEFAULTS["format"], help="output format (default: text)")
    p.add_argument("--check-resources", action="store_true",
                   help="also check that model, dataset and task script paths exist and split counts match")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--ignore", action="append", default=[], metavar="CODE[,CODE]",
                   help="skip these finding codes (repeatable), e.g. --ignore CK221,CK233")
    p.add_argument("--log", action="store_true", help="the paths are design-experiment.log files (implied for names ending in .log)")
    p.add_argument("--explain", metavar="CODE", help="print the documentation of one finding code (e.g. CK210) and exit")
    p.add_argument("--fix", action="store_true",
                   help="apply the safe fixes (findings marked [*]) in place, keeping comments and layout; report what is left")
    p.add_argument("--diff", action="store_true",
                   help="print the safe fixes as a unified diff without writing; exit 1 when there is something to fix")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.set_defaults(**{k: v for k, v in DEFAULTS.items() if k != "paths"})
    return p


def _arguments(argv: list[str] | None) -> tuple[SimpleNamespace | argparse.Namespace, argparse.ArgumentParser | None]:
    """The options, as argparse parses them. With no option at all (every argument a path, the
    way pre-commit calls it), argparse would only collect the paths: then it is not even loaded
    (with its help formatter it costs a tenth of a typical run)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not any(a.startswith("-") for a in args):
        return SimpleNamespace(**{**DEFAULTS, "paths": args}), None
    parser = _parser()
    return parser.parse_args(args), parser


def _known_codes() -> set[str]:
    """Every public code (design and log rules)."""
    from .registry import RULES

    return set(RULES)


def _parse_ignore(values: list[str], parser: argparse.ArgumentParser) -> set[str]:
    codes = {c.strip().upper() for v in values for c in v.split(",") if c.strip()}
    malformed = sorted(c for c in codes if not CODE_RE.match(c))
    if malformed:
        parser.error(f"--ignore: {', '.join(malformed)} is not a code like CK210")
    if codes:
        unknown = sorted(codes - _known_codes())
        if unknown:
            parser.error(f"--ignore: unknown code {', '.join(unknown)}; `ck-validate --explain CODE` describes a code")
    return codes


def _unreadable(path: str, exc: OSError) -> str:
    from ..facts.files import NotRegularFile

    if isinstance(exc, NotRegularFile):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError) or os.path.isdir(path):
        return f"{path}: is a directory, not a file"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    return f"{path}: cannot read: {exc.strerror or exc}"


class _Unreadable(Exception):
    """The file itself cannot be read (exit 2). An OSError anywhere else is a bug, not this."""


class _NotWritten(Exception):
    """--fix could not write its fixes (said on stderr): the file is validated as it is, exit >= 1."""


def _validate_summary(path: str, check_resources: bool) -> list[Finding]:
    from ..facts.loader import LoadError, NotText, load_file

    try:
        doc = load_file(path)
    except OSError as exc:
        raise _Unreadable(_unreadable(path, exc)) from None
    except NotText as exc:
        raise _Unreadable(f"{path}: could not be read: {exc}") from None
    except LoadError as exc:
        return [Finding(path, exc.line, exc.column, exc.code, "error", exc.message, exc.hint)]
    from .fixes.fixers import mark_fixable

    return mark_fixable(doc, _check_doc(doc, path, check_resources))


def _check_doc(doc: Document, path: str, check_resources: bool) -> list[Finding]:
    # Imported only for a file that parsed: a broken file never needs the rules.
    from .engine import check

    base_dir = None
    if check_resources:
        from pathlib import Path

        base_dir = Path(path).parent
    return list(check(doc, check_resources=check_resources, base_dir=base_dir))


def _fix_summary(path: str, check_resources: bool, write: bool, ignore: set[str]) -> tuple[list[Finding], FixResult | None]:
    """--fix / --diff on one design: its remaining findings and the FixResult (None: did not parse)."""
    from ..facts.loader import LoadError
    from .fixes.run import NotWritten, describe, fix_file

    try:
        result = fix_file(path, lambda doc: _check_doc(doc, path, check_resources), write=write, ignore=ignore)
    except OSError as exc:
        raise _Unreadable(_unreadable(path, exc)) from None
    except NotWritten as exc:
        # Validated, fixed in memory, not written: say so, then report the file as it is.
        print(f"ck-validate: not fixed: {exc}", file=sys.stderr)
        raise _NotWritten() from None
    except LoadError as exc:
        print(f"ck-validate: {path}: not fixed: it does not parse", file=sys.stderr)
        return [Finding(path, exc.line, exc.column, exc.code, "error", exc.message, exc.hint)], None
    if result.fixed:
        print(f"ck-validate: {path}: {'fixed' if write else 'would fix'} {describe(result)}", file=sys.stderr)
    if result.refused:
        print(f"ck-validate: {path}: not fixed: {result.refused}", file=sys.stderr)
    return result.remaining, result


def _validate_log(path: str) -> list[Finding]:
    from .rules.log import check_log_file

    try:
        return check_log_file(path)
    except OSError as exc:
        raise _Unreadable(_unreadable(path, exc)) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "(no message)"


def _is_log(path: str, log_flag: bool) -> bool:
    return log_flag or path.endswith(".log")


def _internal_error(path: str, exc: Exception) -> str:
    """One line for a bug in a rule: it must not look like a clean file, nor print a traceback."""
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    return (
        f"ck-validate: {path}: internal error {type(exc).__name__}: {_first_line(exc)}{where}"
        " (a bug in ck-validate; please report it)"
    )


def _validate(path: str, args: SimpleNamespace | argparse.Namespace, ignore: set[str], diffs: list[str],
              not_written: list[str]) -> list[Finding] | None:
    """The findings of one file (after --fix, what is left); None (said on stderr) when it could
    not be checked. With --diff, the file's diff is appended to `diffs`."""
    try:
        if os.path.isdir(path):
            raise _Unreadable(f"{path}: is a directory, not a file")
        if _is_log(path, args.log):
            return _validate_log(path)
        if not (args.fix or args.diff):
            return _validate_summary(path, args.check_resources)
        try:
            found, result = _fix_summary(path, args.check_resources, not args.diff, ignore)
        except _NotWritten:
            not_written.append(path)
            return _validate_summary(path, args.check_resources)
        if args.diff and result is not None and result.changed:
            diffs.append(result.diff())
        return found
    except _Unreadable as exc:
        print(f"ck-validate: {exc}", file=sys.stderr)
    except Exception as exc:  # a bug in a rule must not look like a clean file
        print(_internal_error(path, exc), file=sys.stderr)
    return None


def _explain(code: str) -> int:
    from .explain import explain, unknown_code

    text = explain(code)
    if text is None:
        print(f"ck-validate: --explain: {unknown_code(code)}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(text)
    return EXIT_OK


def run(argv: list[str] | None = None) -> int:
    args, parser = _arguments(argv)
    if getattr(args, "explain", None) is not None:
        return _explain(args.explain)
    ignore = _parse_ignore(args.ignore, parser) if args.ignore and parser else set()
    paths = args.paths or [DEFAULT_LOG if args.log else DEFAULT_SUMMARY]

    findings: list[Finding] = []
    diffs: list[str] = []
    not_written: list[str] = []  # --fix refused to write them: never a clean exit
    ignored = unreadable = 0
    for path in paths:
        found = _validate(path, args, ignore, diffs, not_written)
        if found is None:
            unreadable += 1
            continue
        for f in found:
            if f.code in ignore:
                ignored += 1
                continue
            if args.strict and f.severity == "warning":
                f = replace(f, severity="error")
            findings.append(f)

    from . import report

    if args.diff:
        try:
            sys.stdout.write("".join(diffs))
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        return EXIT_USAGE if unreadable else (EXIT_ERRORS if diffs else EXIT_OK)
    # The status is decided by the findings alone: a reader that closed stdout early
    # (`ck-validate | head -1`) must not turn a clean or warnings-only run into exit 1.
    exit_code = (EXIT_USAGE if unreadable
                 else EXIT_ERRORS if not_written or any(f.severity == "error" for f in findings) else EXIT_OK)
    out = report.format_json(findings) if args.format == "json" else report.format_text(findings)
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    try:
        print(report.summary(findings, len(paths) - unreadable, ignored, unreadable), file=sys.stderr)
        note = "" if args.fix else report.fixable_note(findings)
        if note:
            print(note, file=sys.stderr)
    except BrokenPipeError:
        pass
    return exit_code


def _silence_stdout() -> None:
    """The reader left: point stdout at /dev/null so the interpreter's flush at exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    # A short-lived process building one large acyclic tree: the cyclic GC would only rescan it.
    gc.disable()
    escape_unencodable_output()
    try:
        return run(argv)
    except KeyboardInterrupt:
        # 128 + SIGINT, as shells report an interrupted command (README "exit codes").
        try:
            print("ck-validate: interrupted", file=sys.stderr)
        except OSError:
            pass
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line instead of a traceback, but never silent
        print(f"ck-validate: internal error {type(exc).__name__}: {_first_line(exc)} (a bug in ck-validate; please report it)",
              file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
