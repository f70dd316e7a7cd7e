"""The wizard at a real terminal, for the pty tests (test_terminal, test_wizard_pty,
test_wizard_branches, test_hostile_data_answers): copier in a pseudo-terminal (pexpect) whose
output is fed to a terminal emulator (pyte), and a driver that answers whichever question is on
screen. Questions are recognized by their help text, read from copier.yml: adding, removing or
reordering a question edits no test. No tests here."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pyte
import pytest
import yaml
from wizard_fixtures import COPIER, GIT_ENV, REPO

ROWS = 40
COPIER_YML = yaml.safe_load((REPO / "copier.yml").read_text())
QUESTIONS = {k: v for k, v in COPIER_YML.items()
             if not k.startswith("_") and isinstance(v, dict) and v.get("ask", True) is not False}
CONDITIONAL = [k for k, v in QUESTIONS.items() if "when" in v]
APPROVAL = "Write these files?"
DOWN = "\x1b[B"
UP = "\x1b[A"
CLEAR = "\x15"  # Ctrl-U: empty a pre-filled answer before typing another


def normalize(text: str) -> str:
    return " ".join(text.split())


def help_first_line(name: str) -> str:
    """A question's help, first line, up to any Jinja."""
    return QUESTIONS[name]["help"].splitlines()[0].split("{{")[0].strip()


def first_line(name: str) -> str:
    """What identifies a question on screen in an expect: its help's first line, up to any Jinja."""
    return help_first_line(name)[:30]


def _marker(name: str) -> str:
    """The shortest start of the question's first help line (at least 16 characters) that no
    other question's help contains: what identifies it on screen."""
    line = help_first_line(name)
    others = [q["help"] for k, q in QUESTIONS.items() if k != name]
    for n in range(min(16, len(line)), len(line) + 1):
        if not any(line[:n] in h for h in others):
            return line[:n]
    return line


MARKERS = {name: _marker(name) for name in QUESTIONS if name != "approved" and help_first_line(name)}


class Terminal:
    """A pty of `cols` columns running copier, and the screen a person would read."""

    def __init__(self, cols: int, argv: list[str], env: dict[str, str], rows: int = ROWS):
        self.cols = cols
        self.screen = pyte.HistoryScreen(cols, rows, history=100_000, ratio=0.001)
        self.screen.set_mode(pyte.modes.LNM)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(rows, cols), encoding="utf-8",
                                   timeout=90)
        self.raw: list[str] = []
        self.child.logfile_read = self  # every byte copier writes goes to the emulator too

    def write(self, text: str) -> None:
        self.raw.append(text)
        self.stream.feed(text)

    def flush(self) -> None:
        pass

    def cells(self) -> list[tuple[str, int]]:
        """Every row the person could read (scrollback, then screen): its text and how many
        columns it uses (a wide character such as copier's microphone takes two)."""
        out = []
        for row in [*self.screen.history.top, *(self.screen.buffer[y] for y in range(self.screen.lines))]:
            used = max((x + 1 for x in range(self.cols) if row[x].data not in (" ", "")), default=0)
            out.append(("".join(row[x].data for x in range(self.cols)).rstrip(), used))
        return out

    def rows(self) -> list[str]:
        return [text for text, _ in self.cells()]

    def text(self) -> str:
        return "\n".join(self.rows())

    def screen_rows(self) -> list[str]:
        """The rows on the screen now (not the scrollback): what the person reads at this moment."""
        return ["".join(self.screen.buffer[y][x].data for x in range(self.cols)).rstrip() for y in range(self.screen.lines)]

    def wait_for(self, shown: Callable[[list[str]], bool], what: str, timeout: float = 60) -> list[str]:
        """The screen rows once `shown(rows)` holds: copier's output is read as it comes, so a
        redraw split across reads is waited for by its content, never by a fixed sleep."""
        deadline = time.monotonic() + timeout
        while not shown(rows := self.screen_rows()):
            if time.monotonic() > deadline:
                pytest.fail(f"not on the screen after {timeout:.0f} s: {what}\n" + "\n".join(rows))
            if self.child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.05) == 1:
                pytest.fail(f"copier ended before the screen showed {what}\n" + self.text())
        return rows


def terminal_env(res: dict[str, Any] | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    env = {**(os.environ if base is None else base), **GIT_ENV, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1",
           "PYTHONWARNINGS": "ignore"}
    if res is not None:
        env["CK_LOCAL_CONFIG"] = res["config"]
    for k in ("COLUMNS", "LINES", "NO_COLOR"):
        env.pop(k, None)
    return env


def spawn(cols: int, res: dict, dst: Path, extra: tuple[str, ...] = ()) -> Terminal:
    """`copier copy --trust` of this checkout into dst, at a terminal of `cols` columns."""
    argv = [str(COPIER), "copy", "--trust", "--vcs-ref", "HEAD", *extra, str(REPO), str(dst)]
    return Terminal(cols, argv, terminal_env(res))


Answer = str | list[tuple[str, str | None]]


def walk(term: Terminal, answers: dict[str, Answer], approve: str | None = "",
         before_answer: Callable[[str], None] | None = None, until: str | None = None) -> list[str]:
    """Answer every question copier shows until approval; return the names asked, in order.

    An answer is the keys to type (Enter is added), or a list of (keys, refusal) tries: each try
    but the last must be refused with that text on screen, the question staying asked. Unlisted
    questions take their default (Enter). At approval `approve` is typed with Enter; None leaves
    the approval question unanswered, for the caller. `before_answer(name)` runs when a question
    is on screen, before it is answered. With `until`, stops when that question is on screen,
    unanswered (the last name returned). Ends early (the names so far) when copier exits."""
    names = list(MARKERS)
    patterns = [re.escape(MARKERS[n]) for n in names] + [re.escape(APPROVAL), pexpect.EOF]
    asked: list[str] = []
    while True:
        i = term.child.expect(patterns)
        if i == len(patterns) - 1:
            return asked
        name = names[i] if i < len(names) else "approved"
        if asked and asked[-1] == name:
            continue  # the answered question redrawn with its answer
        asked.append(name)
        if name == until:
            return asked
        if name == "approved":
            if approve is not None:
                term.child.send(approve + "\r")
            return asked
        if before_answer is not None:
            before_answer(name)
        answer = answers.get(name, "")
        tries = answer if isinstance(answer, list) else [(answer, None)]
        for keys, refusal in tries:
            term.child.send(keys + "\r")
            if refusal is not None:
                term.child.expect_exact(refusal)
                term.child.send(CLEAR)
