"""What every rule family is given: `Ctx` (the findings of one document, where they sit, and
what this check may look at) and `Design` (the shared index of the raw data, plus what one family
learns for another).

Every family in validate/rules/ has the same entry point, `check(ctx, design)`; the engine
(validate/engine.py) calls them in the order of `rules.FAMILIES`. What a family needs beyond the
data is here rather than in its signature: `ctx.base_dir` (set only with --check-resources),
`design.schema_flagged` (filled by rules/schema.py) and `design.coverage` (filled by rules/runs.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..spec import era as eras
from ..spec import naming, sweep
from .findings import Finding
from .values import PathT, as_dict, as_list, closest

if TYPE_CHECKING:
    from pathlib import Path

    from ..facts.loader import Document

# difflib compares a word with every candidate (~50 us each): "did you mean" hints get this
# many comparisons per check() in total, so thousands of typos over thousands of runs stay fast.
FUZZY_BUDGET = 5000


class Ctx:
    """The findings of one document; locates each on the node tree."""

    def __init__(
        self, doc: Document, severities: dict[str, str], base_dir: Path | None = None, *, era: str = eras.DEFAULT
    ) -> None:
        self.doc = doc
        self.era = era  # which era's model and names the design is read by (spec/era.py)
        # Where the design's relative paths resolve; set only with --check-resources, so None
        # also means "do not look at the disk".
        self.base_dir = base_dir
        self.findings: list[Finding] = []
        self.fuzzy_budget = FUZZY_BUDGET
        self._severities = severities
        self._memo: dict[tuple[Any, tuple[str, ...]], str | None] = {}

    def add(
        self,
        code: str,
        path: PathT,
        message: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
        severity: str | None = None,
    ) -> None:
        line, column = self.doc.locate_key(path) if at_key else self.doc.locate(path)
        self.findings.append(
            Finding(self.doc.path, line, column, code, severity or self._severities[code], message, hint)
        )

    @property
    def check_resources(self) -> bool:
        return self.base_dir is not None

    def line_of(self, path: PathT) -> int:
        return self.doc.locate(path)[0]

    def closest(self, word: Any, choices: Iterable[str]) -> str | None:
        """values.closest within the budget (None, no hint, once it is spent); repeated typos are free."""
        options = tuple(choices)
        key = (word, options) if len(options) <= 64 else None
        if key is not None and key in self._memo:
            return self._memo[key]
        if len(options) > self.fuzzy_budget:
            return None
        self.fuzzy_budget -= len(options)
        found = closest(word, options)
        if key is not None:
            self._memo[key] = found
        return found


class Design:
    """The pieces of the raw data most rules need, each None/empty where unusable."""

    def __init__(self, data: dict[Any, Any], era: str = eras.DEFAULT) -> None:
        self.data = data
        self.era = era  # spec.era.SEED or V03: which era's names the renamed fields are read by
        self.experiment = as_dict(data.get("experiment"))
        # experiment.type, or what the directory says when it is absent (the seed has no type).
        self.experiment_type = naming.experiment_type(self.experiment)
        self.controls = as_dict(data.get("controls"))
        raw_vars = data.get("variables", {})
        self.variables: dict[Any, Any] | None = raw_vars if isinstance(raw_vars, dict) else None
        if raw_vars is None:
            self.variables = {}
        base = as_dict(data.get("models")).get("base")
        self.models: list[Any] | None = base if isinstance(base, list) else None
        self.model_names: set[str] | None = (
            {m["name"] for m in self.models if isinstance(m, dict) and isinstance(m.get("name"), str)}
            if self.models is not None
            else None
        )
        self.runs = as_list(data.get("runs"))
        self.evaluation = as_dict(data.get("evaluation"))
        matrix = self.evaluation.get("matrix")
        self.matrix: list[Any] | None = matrix if isinstance(matrix, list) else None
        tasks = self.evaluation.get("tasks")
        self.tasks: list[Any] | None = tasks if isinstance(tasks, list) else None
        self.data_training = as_dict(as_dict(data.get("data")).get("training"))
        self.run_index: dict[str, int] = {}
        for i, run in enumerate(self.runs):
            if isinstance(run, dict) and isinstance(run.get("name"), str):
                self.run_index.setdefault(run["name"], i)
        # What one family learns for another (families run in rules.FAMILIES order):
        # the paths CK004 flagged (rules/schema.py; the other rules stay quiet there) ...
        self.schema_flagged: set[PathT] = set()
        # ... and what the runs cover of the sweep (rules/runs.py, a rules.completeness.Coverage;
        # typed loosely so this module imports no rule family).
        self.coverage: Any = None

    def run_value(self, i: int, key: str) -> tuple[Any, PathT | None]:
        """A run's effective setting (spec.sweep.run_value), with the path it came from."""
        value, source = sweep.run_value(self.runs[i], self.controls, key)
        if source is not None and source[0] == "parameters":
            return value, ("runs", i, *source)
        return value, source
