"""Shared fixtures, and the split of the suite into fast and end-to-end tests.

End-to-end tests run real programs: copier (CLI or API), git, pre-commit, make, or the wizard in
a pty. They are marked `e2e` here, automatically: a test is end-to-end when it uses one of the
fixtures below that prepare such a run (`setup`, `env`), or its module uses a helper that
starts one (copier_support, wizard_fixtures' renders, clone_support, pty_support), or it says
so with `@pytest.mark.e2e`. `make test-fast` runs the others (`-m "not e2e"`); `make test` runs
all. A test left fast that starts one of those programs fails, naming it, so the split cannot
drift (see `_fast_tests_start_no_program`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import clone_support
import copier
import copier_support
import pexpect
import pty_support
import pytest
import wizard_fixtures
from copier_support import clean_env, make_scratch, template_repo
from hypothesis import settings

# Hypothesis's 200 ms deadline turns a busy shared machine into a failure: no deadline anywhere.
settings.register_profile("ck-design", deadline=None)
settings.load_profile("ck-design")

E2E = "e2e"
# Fixtures that prepare a copier run, or the in-process hook (which runs git).
E2E_FIXTURES = {"setup", "env"}
# Helpers that start copier, git, make or a pty: a module holding one is end-to-end.
E2E_HELPERS = {
    copier_support.template_repo, copier_support.shared_template, copier_support.copier_copy, copier_support.copier_update,
    copier_support.copied_experiment, copier_support.git, copier_support.commit_template_change,
    wizard_fixtures.render_api, wizard_fixtures.render_cli,
    clone_support.fresh_clone, clone_support.tagged_clone,
    pty_support.Terminal, pty_support.spawn, pty_support.walk, pexpect,
    copier.run_copy, copier.run_update, copier.run_recopy,
}
# What a fast test must not start (by program name).
E2E_PROGRAMS = {"copier", "git", "pre-commit", "make"}


def _helper_in(module: object) -> bool:
    for value in vars(module).values():
        try:
            if value in E2E_HELPERS:
                return True
        except TypeError:  # unhashable
            continue
    return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{E2E}: end-to-end (real copier, git, pre-commit, make or a pty); assigned by tests/conftest.py")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_modules: dict[object, bool] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module not in e2e_modules:
            e2e_modules[module] = module is not None and _helper_in(module)
        if e2e_modules[module] or E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(E2E)


def _program(args: object) -> str:
    argv = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args)  # type: ignore[call-overload]
    if not argv:
        return ""
    name = os.path.basename(os.fsdecode(argv[0]))
    if name.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        name = os.fsdecode(argv[2]).replace("_", "-")
    return name


@pytest.fixture(autouse=True)
def _fast_tests_start_no_program(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test not marked e2e that starts copier, git, pre-commit, make or a pty fails here."""
    if request.node.get_closest_marker(E2E) is not None:
        return
    # Popen._execute_child is where every child process starts, whichever way the code imported
    # Popen (copier's plumbum, subprocess.run, ...); private, but in CPython 3.10+ alike.
    execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    test = request.node.nodeid

    def guarded(self, args, *rest, **kwargs):  # noqa: ANN001, ANN202
        if _program(args) in E2E_PROGRAMS:
            pytest.fail(f"{test} is a fast test but runs `{_program(args)}`: end-to-end tests are marked e2e "
                        "(use the `setup` fixture, a helper of copier_support / pty_support, or @pytest.mark.e2e)")
        return execute_child(self, args, *rest, **kwargs)

    def no_pty(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        pytest.fail(f"{test} is a fast test but starts a pty: mark it e2e")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", guarded)
    monkeypatch.setattr(pexpect.spawn, "_spawn", no_pty)


class Setup(NamedTuple):
    tmp: Path
    env: dict[str, str]  # a private HOME, no system git config, a git identity
    template: Path  # this working tree committed into a git repository of the module's own
    res: dict  # models, dataset and task scripts on disk (designs.make_scratch)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    """What a module of copier tests shares: a template repository (its own, so a test may commit
    to it), a clean environment and resources. One per module: building them costs ~0.4 s."""
    tmp = tmp_path_factory.mktemp("setup")
    return Setup(tmp, clean_env(tmp / "home"), template_repo(tmp, clean_env(tmp / "tpl-home")), make_scratch(tmp / "res"))


@pytest.fixture
def res(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict]:
    """Resources on disk for one test: models, a dataset and its task scripts, claude.local.md
    (designs.make_scratch). A module varies them with `RESOURCES = {...}` (make_scratch's
    arguments); `"short_root": True` puts them under a short temporary folder instead, for the
    pty tests: a path the person types is echoed on one row at 80 columns."""
    kwargs = dict(getattr(request.module, "RESOURCES", {}))
    if not kwargs.pop("short_root", False):
        yield make_scratch(tmp_path / "res", **kwargs)
        return
    root = Path(tempfile.mkdtemp(prefix="ck"))
    try:
        yield make_scratch(root / "res", **kwargs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This process's environment made clean_env's (for code run in-process, such as the hook):
    a private HOME, no git identity or copier/pre-commit settings from the session. Returned too,
    for subprocesses."""
    e = clean_env(tmp_path / "home")
    for k in [k for k in os.environ if k.startswith(("GIT_", "COPIER_", "PRE_COMMIT"))] + ["EMAIL", "CK_LOCAL_CONFIG"]:
        monkeypatch.delenv(k, raising=False)
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    return e
