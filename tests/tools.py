"""The programs the tests run, defined once: this environment's console scripts (the package under
test, never another one found on PATH) and how to run one without root's file-permission bypass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CK_VALIDATE = str(BIN / "ck-validate")
CK_PLAN = str(BIN / "ck-plan")
CK_MIGRATE = str(BIN / "ck-migrate")
COPIER = str(BIN / "copier")


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` as it runs for an ordinary user: as root (CI runs so), through setpriv without
    CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so a file's mode bits hold for it too."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is not installed: root reads and writes any file")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *cmd]


def working_tree_files() -> list[str]:
    """This checkout's files as git sees them now: tracked (as on disk, edits included) and new
    ones not ignored; deleted ones left out."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    return [rel for rel in listed if rel and os.path.lexists(REPO / rel) and not (REPO / rel).is_dir()]


def copy_working_tree(dst: Path) -> None:
    """Copy this checkout's working tree (working_tree_files) into dst, symlinks as symlinks."""
    for rel in working_tree_files():
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target, follow_symlinks=False)


def needs(*programs: str) -> pytest.MarkDecorator:
    """Skip when one of these programs is not installed, naming the missing ones (the only kind of
    skip the suite has: a regression in the template or the package fails, never skips)."""
    missing = [p for p in programs if shutil.which(p) is None]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")
