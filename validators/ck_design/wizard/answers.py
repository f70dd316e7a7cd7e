"""The answers: which keys are answers (the questions copier.yml asks), and reading them.

Where the answer keys come from (docs/wizard.md, "Answer keys"): the questions of the copier.yml
of the template being rendered, found through copier's own render context,
`_copier_conf.src_path`. Copier sets that to the template's LOCAL folder in every case: the
path given to `copier copy`, or its clone of a git URL; on `copier update`, the clone of the OLD
version while it renders that version. So the keys always match the copier.yml whose templates
are being rendered, and a question added to copier.yml is an answer without touching Python.
Outside copier (Jinja alone, as the tests do) there is no src_path: then every public variable
of the context is taken as an answer, which is what copier would have put there.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

from ..spec.params import param_type

CONFIG_NAMES = ("copier.yml", "copier.yaml")  # what copier looks for at a template's root


class _ConfigLoader(yaml.SafeLoader):
    """copier.yml may use copier's `!include`; a tag's value is not needed to know the keys."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def is_question(key: Any) -> bool:
    """copier.yml's top-level keys are questions, except copier settings (`_` prefixed)."""
    return isinstance(key, str) and not key.startswith("_")


@lru_cache(maxsize=8)
def _keys_of(path: str, _mtime_ns: int) -> tuple[str, ...]:
    keys: dict[str, None] = {}
    with open(path, encoding="utf-8") as f:
        # copier merges the documents of a multi-document copier.yml
        for doc in yaml.load_all(f, Loader=_ConfigLoader):
            if isinstance(doc, Mapping):
                keys.update(dict.fromkeys(k for k in doc if is_question(k)))
    return tuple(keys)


def question_keys(template_root: str | os.PathLike[str]) -> tuple[str, ...] | None:
    """The questions the template at `template_root` asks, in copier.yml's order (None when it
    has no readable copier.yml). Read once per file version: the plan re-renders per question."""
    for name in CONFIG_NAMES:
        path = os.path.join(os.fspath(template_root), name)
        try:
            return _keys_of(path, os.stat(path).st_mtime_ns)
        except (OSError, yaml.YAMLError):
            continue
    return None


def _template_root(ctx: Any) -> str | None:
    conf = ctx.get("_copier_conf")
    try:
        return os.fspath(conf["src_path"]) if conf is not None else None
    except (KeyError, TypeError):
        return None


def _context_keys(ctx: Any) -> list[str]:
    names = ctx.get_all() if hasattr(ctx, "get_all") else ctx
    env_globals = getattr(getattr(ctx, "environment", None), "globals", {})
    return [k for k in names if is_question(k) and k not in env_globals]


def answer_keys(ctx: Any) -> tuple[str, ...] | list[str]:
    """The answer keys for a Jinja context (or a plain mapping standing in for one)."""
    root = _template_root(ctx)
    keys = question_keys(root) if root else None
    return keys if keys is not None else _context_keys(ctx)


def _defined(value: Any) -> bool:
    from jinja2.runtime import Undefined

    return value is not None and not isinstance(value, Undefined)


def answers_from(ctx: Any) -> dict[str, Any]:
    """The answers given so far (later questions are undefined while earlier ones are asked)."""
    out = {}
    for key in answer_keys(ctx):
        value = ctx.get(key)
        if _defined(value):
            out[key] = value
    return out


# --------------------------------------------------------------------------------------------
# Reading one answer
# --------------------------------------------------------------------------------------------


def get(answers: Mapping[str, Any], key: str, default: Any) -> Any:
    """An answer, or `default` when it is absent or null (a question that was not asked)."""
    value = answers.get(key, default)
    return default if value is None else value


def as_list(value: Any) -> list[Any]:
    """A multiselect answer as a list: copier passes a list, `--data` may pass YAML text."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def absolute_path(path: Any) -> str:
    """A path as the design records it: an absolute path exactly as given (user strings
    round-trip); `~` expanded and relative paths made absolute against the cwd."""
    if not path:
        return ""
    text = str(path)
    if os.path.isabs(text):
        return text
    return os.path.normpath(os.path.abspath(os.path.expanduser(text)))


def _number(value: Any) -> Any:
    """A string that reads as a YAML 1.2 number becomes one (`1e-5` typed in a YAML answer)."""
    if isinstance(value, str):
        s = value.strip()
        try:
            return int(s)
        except ValueError:
            pass
        try:
            f = float(s)
        except ValueError:
            return value
        if not (math.isnan(f) or math.isinf(f)):
            return f
    return value


def normalize_value(param: str, value: Any) -> Any:
    """A hyperparameter value in its table type (spec/params.py) where that is unambiguous."""
    kind = param_type(param)
    if kind in (int, float):
        value = _number(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
    return value


def normalize_variables(variables: Any) -> dict[str, list[Any]]:
    if not isinstance(variables, Mapping):
        return {}
    return {str(k): [normalize_value(str(k), v) for v in (vs if isinstance(vs, list) else [vs])]
            for k, vs in variables.items()}


def prompt_value(prompt: Any) -> Any:
    """The prompt template an answer means: a double-quoted answer is read as a JSON string, so
    the wizard can show its default as "{input}\\n" (a visible newline) and a person can type
    one; an unquoted answer (older answers files, --data) is taken as it is. docs/wizard.md."""
    if isinstance(prompt, str) and len(prompt) >= 2 and prompt[0] == prompt[-1] == '"':
        try:
            decoded = json.loads(prompt)
        except ValueError:
            return prompt
        return decoded if isinstance(decoded, str) else prompt
    return prompt
