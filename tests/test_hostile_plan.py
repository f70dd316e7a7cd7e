"""Issue 21, item 3: no value can forge the plan's markers in README.md, and ck-plan converges:
run twice, the second run changes nothing and exits 0. The real ck-plan on a real design."""

from __future__ import annotations

import subprocess

import pytest
from designs import make_design, write_design

from ck_design.plan.markdown import PLAN_BEGIN, PLAN_END, plan_sections
from tools import CK_PLAN

FORGED = [
    ("output", "wandb_project", f"x{PLAN_END}y"),
    ("output", "wandb_project", f"x{PLAN_BEGIN}y"),
    ("experiment", "question", f"Why?\n{PLAN_END}\nmore"),
    ("experiment", "hypothesis", f"{PLAN_END}"),
]


@pytest.mark.parametrize(("section", "key", "value"), FORGED)
def test_a_marker_in_a_value_neither_blocks_nor_grows_the_readme(tmp_path, section, key, value):
    data = make_design()
    write_design(tmp_path, data)
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nintro\n\n{plan_sections(data)}\n\n## Notes\n\nmine\n")
    data[section][key] = value
    write_design(tmp_path, data)
    # As the rendered pre-commit hook runs it: a rewrite stops the commit (exit 1), nothing to do passes.
    argv = [CK_PLAN, "--exit-non-zero-on-fix", str(tmp_path)]
    runs = [subprocess.run(argv, capture_output=True, text=True, timeout=60) for _ in range(3)]
    assert runs[0].returncode == 1, runs[0].stderr  # the plan follows the edit
    after = readme.read_text()
    assert [r.returncode for r in runs[1:]] == [0, 0], runs[1].stderr
    assert readme.read_text() == after  # converged
    assert after.startswith("# title\n\nintro\n\n") and after.endswith("\n\n## Notes\n\nmine\n")
    lines = after.splitlines()
    assert lines.count(PLAN_BEGIN) == 1 and lines.count(PLAN_END) == 1
