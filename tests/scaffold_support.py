"""Designs and helpers for the ck-scaffold tests: absolute paths (a job file holds nothing else),
both eras, and running `ck-scaffold`: its console script's function in this process (scaffold), or
the real console script in a new process (scaffold_console: the --render tests, the by-hand ones
and a few more, so the installed script stays tested)."""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import os
import subprocess
import sys
from pathlib import Path
from collections.abc import Iterator
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


def _env(directory: Path, env: dict[str, str] | None) -> dict[str, str]:
    """No claude.local.md to find (CK_LOCAL_CONFIG points nowhere, HOME is the experiment's)."""
    return {"CK_LOCAL_CONFIG": str(directory / "no-such-claude.local.md"), "HOME": str(directory), **(env or {})}


def scaffold_console(directory: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, in `directory`'s parent, with no claude.local.md to find."""
    return subprocess.run([str(BIN / "ck-scaffold"), *args, str(directory)], capture_output=True, text=True,
                          env={**os.environ, **_env(directory, env)}, cwd=directory.parent, timeout=120)


@contextlib.contextmanager
def _as_a_process(env: dict[str, str], cwd: Path, argv: list[str]) -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """What a new process of the console script would have: these variables, cwd, argv, and
    stdout/stderr as UTF-8 pipes; all put back afterwards (main() turns the cyclic GC off too)."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    saved_streams, gc_was_on = (sys.stdout, sys.stderr), gc.isenabled()
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv, sys.stdout, sys.stderr = argv, out, err
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        if gc_was_on:
            gc.enable()


def _text(stream: io.TextIOWrapper) -> str:
    """As subprocess.run(text=True) decodes a pipe: UTF-8, universal newlines."""
    return stream.buffer.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # type: ignore[attr-defined]


def scaffold(directory: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`ck-scaffold *args directory` through its console script's function (pyproject's
    [project.scripts] ck_design.scaffold.cli:main) in this process, as scaffold_console runs it:
    the same exit status and output, without an interpreter start-up per call."""
    from ck_design.scaffold import cli

    argv = [*args, str(directory)]
    with _as_a_process(_env(directory, env), directory.parent, [str(BIN / "ck-scaffold"), *argv]) as (out, err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: a usage error
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess([str(BIN / "ck-scaffold"), *argv], code, _text(out), _text(err))


def files_under(directory: Path) -> dict[str, bytes]:
    """Every regular file below `directory` except the design, by relative path."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != naming.SUMMARY_FILE}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


__all__ = ["NAME", "absolute", "seed_design", "to_v03", "write", "scaffold", "scaffold_console", "files_under", "load"]
