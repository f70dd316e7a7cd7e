"""Issue 21, items 4 and 10: `ck-validate --fix` never loses an edit made while it runs and never
writes a file the user could not write in place. Real files, the real fixers and validator; the
write-protection case as an ordinary user (root without CAP_DAC_OVERRIDE, tools.unprivileged)."""

from __future__ import annotations

import os
import subprocess

import pytest
from test_fix import BASE, _broken

from ck_design.validate.engine import check
from ck_design.validate.fixes.run import NotWritten, fix_file
from tools import CK_VALIDATE, unprivileged


def test_fix_refuses_when_the_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(_broken("CK210-flow"))
    edited = _broken("CK210-flow").replace("Rank 4 is enough.", "Rank 8 is needed.")
    calls = []

    def validate_while_someone_saves(doc):
        if not calls:  # an editor saves the file while --fix works on it
            path.write_text(edited)
        calls.append(1)
        return list(check(doc))

    with pytest.raises(NotWritten, match=r"changed while ck-design worked on it; nothing was written"):
        fix_file(str(path), validate_while_someone_saves, write=True)
    assert path.read_text() == edited  # the edit is kept, not overwritten by the fix
    # run again on the saved file: fixed, the edit kept
    fix_file(str(path), lambda doc: list(check(doc)), write=True)
    assert path.read_text() == BASE.replace("Rank 4 is enough.", "Rank 8 is needed.")


def test_fix_does_not_replace_a_read_only_file(tmp_path):
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(_broken("CK210-flow"))
    path.chmod(0o444)
    r = subprocess.run(unprivileged([CK_VALIDATE, "--fix", str(path)]), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert path.read_text() == _broken("CK210-flow") and path.stat().st_mode & 0o777 == 0o444
    assert r.stderr.splitlines()[0] == (
        f"ck-validate: not fixed: {path}: permission denied: the file cannot be written in place, so --fix leaves "
        "it as it is (nothing was written); its findings are listed below")
    assert "CK210 [*] error" in r.stdout  # it was validated: its findings are reported
    assert "nothing was validated" not in r.stderr and r.stderr.splitlines()[-1] == "1 error, 0 warnings in 1 file"


@pytest.mark.skipif(os.geteuid() != 0, reason="a file owned by another user needs root to set up")
def test_fix_keeps_the_owner_of_another_users_writable_file(tmp_path):
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(_broken("CK210-flow"))
    os.chown(path, 12345, 12345)
    path.chmod(0o666)
    r = subprocess.run([CK_VALIDATE, "--fix", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert path.read_text() == BASE
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 12345)


def test_a_comment_inside_a_multi_line_flow_list_is_kept(tmp_path):
    # issue 21, item 14: ruamel.yaml's round trip dropped it; the fix is now made in place.
    flow = "    epochs: [0, 1]  # both checkpoints\n"
    assert flow in BASE
    clean = BASE.replace(flow, "    epochs: [0,   # first\n      1]  # both checkpoints\n")
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(clean.replace("[0,   # first\n      1]", "[1,   # first\n      2]"))
    r = subprocess.run([CK_VALIDATE, "--fix", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert path.read_text() == clean


def test_a_null_key_is_named_as_such(tmp_path):
    # issue 21, item 14: the message read "the key  is not a string".
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(BASE.replace("experiment:\n", "experiment:\n  ?\n  : 1\n", 1))
    line = path.read_text().splitlines().index("  ?") + 1
    r = subprocess.run([CK_VALIDATE, str(path)], capture_output=True, text=True, timeout=60)
    assert f"{path}:{line}:4: CK101 error: experiment: a key is empty (null), not a string" in r.stdout, r.stdout
    assert "the key  is" not in r.stdout
