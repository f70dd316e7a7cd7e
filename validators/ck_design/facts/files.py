"""Reading a file the user named: regular files only, bounded, never blocking.

A path in a design or on the command line may name a FIFO, `<(...)` process substitution,
/dev/zero, a socket or a device. Opening a FIFO for reading blocks until a writer appears and
/dev/zero never ends, so every reader in ck-design opens with O_NONBLOCK, checks the opened
file is a regular one, and reads at most its limit (docs/security.md).
"""

from __future__ import annotations

import json
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



def read_tail(path: str | os.PathLike[str], limit: int) -> bytes:
    """The last `limit` bytes of a regular file (a SLURM log, the design log): read_regular's
    errors and checks, never blocking, never reading more than `limit`."""
    name = str(path)
    fd = os.open(Path(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{name}: is {kind_of(st.st_mode)}, not a regular file; ck-design reads regular files only")
        os.lseek(fd, max(0, st.st_size - limit), os.SEEK_SET)
        chunks, left = [], limit
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

# Text files ck-design reads besides designs and logs (README.md, logs/resource-facts.json,
# --fix's input): the same limit as a design.
TEXT_LIMIT = 10 * 1024 * 1024


def read_text_file(path: str | os.PathLike[str], limit: int = TEXT_LIMIT) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes (read_regular's errors;
    UnicodeDecodeError, a ValueError, for what is not UTF-8)."""
    return read_regular(path, limit).decode("utf-8")


def read_json_file(path: str | os.PathLike[str], limit: int = TEXT_LIMIT) -> object:
    """The JSON in a regular, bounded file. ValueError (one line) for what is not JSON,
    including nesting too deep to parse (a RecursionError in json)."""
    text = read_text_file(path, limit)
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{path}: the JSON nests too deeply to read") from None
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({str(exc).splitlines()[0]})") from None


# --- writing ---------------------------------------------------------------------------------
#
# Every file ck-design writes or appends to (the design log, logs/resource-facts.json, README.md,
# experiment_summary.yaml refreshed by the hook or --fix) goes through write_regular_file or
# append_regular_file. A cloned experiment can hold a symbolic link where one of those files
# belongs (logs/design-experiment.log -> ~/.bashrc): following it would write answer values
# into another file. So every folder on the way is opened with O_NOFOLLOW relative to the one
# before it, starting at the experiment (`inside`), and the file itself is opened or replaced
# relative to its folder's descriptor: a link anywhere below `inside` is refused, with nothing
# written, and swapping one in between the check and the write does not help (docs/security.md).


class UnsafeTarget(OSError):
    """A file ck-design would write is a symbolic link, not a regular file, has other hard links,
    or lies outside the experiment: nothing was written."""


class ChangedSinceRead(OSError):
    """The file changed between reading it and writing it back: nothing was written."""


def _nofollow() -> int:
    return getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _parts(path: Path, inside: Path | None) -> tuple[Path, list[str], str]:
    """(the trusted folder, the folders below it, the file's name)."""
    if inside is None:
        return path.parent, [], path.name
    try:
        rel = path.relative_to(inside)
    except ValueError:
        raise UnsafeTarget(f"{path}: is outside {inside}; ck-design writes only inside the experiment") from None
    parts = list(rel.parts)
    if not parts or any(p in ("", ".", "..") for p in parts):
        raise UnsafeTarget(f"{path}: is not a file inside {inside}; ck-design writes only inside the experiment")
    return inside, parts[:-1], parts[-1]


def _link_problem(shown: str, name: str, dir_fd: int) -> str:
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        target = "?"
    return (f"{shown}: is a symbolic link (to {target}); ck-design writes only regular files inside the "
            "experiment and follows no link: nothing was written. Replace the link with a regular file "
            "(or name the file it points to) and run again")


def _open_folder(path: Path, inside: Path | None, create: bool) -> tuple[int, str]:
    """A descriptor of the file's folder, reached without following a link below `inside`, and
    the file's name in it. The caller closes the descriptor."""
    top, folders, name = _parts(path, inside)
    if create and inside is None:
        top.mkdir(parents=True, exist_ok=True)  # a folder the caller named, links and all
    fd = os.open(top, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    walked = top
    try:
        for part in folders:
            walked = walked / part
            flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _nofollow()
            try:
                nfd = os.open(part, flags, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o777, dir_fd=fd)
                nfd = os.open(part, flags, dir_fd=fd)
            except OSError as exc:
                st = _lstat(part, fd)
                if st is not None and stat.S_ISLNK(st.st_mode):
                    raise UnsafeTarget(_link_problem(str(walked), part, fd)) from None
                if st is not None and not stat.S_ISDIR(st.st_mode):
                    raise UnsafeTarget(f"{walked}: is {kind_of(st.st_mode)}, not a folder: nothing was written") from None
                raise exc
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd, name


def _lstat(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _target_problem(shown: str, name: str, dir_fd: int) -> str:
    """'' when `name` in the folder is missing or a regular file with no other hard link."""
    st = _lstat(name, dir_fd)
    if st is None:
        return ""
    if stat.S_ISLNK(st.st_mode):
        return _link_problem(shown, name, dir_fd)
    if not stat.S_ISREG(st.st_mode):
        return f"{shown}: is {kind_of(st.st_mode)}, not a regular file; ck-design writes only regular files: nothing was written"
    if st.st_nlink > 1:
        return (f"{shown}: has {st.st_nlink - 1} other hard link(s), so writing it would change another file too; "
                "nothing was written. Replace it with a copy (cp --remove-destination) and run again")
    return ""


def write_problem(path: str | os.PathLike[str], inside: str | os.PathLike[str] | None = None) -> str:
    """'' when write_regular_file/append_regular_file could write `path`, else why not (one line).
    Writes nothing, creates nothing."""
    p = Path(path)
    try:
        fd, name = _open_folder(p, Path(inside) if inside is not None else None, create=False)
    except FileNotFoundError:
        return ""  # a folder still to be created: nothing there to follow
    except OSError as exc:
        return str(exc) if isinstance(exc, UnsafeTarget) else f"{p}: {exc.strerror or exc}"
    try:
        return _target_problem(str(p), name, fd)
    finally:
        os.close(fd)


def _checked_fd(fd: int, shown: str) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeTarget(f"{shown}: is {kind_of(st.st_mode)}, not a regular file; nothing was written")
    if st.st_nlink > 1:
        raise UnsafeTarget(f"{shown}: has other hard links; nothing was written")


def append_regular_file(path: str | os.PathLike[str], data: str | bytes,
                        inside: str | os.PathLike[str] | None = None) -> None:
    """Append `data` to the regular file `path` (created if missing, with its folders), found
    without following a link below `inside` (default: its own folder), and flush it to disk.
    UnsafeTarget when it is anything else; nothing is written then."""
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    dfd, name = _open_folder(p, Path(inside) if inside is not None else None, create=True)
    try:
        problem = _target_problem(str(p), name, dfd)
        if problem:
            raise UnsafeTarget(problem)
        fd = os.open(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | _nofollow(), 0o666, dir_fd=dfd)
        try:
            _checked_fd(fd, str(p))
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        os.close(dfd)


def _read_at(name: str, dfd: int) -> bytes | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _nofollow(), dir_fd=dfd)
    except FileNotFoundError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_regular_file(path: str | os.PathLike[str], data: str | bytes,
                       inside: str | os.PathLike[str] | None = None, expect: bytes | None = None) -> None:
    """Replace the regular file `path` with `data` (or create it, with its folders), found
    without following a link below `inside` (default: its own folder).

    A crash leaves the old content or the new one: the data goes to a temporary file in the same
    folder, then one rename. The file keeps its mode; one the user could not write in place
    (read-only, another owner's without write permission) is refused with PermissionError, and
    one owned by someone else is rewritten in place, so it keeps its owner. With `expect` (the
    bytes read earlier), a file whose content changed since is refused (ChangedSinceRead).
    UnsafeTarget for a link, a non-regular file or a hard-linked one; nothing is written then.
    """
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    dfd, name = _open_folder(p, Path(inside) if inside is not None else None, create=True)
    try:
        problem = _target_problem(str(p), name, dfd)
        if problem:
            raise UnsafeTarget(problem)
        st = _lstat(name, dfd)
        if st is not None:
            # Opening for writing is the test mode bits alone are not (ACLs, root): a file the
            # user could not write in place is never replaced behind its back.
            os.close(os.open(name, os.O_WRONLY | os.O_NONBLOCK | _nofollow(), dir_fd=dfd))
        if expect is not None and _read_at(name, dfd) != expect:
            raise ChangedSinceRead(f"{p}: changed while ck-design worked on it; nothing was written: run again")
        if st is not None and st.st_uid != os.geteuid():
            _write_in_place(name, dfd, raw, str(p))
            return
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
        _replace(name, dfd, raw, mode)
    finally:
        os.close(dfd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_in_place(name: str, dfd: int, raw: bytes, shown: str) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_NONBLOCK | _nofollow(), dir_fd=dfd)
    try:
        _checked_fd(fd, shown)
        os.ftruncate(fd, 0)
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(name: str, dfd: int, raw: bytes, mode: int) -> None:
    tmp = f".{name}.ck-{os.getpid()}-{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _nofollow(), 0o600, dir_fd=dfd)
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        raise
