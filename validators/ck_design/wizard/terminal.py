"""The wizard at a real terminal: the plan wrapped to the terminal's width, printed before the
approval question.

Why printed and not put in the question: copier shows a question's help through prompt_toolkit,
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


def wrap_lines(lines: Iterable[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = hanging_indent(line)
        # a long path or run name is broken only when it alone is wider than the line
        out.extend(textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False)
                   or [line])
    return out


def show(text: str, stream: TextIO | None = None) -> None:
    """Print `text` wrapped to the terminal, on stderr (where copier prints its messages)."""
    out = stream or sys.stderr
    print("\n".join(wrap_lines(text.splitlines(), terminal_width(out))), file=out, flush=True)
