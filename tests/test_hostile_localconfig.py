"""Issue 21, item 9: claude.local.md is parsed in linear time, read bounded, and a file outside
the user's own folders (a shared /scratch above the destination) that supplies defaults is named
with the values it supplies, in the wizard's opening message (real copier)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from copier import run_copy

from ck_design.facts import localconfig
from copier_support import answers_for, make_scratch, shared_template

DEADLINE = 30  # the quadratic parse took 66 s on 200 KB; linear takes milliseconds


def test_unclosed_comments_parse_in_linear_time():
    code = ("from ck_design.facts.localconfig import parse\n"
            "assert parse('- **Partition**: `gpu`\\n' + '<!--' * 50_000) == {'partition': 'gpu'}\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=DEADLINE)
    assert r.returncode == 0, r.stderr
    assert localconfig.parse("- **Account**: `a`\n<!-- x -->\n<!-- - **Partition**: `p`\n") == {"account": "a"}


def test_an_oversized_file_is_not_read_and_says_so(tmp_path):
    md = tmp_path / "claude.local.md"
    md.write_text("- **Partition**: `gpu`\n" + "x" * localconfig.MAX_BYTES)
    config = localconfig.load(env={"CK_LOCAL_CONFIG": str(md)}, cwd=tmp_path, home=tmp_path)
    assert config.values == {}
    assert config.refused[0].startswith(f"not read: {md}: ") and "more than the" in config.refused[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_shared_parents_file_is_named_with_the_values_it_supplies(tmp_path, capfd, monkeypatch):
    (tmp_path / "home").mkdir()  # the private HOME the copy runs with
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    shared = tmp_path / "shared"
    shared.mkdir()
    md = shared / "claude.local.md"
    md.write_text("- **Partition**: `evil`\n- **Account**: `theirs`\n")
    os.chown(md, 12345, 12345)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CK_LOCAL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path / "home")
    run_copy(str(template), shared / "exp", data=answers_for(res), defaults=True, unsafe=True)
    out = capfd.readouterr()
    text = " ".join((out.out + out.err).split())
    assert (f"warning: {md} is not yours (owned by uid 12345, not you); it supplies the defaults for: Account, "
            "Partition") in text, text[:2000]
