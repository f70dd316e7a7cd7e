"""CK201-CK205: the prompts (training and evaluation see the same system prompt; templates
fill in {input} and nothing else; a text_completion dataset has no system prompt)."""

from __future__ import annotations

import string
from typing import Any

from ...spec.params import TEXT_COMPLETION
from ..engine import Ctx, Design
from ...spec.sweep import FINE_TUNED
from ..values import PathT, as_dict, fmt_path, short
from . import E, PROMPTS, W, rule

DOCS = [
    rule(
        "CK201", E, PROMPTS,
        "evaluation.system_prompt differs from controls.system_prompt.",
        """A model fine-tuned with one system prompt and evaluated with another is measured on
        a task it was not trained for; the scores look like a training failure.""",
        "Make evaluation.system_prompt equal to controls.system_prompt.",
        """
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: 'You are a helpful assistant.'
        """,
        """
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: ''
        """,
    ),
    rule(
        "CK202", E, PROMPTS,
        "A prompt (controls, run parameters or a varied value) lacks the {input} placeholder.",
        """The prompt is a template: each example's input is put where `{input}` is. Without
        it every training example becomes the same fixed text.""",
        "Put {input} where the example's input goes, e.g. 'Capitalize: {input}\\n'.",
        """
        controls:
          prompt: "Capitalize the word:\\n"
        """,
        """
        controls:
          prompt: "Capitalize the word: {input}\\n"
        """,
    ),
    rule(
        "CK203", W, PROMPTS,
        "A prompt has placeholders other than {input}, or unbalanced braces.",
        """Only `{input}` is filled in; formatting a template with `{word}` or a lone `{`
        raises at run time, or leaves the braces in the text the model sees.""",
        "Use {input} only; write a literal brace as {{ or }}.",
        """
        controls:
          prompt: "Capitalize {word}: {input}\\n"
        """,
        """
        controls:
          prompt: "Capitalize: {input}\\n"
        """,
    ),
    rule(
        "CK204", E, PROMPTS,
        "The system prompt varies across runs (in variables or a run's parameters), but evaluation uses one: runs trained with another prompt are evaluated with it.",
        """evaluation.system_prompt is a single prompt for every run. When system_prompt is a
        variable, or a run sets its own, the runs trained with a different prompt are measured on
        a prompt they never saw, and their scores look like a training failure.""",
        "Do not vary system_prompt within one experiment (run a second experiment per prompt), or keep every run on evaluation.system_prompt.",
        """
        variables:
          system_prompt: ['', 'Answer in capitals.']
        evaluation:
          system_prompt: ''
        """,
        """
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: ''
        """,
    ),
    rule(
        "CK205", W, PROMPTS,
        "A system prompt is set, but the dataset type is text_completion.",
        """A text_completion dataset is formatted as plain text, without the model's chat
        template, so the trainer ignores the system prompt: the model is trained (and then
        evaluated) without the instruction you wrote. Checked only where dataset_type is set;
        a design without it keeps scaffolding's default.""",
        "Use dataset_type: chat_completion (an instruction-tuned model), or an empty system prompt.",
        """
        controls:
          system_prompt: 'You capitalize words.'
          prompt: "{input}\n"
          dataset_type: text_completion
        """,
        """
        controls:
          system_prompt: 'You capitalize words.'
          prompt: "{input}\n"
          dataset_type: chat_completion
        """,
    ),
]

Parsed = tuple[bool, list[str], str | None]


def check(ctx: Ctx, d: Design) -> None:
    cache: dict[str, Parsed] = {}
    if "prompt" in d.controls:
        _check_prompt(ctx, ("controls", "prompt"), d.controls["prompt"], cache)
    swept: set[str] = set()
    if d.variables and isinstance(d.variables.get("prompt"), list):
        for k, p in enumerate(d.variables["prompt"]):
            _check_prompt(ctx, ("variables", "prompt", k), p, cache)
            if isinstance(p, str):
                swept.add(p)
    for i, run in enumerate(d.runs):
        if isinstance(run, dict):
            params = run.get("parameters")
            if isinstance(params, dict) and "prompt" in params:
                prompt = params["prompt"]
                if isinstance(prompt, str) and prompt in swept:
                    continue  # said once, at the variable's value
                _check_prompt(ctx, ("runs", i, "parameters", "prompt"), prompt, cache)
    _check_system_prompts(ctx, d)
    _check_varied_system_prompt(ctx, d)
    _check_text_completion(ctx, d)


def _check_varied_system_prompt(ctx: Ctx, d: Design) -> None:
    """CK204: each fine-tuned run is evaluated with the system prompt it trained with."""
    evaluate = d.evaluation.get("system_prompt")
    if not isinstance(evaluate, str):
        return
    own = [i for i, r in enumerate(d.runs) if isinstance(r, dict) and "system_prompt" in as_dict(r.get("parameters"))]
    if not own and "system_prompt" not in (d.variables or {}):
        return  # one prompt for all: CK201 compares it
    others = []
    for i in own or range(len(d.runs)):
        run = d.runs[i]
        if not isinstance(run, dict) or run.get("type") != FINE_TUNED:
            continue
        trained, _ = d.run_value(i, "system_prompt")
        if isinstance(trained, str) and trained != evaluate:
            others.append(repr(run.get("name")))
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        ctx.add(
            "CK204",
            ("evaluation", "system_prompt"),
            f"evaluation.system_prompt is {short(evaluate)} for every run, but {len(others)} run{'s' if len(others) > 1 else ''} trained with another system prompt: {shown}",
            "evaluate each run with the prompt it trained with: run one experiment per system prompt, or keep it constant in controls",
        )


def _check_text_completion(ctx: Ctx, d: Design) -> None:
    """CK205: a run whose dataset_type is text_completion, trained with a non-empty system prompt
    (said once per place the system prompt is written)."""
    said: set[Any] = set()
    for i, run in enumerate(d.runs):
        if not isinstance(run, dict):
            continue
        kind, kind_at = d.run_value(i, "dataset_type")
        prompt, prompt_at = d.run_value(i, "system_prompt")
        if kind != TEXT_COMPLETION or not isinstance(prompt, str) or not prompt.strip() or prompt_at in said:
            continue
        said.add(prompt_at)
        ctx.add(
            "CK205",
            prompt_at,
            f"{fmt_path(prompt_at)} {short(prompt)} is ignored: {fmt_path(kind_at)} is text_completion "
            f"(plain text, no chat template)" + (f" for run {run.get('name')!s}" if "runs" in (kind_at[0], prompt_at[0]) else ""),
            "set dataset_type: chat_completion for an instruction-tuned model, or system_prompt: ''",
        )


def _check_system_prompts(ctx: Ctx, d: Design) -> None:
    """CK201."""
    if "system_prompt" not in d.controls or "system_prompt" not in d.evaluation:
        return
    train, evaluate = d.controls["system_prompt"], d.evaluation["system_prompt"]
    if train == evaluate:
        return
    where = ""
    if isinstance(train, str) and isinstance(evaluate, str) and min(len(train), len(evaluate)) > 40:
        at = next((k for k, (a, b) in enumerate(zip(train, evaluate)) if a != b), min(len(train), len(evaluate)))
        where = f" (first difference at character {at + 1})"
    ctx.add(
        "CK201",
        ("evaluation", "system_prompt"),
        f"evaluation.system_prompt {short(evaluate, 300)} differs from controls.system_prompt {short(train, 300)}{where}",
        "set evaluation.system_prompt to controls.system_prompt: models are evaluated with the system prompt they were trained with",
    )


def _placeholders(prompt: str) -> Parsed:
    """(has {input}, other placeholders, template error) for a str.format-style prompt."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(prompt) if f is not None]
    except ValueError as exc:
        return "{input}" in prompt, [], str(exc)
    others = [f"{{{f}}}" for f in fields if f != "input"]
    return "input" in fields, list(dict.fromkeys(others)), None


def _check_prompt(ctx: Ctx, path: PathT, prompt: Any, cache: dict[str, Parsed]) -> None:
    """CK202, CK203."""
    if not isinstance(prompt, str):
        return
    result = cache.get(prompt)
    if result is None:
        result = cache[prompt] = _placeholders(prompt)
    has_input, others, error = result
    where = fmt_path(path)
    if not has_input:
        fixed = prompt.rstrip("\n") + (" " if prompt.strip() else "") + "{input}\n"
        ctx.add(
            "CK202",
            path,
            f"{where}: {short(prompt)} has no {{input}} placeholder, so every example gets the same text",
            f"put {{input}} where the example's input goes, e.g. {fixed!r}",
        )
    if error is not None:
        ctx.add(
            "CK203",
            path,
            f"{where}: {short(prompt)} is not a valid template: {error}",
            "write a literal brace as {{ or }}",
        )
    elif others:
        ctx.add(
            "CK203",
            path,
            f"{where}: {short(prompt)} has placeholder{'s' if len(others) > 1 else ''} {', '.join(others)}; only {{input}} is filled in",
            f"remove {'them' if len(others) > 1 else 'it'}, or write literal braces as {{{{ and }}}}",
        )
