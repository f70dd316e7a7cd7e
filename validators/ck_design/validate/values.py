"""How the rules read and quote the values of a design: paths, kinds, short reprs, hints.

Shared by every rule module (validate/rules/); no rule logic here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PathT = tuple[Any, ...]


def fmt_path(path: Iterable[Any]) -> str:
    """('runs', 3, 'type') -> 'runs[3].type'."""
    out = ""
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out or "<document>"


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def short(v: Any, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def yaml_word(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return short(v)


def describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"the boolean {yaml_word(v)}"
    if isinstance(v, str):
        return f"the string {short(v)}"
    if isinstance(v, int):
        return f"the integer {v}"
    if isinstance(v, float):
        return f"the number {v!r}"
    if isinstance(v, list):
        return f"a list ({short(v)})"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


def vkey(v: Any) -> tuple[str, Any]:
    """A hashable identity for a parameter value: 4 == 4.0, but True is not 1."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    return ("o", repr(v))


def closest(word: Any, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice `word` most likely misspells, or None when none is really close.

    difflib ranks the candidates; one is only proposed when it is a keystroke or two away
    (`edit_distance`, case-insensitive, and at most a quarter of its length): `lora_rnak` ->
    `lora_rank`, but `data_size` (a variable the seed suggests) is not a misspelled `batch_size`.
    """
    if not isinstance(word, str):
        return None
    import difflib  # only a design with a typo needs it

    for found in difflib.get_close_matches(word, list(choices), n=3, cutoff=cutoff):
        if edit_distance(word.lower(), found.lower()) <= min(2, max(1, len(found) // 4)):
            return found
    return None


def near_misses(word: str, choices: Iterable[str]) -> list[str]:
    """Every choice `word` is a keystroke or two away from, by `closest`'s measure (sorted)."""
    low = word.lower()
    return sorted(c for c in choices if c != word and edit_distance(low, c.lower()) <= min(2, max(1, len(c) // 4)))


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours that turn `a` into `b`."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def as_dict(v: Any) -> dict[Any, Any]:
    return v if isinstance(v, dict) else {}


def as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def value_at(data: Any, path: PathT) -> Any:
    """The value at `path` in plain data, None where the path does not lead."""
    cur = data
    for step in path:
        if isinstance(cur, dict):
            cur = cur.get(step)
        elif isinstance(cur, list) and isinstance(step, int) and 0 <= step < len(cur):
            cur = cur[step]
        else:
            return None
    return cur
