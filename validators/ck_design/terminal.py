"""Every line ck-design prints at a terminal, wrapped at word boundaries to its width: the
wizard's opening message, the approval plan, a refused answer, the hook's closing summary. A
word longer than a line (a path, a command) stands alone on its own line, whole, so copying it
keeps working. One helper, used by the wizard (wizard/) and the hook (post_copy/): it sits
outside the layers, below both.

The plan is printed before the approval question rather than put in it: copier shows a question's help through prompt_toolkit,
which cuts every line at the terminal's edge and shows only as many lines as the terminal has
rows; a plan with its findings is taller than a 24-row terminal. Printed text scrolls, so every
line of it stays readable (docs/wizard.md, "At the terminal").
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Iterable
from typing import TextIO

MIN_WIDTH = 40
MAX_WIDTH = 120  # longer lines are harder to read, even on a wide terminal
_LEAD = re.compile(r"^(\s*(?:- |\S+:\s+(?=\S))?)")


def terminal_width(stream: TextIO | None = None) -> int:
    """Columns to wrap to: the terminal's width less one (a line reaching the last column makes
    some terminals wrap early), between MIN_WIDTH and MAX_WIDTH."""
    cols = shutil.get_terminal_size((80, 24)).columns
    try:
        import os

        cols = os.get_terminal_size((stream or sys.stderr).fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return max(MIN_WIDTH, min(MAX_WIDTH, cols - 1))


def hanging_indent(line: str) -> str:
    """The indent for a wrapped line's continuation: under the text after its lead ("  - ",
    "Constants:  ", "    hint: "), so a wrapped item still reads as one item."""
    lead = _LEAD.match(line).group(1)
    return " " * (len(lead) if len(lead) <= 24 else len(line) - len(line.lstrip()) + 4)


_CODE_SPAN = re.compile(r"`[^`\n]+`")
# stands for a space inside a code span while wrapping: textwrap breaks only at ASCII whitespace
_KEEP = "\ue000"


def wrap_lines(lines: Iterable[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = hanging_indent(line)
        # never inside a word, nor inside a `code span` (a command split over two lines no longer
        # pastes): one wider than the line gets a line of its own, whole, from the first column
        # when its indent would push it over the edge
        kept = _CODE_SPAN.sub(lambda m: m.group(0).replace(" ", _KEEP), line)
        wrapped = textwrap.wrap(kept, width, subsequent_indent=indent, break_on_hyphens=False,
                                break_long_words=False) or [kept]
        out.extend((w.lstrip() if len(w) > width and " " not in w.strip() else w).replace(_KEEP, " ")
                   for w in wrapped)
    return out


def is_terminal(stream: TextIO | None = None) -> bool:
    try:
        return (stream or sys.stderr).isatty()
    except (AttributeError, ValueError):
        return False


def wrap(text: str, stream: TextIO | None = None) -> str:
    """`text` wrapped to the width of the terminal `stream` (default stderr) is on; as it is when
    `stream` is no terminal (a pipe, a file, a CI log: whole lines stay greppable)."""
    if not is_terminal(stream):
        return text
    return "\n".join(wrap_lines(text.splitlines(), terminal_width(stream)))


def show(text: str, stream: TextIO | None = None) -> None:
    """Print `text` wrapped to the terminal, on stderr (where copier prints its messages)."""
    out = stream or sys.stderr
    print("\n".join(wrap_lines(text.splitlines(), terminal_width(out))), file=out, flush=True)


def escape_unencodable_output() -> None:
    """Our commands quote user text (unicode prompts, paths, run names): on a terminal or pipe that
    cannot encode it, print an escape (\\u2028) instead of dying with UnicodeEncodeError in place
    of the output. Every console script calls this first."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
