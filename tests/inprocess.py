"""A console script's function run in this process as its own process would run it: an interpreter
start-up per call was most of the fast tests' CPU (tests/test_golden.py's 98 ck-validate runs).

`run(main, script, args, cwd=..., env=...)` gives what subprocess.run(capture_output=True) gives:
the exit status (returned, or SystemExit's from argparse), stdout and stderr as the UTF-8 bytes
a pipe carries (text=True: decoded with universal newlines, as subprocess does). Environment,
cwd, argv, the standard streams and the cyclic GC (ck-validate and ck-scaffold turn it off) are
put back afterwards. The tests that pin the installed script itself still start it.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def as_a_process(env: dict[str, str | None], cwd: Path | str | None, argv: list[str]) -> Iterator[tuple[io.BytesIO, io.BytesIO]]:
    """`env` applied over os.environ (None removes a variable), cwd, argv, and stdout/stderr as
    UTF-8 pipes, for the duration; everything put back afterwards."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    saved_streams, gc_was_on = (sys.stdout, sys.stderr), gc.isenabled()
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if cwd is not None:
        os.chdir(cwd)
    sys.argv, sys.stdout, sys.stderr = argv, out, err
    try:
        yield out.buffer, err.buffer  # type: ignore[misc]
    finally:
        sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        if gc_was_on:
            gc.enable()


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def run(main: Callable[[list[str]], int], script: str, args: list[str], *, cwd: Path | str | None = None,
        env: dict[str, str | None] | None = None, text: bool = False) -> subprocess.CompletedProcess:
    """`script args` (a console script of this environment) through its function `main`."""
    argv = [str(BIN / script), *args]
    with as_a_process(env or {}, cwd, argv) as (out, err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, a usage error
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        stdout, stderr = out.getvalue(), err.getvalue()
    if text:
        return subprocess.CompletedProcess(argv, code, _text(stdout), _text(stderr))
    return subprocess.CompletedProcess(argv, code, stdout, stderr)


def ck_validate(args: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    from ck_design.validate.cli import main

    return run(main, "ck-validate", args, **kwargs)


def ck_scaffold(args: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    from ck_design.scaffold.cli import main

    return run(main, "ck-scaffold", args, **kwargs)
