"""Issue 13, item 14: an answer copier refuses (given with --data / --data-file, with or without
--defaults, on copy and on update) ends in one line naming the question, the value and the
rule: no traceback, exit 1, nothing written. The real copier CLI; the interactive case through a
real pty of 80 columns, read on a terminal emulator (pyte) as a person reads it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pexpect
import pytest
from pty_support import Terminal, normalize, terminal_env, walk
import yaml
from copier_support import (
    COPIER,
    answers_for,
    clean_env,
    copied_experiment,
    copier_update,
    git,
    make_scratch,
    shared_template,
    tree,
)



def _copy(setup, answers, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    tmp, env, template, res = setup
    dst = Path(res["scratch"]) / "ck-experiments" / f"x{abs(hash(repr(answers) + repr(extra)))}"
    data = tmp / f"{dst.name}.yml"
    data.write_text(yaml.safe_dump(answers, sort_keys=False))
    r = subprocess.run([COPIER, "copy", "--trust", "--defaults", "--data-file", str(data), *extra, str(template), str(dst)],
                       cwd=tmp, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    return r, dst


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("override", "extra", "line"),
    [
        ({"epochs": 0}, (),
         "ck-design: --data epochs=0 is refused: epochs must be >= 1, not 0. Correct it in --data/--data-file "
         "(or leave it out to be asked); nothing was written"),
        ({}, ("--data", "lr=fast"),
         "ck-design: --data lr=fast is refused: lr takes a number."),
        ({}, ("--data", "epochs=two"),
         "ck-design: --data epochs=two is refused: epochs takes a whole number."),
        ({"eval_epochs": "every"}, (),
         "ck-design: --data eval_epochs=every is refused: 'every' is not in ['last', 'all', 'specific', 'best_val_loss']."),
        ({"experiment_name": "../escape"}, (),
         "ck-design: --data experiment_name=../escape is refused: '../escape' is not a safe directory name"),
        ({"question": None}, (),
         "ck-design: 'question' has no answer and no default: give it with --data question=VALUE (or in --data-file), "
         "or leave out --defaults to be asked"),
    ],
)
def test_a_refused_answer_is_one_line(setup, override, extra, line):
    answers = {k: v for k, v in answers_for(setup[3], **override).items() if v is not None}
    r, dst = _copy(setup, answers, *extra)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "ValueError" not in r.stderr, r.stderr
    assert _last_line(r.stderr).startswith(line), r.stderr
    assert not dst.exists(), "something was written"


def test_a_question_with_no_default_is_named_with_its_help(tmp_path):
    """A design too big for every run on every task: with --defaults the selective matrix has no
    default, and the one line says why, in the question's own words."""
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res", tasks=("t1", "t2", "t3"))
    tasks = [{"name": n, "script": s, "description": n} for n, s in res["scripts"].items()]
    big = answers_for(res, models=["Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"],
                      variables={"lora_rank": list(range(1, 51)), "lr": [1e-5 * i for i in range(1, 11)]},
                      epochs=4, eval_epochs="all", eval_tasks=tasks)
    r, dst = _copy((tmp_path, env, template, res), big)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    line = _last_line(r.stderr)
    assert line.startswith("ck-design: 'eval_matrix' has no answer and no default: give it with --data eval_matrix=VALUE")
    assert "Every run on every task would give 12,006 evaluations; at most 10,000" in line
    assert not dst.exists()


def test_ck_debug_shows_the_traceback(setup, monkeypatch):
    """For a bug report: CK_DEBUG=1 leaves copier's traceback as it was."""
    tmp, env, template, res = setup
    r, _ = _copy((tmp, {**env, "CK_DEBUG": "1"}, template, res), answers_for(res, epochs=0))
    assert r.returncode == 1 and "Traceback" in r.stderr and "Validation error for question 'epochs'" in r.stderr


def test_a_refused_answer_in_the_interactive_wizard(setup):
    """Without --defaults, at a real terminal of 80 columns: the person answers the first question,
    then copier reaches the bad --data answer; the screen ends in the one line."""
    tmp, env, template, res = setup
    answers = answers_for(res, epochs=0)
    del answers["experiment_type"]  # asked at the terminal
    data = tmp / "interactive.yml"
    data.write_text(yaml.safe_dump(answers, sort_keys=False))
    dst = Path(res["scratch"]) / "ck-experiments" / "interactive"
    term = Terminal(80, [COPIER, "copy", "--trust", "--data-file", str(data), str(template), str(dst)],
                    terminal_env(base=env), rows=24)
    child = term.child
    try:
        # Enter on each question copier asks before it reaches `epochs`; copier then exits
        asked = walk(term, {})
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    assert asked[0] == "experiment_type" and "approved" not in asked, asked
    seen = "".join(term.raw)
    shown = normalize(term.text())
    assert child.exitstatus == 1
    assert "ck-design: --data epochs=0 is refused: epochs must be >= 1, not 0." in shown, shown
    assert "Traceback" not in seen
    assert not dst.exists()


def test_a_refused_answer_on_update_changes_nothing(tmp_path):
    dst, env = copied_experiment(tmp_path)
    before = tree(dst, skip=(".git",))
    r = copier_update(dst, env, {"epochs": 0}, tmp_path)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert _last_line(r.stderr).startswith("ck-design: --data epochs=0 is refused: epochs must be >= 1, not 0.")
    assert tree(dst, skip=(".git",)) == before
    assert git(["status", "--porcelain"], dst, env).stdout == ""


def test_copier_as_a_library_still_raises(setup):
    """The hook is for copier's command line only: a program calling run_copy gets the ValueError."""
    from copier import run_copy

    tmp, env, template, res = setup
    old = os.environ.get("HOME")
    os.environ["HOME"] = env["HOME"]
    try:
        with pytest.raises(ValueError, match="epochs must be >= 1"):
            run_copy(str(template), tmp / "lib", data=answers_for(res, epochs=0), defaults=True, unsafe=True, quiet=True)
    finally:
        os.environ["HOME"] = old or ""
