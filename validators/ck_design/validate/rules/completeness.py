"""CK235: the sweep is complete. Fine-tuned runs are models x variables (spec/sweep.py): each
model that is fine-tuned at all is trained once on every point of the sweep. The pass over the
runs (rules/runs.py) fills a `Coverage` and reports a point trained twice as it meets it;
`check`, after that pass, counts the points each model has no run for."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

from ...spec import naming
from ..context import Ctx, Design
from ..values import PathT, vkey
from . import RUNS, W, rule

DOCS = [
    rule(
        "CK235", W, RUNS,
        "The sweep is incomplete (a combination of the variables has no run for a model), or two runs of a model share one combination.",
        """Fine-tuned runs are models x variables. A missing combination leaves a hole in every
        comparison; a repeated one trains the same thing twice. Models with no fine-tuned run
        at all (used only as controls) are not checked.""",
        "Add a run for each missing combination (or drop the value from variables); remove repeated runs.",
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        """,
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank8, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
    ),
]

VKey = tuple[str, Any]


class Coverage:
    """What the pass over the runs (rules/runs.py) learns of the sweep's coverage, for CK235."""

    def __init__(self, names: list[Any], variables: dict[Any, Any] | None) -> None:
        self.names = names  # the well-formed variable names, in the order written
        self.variables = variables
        self.lists_ok = variables is not None and all(isinstance(v, list) and v for v in variables.values())
        # A run whose type, model or parameters are unreadable (the schema reports it) may be the
        # "missing" combination: then a hole in the sweep is not worth a second finding.
        self.decidable = True
        self.combos_by_model: dict[str, dict[tuple[Any, ...], int]] = {}
        self.ft_models: list[str] = []


def check_repeat(
    ctx: Ctx, cov: Coverage, i: int, name: Any, model: Any, params: dict[Any, Any], vkeys: dict[Any, VKey]
) -> None:
    """CK235: the same point of the sweep trained twice for one model (called per fine-tuned run
    with readable parameters)."""
    if not cov.lists_ok or not isinstance(model, str):
        return
    try:
        key = tuple([vkeys[n] for n in cov.names])
    except KeyError:
        return  # a variable the run does not set: CK222 says so
    seen = cov.combos_by_model.get(model)
    if seen is None:
        seen = cov.combos_by_model[model] = {}
    first = seen.get(key)
    if first is None:
        seen[key] = i
        return
    combo = ", ".join(f"{n}={naming.format_value(params[n])}" for n in cov.names) or "no variables"
    ctx.add(
        "CK235",
        ("runs", i, "parameters"),
        f"runs[{i}] {name!r} trains the same combination ({combo}) of {model} as runs[{first}]",
        "remove the repeated run (and its matrix entry)",
    )


def check(ctx: Ctx, d: Design) -> None:
    """CK235: every model fine-tuned in the design is trained on every point of the sweep
    (from `d.coverage`, which rules/runs.py fills)."""
    cov: Coverage | None = d.coverage
    if cov is not None and cov.lists_ok and cov.variables is not None and cov.decidable:
        _check_sweep_complete(ctx, d, cov)


def _distinct(values: list[Any]) -> dict[VKey, Any]:
    """A variable's values by identity (first spelling kept), in the order written."""
    out: dict[VKey, Any] = {}
    for v in values:
        out.setdefault(vkey(v), v)
    return out


def _missing(cov: Coverage, seen: dict[tuple[Any, ...], int], counts: list[dict[VKey, int]],
             distinct: list[dict[VKey, Any]], total: int) -> tuple[int, list[dict[str, Any]]]:
    """How many points of the grid have no run, and the first three (first variable slowest).

    Counted, never enumerated (docs/security.md): 6 variables x 20 values are 64 million points.
    A point repeated in `variables` (a value listed twice) counts as often as it is listed, as in
    spec/sweep.py's product. The examples come from a lazy walk of the distinct points, which
    meets at most len(seen) runs before three holes, so time and memory follow the file's size."""
    covered = 0
    for key in seen:
        multiplicity = 1
        for n, vk in enumerate(key):
            multiplicity *= counts[n].get(vk, 0)
        covered += multiplicity
    examples: list[dict[str, Any]] = []
    if covered < total:
        for point in itertools.product(*(list(d.items()) for d in distinct)):
            if tuple(vk for vk, _ in point) not in seen:
                examples.append({n: v for n, (_, v) in zip(cov.names, point)})
                if len(examples) == 3:
                    break
    return total - covered, examples



def _check_sweep_complete(ctx: Ctx, d: Design, cov: Coverage) -> None:
    """CK235's holes: the points of the sweep a fine-tuned model has no run for."""
    assert cov.variables is not None
    lists = [cov.variables[n] for n in cov.names]
    counts = [Counter(vkey(v) for v in values) for values in lists]
    distinct = [_distinct(values) for values in lists]
    total = math.prod(len(values) for values in lists)
    where: PathT = ("variables",) if "variables" in d.data else ("runs",)
    for model in dict.fromkeys(cov.ft_models):
        missing, examples = _missing(cov, cov.combos_by_model.get(model, {}), counts, distinct, total)
        if not missing:
            continue
        shown = "; ".join(
            ", ".join(f"{n}={naming.format_value(c[n])}" for n in cov.names) for c in examples
        )
        more = f" and {missing - len(examples)} more" if missing > len(examples) else ""
        ctx.add(
            "CK235",
            where,
            f"the sweep is incomplete for {model}: {missing} of {total} combinations of {', '.join(map(str, cov.names))} have no run ({shown}{more})",
            # every variable's values are a list here (lists_ok): they index the run name's labels
            f"add runs such as {naming.run_name(model, examples[0], cov.variables)!r} (the wizard, or `copier update`, generates the full set), or remove the values from variables",
            at_key=True,
        )
