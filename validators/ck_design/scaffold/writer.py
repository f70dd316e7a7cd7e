"""Putting the scaffold on disk: only ck-scaffold's own files, atomically, never through a symlink.

The manifest (`logs/scaffold-manifest.json`) records every file ck-scaffold wrote and the
SHA-256 of what it wrote (for a file cruijff_kit rendered from one of them, `--render`, also
that source and its hash). A rerun therefore knows its own files:

- a file the design still produces is rewritten when its bytes differ; a file in the way that
  ck-scaffold did not write, or that was edited since, is never overwritten (a Conflict);
- a file of a run or cell no longer in the design is removed if it is as ck-scaffold left it,
  and so is a rendered file whose source changed (it would submit the old job);
- a file already holding exactly the bytes the design produces is adopted (a lost manifest
  costs nothing).

Everything is checked before anything is written. Each file is written to a temporary file
beside it and renamed over it, so a full disk or a read-only folder leaves no half-written file.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..facts.files import kind_of, read_regular

MAX_BYTES = 10 * 1024 * 1024  # a file ck-scaffold wrote is far smaller; a larger one is not its own
MANIFEST_VERSION = 1

WRITE, UPDATE, REMOVE, SAME = "write", "update", "remove", "unchanged"


class ScaffoldError(Exception):
    """One line for the user: why nothing (more) could be written."""


@dataclass(frozen=True)
class Entry:
    sha256: str
    source: str | None = None  # a rendered file: the job file it was rendered from
    source_sha256: str | None = None

    def as_json(self) -> dict[str, str]:
        out = {"sha256": self.sha256}
        if self.source is not None:
            out.update(source=self.source, source_sha256=self.source_sha256 or "")
        return out


@dataclass
class Changes:
    actions: dict[str, str] = field(default_factory=dict)  # path -> WRITE/UPDATE/REMOVE/SAME
    conflicts: list[str] = field(default_factory=list)  # one line each, naming the path
    current: dict[str, bytes] = field(default_factory=dict)  # what is on disk now (for --diff)

    def of(self, action: str) -> list[str]:
        return [p for p, a in self.actions.items() if a == action]

    @property
    def stale(self) -> list[str]:
        return [p for p, a in self.actions.items() if a != SAME]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest(dict):  # type: ignore[type-arg]
    """path -> Entry, and `site`: the claude.local.md settings the files were written with, so a
    machine without that file (CI) reproduces the same bytes instead of calling them stale."""

    site: dict[str, str]

    def __init__(self, entries: Mapping[str, Entry] | None = None, site: Mapping[str, str] | None = None) -> None:
        super().__init__(entries or {})
        self.site = dict(site or {})


def read_manifest(root: Path, manifest: str) -> Manifest:
    """The files ck-scaffold wrote last time; empty when it never ran here."""
    path = root / manifest
    try:
        _refuse_links(root, manifest)
        raw = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return Manifest()
    except OSError as exc:
        raise ScaffoldError(f"{path}: cannot read ck-scaffold's manifest: {reason(exc)}") from None
    try:
        body = json.loads(raw.decode("utf-8"))
        files = body["files"]
        site = body.get("site") or {}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in site.items()):
            raise TypeError("site")
        return Manifest({str(p): Entry(str(e["sha256"]), e.get("source"), e.get("source_sha256")) for p, e in files.items()}, site)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ScaffoldError(
            f"{path}: not a ck-scaffold manifest (damaged?); delete it and rerun: files holding exactly what the design produces are kept"
        ) from None


def manifest_bytes(entries: Mapping[str, Entry], site: Mapping[str, str] | None = None) -> bytes:
    body: dict[str, object] = {"generated_by": "ck-scaffold", "version": MANIFEST_VERSION,
                               "files": {p: entries[p].as_json() for p in sorted(entries)}}
    if site:
        body["site"] = dict(site)
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _refuse_links(root: Path, rel: str, seen: dict[str, dict[str, tuple[bool, bool]] | None] | None = None) -> None:
    """_InTheWay when a folder on the way to `rel` (below root) is a symlink or not a folder.

    `seen` caches each folder's listing (name -> (is a symlink, is a folder), from one scandir's
    d_type, no stat per entry) and each folder found real: the 15,000 cell folders of a big design
    are checked through the 2,000 listings of their parents, each parent's path once."""
    folder_ = rel.rpartition("/")[0]
    if folder_:
        _real_folder(os.fspath(root), folder_, rel, seen if seen is not None else {})


def _real_folder(base: str, folder: str, rel: str, seen: dict[str, dict[str, tuple[bool, bool]] | None]) -> bool:
    """True when `folder` (below `base`) and every folder on its way are real folders, False when
    one does not exist yet (nothing below it either); _InTheWay for a symlink or a file there."""
    done = f"\0{folder}"  # NUL: no path has one, so it never clashes with a listing's key
    if done in seen:
        return True
    parent, _, name = folder.rpartition("/")
    if parent and not _real_folder(base, parent, rel, seen):
        return False
    listing = seen.get(parent, False)
    if listing is False:
        listing = seen[parent] = _listing(f"{base}/{parent}" if parent else base)
    kind = listing.get(name) if listing is not None else None
    if kind is None:
        return False
    if kind[0]:
        raise _InTheWay(f"{base}/{folder}: is a symlink; ck-scaffold writes only into real folders")
    if not kind[1]:
        mode = os.lstat(f"{base}/{folder}").st_mode
        what = "a file" if stat.S_ISREG(mode) else kind_of(mode)  # kind_of words only the special files
        raise _InTheWay(f"{base}/{folder}: is {what}, not a folder; ck-scaffold would write {rel} inside it")
    seen[done] = None
    return True


def _listing(folder: str) -> dict[str, tuple[bool, bool]] | None:
    try:
        with os.scandir(folder) as it:
            return {e.name: (e.is_symlink(), e.is_dir(follow_symlinks=False)) for e in it}
    except (FileNotFoundError, NotADirectoryError):
        return None


class _InTheWay(OSError):
    pass


def existing(root: Path, rel: str, seen: dict[str, dict[str, tuple[bool, bool]] | None] | None = None) -> bytes | None:
    """The bytes of a regular file at `rel`, None when nothing is there; _InTheWay otherwise.
    Opened without following a link and without blocking (a FIFO is refused, never read)."""
    _refuse_links(root, rel, seen)
    path = f"{os.fspath(root)}/{rel}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        mode = _lmode(path)
        if mode is not None and stat.S_ISLNK(mode):
            raise _InTheWay(f"{path}: is a symlink; ck-scaffold never writes through one: remove it") from None
        raise _InTheWay(f"{path}: cannot read it: {reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _InTheWay(f"{path}: is {kind_of(st.st_mode)}, not a regular file: move it away")
        if st.st_size > MAX_BYTES:
            raise _InTheWay(f"{path}: {st.st_size} bytes, not a file ck-scaffold wrote: move it away")
        data = os.read(fd, st.st_size + 1)
        if len(data) <= st.st_size:  # the whole file in one read: the common case
            return data
        chunks = [data]
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _lmode(path: str) -> int | None:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


def plan(root: Path, files: Mapping[str, bytes], old: Mapping[str, Entry], keep: frozenset[str] = frozenset()) -> Changes:
    """What writing `files` (path -> bytes) under `root` would change, and what is in the way.

    `keep`: files of the manifest to leave alone this time (rendered files whose source is
    unchanged)."""
    ch = Changes()
    seen: dict[str, dict[str, tuple[bool, bool]] | None] = {}
    for rel, data in files.items():
        try:
            now = existing(root, rel, seen)
        except _InTheWay as exc:
            ch.conflicts.append(str(exc))
            continue
        if now is None:
            ch.actions[rel] = WRITE
            continue
        if now == data:  # the common case of a rerun: nothing else to decide
            ch.actions[rel] = SAME
            continue
        ch.current[rel] = now
        if rel in old and old[rel].sha256 == sha256(now):
            ch.actions[rel] = UPDATE
        else:
            why = "edited since ck-scaffold wrote it" if rel in old else "not written by ck-scaffold"
            ch.conflicts.append(f"{root / rel}: {why}; ck-scaffold does not overwrite it: move it away (or delete it) and rerun")
    for rel, entry in old.items():
        if rel in files or rel in keep:
            continue
        try:
            now = existing(root, rel, seen)
        except _InTheWay as exc:
            ch.conflicts.append(str(exc))
            continue
        if now is None:
            continue
        if sha256(now) != entry.sha256:
            ch.conflicts.append(f"{root / rel}: no longer in the design but edited since ck-scaffold wrote it; delete it yourself if it is not needed")
            continue
        ch.current[rel] = now
        ch.actions[rel] = REMOVE
    return ch


def reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "no space left (the disk is full or over quota)"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (the folder is read-only for you)"
    return exc.strerror or str(exc)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def file_mode(executable: bool = False) -> int:
    """A new file's mode as the umask has it (0o644, 0o755 for a script, with the usual umask)."""
    return (0o777 if executable else 0o666) & ~_umask()


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`: a reader (or a
    full disk) sees the old file or the new one, never part of one. The temporary file is created
    exclusively and without following links, with the umask's mode (`mode`: set explicitly)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.ck-scaffold-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o666)
    except FileExistsError:  # left by a killed run of the same process id: it is ours to replace
        os.unlink(tmp)
        fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mkdirs(root: Path, rel: str, made: set[str] | None = None) -> None:
    """The folders of `rel` below root (`made`: those already there, skipped)."""
    parts = rel.split("/")[:-1]
    here = root
    for k, part in enumerate(parts):
        here = here / part
        if made is not None:
            prefix = "/".join(parts[: k + 1])
            if prefix in made:
                continue
            made.add(prefix)
        try:
            os.mkdir(here)
        except FileExistsError:
            if not here.is_dir() or here.is_symlink():
                raise _InTheWay(f"{here}: appeared while writing and is not a folder") from None


def _prune(root: Path, rel: str) -> None:
    """Remove the folders `rel` leaves empty, up to (not including) root."""
    parts = rel.split("/")[:-1]
    while parts:
        try:
            os.rmdir(root.joinpath(*parts))
        except OSError:
            return
        parts.pop()


def apply(root: Path, files: Mapping[str, bytes], ch: Changes, entries: dict[str, Entry], manifest: str,
          modes: Mapping[str, int] | None = None, site: Mapping[str, str] | None = None,
          before: Mapping[str, Entry] | None = None) -> None:
    """Write and remove as `ch` says; `entries` (the manifest) is updated as each step succeeds and
    saved at the end, also after a failure, so it names exactly what ck-scaffold left on disk."""
    modes = modes or {}
    before = before if before is not None else Manifest(entries)
    done, todo, rel = 0, len(ch.stale), manifest
    made: set[str] = set()
    try:
        for rel, action in ch.actions.items():
            if action == REMOVE:
                os.unlink(root / rel)
                entries.pop(rel, None)
                _prune(root, rel)
                done += 1
                continue
            if action != SAME:
                _mkdirs(root, rel, made)
                atomic_write(root / rel, files[rel], modes.get(rel))
                done += 1
            entries[rel] = Entry(sha256(files[rel]))
    except OSError as exc:
        save_manifest(root, manifest, entries, before, quiet=True, site=site)
        raise ScaffoldError(
            f"cannot write {root / rel}: {reason(exc)}; nothing half-written is left ({done} of {todo} changes made)"
        ) from None
    save_manifest(root, manifest, entries, before, site=site)


def save_manifest(root: Path, manifest: str, entries: Mapping[str, Entry], before: Mapping[str, Entry], quiet: bool = False,
                  site: Mapping[str, str] | None = None) -> None:
    """Write the manifest when its entries or site settings changed (`before`: as read)."""
    old_site = getattr(before, "site", {})
    if dict(entries) == dict(before) and dict(site or {}) == dict(old_site) and (root / manifest).exists():
        return
    try:
        _mkdirs(root, manifest)
        atomic_write(root / manifest, manifest_bytes(entries, site))
    except OSError as exc:
        if not quiet:
            raise ScaffoldError(f"cannot write {root / manifest}: {reason(exc)}; the job files are written, rerun to record them") from None


def diff(root: Path, files: Mapping[str, bytes], ch: Changes) -> str:
    """A unified diff of what applying `ch` would change."""
    out: list[str] = []
    for rel, action in ch.actions.items():
        if action == SAME:
            continue
        old = ch.current.get(rel, b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = [] if action == REMOVE else files[rel].decode("utf-8").splitlines(keepends=True)
        a = f"a/{rel}" if action != WRITE else "/dev/null"
        b = f"b/{rel}" if action != REMOVE else "/dev/null"
        out.extend(difflib.unified_diff(old, new, a, b))
    return "".join(out)
