"""Every branch of copier.yml, walked at a real 80-column terminal (issue 22, item 1).

Each walk runs the real `copier copy` in a pty and answers the question on screen, whichever it
is: the driver recognizes a question by the start of its help (read from copier.yml), answers it
from the walk's table or with Enter, and records the order. Together the walks ask every
question whose `when:` can be true and skip it at least once; each ends with the files written
(no path through the wizard ends it without writing unless the person declines), and a refused
answer is asked again rather than ending the wizard.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest
from tools import needs
from test_models_destination import QWEN, QWEN_05B, write_unknown_model
from pty_support import CLEAR, CONDITIONAL, DOWN, MARKERS, QUESTIONS, UP, Answer, Terminal, spawn, walk
from wizard_fixtures import load_design, make_resources

pytestmark = needs("git")  # and a pty: POSIX, as pexpect itself

# Asked or not by a condition: `when:` (skipped, its default used) or a templated `ask:` (stated:
# its default recorded, not asked), e.g. the name parts when the destination names the experiment.
ASKED_IF = [*CONDITIONAL, *(k for k, v in QUESTIONS.items() if isinstance(v.get("ask"), str) and k not in CONDITIONAL)]
MAX_QUESTIONS = 30  # issue 22 item 5: the design in at most this many questions

def test_every_question_is_recognizable_on_screen():
    assert "approved" in QUESTIONS and len(MARKERS) == len(QUESTIONS) - 1, set(QUESTIONS) - set(MARKERS)
    clashes = {n: m for n, m in MARKERS.items() if any(m in q["help"] for k, q in QUESTIONS.items() if k != n)}
    assert not clashes, clashes


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ckb"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_walk(res: dict[str, Any], dst: Path, answers: dict[str, Answer],
             extra: tuple[str, ...] = ()) -> tuple[list[str], dict, Terminal]:
    term = spawn(80, res, dst, extra=("--skip-tasks", *extra))
    try:
        asked = walk(term, answers)
        term.child.expect(pexpect.EOF, timeout=120)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0, term.text()
    return asked, load_design(dst), term


def _checkpoint(res: dict[str, Any]) -> str:
    folder = Path(res["root"]) / "old" / "ck-out-rank8" / "epoch_0"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    return str(folder)


def test_the_branches_of_copier_yml_each_way(root):
    """Four walks: Enter everywhere; the issue's design (two models one unregistered, a learning
    rate sweep of three, base controls, the last epoch, one existing checkpoint); an eval-only
    design with every evaluation branch the other way; a sweep naming every training constant,
    with a model that always needs a full GPU."""
    asked_in: dict[str, list[str]] = {}

    # 1. Enter on every default
    res = make_resources(root / "r1", tasks=("words_8L",))
    typed = {"question": "Does rank matter?", "dataset_path": res["dataset"]}
    asked_in["defaults"], design, _ = run_walk(res, root / "ck-experiments" / "defaults", typed)
    assert [r["name"] for r in design["runs"] if r["type"] == "fine-tuned"]
    # one task: "Which runs get which tasks?" cannot matter, so it is not asked; every run gets it
    assert "eval_selection" not in asked_in["defaults"], asked_in["defaults"]
    task = design["evaluation"]["tasks"][0]["name"]
    assert [(e["run"], e["tasks"]) for e in design["evaluation"]["matrix"]] == \
        [(r["name"], [task]) for r in design["runs"]], design["evaluation"]["matrix"]

    # 2. the design, with a complete claude.local.md; the checkpoint question, answered
    # with Enter, is refused and asked again; a `y` typed before Enter answers only its question
    res = make_resources(root / "r2", tasks=("words_8L",), local={"Partition": "gpu"})
    write_unknown_model(res["models_dir"], QWEN, QWEN_05B)
    ckpt = _checkpoint(res)
    answers: dict[str, Answer] = {
        "question": "Does the learning rate matter?", "dataset_path": res["dataset"],
        "models": DOWN + DOWN + " ",  # keep the first model, tick the third (the unregistered one)
        "eval_checkpoints_wanted": "y",
        "eval_checkpoints": [("", "give a list of checkpoints"), (f"[{{path: {ckpt}, label: old_rank8}}]", None)],
        "variables": CLEAR + "{lr: [1e-5, 1e-4, 1e-3]}",
    }
    asked_in["issue"], design, _ = run_walk(res, root / "ck-experiments" / "issue", answers)
    assert [m["name"] for m in design["models"]["base"]] == ["Llama-3.2-1B-Instruct", QWEN]
    types = [r["type"] for r in design["runs"]]
    assert types.count("fine-tuned") == 6 and types.count("control") == 2 and types.count("eval-only") == 1, types
    print(f"\nthe issue's design: {len(asked_in['issue'])} questions: {', '.join(asked_in['issue'])}")
    assert len(asked_in["issue"]) <= MAX_QUESTIONS, asked_in["issue"]
    assert "preparation_tool" not in asked_in["issue"] and "evaluation_tool" not in asked_in["issue"]  # stated
    assert not {"task_label", "experiment_factor", "experiment_date", "experiment_name"} & set(asked_in["issue"])
    assert design["experiment"]["name"] == "issue" and design["tools"] == {"preparation": "torchtune",
                                                                          "evaluation": "inspect-ai"}

    # 3. eval-only, every evaluation branch the other way, each setting asked (no to keeping the
    # defaults), at a destination that does not name the experiment (its name parts are asked)
    res = make_resources(root / "r3", tasks=("words_8L",))
    ckpt = _checkpoint(res)
    answers = {
        "question": "How good is the old checkpoint?", "dataset_path": res["dataset"],
        "eval_checkpoints_wanted": "y", "eval_checkpoints": f"[{{path: {ckpt}, label: old}}]", "train_runs": "n",
        "full_gpu": "n", "eval_epochs": DOWN + DOWN, "eval_selection": DOWN,
        "scorers": " " + DOWN + " " + DOWN + " " + DOWN + " ",  # untick match; tick the other three
        "temperature": CLEAR + "0.5", "keep_training_defaults": "n", "keep_evaluation_defaults": "n",
        "cruijff_kit_schema": "", "more_tasks": "y",
        "more_eval_tasks": f"[{{name: again, script: {res['scripts']['words_8L']}, description: twice}}]",
    }
    asked_in["eval-only"], design, _ = run_walk(res, root / "designs" / "evalonly", answers)
    assert {r["type"] for r in design["runs"]} == {"eval-only", "control"}, design["runs"]
    assert [t["name"] for t in design["evaluation"]["tasks"]] == ["words_8L", "again"]

    # 4. every training constant named in the sweep; a model that always needs a full GPU
    res = make_resources(root / "r4", models=("Llama-3.3-70B-Instruct",), tasks=("words_8L",),
                         local={"Full GPU constraint": "<constraint>"})
    every = ("{lr: [1e-5, 1e-4], epochs: [1], gpus: [4], validation_during_training: [true], batch_size: [4], "
             "gradient_accumulation_steps: [1], weight_decay: [0.01], lora_dropout: [0.0], num_warmup_steps: [5], "
             "max_seq_len: [2048], packing: [true]}")
    answers = {"question": "Does lr matter at 70B?", "dataset_path": res["dataset"], "variables": CLEAR + every,
               "keep_training_defaults": "n", "keep_evaluation_defaults": "n"}
    asked_in["constants"], design, _ = run_walk(res, root / "ck-experiments" / "constants", answers)
    assert design["variables"]["lr"] == [1e-5, 1e-4]

    # 5. a destination that decides no cruijff_kit schema: asked, 0.3 chosen, then its project
    res = make_resources(root / "r5", tasks=("words_8L",))
    answers = {"question": "Does rank matter in 0.3?", "dataset_path": res["dataset"],
               "cruijff_kit_schema": UP, "project": CLEAR + "capitalization"}
    # the tasks given with --data: not asked one by one
    given = f'eval_tasks=[{{name: caps, script: {res["scripts"]["words_8L"]}, description: Capitalize}}]'
    asked_in["schema"], design, _ = run_walk(res, root / "designs" / "era03", answers, extra=("--data", given))
    assert [t["name"] for t in design["evaluation"]["tasks"]] == ["caps"]
    assert design["experiment"]["project"] == "capitalization" and "dir" in design["experiment"]

    never = [n for n in ASKED_IF if not any(n in a for a in asked_in.values())]
    always = [n for n in ASKED_IF if all(n in a for a in asked_in.values())]
    assert not never, f"no walk asks {never}: add a walk where their `when:` is true"
    assert not always, f"every walk asks {always}: add a walk where their `when:` is false"


def test_a_y_typed_before_enter_answers_only_its_question(root):
    """Issue 22 item 5: `y` then Enter answers the yes/no question; the Enter does not also take
    the next question's default (questionary answers on the key alone, unless told otherwise)."""
    res = make_resources(root / "r", tasks=("words_8L",))
    term = spawn(80, res, root / "ck-experiments" / "stray", extra=("--skip-tasks",))
    try:
        walk(term, {"question": "Q?"}, until="include_base_controls")
        term.child.send("y")
        rows = term.wait_for(lambda r: any(line.strip() == "(Y/n) Yes" for line in r), "the answer Yes, not yet accepted")
        assert not any(MARKERS["models_dir"] in line for line in rows), rows  # still this question
        term.child.send("\r")
        rows = term.wait_for(lambda r: any(MARKERS["models_dir"] in line for line in r), "the next question")
        # the next question waits for its own answer: its default is offered, not taken
        term.child.expect(pexpect.TIMEOUT, timeout=1)
        assert MARKERS["models"] not in term.text()
    finally:
        term.child.sendcontrol("c")
        term.child.close(force=True)
