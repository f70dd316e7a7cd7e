"""ck-design's copier task: run after `copier copy` and (as a migration) after `copier update`.

A thin wrapper: the logic lives in `ck_design.post_copy.main` (unit-tested). copier runs this file with its
own interpreter (`_copier_python`), as an argument list, never through a shell; the answers
arrive as one JSON argument. See hooks/README.md.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path


def _take_back_copier_task_line() -> None:
    """copier prints ` > Running task 1 of 1: [<interpreter>, <this file>, <arguments>]` before
    it runs this hook, and copier 9.x has no setting that lets a template silence it (only the
    user's `--quiet`, which also silences the wizard's messages). On a terminal, erase that line
    (its rows at the terminal's width: the argument list is exactly sys.orig_argv), so the last
    lines a person reads say what happened; in a log (not a terminal) it stays. See
    docs/wizard.md ("At the terminal")."""
    err = sys.stderr
    if not err.isatty() or os.environ.get("TERM", "dumb") == "dumb":
        return
    try:
        cols = os.get_terminal_size(err.fileno()).columns
    except OSError:
        return
    line = f" > Running task 1 of 1: {list(sys.orig_argv)}"
    rows = max(1, math.ceil(len(line) / max(cols, 1)))
    # CPL (cursor to the start of the line `rows` up), then ED (erase to the end of the screen)
    err.write(f"\x1b[{rows}F\x1b[J")
    err.flush()


def _import_hook():
    try:
        from ck_design.post_copy.main import main
    except ImportError:
        # ck-design not installed beside copier: use the template's own copy of the package.
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "validators"))
        try:
            from ck_design.post_copy.main import main
        except ImportError as exc:
            print(
                f"ck-design: the post-copy hook cannot run ({exc}). Install ck-design beside copier "
                "from its repository (`pip install /path/to/ck-design`, a clone, in copier's environment, or "
                "`uv tool install copier --with /path/to/ck-design`; never by bare name from a package index); "
                "the rendered files are untouched.",
                file=sys.stderr,
            )
            return None
    return main


if __name__ == "__main__":
    try:
        _take_back_copier_task_line()
        entry = _import_hook()
        sys.exit(0 if entry is None else entry(sys.argv[1:]))
    except KeyboardInterrupt:
        # Ctrl-C before the hook opened the log (after that, main() records it): nothing written.
        print("\nck-design: interrupted (Ctrl-C) before the hook started: the design log was not written.",
              file=sys.stderr)
        sys.exit(0)
