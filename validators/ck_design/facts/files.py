"""Reading a file the user named: regular files only, bounded, never blocking.

A path in a design or on the command line may name a FIFO, `<(...)` process substitution,
/dev/zero, a socket or a device. Opening a FIFO for reading blocks until a writer appears and
/dev/zero never ends, so every reader in ck-design opens with O_NONBLOCK, checks the opened
file is a regular one, and reads at most its limit (docs/security.md).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path exists but is a FIFO, device, socket or directory (the CLI exits 2 on it)."""


class TooLarge(OSError):
    """The file is larger than the reader's limit."""

    def __init__(self, path: str, size: int, limit: int):
        super().__init__(f"{path}: {_mb(size)}, more than the {_mb(limit)} ck-design reads")
        self.size = size
        self.limit = limit


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe or process substitution)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def not_regular(path: str | os.PathLike[str]) -> str:
    """'' when `path` is a regular file (or does not exist), else what it is instead. Never blocks."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # ValueError: a NUL in the path, which names no file
        return ""
    return "" if stat.S_ISREG(mode) else kind_of(mode)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Raises FileNotFoundError/PermissionError as open does, NotRegularFile for anything but a
    regular file, TooLarge past the limit (also for a file that grows while it is read).
    """
    name = str(path)
    fd = os.open(Path(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = kind_of(st.st_mode)
            raise NotRegularFile(f"{name}: is {what}, not a regular file; ck-design reads regular files only")
        if st.st_size > limit:
            raise TooLarge(name, st.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(name, len(data), limit)
    return data
