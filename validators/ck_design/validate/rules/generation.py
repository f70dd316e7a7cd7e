"""CK296-CK297: the evaluation's generation settings (temperature, sampling, max_tokens, seed)
agree with each other, so what the design says is what the evaluator does (docs/rules.md)."""

from __future__ import annotations

from ...spec import era as eras
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
        v03="""The switch is evaluation.do_sample, and it defaults to false: a temperature above 0
        without do_sample: true is flagged too (greedy decoding drops it).""",
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
        v03="""The switch is evaluation.do_sample, and temperature is optional: do_sample: true
        needs a temperature above 0 (the sampler divides by it).""",
    ),
]


def check(ctx: Ctx, d: Design) -> None:
    if d.era == eras.V03:
        _check_v03(ctx, d)
        return
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


def _check_v03(ctx: Ctx, d: Design) -> None:
    """0.3: temperature is optional and must be > 0 exactly when do_sample is true (default false)."""
    temperature, do_sample = d.evaluation.get("temperature"), d.evaluation.get("do_sample", False)
    if not isinstance(do_sample, bool) or (temperature is not None and (not is_num(temperature) or temperature < 0)):
        return  # mistyped: the schema's findings (CK101, CK102) say so
    if do_sample and (temperature is None or temperature == 0):
        said = "not set" if temperature is None else "0"
        ctx.add(
            "CK297",
            ("evaluation", "do_sample"),
            f"evaluation.do_sample is true but evaluation.temperature is {said}: sampling needs a temperature above 0",
            "set a temperature above 0 (e.g. 0.7) to sample, or do_sample: false for greedy decoding",
        )
    elif not do_sample and temperature is not None and temperature > 0:
        at = ("evaluation", "do_sample") if "do_sample" in d.evaluation else ("evaluation", "temperature")
        ctx.add(
            "CK296",
            at,
            f"evaluation.temperature is {temperature} but evaluation.do_sample is "
            f"{'false' if 'do_sample' in d.evaluation else 'not set (false)'}: greedy decoding ignores the temperature",
            "set evaluation.do_sample: true to sample at that temperature, or remove temperature (or 0.0) for greedy decoding",
        )
