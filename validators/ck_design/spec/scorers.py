"""The scorers a design may name, and the params each takes.

inspect-ai's `match` and `includes`, and cruijff_kit's risk scorers. The wizard asks for the
params of the scorers chosen (the answer keys below; read in spec/answers.py); the validator checks them (CK290, CK291).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MATCH_LOCATIONS = ("exact", "begin", "end", "any")
LIST_OF_STR = "list[str]"  # a param kind: a non-empty list of strings


@dataclass(frozen=True)
class ScorerParam:
    name: str
    kind: Any  # bool, LIST_OF_STR, or a tuple of allowed values
    answer: str  # the wizard's answer key for it (copier.yml)
    default: Any


SCORERS: dict[str, tuple[ScorerParam, ...]] = {
    "match": (
        ScorerParam("location", MATCH_LOCATIONS, "match_location", "exact"),
        ScorerParam("ignore_case", bool, "match_ignore_case", False),
        ScorerParam("numeric", bool, "", False),  # valid in a design; the wizard does not ask it
    ),
    "includes": (ScorerParam("ignore_case", bool, "includes_ignore_case", False),),
    "risk_scorer": (ScorerParam("option_tokens", LIST_OF_STR, "risk_option_tokens", ["0", "1"]),),
    "numeric_risk_scorer": (ScorerParam("labels", LIST_OF_STR, "numeric_labels", ["0", "1"]),),
}
SCORER_NAMES = tuple(SCORERS)
# name -> {param: kind}, what the validator checks against.
KNOWN_SCORERS: dict[str, dict[str, Any]] = {s: {p.name: p.kind for p in ps} for s, ps in SCORERS.items()}
