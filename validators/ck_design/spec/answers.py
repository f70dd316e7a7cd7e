"""What an answer means: copier's answers as the design reads them (lists, paths, numbers in their
parameter's type, prompt templates), the same in the wizard, the plan and the post-copy hook.

No I/O: which keys are answers comes from copier.yml (facts/questions.py) or the Jinja context
(wizard/answers.py).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import yaml

from .params import param_type


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
