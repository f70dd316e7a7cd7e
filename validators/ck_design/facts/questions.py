"""copier.yml's questions: its top-level keys that are not copier settings, in file order.

The wizard takes its answer keys from the copier.yml of the template being rendered
(wizard/answers.py, docs/wizard.md "Answer keys"); the post-copy hook logs the answers in this
order (post_copy/answers.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

CONFIG_NAMES = ("copier.yml", "copier.yaml")  # what copier looks for at a template's root


class _ConfigLoader(yaml.SafeLoader):
    """copier.yml may use copier's `!include`; a tag's value is not needed to know the keys."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


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
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
    return None
