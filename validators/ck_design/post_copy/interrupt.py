"""Ctrl-C while the hook runs: finish the log with an interrupted entry and say how to resume,
with no traceback (docs/security.md). The entry is COMPLETE_DESIGN with `Result: failure` and an
`Error: Interrupted - ...` line, so `ck-validate --log` accepts the log and a reader sees the
design was not finished."""

from __future__ import annotations

import signal
from datetime import datetime
from ..spec.naming import LOG_FILE
from . import speed
from ..facts.designlog import LogNotWritable
from .session import Context

GIT_STEP = "putting the design under git"


def record_interrupt(ctx: Context, operation: str, resume: str | None) -> str:
    """Append the interrupted entry (when the log was opened) and return the message to print."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the entry in half
    logged = ""
    if ctx.log is not None:
        elapsed = max(0.0, (datetime.now() - ctx.started).total_seconds())
        try:
            ctx.log.add("COMPLETE_DESIGN", "Design interrupted (Ctrl-C)",
                        {"Duration": speed.duration(elapsed), "Step": ctx.step}, "failure",
                        f"Interrupted - Ctrl-C while {ctx.step}; the {operation} hook did not finish")
            logged = f"; {LOG_FILE} ends with the interruption"
        except LogNotWritable:
            logged = f"; {LOG_FILE} could not record it"
    committed = ("check `git status`: the commit may not have been made" if ctx.step == GIT_STEP
                 else "nothing was committed")
    if operation == "update":
        again = (f"run `{resume}` there to verify and log this update again, " if resume
                 else "append the UPDATE_DESIGN entries by hand, ")
        finish = f"To finish: {again}then review `git diff` and commit."
    else:
        again = f"run `{resume}` there (it verifies again and commits the template's files), or " if resume else ""
        finish = f"To finish: {again}delete {ctx.dst} and run `copier copy --trust` again."
    return (f"\nck-design: interrupted (Ctrl-C) while {ctx.step}. The rendered files are in {ctx.dst}"
            f"{logged}; {committed}.\n{finish}")
