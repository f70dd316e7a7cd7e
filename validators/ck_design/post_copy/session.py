"""One run of the hook: where it writes, the answers, the open log and the step it is at (what
a Ctrl-C reports: post_copy/interrupt.py). Its own module so main.py and interrupt.py both
import it and not each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..facts.destination import own_template_dir, rendered_files
from ..spec.answers import Answers
from ..spec.naming import ANSWERS_FILE
from ..facts.designlog import DesignLog


@dataclass
class Context:
    dst: Path
    answers: dict[str, Any]
    order: list[str]
    out: TextIO
    answers_file: str = ANSWERS_FILE
    started: datetime = field(default_factory=datetime.now)
    template: str | None = None
    log: DesignLog | None = None
    resume: bool = False
    step: str = "starting"

    @cached_property
    def typed(self) -> Answers:
        """The answers read once (spec/answers.py); `answers` stays as given, for the log."""
        return Answers.read(self.answers)

    def written(self) -> list[str]:
        """The files this template wrote here (facts/destination.py): the only ones staged,
        committed or listed; everything else in the folder is the user's."""
        return [f for f in rendered_files(self.template or own_template_dir(), self.answers_file) if (self.dst / f).is_file()]
