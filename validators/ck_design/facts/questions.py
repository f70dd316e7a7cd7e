"""copier.yml's questions: its top-level keys that are not copier settings, in file order.

The wizard takes its answer keys from the copier.yml of the template being rendered
(wizard/answers.py, docs/wizard.md "Answer keys"); the post-copy hook logs the answers in this
order (post_copy/answers.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

CONFIG_NAMES = ("copier.yml", "copier.yaml")  # what copier looks for at a template's root


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """copier.yml may use copier's `!include`; a tag's value is not needed to know the keys.
    libyaml's parser where PyYAML has it: ~2 ms for copier.yml instead of ~20, paid by every
    copier process (the wizard's answer keys) and by the hook (the log's question order)."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def is_question(key: Any) -> bool:
    """copier.yml's top-level keys are questions, except copier settings (`_` prefixed)."""
    return isinstance(key, str) and not key.startswith("_")


_STEP = re.compile(r"^Steps? [\d-]+ - [^.?]+\. ")


def _asked(key: str, spec: Any) -> str:
    """The question as a person reads it: its help's first line, without the step header and
    what Jinja computes (`Scratch directory (an absolute path)?`); the key when it has none."""
    help_text = spec.get("help") if isinstance(spec, Mapping) else None
    first = help_text.splitlines()[0] if isinstance(help_text, str) and help_text.strip() else ""
    return _STEP.sub("", first.split("{{")[0].strip()) or key


@lru_cache(maxsize=8)
def _questions_of(path: str, _mtime_ns: int) -> dict[str, str]:
    questions: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        # copier merges the documents of a multi-document copier.yml
        for doc in yaml.load_all(f, Loader=_ConfigLoader):
            if isinstance(doc, Mapping):
                questions.update({k: _asked(k, v) for k, v in doc.items() if is_question(k)})
    return questions


def _questions(template_root: str | os.PathLike[str]) -> dict[str, str] | None:
    for name in CONFIG_NAMES:
        path = os.path.join(os.fspath(template_root), name)
        try:
            return _questions_of(path, os.stat(path).st_mtime_ns)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
    return None


def question_keys(template_root: str | os.PathLike[str]) -> tuple[str, ...] | None:
    """The questions the template at `template_root` asks, in copier.yml's order (None when it
    has no readable copier.yml). Read once per file version: the plan re-renders per question."""
    questions = _questions(template_root)
    return None if questions is None else tuple(questions)


def question_texts(template_root: str | os.PathLike[str] | None) -> dict[str, str]:
    """Answer key -> the question as asked (the log's `Question:` field); {} without copier.yml."""
    return (_questions(template_root) or {}) if template_root else {}
