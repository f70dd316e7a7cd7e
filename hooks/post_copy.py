"""ck-design's copier task: run after `copier copy` and (as a migration) after `copier update`.

A thin wrapper: the logic lives in `ck_design.post_copy.main` (unit-tested). copier runs this file with its
own interpreter (`_copier_python`), as an argument list, never through a shell; the answers
arrive as one JSON argument. See hooks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path


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
                "(`pip install ck-design` in copier's environment, or `uv tool install copier --with ck-design`); "
                "the rendered files are untouched.",
                file=sys.stderr,
            )
            return None
    return main


if __name__ == "__main__":
    entry = _import_hook()
    sys.exit(0 if entry is None else entry(sys.argv[1:]))
