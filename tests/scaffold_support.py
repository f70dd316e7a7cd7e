"""Designs and helpers for the ck-scaffold tests: absolute paths (a job file holds nothing else),
both eras, and running the real `ck-scaffold` console script."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

import era_designs
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


def scaffold(directory: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, in `directory`'s parent, with no claude.local.md to find."""
    full_env = {**os.environ, "CK_LOCAL_CONFIG": str(directory / "no-such-claude.local.md"), "HOME": str(directory)}
    full_env.update(env or {})
    return subprocess.run([str(BIN / "ck-scaffold"), *args, str(directory)], capture_output=True, text=True,
                          env=full_env, cwd=directory.parent, timeout=120)


def files_under(directory: Path) -> dict[str, bytes]:
    """Every regular file below `directory` except the design, by relative path."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != naming.SUMMARY_FILE}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


__all__ = ["NAME", "absolute", "seed_design", "to_v03", "write", "scaffold", "files_under", "load"]
