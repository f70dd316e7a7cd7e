"""README.md stays true: its ck-validate output is what ck-validate prints today, its quick start is
exactly `make demo` and `make test`, and every command it shows is exercised somewhere."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FIRST_SCREEN = 45  # lines a reader sees before scrolling


def readme() -> str:
    return README.read_text(encoding="utf-8")


def block(name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", readme(), re.S)
    assert m, f"README.md has no <!-- {name}:start/end --> block"
    return m.group(1)


def fenced(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced code block in text."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)]


def section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme(), re.S | re.M)
    assert m, f"README.md has no '## {title}' section"
    return m.group(1)


def commands(body: str) -> list[str]:
    """Shell commands of a code block: `$ `-prefixed lines in console blocks, else every
    non-comment line; backslash continuations joined, trailing comments dropped."""
    lines, out = body.splitlines(), []
    console = any(line.startswith("$ ") for line in lines)
    joined = ""
    for line in lines:
        if console and not joined:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        line = line.rstrip()
        if line.endswith("\\"):
            joined += line[:-1] + " "
            continue
        line = joined + line
        joined = ""
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def ck_validate() -> str:
    if importlib.util.find_spec("ck_design.cli") is None:
        pytest.skip("ck_design.cli not there yet")
    exe = Path(sys.executable).parent / "ck-validate"
    return str(exe) if exe.exists() else (shutil.which("ck-validate") or pytest.skip("ck-validate not installed"))


def test_quick_start_is_exactly_make_demo_and_make_test():
    blocks = fenced(section("Quick start"))
    cmds = [c for _, body in blocks for c in commands(body)]
    assert cmds == ["make demo", "make test"]


def test_readme_shows_a_real_finding_on_the_first_screen():
    first = "\n".join(readme().splitlines()[:FIRST_SCREEN])
    assert "<!-- ck-validate-output:start -->" in first
    assert re.search(r"^\S+:\d+:\d+: CK210 error: ", first, re.M), "no CK210 finding on the first screen"
    assert re.search(r"^\S+:\d+:\d+: CK201 error: ", first, re.M), "no CK201 finding on the first screen"


def test_shown_ck_validate_output_is_what_it_prints_today():
    (lang, body), = fenced(block("ck-validate-output"))
    lines = body.splitlines()
    assert lines[0].startswith("$ ck-validate ")
    argv = shlex.split(lines[0][2:])
    shown = "\n".join(lines[1:]) + "\n"
    got = subprocess.run([ck_validate(), *argv[1:]], cwd=REPO, capture_output=True, text=True)
    assert got.returncode == 1, got.stderr
    assert got.stdout == shown, (
        "README.md's ck-validate output is stale. Paste this between the markers:\n" + got.stdout
    )


def test_rendered_readme_excerpt_has_runs_table_and_matrix():
    excerpt = block("rendered-readme")
    assert re.search(r"^\|.*Run.*\|", excerpt, re.M | re.I), "no runs table in the excerpt"
    assert "_base" in excerpt and "rank4" in excerpt and "rank8" in excerpt
    # tests/test_demo.py checks every line of the excerpt against the README `make demo` renders.


def test_links_resolve():
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (REPO / target).exists(), f"README.md links to missing {target}"
    assert "docs/rules.md" in readme()


def test_pre_commit_snippet_names_real_hooks():
    hooks_file = REPO / ".pre-commit-hooks.yaml"
    if not hooks_file.exists():
        pytest.skip(".pre-commit-hooks.yaml not there yet")
    ids = {h["id"] for h in yaml.safe_load(hooks_file.read_text())}
    snippets = [yaml.safe_load(body) for lang, body in fenced(readme()) if lang == "yaml" and "repos:" in body]
    assert snippets, "README.md shows no .pre-commit-config.yaml snippet"
    for snippet in snippets:
        for repo in snippet["repos"]:
            assert repo["rev"] and repo["repo"]
            assert {h["id"] for h in repo["hooks"]} <= ids


# Each command shown in README.md, by its leading words, and where it is exercised. A command the
# README adds must be listed here, and the listed place must really contain it.
EXERCISED = {
    "make demo": "Makefile",                      # and tests/test_demo.py
    "make test": ".ci/run",
    "make release": "Makefile",
    "pip install": "tests/test_demo.py",          # the installed-package test
    "copier copy": "Makefile",                    # make demo; tests of the wizard
    "copier update": "tests",
    "ck-validate": "Makefile",
    "pre-commit": "tests",
    "git": "tests",
    "cd": None,
}
# Not run by the suite (tools this machine does not have); each is the documented equivalent of
# `pip install` into copier's own environment, which tests/test_demo.py does exercise.
EQUIVALENTS = ("uv tool install", "pipx install", "pipx inject")


def test_every_command_is_exercised():
    sources = {p: p.read_text(encoding="utf-8", errors="replace")
               for p in [*REPO.glob("tests/*.py"), REPO / "Makefile", REPO / ".ci" / "run"] if p.exists()}
    for lang, body in fenced(readme()):
        if lang not in ("sh", "console", "bash", ""):
            continue
        for cmd in commands(body):
            if cmd.startswith(EQUIVALENTS):
                continue
            key = next((k for k in sorted(EXERCISED, key=len, reverse=True) if cmd == k or cmd.startswith(k + " ")), None)
            assert key is not None, f"README.md command not known to be exercised: {cmd!r}"
            where = EXERCISED[key]
            if where is None:
                continue
            texts = [t for p, t in sources.items() if str(p.relative_to(REPO)).startswith(where)]
            needle = key.split()[-1] if key.startswith("make ") else key
            assert any(needle in t for t in texts), f"{cmd!r}: {where} does not run {key!r}"
