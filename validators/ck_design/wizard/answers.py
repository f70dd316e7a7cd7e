"""Which keys are answers while copier renders, and the answers given so far.

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

import os
from typing import Any

from ..facts.questions import is_question, question_keys


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
