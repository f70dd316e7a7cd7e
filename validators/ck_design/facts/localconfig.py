"""Read the researcher's `claude.local.md` (README step 2): the wizard's per-user defaults.

The file is markdown with `- **Field**: \\`value\\`` lines. It is looked up, first hit wins, in:

1. `$CK_LOCAL_CONFIG` (a file path),
2. the destination directory and its ancestors (`<dir>/claude.local.md`),
3. the current directory and its ancestors,
4. `~/.claude/claude.local.md`.

Values still in `<angle brackets>` are placeholders and count as unset; a missing file means
no defaults. Relative path values are resolved against the file's own directory, so a config
kept next to a project works from wherever copier runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..spec import naming
from .files import TooLarge, read_regular

FILE_NAME = "claude.local.md"
ENV_VAR = "CK_LOCAL_CONFIG"

# Field name in the file -> key the wizard uses.
FIELDS: dict[str, str] = {
    "Scratch directory": "scratch_dir",
    "Models directory": "models_dir",
    "Account": "account",
    "Partition": "partition",
    "Constraint": "constraint",
    "Full GPU constraint": "full_gpu_constraint",
    "Shared/MIG partition": "shared_partition",
    "Default GPUs": "default_gpus",
    "Time limit": "time_limit",  # the partition's longest job (HH:MM:SS or D-HH:MM:SS): CK298
    "Default conda environment": "conda_env",
    "Entity": "wandb_entity",
    "Default project": "wandb_project",
    "Task scripts": "tasks_dir",  # the folder of inspect-ai task scripts (the wizard offers them)
}
PATH_KEYS = frozenset({"scratch_dir", "models_dir", "tasks_dir"})
# Values that become SLURM options (`#SBATCH --partition=...`): SLURM's own characters only
# (spec/naming.py slurm_value_problem); every other value reaches a script or a path, so one line.
SLURM_KEYS = frozenset({"account", "partition", "constraint", "full_gpu_constraint", "shared_partition"})
# A claude.local.md is a page of settings; a bigger one is not read (docs/security.md).
MAX_BYTES = 256 * 1024

_LINE = re.compile(r"^\s*[-*+]\s+\*\*(?P<field>[^*]+?)\*\*\s*:\s*`(?P<value>[^`]*)`")
_PLACEHOLDER = re.compile(r"^<[^<>]*>$")


@dataclass(frozen=True)
class LocalConfig:
    """The fields read from one claude.local.md (`path` None: no file found, no defaults)."""

    path: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    # Why values were left out (not one line, not a SLURM value), and whether the file lies
    # outside the user's own folders (then the wizard names the values it supplied).
    refused: tuple[str, ...] = ()
    foreign: str = ""

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


def without_comments(text: str) -> str:
    """`text` without its <!-- ... --> comments (an unclosed one runs to the end). Linear: a
    regular expression rescans the rest of the text for every unclosed `<!--`."""
    out, pos = [], 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3


def value_problem(key: str, value: str) -> str:
    """'' when a field's value can be a default, else why not (spec/naming.py, the one rule)."""
    what = next((name for name, k in FIELDS.items() if k == key), key)
    if key in SLURM_KEYS:
        return naming.slurm_value_problem(value, what)
    return naming.line_problem(value, what)


def parse(text: str, base_dir: str | os.PathLike[str] | None = None, refused: list[str] | None = None) -> dict[str, str]:
    """Fields of a claude.local.md text, keyed as in FIELDS; placeholders and blanks left out,
    and values no SLURM script or path may take (why, in `refused`).

    Relative path fields are made absolute against `base_dir` (the file's directory) when given.
    """
    values: dict[str, str] = {}
    for line in without_comments(text).splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        key = FIELDS.get(m["field"].strip())
        value = m["value"].strip()
        if key is None or not value or _PLACEHOLDER.match(value) or key in values:
            continue
        if problem := value_problem(key, value):
            if refused is not None:
                refused.append(problem)
            continue
        if key in PATH_KEYS:
            p = Path(value).expanduser()
            if not p.is_absolute() and base_dir is not None:
                p = Path(base_dir) / p
            value = os.path.normpath(str(p))
        values[key] = value
    return values


def _ancestors(start: Path) -> Iterator[Path]:
    p = start
    while True:
        yield p
        if p.parent == p:
            return
        p = p.parent


def candidates(dst_path: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None,
               env: dict[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every place looked at, in order."""
    env = os.environ if env is None else env
    out: list[Path] = []
    if env.get(ENV_VAR):
        out.append(Path(env[ENV_VAR]).expanduser())
    if dst_path:
        out.extend(d / FILE_NAME for d in _ancestors(Path(os.path.abspath(Path(dst_path).expanduser()))))
    out.extend(d / FILE_NAME for d in _ancestors(Path(os.path.abspath(cwd or os.getcwd()))))
    out.append(Path(home or Path.home()) / ".claude" / FILE_NAME)
    seen: set[Path] = set()
    unique = []
    for p in out:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def find(dst_path: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None,
         env: dict[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> Path | None:
    for p in candidates(dst_path, cwd, env, home):
        try:
            if p.is_file():
                return p
        except OSError:
            continue
    return None


def foreign_owner(path: Path) -> str:
    """'' when `path` is the user's own (owned by them, in a folder only they can write), else
    who else controls it, in words: a claude.local.md in a shared parent (/scratch) would set
    defaults for everyone below it."""
    try:
        st = path.stat()
        folder = path.parent.stat()
    except OSError:
        return ""
    me = os.geteuid()
    if st.st_uid != me:
        return f"owned by uid {st.st_uid}, not you"
    if folder.st_uid != me and folder.st_mode & 0o022:
        return f"in {path.parent}, a folder others can write"
    return ""


_cache: dict[tuple[str, float, int], LocalConfig] = {}


def load(dst_path: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None,
         env: dict[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> LocalConfig:
    """The first claude.local.md found, parsed; an empty LocalConfig when there is none. Read as
    every input is (facts/files.py): a regular file, at most MAX_BYTES."""
    path = find(dst_path, cwd, env, home)
    if path is None:
        return LocalConfig()
    try:
        st = path.stat()
        key = (str(path), st.st_mtime, st.st_size)
        if key not in _cache:
            text = read_regular(path, MAX_BYTES).decode("utf-8", errors="replace")
            refused: list[str] = []
            values = parse(text, path.parent, refused)
            _cache[key] = LocalConfig(str(path), values, tuple(refused), foreign_owner(path))
        found = _cache[key]
        return LocalConfig(found.path, dict(found.values), found.refused, found.foreign)
    except TooLarge as exc:
        return LocalConfig(str(path), {}, (f"not read: {exc}",))
    except OSError:
        return LocalConfig()
