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
        *([textwrap.fill(f"0.3 era: {rule.v03}", width=100), ""] if rule.v03 else []),
        "Fails:",
        block(rule.bad_example),
        "",
        "Fixed:",
        block(rule.fixed_example),
    ]
    if acknowledgeable(rule.code):
        parts += ["", f"Checked, and keeping it? Acknowledge that one finding for good with a comment on its line:\n"
                      f"    # ck-validate: ignore {rule.code}"]
    return "\n".join(p for i, p in enumerate(parts) if p or i != 1) + "\n"


def acknowledgeable(code: str) -> bool:
    """A finding of a loaded design (validate/suppress.py): not the loader's (the file did not
    load, so its comments were never read), not the log's (not YAML)."""
    from .rules import log, reading

    return code not in {r.code for r in (*reading.DOCS, *log.DOCS)}


# Where every code is listed: the file in ck-design's repository, and (a pip install ships no
# docs/) the registry's own list, from the installed package.
RULES_DOC = "docs/rules.md in ck-design's repository (or: python -m ck_design.validate.registry --list)"


def nearest_codes(code: str, n: int = 3) -> list[str]:
    """The `n` existing codes numerically nearest to `code` (CK216 -> CK214, CK215, CK220), in order."""
    from .registry import RULES

    digits = "".join(ch for ch in code if ch.isdigit())
    if not digits:
        return []
    target = int(digits)
    ranked = sorted(RULES, key=lambda c: (abs(int(c[2:]) - target), c))
    return sorted(ranked[:n])


def unknown_code(code: str) -> str:
    """The one-line answer for a code no rule has: the nearest codes and where all are listed."""
    shown = code.strip().upper()
    near = nearest_codes(shown)
    nearest = f"; the nearest are {', '.join(near)}" if near else " (codes look like CK210)"
    return f"no rule has the code {shown}{nearest}; every code is listed in {RULES_DOC}"
