"""Designs and helpers for the ck-scaffold tests: absolute paths (a job file holds nothing else),
both eras, and running `ck-scaffold`: its console script's function in this process (scaffold), or
the real console script in a new process (scaffold_console: the --render tests, the by-hand ones
and a few more, so the installed script stays tested)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

import era_designs
import inprocess
from ck_design.spec import naming
from designs import NAME, dump, make_design

BIN = Path(sys.executable).parent
SCRATCH = "/scratch/me"
PROJECT = "capitalization"


def absolute(data: dict[str, Any], base: str = SCRATCH) -> dict[str, Any]:
    """make_design's relative resource paths made absolute under `base`."""
    data = copy.deepcopy(data)
    for m in data["models"]["base"]:
        m["path"] = f"{base}/{m['path']}"
    data["data"]["training"]["path"] = f"{base}/{data['data']['training']['path']}"
    for t in data["evaluation"]["tasks"]:
        t["script"] = f"{base}/{t['script']}"
    return data


def seed_design(**kw: Any) -> dict[str, Any]:
    return absolute(make_design(**kw))


def to_v03(data: dict[str, Any], project: str = PROJECT) -> dict[str, Any]:
    """A seed-era design written to the 0.3 template: era_designs.to_v03 (UPSTREAM.md section 1),
    without what 0.3's template dropped (evaluation.system_prompt, temperature) and with
    controls.dataset_type, which 0.3 requires of setup_finetune."""
    d = era_designs.to_v03(copy.deepcopy(data), project)
    d["evaluation"].pop("system_prompt", None)
    d["evaluation"].pop("temperature", None)
    controls = list(d["controls"].items())
    d["controls"] = dict([*controls[:2], ("dataset_type", "chat_completion"), *controls[2:]])
    return d


def write(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / naming.SUMMARY_FILE
    path.write_text(dump(data), encoding="utf-8")
    return path


def _env(directory: Path, env: dict[str, str] | None) -> dict[str, str]:
    """No claude.local.md to find (CK_LOCAL_CONFIG points nowhere, HOME is the experiment's)."""
    return {"CK_LOCAL_CONFIG": str(directory / "no-such-claude.local.md"), "HOME": str(directory), **(env or {})}


def scaffold_console(directory: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, in `directory`'s parent, with no claude.local.md to find."""
    return subprocess.run([str(BIN / "ck-scaffold"), *args, str(directory)], capture_output=True, text=True,
                          env={**os.environ, **_env(directory, env)}, cwd=directory.parent, timeout=120)


def scaffold(directory: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`ck-scaffold *args directory` through its console script's function in this process
    (tests/inprocess.py), as scaffold_console runs it: the same exit status and output."""
    return inprocess.ck_scaffold([*args, str(directory)], cwd=directory.parent, env=_env(directory, env), text=True)


def files_under(directory: Path) -> dict[str, bytes]:
    """Every regular file below `directory` except the design, by relative path."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != naming.SUMMARY_FILE}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


__all__ = ["NAME", "absolute", "seed_design", "to_v03", "write", "scaffold", "scaffold_console", "files_under", "load"]
