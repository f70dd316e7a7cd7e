"""The answers the hook works from: copier's JSON argument or .copier-answers.yml, the answers
before an update (committed at HEAD), and copier.yml's question order for the log's
USER_RESPONSE entries (hooks/README.md, "What the hook writes")."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..facts.files import read_text_file
from ..facts.questions import question_keys
from ..spec.answers import normalize_value, normalize_variables
from ..spec.params import PARAMS
from .git import show_at_first, show_at_head


def answer_value(key: str | None, value: Any) -> Any:
    """An answer as the design uses it: hyperparameters in their table type (spec/params.py), so
    `1e-5` typed in a YAML answer is the number 1e-05 in the log and compares equal to it."""
    if key == "variables" and isinstance(value, dict):
        return normalize_variables(value)
    if key in PARAMS:
        return normalize_value(key, value)
    return value


def json_value(value: Any, key: str | None = None) -> str:
    """An answer as the log shows it: JSON, key order kept, non-ASCII as is; numbers as numbers
    (`answer_value`) when the question `key` is given."""
    return json.dumps(answer_value(key, value), ensure_ascii=False, sort_keys=False)


def question_order(template_dir: str | None) -> list[str]:
    """copier.yml's question keys in file order ([] when the template cannot be read)."""
    return list((question_keys(template_dir) if template_dir else None) or ())


def user_answers(answers: Mapping[str, Any], order: Sequence[str] = ()) -> dict[str, Any]:
    """The answered questions (copier's private `_commit`/`_src_path` left out), in question order."""
    public = {k: v for k, v in answers.items() if not str(k).startswith("_")}
    ordered = {k: public[k] for k in order if k in public}
    ordered.update((k, v) for k, v in public.items() if k not in ordered)
    return ordered


def _mapping(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def read_answers_file(path: Path) -> dict[str, Any]:
    try:
        return _mapping(read_text_file(path))
    except (OSError, UnicodeDecodeError):
        return {}


def answers_from(argument: str | None, answers_file: Path) -> dict[str, Any]:
    """The `--answers` JSON object, else the answers file copier just rendered."""
    if argument:
        try:
            loaded = json.loads(argument)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict) and loaded:
            return loaded
    return read_answers_file(answers_file)


def old_answers(dst: Path, answers_file: str) -> dict[str, Any]:
    """The answers before `copier update`: the answers file as last committed."""
    text = show_at_head(dst, answers_file)
    return _mapping(text) if text is not None else {}


def source_change(dst: Path, answers_file: str, now: Mapping[str, Any]) -> str:
    """'' when the template this update ran is the one the design was copied from (the
    `_src_path` of the answers file's first commit), else one sentence saying both. A committed
    `.copier-answers.yml` can point `copier update --trust` at another template, whose hook would
    run instead of this one (docs/security.md): this hook can only say so when it does run."""
    first = show_at_first(dst, answers_file)
    before = _mapping(first).get("_src_path") if first is not None else None
    after = now.get("_src_path")
    if not before or not after or str(before) == str(after):
        return ""
    return (f"the template source changed: the design was copied from {before}, this update ran {after} "
            f"(its {answers_file} _src_path was edited since); check that it is a template you trust")


def vanished_variables(before: Any, after: Any) -> list[str]:
    """Summary lines naming the swept variables an update dropped: `--data 'variables={...}'`
    replaces the whole mapping, so a variable not repeated there is no longer swept (README,
    "Change the design later")."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    gone = [k for k in before if k not in after]
    if not gone:
        return []
    return [f"  no longer swept: {', '.join(f'{k} (was {json_value(before[k])})' for k in gone)}",
            "    variables is replaced whole: repeat every swept variable to keep it"]
