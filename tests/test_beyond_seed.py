"""Issue 11, parts 1 and 4: eval-only runs (existing checkpoints, evaluated, never trained) and
compute estimates (runs[].compute, evaluation.compute), through the real parts: a real `copier
copy` (API and CLI, the post-copy hook included), the real ck-validate, the rendered files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from designs import dump, line_of, make_design, make_resources, write_design, write_model
from wizard_fixtures import (
    assert_no_findings, base_answers, ck_validate, load_design, name_date_codes, render_api, render_cli,
)

from ck_design.facts import loader
from ck_design.spec import compute, sweep
from ck_design.validate import engine
from ck_design.wizard.approval import plan_text

M1 = "Llama-3.2-1B-Instruct"


def conv(res, name="dst"):
    """A destination where the convention puts an experiment (else CK260 warns)."""
    return Path(res["scratch"]) / "ck-experiments" / name


def checkpoints(res) -> dict[str, str]:
    """Two finished runs of an earlier experiment, as torchtune leaves them."""
    root = Path(res["scratch"]) / "ck-outputs" / "old"
    out = {}
    for run in ("ck-out-a", "ck-out-b"):
        write_model(root / run / "epoch_0")
        out[run] = str(root / run / "epoch_0")
    return out


# --- the wizard ------------------------------------------------------------------------------


def test_default_path_asks_nothing_new_and_writes_no_eval_only_run(res, tmp_path):
    dst = render_api(res, conv(res), base_answers(res))
    d = load_design(dst)
    assert {r["type"] for r in d["runs"]} == {"fine-tuned", "control"}
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["eval_checkpoints_wanted"] is False
    assert "eval_checkpoints" not in answers and "train_runs" not in answers  # never asked


def test_checkpoints_beside_a_sweep_api(res, tmp_path):
    ck = checkpoints(res)
    answers = base_answers(res, eval_checkpoints_wanted=True,
                           eval_checkpoints=[{"path": ck["ck-out-a"], "label": "old_a"}, ck["ck-out-b"]])
    dst = render_api(res, conv(res), answers)
    d = load_design(dst)
    eval_only = [r for r in d["runs"] if r["type"] == "eval-only"]
    assert [(r["name"], r["model"], r["parameters"]) for r in eval_only] == [
        ("old_a", M1, {"checkpoint_path": ck["ck-out-a"]}),
        ("epoch_0", M1, {"checkpoint_path": ck["ck-out-b"]}),
    ]
    assert "compute" not in eval_only[0]  # evaluated only: no training job
    by_run = {m["run"]: m for m in d["evaluation"]["matrix"]}
    assert by_run["old_a"]["epochs"] is None and by_run["old_a"]["vis_label"] == "old_a"
    assert sum(r["type"] == "fine-tuned" for r in d["runs"]) == 2
    assert_no_findings(dst)
    readme = (dst / "README.md").read_text()
    assert "| Eval-only runs (existing checkpoints, not trained) | 2 |" in readme
    assert "| `old_a` | eval-only |" in readme and "checkpoint as it is (no epoch)" in readme


def test_a_glob_and_no_training_cli_with_the_hook(res, tmp_path):
    checkpoints(res)
    pattern = str(Path(res["scratch"]) / "ck-outputs" / "old" / "ck-out-*" / "epoch_0")
    answers = base_answers(res, eval_checkpoints_wanted=True, train_runs=False,
                           eval_checkpoints=[{"path": pattern, "label": "old"}])
    dst = conv(res)
    done = render_cli(res, dst, answers, skip_tasks=False)
    assert done.returncode == 0, done.stderr
    d = load_design(dst)
    assert [r["type"] for r in d["runs"]] == ["control", "eval-only", "eval-only"]
    # A glob: one run per match, named <label>_<what the wildcard matched>.
    assert [r["name"] for r in d["runs"] if r["type"] == "eval-only"] == ["old_ck-out-a", "old_ck-out-b"]
    assert_no_findings(dst)
    assert d["variables"] == {}
    assert "evaluation" in d and d["evaluation"]["compute"]["gpus"] == 1
    log = (dst / "logs" / "design-experiment.log").read_text()
    assert "Eval-only runs: 2 (not trained: no steps, no checkpoints)" in log
    assert "Fine-tuned runs: 0" in log
    assert "(2 eval-only: not trained, no checkpoints written)" in done.stdout + done.stderr


def test_bad_checkpoint_answers_are_refused(res, tmp_path):
    answers = base_answers(res, eval_checkpoints_wanted=True, eval_checkpoints=[{"path": "/x", "label": "a b"}])
    done = render_cli(res, conv(res), answers)
    assert done.returncode != 0
    assert "label 'a b' is not a safe run name" in done.stderr


# --- the plan --------------------------------------------------------------------------------


def test_plan_lists_eval_only_runs_apart_and_the_compute(res, tmp_path, monkeypatch):
    ck = checkpoints(res)
    monkeypatch.setenv("CK_LOCAL_CONFIG", res["config"])
    answers = {**base_answers(res, eval_checkpoints_wanted=True,
                              eval_checkpoints=[{"path": ck["ck-out-a"], "label": "old_a"}]),
               "scratch_dir": res["scratch"], "models_dir": res["models_dir"], "variables": {"lora_rank": [4, 8]}}
    text = plan_text(answers)
    lines = text.splitlines()
    runs_at = lines.index("Runs:       2 fine-tuned + 1 control(s), varying lora_rank [4, 8]")
    assert lines[runs_at + 4] == "Eval-only:  1 existing checkpoint(s), evaluated as they are, never trained"
    assert lines[runs_at + 5] == f"  - old_a  ({M1}): {ck['ck-out-a']}"
    assert "  - old_a -> words @ checkpoint as it is (no epoch)" in lines
    assert "Compute estimates (SLURM --time, GPUs, --mem per job):" in lines
    assert f"  - {M1}_rank4: 00:30:00, 1 GPU, 32G" in lines
    assert "  basis: " + compute.BASIS_DEFAULTS in lines
    assert any(line.startswith("Total: ") and line.endswith(")") and "GPU-hours" in line for line in lines)


# --- the rules on designs that use both ------------------------------------------------------


def _with_eval_only(data, path="ckpt/old/epoch_0"):
    runs = sweep.generate_runs([M1], {}, False, {M1: {"constraint": "gpu80"}},
                               [{"name": "old", "model": M1, "checkpoint_path": path}], train=False)
    data["runs"] += runs
    data["evaluation"]["matrix"] += sweep.build_matrix(runs, ["capitalization"], eval_epochs="all", epochs=2)
    return data


def test_an_eval_only_design_is_clean_with_and_without_resources(tmp_path):
    data = _with_eval_only(make_design())
    make_resources(tmp_path, data)
    write_model(tmp_path / "ckpt" / "old" / "epoch_0")
    path = write_design(tmp_path, dump(data))
    assert engine.check(loader.load_file(path)) == []
    assert engine.check(loader.load_file(path), check_resources=True) == []
    assert data["evaluation"]["matrix"][-1] == {"run": "old", "vis_label": "old", "tasks": ["capitalization"], "epochs": None}


def test_compute_fields_are_accepted_and_their_shape_checked(tmp_path):
    data = make_design()
    data["runs"][0]["compute"] = {"time": "01:30:00", "gpus": 1, "mem": "32G", "basis": "by hand"}
    data["evaluation"]["compute"] = {"time": "00:30:00", "gpus": 1, "mem": "32G"}
    assert engine.check(loader.load_file(write_design(tmp_path, dump(data)))) == []
    data["runs"][0]["compute"] = {"time": "90 minutes", "gpus": 0, "mem": "lots"}
    text = dump(data)
    found = engine.check(loader.load_file(write_design(tmp_path, text)))
    assert {(f.code, f.line) for f in found} == {
        ("CK102", line_of(text, "time: 90 minutes")),
        ("CK102", line_of(text, "gpus: 0")),
        ("CK102", line_of(text, "mem: lots")),
    }


def test_compute_under_the_time_limit_is_quiet(tmp_path):
    data = make_design()
    make_resources(tmp_path, data)
    data["runs"][0]["compute"] = {"time": "23:00:00", "gpus": 1, "mem": "32G"}
    (tmp_path / "claude.local.md").write_text("- **Time limit**: `24:00:00`\n")
    assert engine.check(loader.load_file(write_design(tmp_path, dump(data))), check_resources=True) == []


# --- the arithmetic --------------------------------------------------------------------------


def test_estimates_scale_with_the_work_and_say_their_basis():
    run = {"name": "r", "type": "fine-tuned", "model": "Llama-3.1-8B-Instruct", "parameters": {}}
    controls = {"batch_size": 4, "epochs": 1, "max_seq_len": 2048, "gpus": 1}
    small = compute.run_compute(run, controls, 1000, None, None, compute.BASIS_DEFAULTS)
    big = compute.run_compute(run, {**controls, "epochs": 3}, 1000, None, None, compute.BASIS_DEFAULTS)
    assert compute.parse_time(big["time"]) > compute.parse_time(small["time"])
    assert small["mem"] == "32G" and small["gpus"] == 1 and small["basis"] == compute.BASIS_DEFAULTS
    # calibrated: 1000 examples / batch 4 = 250 steps at 0.5 it/s = 500 s, + startup, x 1.5, quarter hours
    calibrated = compute.run_compute(run, controls, 1000, 16.0, 0.5, compute.speed_basis(0.5, 3))
    assert calibrated["time"] == "00:45:00"
    assert calibrated["basis"] == "earlier slurm-*.out logs: 0.50 it/s (median of 3 files)"
    seventy = compute.run_compute({**run, "model": "Llama-3.3-70B-Instruct"}, controls, 1000, None, None, "")
    assert seventy["gpus"] == 4 and seventy["mem"] == "288G"


def test_a_packed_runs_time_counts_the_packed_steps_the_step_rules_count():
    """One step count for a run (spec/sweep.py steps_of_run): with packing, the time estimate
    follows the same ~13 steps CK250-CK252 and the hook's log count, not the 2,500 unpacked."""
    from ck_design.spec.sweep import steps_of_run

    run = {"name": "r", "type": "fine-tuned", "model": "Llama-3.1-8B-Instruct", "parameters": {}}
    controls = {"batch_size": 4, "epochs": 1, "max_seq_len": 2048, "gpus": 1, "packing": True}
    chars = 10_000 * 40  # 10,000 short examples: ~100,000 tokens, 49 packed sequences, 13 steps
    assert steps_of_run(run, controls, 10_000, chars).total == 13
    # 13 steps at 0.5 it/s = 26 s, + 600 s startup + 160 s saving 16 GB = 786 s, x 1.5, up to a quarter hour
    packed = compute.run_compute(run, controls, 10_000, 16.0, 0.5, "", train_chars=chars)
    assert packed["time"] == "00:30:00"
    # The dataset not read: at most the unpacked 2,500 steps (5,000 s), as CK250's upper bound.
    assert compute.run_compute(run, controls, 10_000, 16.0, 0.5, "")["time"] == "02:30:00"


@pytest.mark.parametrize(("text", "seconds"), [
    ("24:00:00", 86400), ("1-00:00:00", 86400), ("2-12", 216000), ("90", 5400), ("30:00", 1800), ("soon", None),
])
def test_slurm_times(text, seconds):
    assert compute.parse_time(text) == seconds


def test_estimates_are_calibrated_from_earlier_logs(res, tmp_path, monkeypatch):
    log = Path(res["scratch"]) / "ck-outputs" / "old" / f"ck-out-{M1}_rank4" / "slurm-1.out"
    log.parent.mkdir(parents=True)
    log.write_text("1|10|Loss: 1.2: 10%|# | 10/100 [00:05<00:45,  2.00it/s]\n")
    monkeypatch.setenv("CK_LOCAL_CONFIG", res["config"])
    dst = render_api(res, conv(res), base_answers(res))
    run = load_design(dst)["runs"][0]
    assert run["compute"]["basis"] == "earlier slurm-*.out logs: 2.00 it/s (median of 1 file)"
    rc, found, _ = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0 and [f["code"] for f in found] == name_date_codes(dst)


def test_the_bundled_example_is_clean_and_uses_both():
    path = Path(__file__).resolve().parent.parent / "examples" / "beyond-the-seed.yaml"
    doc = loader.load_file(path)
    assert engine.check(doc) == []
    assert any(r["type"] == "eval-only" for r in doc.data["runs"])
    assert all("compute" in r for r in doc.data["runs"] if r["type"] == "fine-tuned")
    assert "compute" in doc.data["evaluation"]
