"""CK201-CK207: the prompts (training and evaluation see the same system prompt; templates
fill in {input} and nothing else; a text_completion dataset has no system prompt).

Which prompt an evaluation cell uses is spec.sweep.effective_prompt (task over run over
controls); what a run trains with is spec.sweep.run_value (its own, else controls). The rules
compare the two per run, so they follow each run's own prompt."""

from __future__ import annotations

import string
from typing import Any

from ...spec import era as eras
from ...spec.params import TEXT_COMPLETION
from ..context import Ctx, Design
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
        v03="""evaluation.system_prompt is optional (controls.system_prompt is the one source for training
        and evaluation); when present it must still equal controls.system_prompt. `--fix` removes
        the key there (a copy that agrees would be CK207).""",
    ),
    rule(
        "CK202", E, PROMPTS,
        "A prompt (controls, run parameters, a varied value or a task's prompt) lacks the {input} placeholder.",
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
        "Some runs set their own system prompt, and the others are evaluated with an evaluation.system_prompt other than the one they trained with.",
        """A run's own system prompt (a swept value, or a control's parameters) is also its
        evaluation prompt (precedence: task over run over controls). The runs that set none
        train with controls.system_prompt and are evaluated with evaluation.system_prompt: when
        the two differ, those runs are measured on a prompt they never saw. (When no run sets its
        own, the same mistake is CK201.)""",
        "Make evaluation.system_prompt equal to controls.system_prompt.",
        """
        variables:
          system_prompt: ['', 'Answer in capitals.']
        controls:
          system_prompt: ''
        runs:
          - {name: Llama-3.2-1B-Instruct_ft, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {}}
        evaluation:
          system_prompt: 'Answer in capitals.'
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
    rule(
        "CK206", W, PROMPTS,
        "A task overrides the system prompt a fine-tuned run trained with.",
        """A task's own system_prompt wins over the run's (precedence: task over run over
        controls), so every fine-tuned run evaluated on that task is measured with a prompt it
        was not trained with. That can be the point (does the model follow a new instruction?),
        so it is a warning naming the task, the runs and both prompts; without the task's
        explicit override the same mismatch is an error (CK201, CK204).""",
        "Remove the task's system_prompt to evaluate each run with the prompt it trained with, or keep it when the difference is the experiment.",
        """
        controls:
          system_prompt: ''
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/cap.py, description: Caps, system_prompt: 'Shout.'}
        """,
        """
        controls:
          system_prompt: ''
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/cap.py, description: Caps}
        """,
    ),
    rule(
        "CK207", W, PROMPTS,
        "A 0.3-era design keeps evaluation.system_prompt (equal to controls.system_prompt).",
        """cruijff_kit 0.3 removed evaluation.system_prompt from its template: controls.system_prompt
        is the one source for training and evaluation, and upstream's propagate tool warns when
        the key is still there. A copy that agrees today is a second place to edit: change one and
        not the other, and the runs are evaluated with a prompt they never saw (CK201). Only in the
        0.3 era: the seed's template requires the key (and CK201 checks that it agrees).""",
        "Remove evaluation.system_prompt (ck-migrate drops it when it migrates a seed-era design).",
        """
        experiment:
          project: capitalization
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: ''
        """,
        """
        experiment:
          project: capitalization
        controls:
          system_prompt: ''
        evaluation:
          scorers: [{name: match}]
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
    for j, task in enumerate(d.tasks or ()):
        if isinstance(task, dict) and task.get("prompt") is not None:
            _check_prompt(ctx, ("evaluation", "tasks", j, "prompt"), task["prompt"], cache)
    if not any(_own_system_prompt(r) for r in d.runs):
        _check_system_prompts(ctx, d)
    if d.era == eras.V03:
        _check_v03_evaluation_prompt(ctx, d)
    _check_varied_system_prompt(ctx, d)
    _check_task_overrides(ctx, d)
    _check_text_completion(ctx, d)


def _own_system_prompt(run: Any) -> bool:
    return isinstance(run, dict) and "system_prompt" in as_dict(run.get("parameters"))


def _check_task_overrides(ctx: Ctx, d: Design) -> None:
    """CK206: per task overriding system_prompt, the fine-tuned runs it evaluates that trained
    with another (one finding per task and trained prompt)."""
    overrides = {
        t["name"]: (j, t["system_prompt"])
        for j, t in enumerate(d.tasks or ())
        if isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("system_prompt"), str)
    }
    if not overrides:
        return
    runs = {r.get("name"): i for i, r in enumerate(d.runs) if isinstance(r, dict) and r.get("type") == FINE_TUNED}
    groups: dict[tuple[int, str], list[str]] = {}
    for entry in d.matrix or ():
        i = runs.get(as_dict(entry).get("run"))
        if i is None or not isinstance(entry.get("tasks"), list):
            continue
        trained, _ = d.run_value(i, "system_prompt")
        for name in dict.fromkeys(t for t in entry["tasks"] if isinstance(t, str)):
            if name in overrides and isinstance(trained, str) and trained != overrides[name][1]:
                groups.setdefault((overrides[name][0], trained), []).append(str(d.runs[i].get("name")))
    for (j, trained), names in groups.items():
        task = d.tasks[j]  # type: ignore[index]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        ctx.add(
            "CK206",
            ("evaluation", "tasks", j, "system_prompt"),
            f"task {task['name']} evaluates with system_prompt {short(task['system_prompt'])}, but run{'s' if len(names) > 1 else ''} "
            f"{shown} trained with {short(trained)}",
            "remove the task's system_prompt to evaluate each run with the prompt it trained with, or keep it if the difference is the experiment",
        )


def _check_varied_system_prompt(ctx: Ctx, d: Design) -> None:
    """CK204: with some runs on their own system prompt, the fine-tuned runs on none are
    evaluated (sweep.effective_prompt: evaluation.system_prompt) with the prompt they trained
    with (controls.system_prompt)."""
    evaluate = d.evaluation.get("system_prompt")
    if not isinstance(evaluate, str) or not any(_own_system_prompt(r) for r in d.runs):
        return
    others = []
    for i, run in enumerate(d.runs):
        if not isinstance(run, dict) or run.get("type") != FINE_TUNED or _own_system_prompt(run):
            continue
        trained, _ = d.run_value(i, "system_prompt")
        if isinstance(trained, str) and trained != evaluate:
            others.append(repr(run.get("name")))
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        ctx.add(
            "CK204",
            ("evaluation", "system_prompt"),
            f"evaluation.system_prompt is {short(evaluate)} for the runs without their own, but {len(others)} of them trained with "
            f"controls.system_prompt {short(d.controls.get('system_prompt'))}: {shown}",
            _same_prompt_hint(ctx.era),
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
        _same_prompt_hint(ctx.era),
    )


def _same_prompt_hint(era: str) -> str:
    """CK201's and CK204's hint: in 0.3 removing the key is the better repair (CK207 warns about
    a copy that agrees), which is what --fix does there; in the seed era it sets the value."""
    same = "set evaluation.system_prompt to controls.system_prompt: models are evaluated with the system prompt they were trained with"
    if era == eras.V03:
        return f"remove evaluation.system_prompt (cruijff_kit 0.3 reads controls.system_prompt for both), or {same}"
    return same


def _check_v03_evaluation_prompt(ctx: Ctx, d: Design) -> None:
    """CK207: a 0.3 design's evaluation.system_prompt equal to controls' (a different one is
    CK201 or CK204, errors)."""
    if "system_prompt" not in d.controls or "system_prompt" not in d.evaluation:
        return
    if d.evaluation["system_prompt"] != d.controls["system_prompt"]:
        return
    ctx.add(
        "CK207",
        ("evaluation", "system_prompt"),
        f"evaluation.system_prompt {short(d.evaluation['system_prompt'])} repeats controls.system_prompt: cruijff_kit 0.3 "
        "reads the system prompt from controls only (its propagate tool warns about this key)",
        "remove evaluation.system_prompt: controls.system_prompt is the one source for training and evaluation",
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
