"""CK296-CK297: the evaluation's generation settings (temperature, sampling, max_tokens, seed)
agree with each other, so what the design says is what the evaluator does (docs/rules.md)."""

from __future__ import annotations

from ..context import Ctx, Design
from ..values import is_num
from . import E, GENERATION, rule

DOCS = [
    rule(
        "CK296", E, GENERATION,
        "evaluation.temperature is above 0 but evaluation.sampling is false.",
        """Without sampling the evaluator decodes greedily and never reads the temperature: the
        design says the answers were sampled at that temperature, the scores say otherwise.
        Checked only where sampling is set; without it the evaluator samples whenever the
        temperature is above 0.""",
        "Set evaluation.sampling: true, or temperature: 0.0 for greedy decoding.",
        """
        evaluation:
          temperature: 0.7
          sampling: false
        """,
        """
        evaluation:
          temperature: 0.7
          sampling: true
        """,
    ),
    rule(
        "CK297", E, GENERATION,
        "evaluation.sampling is true but evaluation.temperature is 0.",
        """Temperature 0 means greedy decoding, sampling means drawing from the distribution:
        the two contradict each other, and evaluators resolve it differently (some ignore the
        sampling flag, some divide by zero).""",
        "Set a temperature above 0 (e.g. 0.7) to sample, or sampling: false for greedy decoding.",
        """
        evaluation:
          temperature: 0.0
          sampling: true
        """,
        """
        evaluation:
          temperature: 0.0
          sampling: false
        """,
    ),
]


def check(ctx: Ctx, d: Design) -> None:
    temperature, sampling = d.evaluation.get("temperature"), d.evaluation.get("sampling")
    if not isinstance(sampling, bool) or not is_num(temperature) or temperature < 0:
        return  # missing or mistyped: the schema's findings (CK100-CK102) say so
    if temperature > 0 and not sampling:
        ctx.add(
            "CK296",
            ("evaluation", "sampling"),
            f"evaluation.temperature is {temperature} but evaluation.sampling is false: greedy decoding ignores the temperature",
            "set evaluation.sampling: true to sample at that temperature, or temperature: 0.0 for greedy decoding",
        )
    elif temperature == 0 and sampling:
        ctx.add(
            "CK297",
            ("evaluation", "sampling"),
            "evaluation.sampling is true but evaluation.temperature is 0 (greedy): the two contradict each other",
            "set a temperature above 0 (e.g. 0.7) to sample, or evaluation.sampling: false",
        )
