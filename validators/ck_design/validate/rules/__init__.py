"""The rules of ck-validate, one module per family, each rule documented beside its code.

Every module here has `DOCS`, the `Rule`s it emits (what it does, why, the fix, an example that
fails and its fixed version: docs/rules.md shows them), and most have a `check(ctx, d)` that the
engine (validate/engine.py) calls once per design. The registry (validate/registry.py) collects
`DOCS` from the modules listed in `MODULES`; a new rule family is one module here plus its name
in that list (docs/design.md).
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
PATHS = "Paths and conventions"
RESOURCES = "Resources (only with --check-resources)"
SCORERS = "Scorers and GPUs"
GENERATION = "Evaluation settings"
COMPUTE = "Compute estimates (only with --check-resources)"
LOG = "design-experiment.log (ck-validate --log)"

# The modules that hold rules (each has DOCS), in code order.
MODULES = (
    "reading",
    "schema",
    "prompts",
    "epochs",
    "runs",
    "completeness",
    "matrix",
    "steps",
    "conventions",
    "resources",
    "scorers_gpus",
    "generation",
    "compute",
    "log",
)


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
    fixable: bool = False  # set by the registry: `ck-validate --fix` repairs it (validate/fixes/)


def rule(code: str, severity: str, section: str, summary: str, why: str, hint: str, bad: str, fixed: str) -> Rule:
    """A Rule from source-friendly text: `why` is reflowed, the examples are dedented."""
    return Rule(
        code=code,
        severity=severity,
        summary=summary,
        why=" ".join(why.split()),
        hint=hint,
        bad_example=textwrap.dedent(bad).strip("\n"),
        fixed_example=textwrap.dedent(fixed).strip("\n"),
        section=section,
    )
