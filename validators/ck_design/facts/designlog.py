"""design-experiment.log, the audit trail of a design: appending entries (their format is
spec/logformat.py; why the log is appended to and never rendered: hooks/README.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import UnsafeTarget, append_regular_file, read_regular, write_problem
from ..spec.logformat import CLOCK_SKEW, HEADER_RE, TIMESTAMP_FORMAT, format_entry

LOG_READ_LIMIT = 64 * 1024 * 1024


def append_entry(path: str | os.PathLike[str], entry: str, inside: str | os.PathLike[str] | None = None) -> None:
    """Append one entry and flush it to disk, so a crash later leaves every finished entry.
    The log is appended to only as a regular file reached without a link below `inside` (the
    experiment; facts/files.py): never through a link a cloned experiment planted."""
    p = Path(path)
    needs_separator = not os.path.islink(p) and p.exists() and p.stat().st_size > 0
    append_regular_file(p, ("\n" if needs_separator else "") + entry + "\n", inside)


def last_timestamp(path: str | os.PathLike[str]) -> datetime | None:
    """The newest header timestamp in an existing log, so new entries never go backwards."""
    try:
        text = read_regular(path, LOG_READ_LIMIT).decode("utf-8", errors="replace")
    except OSError:  # missing, a link to /dev/zero, too big: the hook's own checks say why
        return None
    horizon = datetime.now() + CLOCK_SKEW
    newest = None
    for line in text.split("\n"):
        m = HEADER_RE.match(line)
        if m:
            try:
                ts = datetime.strptime(m.group(1), TIMESTAMP_FORMAT)
            except ValueError:
                continue
            if ts > horizon:  # a forged entry from the future must not stamp every later one
                continue
            newest = ts if newest is None or ts > newest else newest
    return newest


class LogNotWritable(Exception):
    """The log cannot be appended to (read-only file or folder, full disk): main() says what
    happened and what to do in one message (docs/security.md)."""


class DesignLog:
    """Appends entries to the design log; timestamps never go backwards."""

    def __init__(self, path: Path, inside: Path | None = None):
        self.path = path
        self.inside = inside
        self.existed = path.exists() and path.stat().st_size > 0
        self._last = last_timestamp(path)
        self.entries = 0
        # (action, error) of every entry this run wrote with `Result: failure`: COMPLETE_DESIGN
        # and the closing summary never call a design ready when a step failed.
        self.failures: list[tuple[str, str]] = []

    def writable_problem(self) -> str | None:
        """None when entries can be appended; else why not (checked by opening, not by mode
        bits, which a privileged user or an ACL overrides). Creates nothing."""
        unsafe = write_problem(self.path, self.inside)
        if unsafe:
            raise UnsafeTarget(unsafe)
        target = self.path if self.path.exists() else self.path.parent
        try:
            if self.path.exists():
                # Never blocking (a FIFO swapped in after the check) nor following a link.
                flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                os.close(os.open(self.path, flags))
            elif target.exists() and not os.access(target, os.W_OK | os.X_OK):
                return f"{target}: Permission denied"
        except OSError as exc:
            return f"{exc.strerror or exc}"
        return None

    def _when(self, at: datetime | None = None) -> datetime:
        when = (at or datetime.now()).replace(microsecond=0)
        if self._last is not None and when < self._last:
            when = self._last
        self._last = when
        return when

    def add(
        self,
        action: str,
        details: str,
        fields: Mapping[str, Any] | None = None,
        result: str = "success",
        error: str | None = None,
        at: datetime | None = None,
    ) -> None:
        entry = format_entry(action, details, fields, result, error, when=self._when(at))
        try:
            append_entry(self.path, entry, self.inside)
        except UnsafeTarget:
            raise
        except OSError as exc:
            raise LogNotWritable(exc.strerror or str(exc)) from exc
        self.entries += 1
        if result == "failure":
            self.failures.append((action, error or ""))
