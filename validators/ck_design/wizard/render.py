"""What the template needs besides the design: the modeline's schema, the approval switch
(`_subdirectory`), and text made safe for markdown and mermaid in README.md.

Approval and declining are described in docs/wizard.md ("Approval"); the modeline in docs/editor.md.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Any

from ..facts.files import read_tail
from ..spec import jsonschema
from ..spec.logformat import HEADER_RE
from ..spec.naming import LOG_FILE
from . import steps

# Where the modeline points when neither schema file is found (docs/editor.md).
SCHEMA_URL = f"https://raw.githubusercontent.com/ck-design/ck-design/main/schemas/{jsonschema.SCHEMA_NAME}"


def schema_url() -> str:
    """Where the modeline points: the JSON schema shipped inside the installed package when it
    is there (works offline, matches the installed validator), else the repository's copy."""
    installed = jsonschema.installed_schema_path()
    repo = installed.parent.parent.parent.parent / "schemas" / jsonschema.SCHEMA_NAME
    for candidate in (installed, repo):
        if candidate.is_file():
            return str(candidate)
    return SCHEMA_URL


# A folder inside template/ whose own rendered name is empty (so an approved render skips it),
# holding one file whose rendered name is empty too: rendering from it writes nothing.
DECLINED_ROOT = "template/{% if false %}declined{% endif %}"


def copier_operation() -> str | None:
    """'copy' or 'update': copier passes `_copier_operation` to tasks only, so read the context
    variable it sets for the whole operation (all three renders of an update say 'update').
    None when this copier does not have it: then nothing is recorded that depends on it."""
    try:
        from copier._main import _operation  # copier's own; present in 9.19 (pyproject pins <10)

        return _operation.get(None)
    except Exception:  # noqa: BLE001 - copier internals moved: treat as a copy
        return None


def approval_root(approved: Any) -> str:
    """`_subdirectory`: the template when approved. Declined on copy: an empty folder, so
    nothing at all is written. Declined on update: stop (an empty render would delete files)."""
    if approved is True or (isinstance(approved, str) and approved.lower() in ("true", "yes", "1")):
        return "template"
    if copier_operation() == "update":
        from copier.errors import UserMessageError

        raise UserMessageError("Update declined at approval (step 8): nothing was changed.")
    return DECLINED_ROOT


# Where copier can read a template from (its `_src_path`) -> the URL pip installs from. A local
# path is not here: CI cannot reach it.
_URL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gh:", "https://github.com/"),
    ("gl:", "https://gitlab.com/"),
    ("git+", ""),
    ("https://", "https://"),
    ("http://", "http://"),
    ("ssh://", "ssh://"),
    ("git://", "git://"),
)
# `git describe` of a commit past a tag (what copier records as `_commit`): v0.2.0-5-gabc1234.
_DESCRIBE = re.compile(r"^.*-g([0-9a-f]+)$")


def template_git_url(src_path: Any) -> str:
    """The git URL of the template a design was rendered from; "" for a local path (or none)."""
    src = str(src_path or "")
    for prefix, replacement in _URL_PREFIXES:
        if src.startswith(prefix):
            return replacement + src[len(prefix):]
    if src.startswith("git@") and ":" in src:  # scp-like: git@host:org/repo
        return "ssh://" + src.replace(":", "/", 1)
    return ""


# How ck-design is installed, said once: README.md (Install), the rendered .pre-commit-config.yaml
# and the rendered workflow all carry this sentence (tests/test_install_story.py).
INSTALL_STORY = (
    "ck-design is installed from its repository, never by bare name from a package index (that "
    "name is not this project's to vouch for, docs/security.md): a clone (`pip install "
    "/path/to/ck-design`) or its git URL at a release (`pip install \"ck-design @ git+<repository "
    "URL>@<tag>\"`), in the environment copier runs from."
)


def install_story() -> str:
    return INSTALL_STORY


def install_command(src_path: Any, commit: Any) -> str:
    """The command that installs the ck-design this design was rendered with: its git URL at
    the rendered commit, or the local template folder it came from ("" when unknown)."""
    if requirement := install_requirement(src_path, commit):
        return f"pip install {shlex.quote(requirement)}"
    path = str(src_path or "")
    return f"pip install {shlex.quote(path)}" if path.startswith("/") else ""


_AFTER_TAG = re.compile(r"^v(?P<version>[^-]+)-(?P<count>\d+)-g(?P<sha>[0-9a-f]+)$")


def template_version(version: str, described: tuple[str, int] | None) -> str:
    """The wizard's first line's version, in copier's own terms for the template it renders:
    `0.2.0` at the release tag v0.2.0; `0.2.0.post3.dev0+gabc1234 (3 commits after v0.2.0)` past
    it; in a clone without release tags (copier: "No git tags found", version 0.0.0.postN) the
    package version, the commit, and how to render a release instead (docs/releasing.md)."""
    if described is None:
        return version
    commit, count = described
    if commit.startswith("v") and not _AFTER_TAG.match(commit):
        return commit[1:]
    if m := _AFTER_TAG.match(commit):
        return (f"{m['version']}.post{m['count']}.dev0+g{m['sha']} ({m['count']} commits after the "
                f"v{m['version']} release)")
    return (f"{version}, untagged commit {commit}: this clone has no release tag, so copier renders "
            f"that commit and calls it 0.0.0.post{count}.dev0+{commit} (`git fetch --tags` then "
            f"`--vcs-ref v{version}` renders the release)")


def install_requirement(src_path: Any, commit: Any) -> str:
    """The pip requirement CI installs ck-design by (the rendered workflow's CK_DESIGN_SPEC): the
    template's own repository at the commit the design was rendered from, never the bare name from
    a package index (docs/security.md). "" when the template is on a local path."""
    url = template_git_url(src_path)
    if not url:
        return ""
    ref = str(commit or "")
    ref = m.group(1) if (m := _DESCRIBE.match(ref)) else ref
    return f"ck-design @ git+{url}" + (f"@{ref}" if ref else "")


def _last_entry(log: str) -> tuple[str, str] | None:
    """(action, result) of the log's last entry; None when there is no log. Reads the tail only."""
    try:
        text = read_tail(log, 65536).decode("utf-8", errors="replace")
    except OSError:
        return None
    action = result = ""
    for line in text.splitlines():
        if m := HEADER_RE.match(line):
            action, result = m.group(2), ""
        elif line.startswith("Result: "):
            result = line[len("Result: "):].strip()
    return (action, result) if action else None


def after_copy_message(dst: str, skipped_tasks: bool = False) -> str:
    """copier's last words after a copy (`_message_after_copy`), true to what the post-copy hook
    did: its verdict is the log's last entry, COMPLETE_DESIGN (docs/wizard.md, "At the terminal")."""
    files = "  experiment_summary.yaml (the design) and README.md (the plan)."
    return f"{steps.header('files')} - files.\n" + _written(dst, files, skipped_tasks)


def _written(dst: str, files: str, skipped_tasks: bool) -> str:
    last = _last_entry(os.path.join(dst, LOG_FILE))
    # Each verdict on a line of its own, under 80 columns (tests/test_terminal.py).
    if skipped_tasks:
        return (f"Experiment design files written to {dst}\n{files}\n"
                "  The hook was skipped (--skip-tasks): nothing verified, logged or committed.")
    if last is None or last[0] != "COMPLETE_DESIGN":
        return (f"Experiment design files written to {dst}\n{files}\n"
                "  The post-copy hook did not finish (see above): nothing was committed.")
    if last[1] == "success":
        return f"Experiment design written to {dst}\n{files}"
    if last[1] == "warning":
        return f"Experiment design written to {dst}\n{files}\n  Resolve what is listed above before running it."
    return f"Experiment design written to {dst}\n{files}\n  Not finished: see the errors above and {LOG_FILE}."
