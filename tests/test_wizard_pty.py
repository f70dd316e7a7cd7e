"""The interactive wizard, driven through a real pseudo-terminal (pexpect), as a researcher
uses it: Enter on every default, typing only the scientific question and the dataset path."""

from __future__ import annotations

import re

import pexpect
from tools import needs
import yaml
from pty_support import CLEAR, Terminal, terminal_env, walk
from wizard_fixtures import COPIER, REPO, assert_no_findings, load_design

pytestmark = needs("git")  # and a pty: POSIX, as pexpect itself

# The wizard's default task is named after the dataset (words_8L); the W&B project comes from claude.local.md.
RESOURCES = {"tasks": ("words_8L",), "local": {"Default project": "ck-pty"}, "short_root": True}
QUESTION = "Does LoRA rank matter: for 8-letter words? # really"


def spawn_wizard(res, dst) -> Terminal:
    # 250 columns: the plan's lines arrive whole in the byte stream the tests read
    argv = [str(COPIER), "copy", "--trust", "--skip-tasks", "--vcs-ref", "HEAD", str(REPO), str(dst)]
    return Terminal(250, argv, terminal_env(res), rows=80)


def answer_defaults(term: Terminal, res, typed: dict[str, str] | None = None) -> str:
    """Enter on every question the wizard asks (found on screen, in whatever order copier.yml
    has them), the question and the dataset path typed; returns the plan shown at approval,
    left unanswered."""
    # Step 1 opens by saying where the wizard works
    term.child.expect_exact("destination:")
    term.child.expect_exact("detected type:   experiment")
    term.child.expect_exact(f"outputs will be grouped under {res['scratch']}/ck-outputs/")
    asked = walk(term, {"question": QUESTION, "dataset_path": res["dataset"], **(typed or {})}, approve=None)
    assert asked[-1:] == ["approved"], term.text()
    # Steps 7-8: the plan, in the approval question's help, before anything is written.
    plan = term.child.before
    assert "Steps 7-8 - the resources checked; approve the plan. Nothing has been written yet." in plan, plan
    return plan


def assert_steps_in_order(text: str) -> None:
    """Issue 22 (QA walk): the opening's "in N steps" and the step headers shown agree: every step
    from 1 to N is named by a header, in order (step 9, writing the files, was never named)."""
    promised = int(re.search(r"experiment\s+in\s+(\d+)\s+steps", text)[1])
    named: list[int] = []
    for first, last in re.findall(r"\bSteps? (\d+)(?:-(\d+))? - ", text):
        for n in range(int(first), int(last or first) + 1):
            if not named or named[-1] != n:  # a question redrawn with its answer repeats its header
                named.append(n)
    assert named == list(range(1, promised + 1)), (promised, named)


def test_interactive_defaults_give_a_valid_design(res, tmp_path):
    dst = tmp_path / "ck-experiments" / "pty"
    term = spawn_wizard(res, dst)
    child = term.child
    try:
        before = answer_defaults(term, res)
        assert not dst.exists()  # shown before anything is written
        child.send("\r")
        child.expect(pexpect.EOF, timeout=120)
    finally:
        child.close()
    assert child.exitstatus == 0, term.text()
    assert_steps_in_order(term.text())
    for needle in ("Llama-3.2-1B-Instruct_rank4", "Llama-3.2-1B-Instruct_base", "Total evaluations: 3",
                   "Experiment directory:", "Output directory:"):
        assert needle in before, needle
    d = load_design(dst)
    assert d["experiment"]["question"] == QUESTION
    assert d["controls"]["prompt"] == "{input}\n"  # the default, newline included, survives the TUI
    assert d["data"]["training"]["path"] == res["dataset"]
    assert [r["name"] for r in d["runs"]] == ["Llama-3.2-1B-Instruct_rank4", "Llama-3.2-1B-Instruct_rank8",
                                              "Llama-3.2-1B-Instruct_base"]
    assert d["evaluation"]["tasks"][0]["name"] == "words_8L"
    assert d["output"]["wandb_project"] == "ck-pty"
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["question"] == QUESTION and "approved" not in answers
    # The defaults keep num_warmup_steps 100 on a 400-example dataset: warnings, no errors.
    from wizard_fixtures import ck_validate

    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0, (found, err)
    assert all(f["severity"] == "warning" for f in found)


def test_interactive_decline_writes_nothing(res, tmp_path):
    dst = tmp_path / "ck-experiments" / "declined"
    term = spawn_wizard(res, dst)
    child = term.child
    try:
        answer_defaults(term, res)
        child.send("n\r")
        child.expect_exact("nothing was written", timeout=120)
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert not dst.exists()
    assert not dst.parent.exists()


def test_interactive_design_passes_validation_with_fewer_warmup_steps(res, tmp_path):
    """The same walk with two more typed answers (warmup 10, no packing) gives a design with no
    findings. Packed, the 400 short examples fit in one sequence: a step per epoch, CK250/CK251."""
    dst = tmp_path / "ck-experiments" / "clean"
    term = spawn_wizard(res, dst)
    child = term.child
    try:
        # clear the default (Ctrl-U) before typing: the input line starts with "100"
        answer_defaults(term, res, {"keep_training_defaults": "n", "num_warmup_steps": CLEAR + "10", "packing": "n"})
        child.send("\r")
        child.expect(pexpect.EOF, timeout=120)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert load_design(dst)["controls"]["num_warmup_steps"] == 10
    assert_no_findings(dst)
