"""A finding: one rule broken at one place in one file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str  # the file, as the user named it
    line: int  # 1-based
    column: int  # 1-based
    code: str  # CK001 ... CK309 (docs/rules.md)
    severity: str  # "error" | "warning"
    message: str  # names the values involved
    hint: str | None = None  # the fix, when there is an obvious one
    fixable: bool = False  # `ck-validate --fix` would apply the hint (validate/fixes/)
