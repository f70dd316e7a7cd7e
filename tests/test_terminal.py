"""The wizard as a person sees it in a real terminal of 80 and of 120 columns.

A real `copier copy --trust` runs in a pseudo-terminal (pexpect) of that size; its output is fed
to pyte, a terminal emulator, so the test reads the SCREEN (after prompt_toolkit's redraws, with
its cutting of long lines), not the byte stream. Then: every question's help and the whole
approval plan (constants, runs, SLURM overrides, each finding with its hint, prerequisites) must
be readable in full there. See docs/wizard.md ("At the terminal").
"""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest
from tools import needs
import yaml
from pty_support import COPIER_YML, QUESTIONS, Terminal, first_line, normalize, spawn, walk
from wizard_fixtures import ck_validate

pytestmark = needs("git")  # and a pty: POSIX, as pexpect itself

# The wizard's default task is named after the dataset (words_8L); the W&B project comes from claude.local.md.
RESOURCES = {"tasks": ("words_8L",), "local": {"Default project": "ck-pty"}, "short_root": True}
QUESTION = "Does LoRA rank matter for 8-letter words?"


def choice_labels(name: str, res: dict) -> list[str]:
    """The labels a choice question lists: copier.yml's, or for a computed list (the models) the
    model folders this test made."""
    choices = COPIER_YML[name]["choices"]
    if isinstance(choices, str):
        return sorted(p.parent.name for p in Path(res["models_dir"]).glob("*/config.json"))
    return list(choices)


def _list_hint(rows: list[str]) -> int | None:
    return max((i for i, r in enumerate(rows) if "(Use arrow keys" in r or "(<up>, <down>" in r), default=None)


def walk_defaults(term: Terminal, res: dict, answers: dict[str, str] | None = None,
                  lists: list[str] | None = None) -> list[str]:
    """Enter on every default of the path the wizard takes; type the question and the dataset
    path; stop at the approval question, unanswered. Returns the questions asked, in order.
    With `lists`, each choice list's rows as shown before it is answered are added to it (a list
    is redrawn as its answer once answered, so the screen at the end no longer holds it)."""
    typed = {"question": QUESTION, "dataset_path": res["dataset"], **(answers or {})}

    def collect(name: str) -> None:
        if lists is None or "choices" not in COPIER_YML[name]:
            return
        labels = choice_labels(name, res)

        def drawn(rows: list[str]) -> bool:
            hint = _list_hint(rows)
            return hint is not None and all(label in "\n".join(rows[hint + 1:]) for label in labels)

        screen = term.wait_for(drawn, f"the choices of {name}: {labels}")
        lists.extend(r for r in screen[_list_hint(screen) + 1:] if r.strip())

    asked = walk(term, typed, approve=None, before_answer=collect)
    assert asked[-1:] == ["approved"], term.text()
    return asked[:-1]


def cut_rows(term: Terminal, start: str) -> list[str]:
    """Rows from the first question on that reach the last column: cut (or wrapped) at the edge.
    Not counted: an answer (copier indents it by three columns) - the input field wraps it, and
    the plan repeats it; help details are indented the same but wrapped to 78 columns. Counted:
    a disabled choice ("   - name (why)"), which a list cuts at the edge."""
    rows = term.cells()
    first = next(i for i, (text, _) in enumerate(rows) if start in text)
    return [text for text, used in rows[first:] if used >= term.cols and not re.match(r"   (?!- )\S", text)]


@pytest.mark.parametrize("cols", [80, 120])
def test_every_question_and_the_whole_plan_fit_the_terminal(res, cols):
    dst = Path(res["root"]).parent / "ck-experiments" / "fit"
    term = spawn(cols, res, dst, extra=("--skip-tasks",))
    lists: list[str] = []
    try:
        asked = walk_defaults(term, res, lists=lists)
        term.child.send("\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0, term.text()
    screen = term.text()
    # nothing reaches the right edge: prompt_toolkit cuts a line there, a terminal wraps it mid-word
    cut = cut_rows(term, first_line("scratch_dir"))
    assert not cut, "cut at the edge:\n" + "\n".join(cut)
    # the opening message's own words fit a row (its paths may not)
    assert "Enter takes a default; nothing is written before you approve the plan (step 8)." in term.rows()
    # every row of every choice list fits (a disabled choice's reason: test_a_choice_that_cannot_be_taken...)
    assert lists and not [r for r in lists if len(r) >= cols], lists
    flat = normalize(screen)
    # the tools, one choice each, are stated, not asked (issue 22 item 5)
    assert "Tools (step 3): torchtune trains and inspect-ai evaluates, the only ones cruijff_kit scaffolds today" in flat
    assert res["scripts"]["words_8L"] in "".join(term.rows())  # the eval_tasks default, wrapped
    # every static help text is on the screen in full
    # in copier.yml's order, every question without a `when:` among them
    assert asked == [n for n in QUESTIONS if n in asked], asked
    # (a templated `ask:` states its default instead: the settings kept with one question, the name parts)
    unconditional = [n for n in QUESTIONS if "when" not in QUESTIONS[n] and not isinstance(QUESTIONS[n].get("ask"), str)]
    assert not [n for n in unconditional if n != "approved" and n not in asked], asked
    for name in asked:
        help_text = COPIER_YML[name]["help"]
        if "{{" not in help_text:
            assert normalize(help_text) in flat, (name, screen)
    # the plan: every finding of the design, with its hint, readable in full
    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    assert found, "the default path keeps warmup 100 on 400 examples: the plan has findings to show"
    for f in found:
        assert normalize(f"{f['code']} {f['severity']}: {f['message']}") in flat, (f, screen)
        if f.get("hint"):
            assert normalize(f"hint: {f['hint']}") in flat, (f, screen)
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    for r in design["runs"]:
        assert r["name"] in flat
        for k, v in (r.get("slurm_overrides") or {}).items():
            assert f"{k}={v}" in flat
    for k, v in design["controls"].items():
        if k not in ("prompt", "system_prompt"):
            assert re.search(rf"\b{k}=", flat), (k, screen)
    assert "Total evaluations: 3" in flat


def test_the_prompt_default_is_visible(res):
    """The prompt template's default reads "{input}\\n", not `{input}` and an empty row."""
    dst = Path(res["root"]).parent / "ck-experiments" / "prompt"
    term = spawn(80, res, dst, extra=("--skip-tasks",))
    try:
        walk_defaults(term, res)
        term.child.send("n\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close()
    # the row under the question holds the default, as it is typed (copier indents it)
    assert any(row.strip() == '"{input}\\n"' for row in term.rows()), term.text()


def test_a_declined_plan_ends_saying_what_happened(res):
    dst = Path(res["root"]).parent / "ck-experiments" / "declined"
    term = spawn(80, res, dst)
    try:
        walk_defaults(term, res)
        term.child.send("n\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0
    assert not dst.exists()
    rows = [r for r in term.rows() if r.strip()]
    # copier's "Copying from template version" cannot be silenced by a template: the message
    # after it explains it, and the last line says what happened
    assert rows[-1] == "Plan declined at step 8: nothing was written, no folder was created.", rows[-3:]
    assert "rendered no file" in rows[-2], rows[-3:]


def test_copy_output_has_no_task_noise(res):
    """After approval the last rows are the hook's summary and copier's closing message; copier's
    `> Running task 1 of 1: [...]` (an argument list of interpreter and paths) is not among them."""
    dst = Path(res["root"]).parent / "ck-experiments" / "quiet"
    term = spawn(80, res, dst)
    try:
        walk_defaults(term, res)
        term.child.send("\r")
        term.child.expect(pexpect.EOF, timeout=180)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0, term.text()
    text = term.text()
    assert "Running task" not in text, text
    assert "post_copy.py" not in text, text
    rows = [r for r in term.rows() if r.strip()]
    assert rows[-2].startswith("Experiment design written to"), rows[-5:]
    assert rows[-1].strip().startswith("experiment_summary.yaml (the design)"), rows[-5:]
    # the plan's next steps say what scaffold-experiment / run-experiment are, and where they live
    readme = (dst / "README.md").read_text()
    assert "skill (an agent workflow) of [cruijff_kit](https://github.com/niznik-dev/cruijff_kit)" in readme
    assert "cruijff_kit's `run-experiment` skill" in readme


def test_help_texts_are_written_to_fit_80_columns():
    """copier prints a help line by line and prompt_toolkit cuts each at the terminal's edge:
    the question on the first line after copier's two-column mark and a space, details on
    their own lines, wrapped by hand (see docs/wizard.md)."""
    for name, q in COPIER_YML.items():
        if not isinstance(q, dict) or "help" not in q or name == "approved":
            continue
        first, *details = q["help"].splitlines()
        assert len(first) <= 76, (name, first)
        # a line computed by Jinja wraps itself (`wordwrap`); the pty test reads it on screen
        assert all(len(line) <= 78 for line in details if "{{" not in line), (name, details)


def test_an_unknown_model_folder_is_offered_and_estimated_and_an_odd_destination_warned(res):
    """Issue 10 items 3 and 4 at 80 columns: a model folder the registry does not know is in the
    list, its estimate is in the plan; a destination that is not {scratch}/ck-experiments/<name>
    is warned about before the first question and in the plan, and recorded as it is."""
    from test_models_destination import QWEN, QWEN_05B, write_unknown_model

    write_unknown_model(res["models_dir"], QWEN, QWEN_05B)
    dst = Path(res["root"]).parent / "ck-experiments" / "qwen"  # not under the scratch dir
    term = spawn(80, res, dst, extra=("--skip-tasks",))
    try:
        # Space unticks the default (the first model), two Downs reach the third, Space ticks it
        walk_defaults(term, res, {"models": " \x1b[B\x1b[B "})
        term.child.send("\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0, term.text()
    flat = normalize(term.text())
    assert QWEN in flat
    assert (f"warning: the destination is not in {res['scratch']}/ck-experiments/ or {res['scratch']}/ck-sanity-checks/: "
            "experiment.directory will record it (where the files are)") in flat, term.text()
    assert (f"Model: {QWEN}: not in the registry; ~1.0 GB of weights, estimated 2.5 GB to train "
            "(from config.json); fits a shared GPU") in flat, term.text()
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    assert [m["name"] for m in design["models"]["base"]] == [QWEN]
    assert design["experiment"]["directory"] == str(dst)
    assert f"Experiment directory: {dst} Not {res['scratch']}/ck-experiments/qwen, where the convention" in flat
    assert not cut_rows(term, first_line("scratch_dir"))


def _screen_rows(term: Terminal, until: str) -> list[str]:
    """The rows on the screen once they show `until` (spaces and row breaks aside)."""
    return term.wait_for(lambda rows: normalize(until) in normalize(" ".join(rows)), repr(until))


def _given(res: dict, **changes) -> dict:
    """The answers a test is about, as a --data-file gives them (with the two the wizard cannot
    default); every other question is answered with Enter on the way (pty_support.walk)."""
    return {"question": QUESTION, "dataset_path": res["dataset"], **changes}


def spawn_given(res: dict, name: str, answers: dict) -> Terminal:
    data = Path(res["root"]) / f"{name}.yml"
    data.write_text(yaml.safe_dump(answers, sort_keys=False))
    return spawn(80, res, Path(res["root"]) / "scratch" / "ck-experiments" / name, extra=("--data-file", str(data)))


def test_a_choice_that_cannot_be_taken_says_why_within_80_columns(res):
    """Without validation during training, 'best validation loss' is shown disabled, with its
    reason on the same row: that row must fit (prompt_toolkit cuts a list row at the edge)."""
    term = spawn_given(res, "noval", _given(res, validation_during_training=False))
    try:
        assert walk(term, {}, until="eval_epochs")[-1] == "eval_epochs", term.text()
        rows = _screen_rows(term, "best validation loss (after training) (needs validation during training)")
        row = next(r for r in rows if "best validation loss" in r)
        assert row == "   - best validation loss (after training) (needs validation during training)", rows
        assert len(row) < 80
    finally:
        term.child.sendcontrol("c")
        term.child.close(force=True)


def test_a_design_too_big_to_evaluate_is_said_in_full_at_80_columns(res):
    """2 models x 500 combinations x 4 epochs on 3 tasks: every run on every task would be 12,006
    evaluations. The choice says why it cannot be taken, the selective matrix is asked with no
    default, a matrix still too big is refused with the whole message wrapped under it (not cut
    at the edge), and a narrower one is taken."""
    root = Path(res["root"])
    tasks = []
    for name in ("t1", "t2", "t3"):
        script = root / "tasks" / f"{name}.py"
        script.write_text(f"from inspect_ai import task\n\n@task\ndef {name}():\n    pass\n")
        tasks.append({"name": name, "script": str(script), "description": name})
    answers = _given(res, models=["Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"],
                     variables={"lora_rank": list(range(1, 51)), "lr": [1e-5 * i for i in range(1, 11)]}, epochs=4,
                     eval_tasks=tasks, eval_epochs="all")
    term = spawn_given(res, "big", answers)
    try:
        assert walk(term, {}, until="eval_selection")[-1] == "eval_selection", term.text()
        rows = _screen_rows(term, "selective (e.g. expensive tasks on large models only)")
        assert "   - every run on every task (typical) (12,006 evaluations; at most 10,000)" in rows, rows
        assert " » selective (e.g. expensive tasks on large models only)" in rows, rows
        term.child.send("\r")
        term.child.expect_exact("with the runs they need.")
        term.child.send('{t1: ["*"]}\r')
        rows = _screen_rows(term, "match fewer runs per task, or split the experiment")
        shown = normalize(" ".join(rows))
        assert ("Validation error for question 'eval_matrix': this matrix gives 12,006 evaluations; at most "
                "10,000: match fewer runs per task, or split the experiment") in shown, rows
        asked = rows[next(i for i, r in enumerate(rows) if first_line("eval_matrix") in r):]
        assert all(len(r) < 80 for r in asked), asked  # wrapped, none cut at the edge
        term.child.sendcontrol("u")
        term.child.send('{t1: ["*rank1_*"], t2: ["*rank1_*"]}\r')
        term.child.expect_exact(first_line("scorers"))
    finally:
        term.child.sendcontrol("c")
        term.child.close(force=True)


def test_the_scratch_question_says_where_both_schemas_put_an_experiment():
    """The first question is the same for a seed and a 0.3 destination (the opening names the
    schema): its help must not send a 0.3 reader's checkpoints to {scratch}/ck-outputs/."""
    help_ = " ".join(COPIER_YML["scratch_dir"]["help"].split())
    assert "{scratch}/ck-experiments/<name>" in help_ and "{scratch}/ck-outputs/<name>/" in help_, help_
    assert "{scratch}/ck-projects/<project>/<name>" in help_ and "checkpoints inside it" in help_, help_
