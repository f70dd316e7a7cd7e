"""Every line the wizard and the hook print wraps at word boundaries at an 80-column terminal
(issue 22, item 4): the opening message's paths, the plan, the hook's closing summary, copier's
last words, a refused --data answer. A path or command wider than a line stands alone on its
own line, whole, so it can be copied. Read off the screen (pyte) of a real `copier copy` in a pty.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from tools import needs
from pty_support import Terminal, spawn, walk
from wizard_fixtures import make_resources

pytestmark = needs("git")  # and a pty: POSIX, as pexpect itself

COLS = 80
LONG = "a-folder-name-long-enough-that-the-destination-path-is-wider-than-eighty-columns"


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ckw"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def cut_mid_word(term: Terminal) -> list[str]:
    """Rows that reach the last column with more than one word on them: a line the terminal
    broke wherever the edge fell. Not counted: an answer as copier echoes it (indented by three
    columns: prompt_toolkit's input field, cut by it, repeated in the plan)."""
    return [text for text, used in term.cells()
            if used >= term.cols and not re.match(r"   \S", text) and " " in text.strip()]


def stands_alone(term: Terminal, word: str) -> bool:
    """`word`, wider than a row, starts a row of its own (the terminal continues it on the next)."""
    rows = term.rows()
    return any(r.strip() == word[: len(r.strip())] and len(r.strip()) >= COLS - 8 and
               (r.strip() + rows[i + 1]).startswith(word[: len(r.strip()) + 1]) for i, r in enumerate(rows[:-1]))


def test_the_opening_plan_and_closing_summary_wrap_at_word_boundaries(root):
    res = make_resources(root / "res", tasks=("words_8L",))
    dst = root / LONG / "ck-experiments" / "wrapping"
    assert len(str(dst)) > COLS
    term = spawn(COLS, res, dst)
    try:
        walk(term, {"question": "Does rank matter?", "dataset_path": res["dataset"]})
        term.child.expect(pexpect.EOF, timeout=180)
    finally:
        term.child.close()
    assert term.child.exitstatus == 0, term.text()
    cut = cut_mid_word(term)
    assert not cut, "cut mid-word at the edge:\n" + "\n".join(cut)
    text = term.text()
    assert "Experiment design written to" in text and "ck-design: experiment design ready in" in text, text[-3000:]
    assert stands_alone(term, str(dst)), text  # the destination, whole, on a row of its own
    # Each item of the closing summary is one "  label: ..." row; its continuation rows are
    # indented deeper, so a wrapped item never reads as a new one ("  setup_finetune.yaml, ...").
    summary = text.split("ck-design: experiment design ready in", 1)[1].split("Experiment design written to", 1)[0]
    items = [r for r in summary.splitlines() if re.match(r"  \S", r)]
    # the copy's summary says the next commands once, in its last `next:` (not also under job files)
    assert " ".join(summary.split()).count("ck-scaffold --render") == 1, summary
    assert items and all(re.match(r"  [\w -]+(\([^)]*\))?: ", r) or r.rstrip().endswith(":") for r in items), summary


def test_a_refused_data_answer_wraps_at_word_boundaries(root):
    res = make_resources(root / "res", tasks=("words_8L",))
    dst = root / "ck-experiments" / "refused"
    term = spawn(COLS, res, dst, extra=("--defaults", "--data", "question=Q?", "--data", f"dataset_path={res['dataset']}",
                                        "--data", "epochs=many"))
    try:
        term.child.expect(pexpect.EOF, timeout=120)
    finally:
        term.child.close()
    assert term.child.exitstatus != 0
    text = " ".join(term.text().split())
    assert "ck-design: --data epochs=many is refused: epochs takes a whole number." in text, text
    cut = cut_mid_word(term)
    assert not cut, "cut mid-word at the edge:\n" + "\n".join(cut)
