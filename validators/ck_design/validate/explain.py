"""`ck-validate --explain CODE`: one rule's documentation, from the installed package.

A pip install ships no docs/ directory, so the CLI prints what docs/rules.md says about a code
(both are rendered from the same rule registry): what is wrong, why it matters, the fix, and a
failing example with its fixed version.
"""

from __future__ import annotations

import textwrap


def explain(code: str) -> str | None:
    """The text for `code` (case-insensitive), or None when no rule has that code."""
    from .registry import RULES

    rule = RULES.get(code.strip().upper())
    if rule is None:
        return None

    def block(text: str) -> str:
        return textwrap.indent(text, "    ")

    parts = [
        f"{rule.code} {rule.severity}: {rule.summary}",
        f"Section: {rule.section}" if rule.section else "",
        "",
        textwrap.fill(f"Why: {rule.why}", width=100),
        "",
        textwrap.fill(f"Fix: {rule.hint}", width=100),
        "",
        "Fails:",
        block(rule.bad_example),
        "",
        "Fixed:",
        block(rule.fixed_example),
    ]
    return "\n".join(p for i, p in enumerate(parts) if p or i != 1) + "\n"
