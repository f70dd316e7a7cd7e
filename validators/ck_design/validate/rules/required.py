"""CK106: a field the seed's template marks REQUIRED is missing, and a default stands in for it.

The schema (CK100) refuses the required fields nothing can stand in for. These three have a safe
default the tools assume (spec/schema.py), so leaving them out is no error, but the default
should not be assumed silently: the design then says less than the seed asks it to say.
"""

from __future__ import annotations

from ...spec import era
from ...spec.naming import CHECKPOINT_PATTERN
from ...spec.sweep import CONTROL
from ..context import Ctx, Design
from . import SCHEMA, W, rule

DOCS = [
    rule(
        "CK106", W, SCHEMA,
        "A field the seed's template marks REQUIRED is missing and a default is assumed: models.base[].size_gb, output.checkpoint_pattern (seed era), a control run's parameters.",
        """The seed's template: "All fields marked REQUIRED must be present." Three of them have
        a default the tools fall back on, so nothing fails, but the design no longer says what
        it assumes: `size_gb: float  # REQUIRED: Model size for disk estimates` (without it disk
        and checkpoint-time estimates guess from the model's name), `checkpoint_pattern  #
        REQUIRED ... Standard value: "ck-out-{run_name}/epoch_{N}"`, and a control run's
        `parameters: {}  # Empty for control runs` (a control with no parameters key reads as
        one whose parameters were forgotten).""",
        "Write the field out: size_gb (the model folder's size), checkpoint_pattern: ck-out-{run_name}/epoch_{N}, parameters: {}.",
        """
        models:
          base:
            - name: Llama-3.2-1B-Instruct
              path: /models/Llama-3.2-1B-Instruct
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
        """,
        """
        models:
          base:
            - name: Llama-3.2-1B-Instruct
              path: /models/Llama-3.2-1B-Instruct
              size_gb: 2.5
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
    ),
]


def check(ctx: Ctx, d: Design) -> None:
    for j, model in enumerate(d.models or ()):
        if isinstance(model, dict) and "size_gb" not in model and isinstance(model.get("name"), str):
            ctx.add(
                "CK106",
                ("models", "base", j),
                f"models.base[{j}] ({model['name']}) has no size_gb (REQUIRED in the seed's template: \"Model size for disk estimates\"): disk and checkpoint-time estimates guess it from the name",
                "add size_gb: the size of the model folder in GB (du -sh <path>)",
            )
    output = d.data.get("output")
    # The 0.3 era has no checkpoint_pattern: checkpoints live under experiment.dir.
    if isinstance(output, dict) and "checkpoint_pattern" not in output and d.era == era.SEED:
        ctx.add(
            "CK106",
            ("output",),
            f"output has no checkpoint_pattern (REQUIRED in the seed's template): the standard {CHECKPOINT_PATTERN} is assumed",
            f"add checkpoint_pattern: {CHECKPOINT_PATTERN}",
            at_key=True,
        )
    for i, run in enumerate(d.runs):
        if isinstance(run, dict) and run.get("type") == CONTROL and "parameters" not in run:
            ctx.add(
                "CK106",
                ("runs", i),
                f"runs[{i}] {run.get('name')!r} is a control run without parameters (REQUIRED in the seed's template: \"Empty for control runs\"): parameters: {{}} is assumed",
                "add parameters: {}",
            )
