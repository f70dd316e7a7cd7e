"""Appending to design-experiment.log (its format: spec/logformat.py)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..spec.logformat import HEADER_RE, TIMESTAMP_FORMAT


def append_entry(path: str | os.PathLike[str], entry: str) -> None:
    """Append one entry and flush it to disk, so a crash later leaves every finished entry."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    needs_separator = p.exists() and p.stat().st_size > 0
    with open(p, "a", encoding="utf-8") as fh:
        fh.write(("\n" if needs_separator else "") + entry + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def last_timestamp(path: str | os.PathLike[str]) -> datetime | None:
    """The newest header timestamp in an existing log, so new entries never go backwards."""
    p = Path(path)
    if not p.exists():
        return None
    newest = None
    for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
        m = HEADER_RE.match(line)
        if m:
            ts = datetime.strptime(m.group(1), TIMESTAMP_FORMAT)
            newest = ts if newest is None or ts > newest else newest
    return newest
