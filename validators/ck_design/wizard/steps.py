"""The wizard's steps (seed/param_selection.md's workflow), in order: the opening's count and the
headers the wizard prints after the questions (the plan's, the closing one) are taken from here,
so the opening never promises a step no header names. copier.yml's question headers
("Step 1 - location.") name the first six; tests/test_wizard_pty.py reads them all on screen."""

from __future__ import annotations

STEPS = ("location", "the experiment", "tools", "training runs", "evaluation", "naming",
         "resources", "approval", "files")


def number(step: str) -> int:
    return STEPS.index(step) + 1


def header(first: str, last: str | None = None) -> str:
    """'Step 9' or 'Steps 7-8': the start of a step's header line."""
    if last is None or last == first:
        return f"Step {number(first)}"
    return f"Steps {number(first)}-{number(last)}"
