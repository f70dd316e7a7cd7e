"""The one-pass validation engine: every design rule after loading, in one round.

`check(doc)` returns all findings at once. The schema gives CK100-CK103 (validate/rules/schema.py);
every other rule (one module per family in validate/rules/, docs/rules.md) reads the raw loaded
data through the shared index `Design`, defensively: a sub-check whose inputs are missing or of
the wrong type is skipped (the schema findings already say what is wrong there), so a structural
error in one run never hides what can still be checked elsewhere. Each rule is one pass over
runs / matrix entries with dict and set lookups: a 10,000-run design is checked in a fraction of
a second.

Locations come from the YAML node tree (`Document.locate`): the offending value, or the key
when the value is missing. Relative paths in the design (resources) resolve against
`base_dir`, by default the directory of the design file.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..facts.loader import Document
from ..spec import naming, sweep
from .findings import Finding
from .values import PathT, as_dict, as_list, closest, fmt_path

if TYPE_CHECKING:
    from pathlib import Path

# difflib compares a word with every candidate (~50 us each): "did you mean" hints get this
# many comparisons per check() in total, so thousands of typos over thousands of runs stay fast.
FUZZY_BUDGET = 5000


class Ctx:
    """The findings of one document; locates each on the node tree."""

    def __init__(self, doc: Document, severities: dict[str, str]) -> None:
        self.doc = doc
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

    def __init__(self, data: dict[Any, Any]) -> None:
        self.data = data
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

    def run_value(self, i: int, key: str) -> tuple[Any, PathT | None]:
        """A run's effective setting (spec.sweep.run_value), with the path it came from."""
        value, source = sweep.run_value(self.runs[i], self.controls, key)
        if source is not None and source[0] == "parameters":
            return value, ("runs", i, *source)
        return value, source


def check(doc: Document, *, check_resources: bool = False, base_dir: Path | None = None) -> list[Finding]:
    """Every finding of CK004 and CK100-CK293 for a loaded design, sorted by line.

    CK280-CK284 and CK298 only with `check_resources` (they look at the disk); relative paths resolve
    against `base_dir`, by default the design file's directory.
    """
    data = doc.data
    if not isinstance(data, dict):  # the loader refuses these (CK003); be safe for direct callers
        return []
    # Validation allocates ~10 objects per run and frees none of them until the end; the cyclic
    # GC would rescan them over and over (a third of the time on 10,000 runs).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(doc, data, check_resources, base_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def _check(doc: Document, data: dict[Any, Any], check_resources: bool, base_dir: Path | None) -> list[Finding]:
    # The rule modules import this one (Ctx, Design): imported here, so the import goes one way.
    from .rules import completeness, conventions, epochs, generation, matrix, prompts, runs, schema, scorers_gpus, steps

    modules: list[Any] = [schema, prompts, runs, completeness, matrix, epochs, steps, conventions, scorers_gpus, generation]
    if check_resources:
        from .rules import compute, resources

        modules += [resources, compute]
    # Each module emits the rules it documents (tests/test_registry.py), so the severities of
    # the modules that run are all a check needs: the registry and the other docs stay unloaded.
    ctx = Ctx(doc, {rule.code: rule.severity for module in modules for rule in module.DOCS})
    ck004 = schema.check(ctx, data)
    d = Design(data)
    prompts.check(ctx, d)
    coverage = runs.check(ctx, d)
    completeness.check(ctx, d, coverage)
    matrix.check(ctx, d)
    epochs.check_validation_split(ctx, d)
    steps.check(ctx, d)
    conventions.check(ctx, d)
    if check_resources and base_dir is None:
        from pathlib import Path

        base_dir = Path(doc.path).parent if doc.path and not doc.path.startswith("<") else Path.cwd()
    scorers_gpus.check(ctx, d, ck004, base_dir if check_resources else None)
    generation.check(ctx, d)
    if check_resources:
        assert base_dir is not None
        resources.check(ctx, d, base_dir)
        compute.check(ctx, d, base_dir)
    ctx.findings.sort(key=lambda f: (f.line, f.column, f.code))
    return ctx.findings


__all__ = ["check", "fmt_path", "Ctx", "Design"]
