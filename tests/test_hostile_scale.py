"""Issue 21, item 13: a fix costs in proportion to what it changes, and an update's log entries do
not grow with the design. No timings here (benchmarks/fix.py measures them): what a user would
notice is asserted instead. A fix that changes no structure is made in the lines it changes
(ruamel.yaml, whose whole-file round trip cost 17x a validation, is not even loaded); a diff of
many in-place fixes is difflib's, written in one pass; a 5,000-run design's GENERATE_RUNS entry
is no bigger than a 50-run one's."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

from designs import dump, make_design

from ck_design.post_copy import verify
from ck_design.facts.designlog import DesignLog
from ck_design.post_copy.rendered import plan_from
from ck_design.validate.fixes.run import _line_for_line_diff

# 2 models x 25 ranks x 20 learning rates = 1,000 fine-tuned runs
BIG = {"lora_rank": list(range(1, 26)), "lr": [round(1e-5 * i, 6) for i in range(1, 21)]}


def _broken_design(tmp_path: Path, variables=BIG) -> tuple[Path, str, str]:
    clean = dump(make_design(variables=variables))
    broken = clean.replace("  epochs:\n  - 0\n  - 1\n", "  epochs:\n  - 1\n  - 2\n", 1)
    if broken == clean:
        broken = clean.replace("epochs: [0, 1]", "epochs: [1, 2]", 1)
    assert broken != clean
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(broken)
    return path, clean, broken


def test_one_fix_in_a_big_design_changes_its_lines_only_without_a_round_trip(tmp_path):
    path, clean, broken = _broken_design(tmp_path)
    code = ("import sys\n"
            "from ck_design.validate.cli import run\n"
            f"status = run(['--fix', {str(path)!r}])\n"
            "print(status, 'ruamel' in ' '.join(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.stdout.split() == ["0", "False"], r.stdout + r.stderr
    fixed = path.read_text()
    assert fixed == clean
    changed = [i for i, (a, b) in enumerate(zip(broken.splitlines(), fixed.splitlines())) if a != b]
    assert len(changed) <= 2 and len(broken.splitlines()) == len(fixed.splitlines())


def test_a_diff_of_many_in_place_fixes_is_difflibs():
    old = [f"  - run: r{i}\n    epochs: [{i % 3}, {i % 3 + 1}]\n" for i in range(400)]
    old = [line for pair in old for line in pair.splitlines(keepends=True)]
    new = [line.replace("[1, 2]", "[0, 1]") for line in old]
    assert _line_for_line_diff("x.yaml", old, new) == "".join(
        difflib.unified_diff(old, new, fromfile="x.yaml", tofile="x.yaml"))


def _runs_entry(tmp_path: Path, variables) -> str:
    design = make_design(variables=variables)
    plan = plan_from(design, {}, tmp_path)
    found = verify.Findings(train_count=400)
    log_path = tmp_path / f"log-{len(design['runs'])}.log"
    verify.generate_runs(DesignLog(log_path), plan, found)
    return log_path.read_text()


def test_an_update_log_entry_does_not_grow_with_the_design(tmp_path):
    small = _runs_entry(tmp_path, {"lora_rank": [4, 8, 16, 32, 64], "lr": [1e-5, 2e-5, 5e-5, 1e-4, 2e-4]})
    big = _runs_entry(tmp_path, {"lora_rank": list(range(1, 51)), "lr": [round(1e-5 * i, 6) for i in range(1, 51)]})
    assert "... and 4,982 more (experiment_summary.yaml lists them)" in big
    assert len(big) < 2 * len(small) < 8_000, (len(small), len(big))
