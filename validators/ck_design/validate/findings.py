"""A finding: one rule broken at one place in one file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    path: str  # the file, as the user named it
    line: int  # 1-based
    column: int  # 1-based
    code: str  # CK001 ... CK292
    severity: str  # "error" | "warning"
    message: str  # names the values involved
    hint: str | None = None  # the fix, when there is an obvious one

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
