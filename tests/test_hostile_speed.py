"""Issue 21, item 7: a hostile SLURM log neither crashes the wizard nor writes an estimate the
design's own schema refuses: implausible it/s figures are ignored (and said so), estimates are
clamped to claude.local.md's time limit, and what is written validates. A real `copier copy`
reading real slurm-*.out files under the scratch dir, then the real ck-validate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from ck_design.spec.compute import MAX_TIME_SECONDS, clamped, hhmmss
from copier_support import answers_for, clean_env, copier_copy, make_scratch, shared_template
from tools import CK_VALIDATE

TINY = "0." + "0" * 306 + "1"  # 1e-307 it/s: one step would take longer than a float can count


def test_a_hostile_log_is_ignored_and_the_estimate_is_clamped_and_valid(tmp_path):
    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "x")
    old = Path(res["scratch"]) / "ck-outputs" / "old" / "ck-out-Llama-3.2-1B-Instruct_rank4"
    old.mkdir(parents=True)
    (old / "slurm-1.out").write_text(f"1/10 [00:01<00:09, {TINY}it/s]\n2/10 [0.000001it/s]\n")
    (old / "slurm-2.out").write_text("1/10 [15:00<2:15:00, 909.09s/it]\n")  # slow but plausible
    local = tmp_path / "claude.local.md"
    local.write_text("- **Time limit**: `02:00:00`\n")
    env["CK_LOCAL_CONFIG"] = str(local)
    dst = Path(res["scratch"]) / "ck-experiments" / "cap"
    r = copier_copy(template, dst, answers_for(res), env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "OverflowError" not in r.stdout + r.stderr
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    trained = [run for run in design["runs"] if run["type"] == "fine-tuned"]
    for run in trained:
        assert run["compute"]["time"] == "02:00:00", run["compute"]
        assert "2 implausible it/s figures ignored" in run["compute"]["basis"]
        assert "clamped to the partition's time limit 02:00:00 (claude.local.md)" in run["compute"]["basis"]
    v = subprocess.run([CK_VALIDATE, str(dst / "experiment_summary.yaml")], capture_output=True, text=True, env=env)
    assert v.returncode == 0, v.stdout
    log = (dst / "logs" / "design-experiment.log").read_text()
    assert "Ignored: 2 implausible it/s figures" in log


def test_without_a_limit_an_estimate_still_fits_the_pattern():
    assert clamped(float("inf")) == (MAX_TIME_SECONDS, False)
    assert hhmmss(clamped(3e9)[0]) == "9999:59:59"
    assert clamped(3e9, 7200) == (7200, True)
