"""The split of the suite (tests/conftest.py): a fast test cannot start copier, git, pre-commit,
make or a pty, and a test using an end-to-end fixture is marked e2e, so `make test-fast` stays
fast and `-m e2e` holds every end-to-end test."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tools import COPIER


@pytest.mark.parametrize("argv", [["git", "--version"], [COPIER, "--version"], ["make", "--version"],
                                  [sys.executable, "-m", "pre_commit", "--version"]],
                         ids=["git", "copier", "make", "python -m pre_commit"])
def test_a_fast_test_that_starts_an_end_to_end_program_fails_naming_it(request, argv):
    assert request.node.get_closest_marker("e2e") is None
    with pytest.raises(pytest.fail.Exception, match="is a fast test but runs `"):
        subprocess.run(argv, capture_output=True, check=False)


def test_a_fast_test_cannot_start_a_pty(request):
    import pexpect  # imported here: a module importing it is end-to-end as a whole

    with pytest.raises(pytest.fail.Exception, match="is a fast test but starts a pty"):
        pexpect.spawn("true")


def test_a_fast_test_may_run_the_validator():
    from tools import CK_VALIDATE

    done = subprocess.run([CK_VALIDATE, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_test_using_the_hook_environment_is_end_to_end(request, env):
    assert request.node.get_closest_marker("e2e") is not None
    assert subprocess.run(["git", "--version"], capture_output=True, check=False).returncode == 0
