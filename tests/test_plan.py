"""Issue 9 item 14: README.md's plan follows experiment_summary.yaml after hand edits (ck-plan,
a rendered pre-commit hook); issue 13 item 3: every user string is escaped for where it lands
in the markdown. Real copier, real git, real pre-commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ck_design.plan import markdown
from ck_design.plan.sync import main as ck_plan
from copier_support import copied_experiment, BIN, answers_for, clean_env, copier_copy, git, make_scratch, shared_template


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    return copied_experiment(tmp_path_factory.mktemp("plan"), epochs=2, eval_epochs="all")


def _plan(readme: str) -> str:
    return readme[readme.index(markdown.PLAN_BEGIN): readme.index(markdown.PLAN_END)]


def test_14_hand_edit_then_commit_regenerates_the_plan(experiment):
    dst, env = experiment
    summary, readme = dst / "experiment_summary.yaml", dst / "README.md"
    before = readme.read_text()
    assert "`batch_size`=`4`" in before and "epoch_0, epoch_1" in before
    text = summary.read_text()
    edited = text.replace("  batch_size: 4\n", "  batch_size: 8\n").replace("epochs: [0, 1]", "epochs: [1]")
    assert edited != text
    summary.write_text(edited)
    first = git(["commit", "-qam", "batch size 8, last epoch only"], dst, env, check=False)
    assert first.returncode != 0, first.stdout + first.stderr  # ck-plan rewrote README.md: review it
    assert "ck-plan" in first.stdout + first.stderr
    after = readme.read_text()
    assert "`batch_size`=`8`" in after and "epoch_0, epoch_1" not in after and "| epoch_1 |" in after
    # The totals are recomputed from the file: 2 runs x 1 epoch + the control, was 2 x 2 + 1.
    assert "| Total evaluations | 5 |" in before and "| Total evaluations | 3 |" in after
    assert before[: before.index(markdown.PLAN_BEGIN)] == after[: after.index(markdown.PLAN_BEGIN)]
    second = git(["commit", "-qam", "batch size 8, last epoch only"], dst, env, check=False)  # the same command again
    assert second.returncode == 0, second.stdout + second.stderr
    assert git(["status", "--porcelain"], dst, env).stdout == ""


def test_14_ck_plan_leaves_an_up_to_date_or_invalid_design_alone(experiment, capsys):
    dst, _ = experiment
    assert ck_plan([str(dst)]) == 0  # up to date: nothing to say
    summary = dst / "experiment_summary.yaml"
    text = summary.read_text()
    readme = (dst / "README.md").read_text()
    summary.write_text(text.replace("tools:", "tools: [", 1))
    try:
        assert ck_plan([str(dst)]) == 0
        assert "has errors" in capsys.readouterr().err
        assert (dst / "README.md").read_text() == readme
    finally:
        summary.write_text(text)


def test_14_an_old_readme_without_markers_is_left_alone(tmp_path, capsys):
    (tmp_path / "README.md").write_text("# old\n")
    from designs import make_design, write_design

    write_design(tmp_path, make_design())
    assert ck_plan([str(tmp_path)]) == 0
    assert "no plan markers" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "# old\n"


# --- issue 13 item 3: markdown built from answers --------------------------------------------

HOSTILE = {
    "question": "```python\n# x\n![img](http://evil.invalid/a.png) <script>alert(1)</script> a|b *bold* _em_",
    "wandb_project": "proj|x",
}


def test_13_3_answers_cannot_change_the_markdown_structure(tmp_path):
    from designs import make_design

    data = make_design()
    data["experiment"]["question"] = HOSTILE["question"]
    data["experiment"]["hypothesis"] = "1. numbered\n- listed\n    indented code"
    data["output"]["wandb_project"] = HOSTILE["wandb_project"]
    data["data"]["training"]["path"] = "data/a|b.json"
    data["evaluation"]["tasks"][0]["description"] = "| injected | row |"
    plan = markdown.plan_sections(data)
    lines = plan.splitlines()
    # No fence but the mermaid one and the Jobs commands, no heading but the plan's own, no image, no raw HTML.
    assert [line for line in lines if line.startswith("```")] == ["```mermaid", "```", "```sh", "```"]
    assert [line for line in lines if line.startswith("#")] == ["## Question", "## Overview", "## Runs", "## Evaluation matrix", "## Jobs"]
    assert "![img]" not in plan and "<script>" not in plan and "&lt;script&gt;" in plan
    assert "\\!\\[img\\](http://evil.invalid/a.png)" in plan or "!\\[img\\]" in plan
    # Table rows keep their column count: every `|` a user typed is escaped.
    overview = lines[lines.index("## Overview") + 2: lines.index("## Runs") - 1]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 3 for row in overview), overview
    assert "| W&B project | `proj\\|x` |" in plan
    # Hypothesis lines cannot start a list or code block.
    hypothesis = next(line for line in lines if line.startswith("**Hypothesis:**"))
    assert "1\\. numbered<br>\\- listed<br>&#32;&#32;&#32;&#32;indented code" in hypothesis


def test_13_3_rendered_readme_escapes_the_answers(tmp_path):
    tmp = tmp_path
    env = clean_env(tmp / "home")
    template = shared_template()
    res = make_scratch(tmp / "x")
    dst = Path(res["scratch"]) / "ck-experiments" / "hostile_2026-11-25"
    answers = answers_for(res, question=HOSTILE["question"], wandb_project=HOSTILE["wandb_project"],
                          experiment_name="hostile_2026-11-25")
    r = copier_copy(template, dst, answers, env, tmp)
    assert r.returncode == 0, r.stderr
    readme = (dst / "README.md").read_text()
    lines = readme.splitlines()
    assert [line for line in lines if line.startswith("```")] == ["```mermaid", "```", "```sh", "```"]
    assert not any(line.startswith("# x") for line in lines)
    assert "<script>" not in readme and "![img](" not in readme
    assert "| W&B project | `proj\\|x` |" in readme
    # ck-plan regenerates exactly what the template rendered.
    assert subprocess.run([str(Path(BIN) / "ck-plan"), "--check", str(dst)], capture_output=True).returncode == 0
