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
}
PATH_KEYS = frozenset({"scratch_dir", "models_dir"})

_LINE = re.compile(r"^\s*[-*+]\s+\*\*(?P<field>[^*]+?)\*\*\s*:\s*`(?P<value>[^`]*)`")
_PLACEHOLDER = re.compile(r"^<[^<>]*>$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class LocalConfig:
    """The fields read from one claude.local.md (`path` None: no file found, no defaults)."""

    path: str | None = None
    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


def parse(text: str, base_dir: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Fields of a claude.local.md text, keyed as in FIELDS; placeholders and blanks left out.

    Relative path fields are made absolute against `base_dir` (the file's directory) when given.
    """
    values: dict[str, str] = {}
    for line in _COMMENT.sub("", text).splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        key = FIELDS.get(m["field"].strip())
        value = m["value"].strip()
        if key is None or not value or _PLACEHOLDER.match(value) or key in values:
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


_cache: dict[tuple[str, float], dict[str, str]] = {}


def load(dst_path: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None,
         env: dict[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> LocalConfig:
    """The first claude.local.md found, parsed; an empty LocalConfig when there is none."""
    path = find(dst_path, cwd, env, home)
    if path is None:
        return LocalConfig()
    try:
        key = (str(path), path.stat().st_mtime)
        if key not in _cache:
            _cache[key] = parse(path.read_text(encoding="utf-8", errors="replace"), path.parent)
        return LocalConfig(str(path), dict(_cache[key]))
    except OSError:
        return LocalConfig()
