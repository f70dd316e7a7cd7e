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
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from ..facts.loader import Document
from ..spec import era as eras
from .context import Ctx, Design
from .findings import Finding
from .rules import DISK_FAMILIES, FAMILIES
from .suppress import drop_acknowledged
from .values import fmt_path


def check(doc: Document, *, check_resources: bool = False, base_dir: Path | None = None) -> list[Finding]:
    """Every finding of CK004 and CK100-CK293 for a loaded design, sorted by line.

    CK280-CK284 and CK298 only with `check_resources` (they look at the disk); relative paths resolve
    against `base_dir`, by default the design file's directory.
    """
    data = doc.data
    if not isinstance(data, dict):  # the loader refuses these (CK003); be safe for direct callers
        return []
    if not check_resources:
        base_dir = None
    elif base_dir is None:
        base_dir = Path(doc.path).parent if doc.path and not doc.path.startswith("<") else Path.cwd()
    # Validation allocates ~10 objects per run and frees none of them until the end; the cyclic
    # GC would rescan them over and over (a third of the time on 10,000 runs).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(doc, data, base_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def families(check_resources: bool) -> list[ModuleType]:
    """The rule families a check runs, in order (the disk's only with --check-resources: the
    others never import them)."""
    names = FAMILIES if check_resources else [n for n in FAMILIES if n not in DISK_FAMILIES]
    return [importlib.import_module(f"{__package__}.rules.{name}") for name in names]


def _check(doc: Document, data: dict[Any, Any], base_dir: Path | None) -> list[Finding]:
    modules = families(base_dir is not None)
    # Each module emits the rules it documents (tests/test_registry.py), so the severities of
    # the modules that run are all a check needs: the registry and the other docs stay unloaded.
    era = eras.detect(data)
    ctx = Ctx(doc, {rule.code: rule.severity for module in modules for rule in module.DOCS}, base_dir, era=era or eras.DEFAULT)
    if era is None:
        # Keys of both eras: which model applies is the question, so every other finding would
        # be a guess (CK100 for one era's keys, CK103 for the other's). One finding says it.
        from .rules import schema

        schema.check_mixed_era(ctx, data)
        return ctx.findings
    design = Design(data, era)
    for module in modules:
        module.check(ctx, design)
    ctx.findings.sort(key=lambda f: (f.line, f.column, f.code))
    return drop_acknowledged(doc.text, ctx.findings)


__all__ = ["check", "families", "fmt_path", "Ctx", "Design", "Finding"]
