"""The rules of ck-validate, one module per family, each rule documented beside its code.

Every module here has `DOCS`, the `Rule`s it emits (what it does, why, the fix, an example that
fails and its fixed version: docs/rules.md shows them). A design rule family also has
`check(ctx, design)` (validate/context.py), which the engine (validate/engine.py) calls once per
design, in the order of `FAMILIES`. The registry (validate/registry.py) collects `DOCS` from
`MODULES`. A new rule family is one module here plus its name in `FAMILIES` (docs/design.md).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

SEVERITIES = ("error", "warning")
E, W = "error", "warning"

# The sections of docs/rules.md (a rule's `section`), in the order codes run.
READ = "Reading the file"
SCHEMA = "Structure (schema)"
PROMPTS = "Prompts"
EPOCHS = "Epochs (0-indexed)"
RUNS = "Runs and matrix"
STEPS = "Training steps"
DATA = "Training data"
PATHS = "Paths and conventions"
RESOURCES = "Resources (only with --check-resources)"
SCORERS = "Scorers and GPUs"
GENERATION = "Evaluation settings"
COMPUTE = "Compute estimates (only with --check-resources)"
LOG = "design-experiment.log (ck-validate --log)"

# The design rule families (each has DOCS and check(ctx, design)), in the order the engine runs
# them: runs before completeness (it fills design.coverage), schema first (design.schema_flagged).
FAMILIES = (
    "schema",
    "required",
    "prompts",
    "epochs",
    "runs",
    "completeness",
    "matrix",
    "steps",
    "data",
    "conventions",
    "resources",
    "scorers_gpus",
    "generation",
    "compute",
)
# The families that look at the disk: imported and run only with --check-resources.
DISK_FAMILIES = ("resources", "compute")
# Every module that holds rules: the families, the loader's (reading: CK001-CK003) and the log's
# (log: ck-validate --log).
MODULES = ("reading", *FAMILIES, "log")


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # "error" | "warning": the default for the rule's findings
    summary: str  # one line: what is wrong
    why: str  # why it matters (what fails, or goes silently wrong, later)
    hint: str  # the generic fix; findings carry a specific one where they can
    bad_example: str  # a snippet that triggers the rule
    fixed_example: str  # the same snippet, fixed
    section: str = ""  # heading it is grouped under in docs/rules.md
    v03: str = ""  # how the rule reads a cruijff_kit 0.3 design, where that differs (spec/era.py)
    fixable: bool = False  # set by the registry: `ck-validate --fix` repairs it (validate/fixes/)


def rule(
    code: str, severity: str, section: str, summary: str, why: str, hint: str, bad: str, fixed: str, *, v03: str = ""
) -> Rule:
    """A Rule from source-friendly text: `why` (and `v03`) reflowed, the examples dedented."""
    return Rule(
        code=code,
        severity=severity,
        summary=summary,
        why=" ".join(why.split()),
        hint=hint,
        bad_example=textwrap.dedent(bad).strip("\n"),
        fixed_example=textwrap.dedent(fixed).strip("\n"),
        section=section,
        v03=" ".join(v03.split()),
    )
