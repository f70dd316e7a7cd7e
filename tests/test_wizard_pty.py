"""The interactive wizard, driven through a real pseudo-terminal (pexpect), as a researcher
uses it: Enter on every default, typing only the scientific question and the dataset path."""

from __future__ import annotations

import os
import shutil

import pexpect
import pytest
import yaml
from wizard_fixtures import COPIER, GIT_ENV, REPO, assert_no_findings, load_design, make_resources

pytestmark = pytest.mark.skipif(os.name != "posix" or shutil.which("git") is None, reason="needs a pty and git")

QUESTION = "Does LoRA rank matter: for 8-letter words? # really"

# Each prompt the default path shows, in order, by the start of its help text (copier shows the
# help instead of the question name). None = press Enter; a string = type it, then Enter.
PROMPTS: list[tuple[str, str | None]] = [
    ("Step 1 - location", None),
    ("Research experiment or sanity", None),
    ("Step 2 - the experiment", QUESTION),
    ("What do you expect", None),
    ("What will you do", None),
    ("Add one control run", None),
    ("Step 3 - tools", None),
    ("Evaluation framework", None),
    ("Step 4 - training runs", None),
    ("Which base model", None),
    ("Also evaluate existing checkpoints", None),  # default no: nothing more is asked
    ("Training dataset (an", "<dataset>"),
    ("What are you varying", None),
    ("Training epochs", None),
    ("GPUs per training job", None),
    ("Compute validation loss", None),
    ("How are examples formatted", None),
    ("System prompt?", None),
    ("Prompt template", None),
    ("Learning rate? (typical", None),
    ("Batch size per GPU", None),
    ("Gradient accumulation", None),
    ("Optimizer weight decay", None),
    ("Dropout on the LoRA", None),
    ("Learning-rate warmup", None),
    ("Maximum sequence length", None),
    ("Pack several", None),
    ("Use a full dedicated GPU", None),
    ("SLURM constraint", None),
    ("SLURM partition", None),
    ("Step 5 - evaluation", None),
    ("Which checkpoints", None),
    ("Which runs get which", None),
    ("Which scorers", None),
    ("match: where", None),
    ("match: ignore", None),
    ("Sampling temperature", None),
    ("Most tokens generated", None),
    ("How are runs labeled", None),
    ("Step 6 - naming", None),
    ("The key experimental factor", None),
    ("Design date", None),
    ("Experiment name?", None),
    ("Weights & Biases", None),
]


def spawn_wizard(res, dst):
    env = {**os.environ, **GIT_ENV, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1",
           "CK_LOCAL_CONFIG": res["config"], "COLUMNS": "250", "LINES": "80"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(str(COPIER), ["copy", "--trust", "--skip-tasks", "--vcs-ref", "HEAD", str(REPO), str(dst)],
                          env=env, dimensions=(80, 250), encoding="utf-8", timeout=60)
    return child


def answer_defaults(child, res):
    # Step 1 opens by saying where the wizard works
    child.expect_exact("destination:")
    child.expect_exact("detected type:   experiment")
    child.expect_exact(f"outputs will be grouped under {res['scratch']}/ck-outputs/")
    for snippet, text in PROMPTS:
        child.expect_exact(snippet)
        if text == "<dataset>":
            text = res["dataset"]
        child.send((text or "") + "\r")
    # Step 8: the plan, in the approval question's help, before anything is written.
    child.expect_exact("Step 8 - approve the plan. Nothing has been written yet.")
    child.expect_exact("Write these files?")


@pytest.fixture
def res(tmp_path):
    # the default evaluation task is <dataset stem>, its script ../tasks/<stem>.py from the dataset
    return make_resources(tmp_path / "res", tasks=("words_8L",), local={"Default project": "ck-pty"})


def test_interactive_defaults_give_a_valid_design(res, tmp_path):
    dst = tmp_path / "ck-experiments" / "pty"
    child = spawn_wizard(res, dst)
    try:
        answer_defaults(child, res)
        before = child.before
        assert not dst.exists()  # shown before anything is written
        child.send("\r")
        child.expect(pexpect.EOF, timeout=120)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
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
    child = spawn_wizard(res, dst)
    try:
        answer_defaults(child, res)
        child.send("n\r")
        child.expect_exact("nothing was written", timeout=120)
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert not dst.exists()
    assert not dst.parent.exists()


def test_interactive_design_passes_validation_with_fewer_warmup_steps(res, tmp_path):
    """The same walk with one more typed answer (warmup 10) gives a design with no findings."""
    dst = tmp_path / "ck-experiments" / "clean"
    child = spawn_wizard(res, dst)
    global PROMPTS
    saved = PROMPTS
    PROMPTS = [(s, "10" if s == "Learning-rate warmup" else t) for s, t in saved]
    try:
        # clear the default (Ctrl-U) before typing: the input line starts with "100"
        PROMPTS = [(s, ("\x15" + t) if s == "Learning-rate warmup" else t) for s, t in PROMPTS]
        answer_defaults(child, res)
        child.send("\r")
        child.expect(pexpect.EOF, timeout=120)
    finally:
        PROMPTS = saved
        child.close()
    assert child.exitstatus == 0
    assert load_design(dst)["controls"]["num_warmup_steps"] == 10
    assert_no_findings(dst)
