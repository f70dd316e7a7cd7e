"""What the template needs besides the design: the modeline's schema, the approval switch
(`_subdirectory`), and text made safe for markdown and mermaid in README.md.

Approval and declining are described in docs/wizard.md ("Approval"); the modeline in docs/editor.md.
"""

from __future__ import annotations

from typing import Any

from ..spec import jsonschema

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


def approval_root(approved: Any) -> str:
    """`_subdirectory`: the template when approved. Declined on copy: an empty folder, so
    nothing at all is written. Declined on update: stop (an empty render would delete files)."""
    if approved is True or (isinstance(approved, str) and approved.lower() in ("true", "yes", "1")):
        return "template"
    operation = None
    try:
        from copier._main import _operation  # the operation copier is running (copy/update)

        operation = _operation.get(None)
    except Exception:  # copier internals moved: treat as a copy
        operation = None
    if operation == "update":
        from copier.errors import UserMessageError

        raise UserMessageError("Update declined at approval (step 8): nothing was changed.")
    return DECLINED_ROOT
