"""Shared helpers for the tests that follow README.md as a newcomer would (test_demo,
test_release, test_readme_path): a fresh clone of this repository, an environment with no trace
of this checkout's virtualenv, the README's commands as written, and the release tag `make tag`
creates. No tests here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tools import copy_working_tree

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
# Where README.md says "this repository" in its commands and snippets.
REPO_PLACEHOLDERS = ("/path/to/ck-design", "https://github.com/<you>/ck-design")

# Environment variables a clean login shell may legitimately carry into `make demo`:
# locale, home (pip's cache), temp dir, and what pip needs to reach the package index behind a proxy.
_PASS = {"HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "USER", "LOGNAME", "SSL_CERT_FILE",
         "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NO_PROXY", "no_proxy"}


def clean_env() -> dict[str, str]:
    """No VIRTUAL_ENV, no .venv/bin on PATH, no MAKEFLAGS from an outer `make test`; a git identity."""
    env = {k: v for k, v in os.environ.items()
           if k in _PASS or k.startswith("PIP_") or k.lower().endswith("_proxy")}
    venvs = {Path(sys.prefix).resolve()}
    if os.environ.get("VIRTUAL_ENV"):
        venvs.add(Path(os.environ["VIRTUAL_ENV"]).resolve())
    path = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        p = Path(entry).resolve() if entry else None
        if p is None or any(p == v / "bin" for v in venvs) or p.name == "bin" and (p.parent / "pyvenv.cfg").exists():
            continue
        path.append(entry)
    env["PATH"] = os.pathsep.join(path) or "/usr/local/bin:/usr/bin:/bin"
    env.update(
        GIT_AUTHOR_NAME="ck demo test", GIT_AUTHOR_EMAIL="ck-demo@example.invalid",
        GIT_COMMITTER_NAME="ck demo test", GIT_COMMITTER_EMAIL="ck-demo@example.invalid",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def readme_block(name: str) -> str:
    """The text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md."""
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", readme_text(), re.S)
    assert m, f"README.md has no {name} block"
    return m.group(1)


def readme_command(prefix: str) -> list[str]:
    """The README's shell command starting with `prefix`, as argv (its trailing comment dropped)."""
    for m in re.finditer(r"^```sh\n(.*?)^```", readme_text(), re.S | re.M):
        for line in m.group(1).splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith(prefix):
                return shlex.split(line)
    raise AssertionError(f"README.md shows no `{prefix}` command")


def readme_shell_line(prefix: str) -> str:
    """The README's shell line starting with `prefix`, verbatim (its trailing comment dropped)."""
    for m in re.finditer(r"^```sh\n(.*?)^```", readme_text(), re.S | re.M):
        for line in m.group(1).splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith(prefix):
                return line
    raise AssertionError(f"README.md shows no `{prefix}` line")


def readme_pre_commit_snippet() -> str:
    """The README's .pre-commit-config.yaml for other repositories, verbatim."""
    snippets = [m.group(1) for m in re.finditer(r"^```yaml\n(.*?)^```", readme_text(), re.S | re.M)
                if "repos:" in m.group(1)]
    assert len(snippets) == 1, f"README.md should show one .pre-commit-config.yaml snippet, not {len(snippets)}"
    return snippets[0]


def with_repo(argv: list[str], clone: Path) -> list[str]:
    """argv with the README's placeholder for this repository replaced by `clone`."""
    return [str(clone) if a in REPO_PLACEHOLDERS else a for a in argv]


def version() -> str:
    """ck_design.__version__ as written in the source (the checkout under test, not what is installed)."""
    text = (REPO / "validators" / "ck_design" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    assert m, "validators/ck_design/__init__.py has no __version__ line"
    return m.group(1)


def fresh_clone(where: Path) -> Path:
    """A clone of the repository this test runs from, as a newcomer gets it, of the tree under
    test: uncommitted edits and new files are committed into the clone as one snapshot commit (a
    plain clone of HEAD would test the last commit, not the working tree). The clone is clean."""
    clone = where / "ck-design"
    env = clean_env()
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, env=env)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=clone, capture_output=True, check=True, env=env).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        (clone / rel).unlink(missing_ok=True)
    copy_working_tree(clone)
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True, env=env)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=clone, env=env).returncode != 0:
        subprocess.run(["git", "commit", "--quiet", "-m", "snapshot of the working tree under test"],
                       cwd=clone, check=True, env=env)
    return clone


def tagged_clone(where: Path) -> tuple[Path, str]:
    """A fresh clone tagged by `make tag`, exactly as `make release` tags after the suite passed.
    The tag exists only in the clone: the real repository is tagged by whoever cuts the release."""
    clone = fresh_clone(where)
    tag = f"v{version()}"
    # A clone of a released checkout already has that release's tag, on the commit before the
    # snapshot fresh_clone adds: drop it in the clone so `make tag` tags the snapshot, as tested.
    subprocess.run(["git", "tag", "-d", tag], cwd=clone, env=clean_env(), capture_output=True, text=True)
    done = subprocess.run(["make", "--no-print-directory", "tag"], cwd=clone, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Tagged {tag}." in done.stdout, done.stdout
    return clone, tag
