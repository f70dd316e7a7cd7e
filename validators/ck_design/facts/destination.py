"""Which files this template writes into an experiment, and whether a destination can take them.

One list for two readers (docs/security.md): the wizard refuses a destination before anything
is written (a file the template would write already exists and the folder is not an experiment
of this template), and the post-copy hook stages and commits exactly these files, never the
user's others.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..spec.naming import FACTS_FILE, LOG_FILE
from .files import write_problem

TEMPLATE_SUBDIR = "template"
TEMPLATE_SUFFIX = ".jinja"
ANSWERS_PLACEHOLDER = "{{ _copier_conf.answers_file }}"
ANSWERS_FILE = ".copier-answers.yml"
LOG_RELPATH = LOG_FILE
FACTS_RELPATH = FACTS_FILE  # the hook's measurements (post_copy/refresh.py)


def own_template_dir() -> Path | None:
    """The template checkout this package sits in (validators/ck_design/ inside it), if any: the
    hook's fallback when copier did not pass --template (a direct call, the unit tests)."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / TEMPLATE_SUBDIR).is_dir() else None


def rendered_files(template_dir: str | os.PathLike[str] | None, answers_file: str = ANSWERS_FILE) -> list[str]:
    """Relative paths (POSIX) of every file the approved template renders, plus the design log.

    Read from the template's own tree, so a file added to template/ is covered without an edit
    here; conditional names (`{% if ... %}`) render to nothing when approved and are skipped.
    """
    out = {answers_file, LOG_RELPATH, FACTS_RELPATH}
    root = Path(template_dir) / TEMPLATE_SUBDIR if template_dir else None
    if root is not None and root.is_dir():
        for p in root.rglob("*"):
            if not p.is_file() or p.is_symlink():
                continue
            rel = p.relative_to(root).as_posix()
            if "{%" in rel:
                continue
            rel = rel.replace(ANSWERS_PLACEHOLDER, answers_file)
            if rel.endswith(TEMPLATE_SUFFIX):
                rel = rel[: -len(TEMPLATE_SUFFIX)]
            out.add(rel)
    return sorted(out)


def destination_problem(dst: str | os.PathLike[str], template_dir: str | os.PathLike[str] | None,
                        answers_file: str = ANSWERS_FILE) -> str:
    """'' when `dst` can take a new design, else one line saying why not and what to do.

    Fine: missing, empty, an experiment of this template (it has the answers file: a recopy),
    or a folder holding none of the files the template writes (those are left untouched).
    """
    d = Path(dst)
    if not d.exists():
        return ""
    if not d.is_dir():
        return f"destination {str(d)!r} is a file, not a folder: choose a new folder for the experiment"
    # copier writes the rendered files itself, following links: a recopy into an experiment
    # whose README.md is a link would overwrite the file it points to (docs/security.md).
    for rel in rendered_files(template_dir, answers_file):
        if problem := write_problem(d / rel, d):
            return f"destination {d}: {problem}"
    if (d / answers_file).is_file():
        return ""
    clash = [f for f in rendered_files(template_dir, answers_file) if os.path.lexists(d / f)]
    if not clash:
        return ""
    shown = ", ".join(clash[:3]) + (f" and {len(clash) - 3} more" if len(clash) > 3 else "")
    return (f"destination {str(d)} already holds {shown} and is not a ck-design experiment: nothing was written; "
            "choose an empty or new folder (or move those files away)")
