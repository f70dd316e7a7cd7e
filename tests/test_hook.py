"""ck_design.post_copy (main, verify, speed, git) on experiment directories prepared by hand (no copier): the log, the
verifications, git, conflicts. The copier-driven behaviour is in test_update/test_git/..."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from ck_design.spec import naming, sweep
from ck_design.post_copy import git as hook_git
from ck_design.facts import priorspeed
from ck_design.post_copy import speed, verify
from ck_design.spec.logformat import CLOCK_SKEW
from ck_design.post_copy.main import VERIFY_STEP
from ck_design.post_copy.main import main as hook_main
from ck_design.spec.logformat import format_entry
from ck_design.validate.rules.log import check_log_file
from copier_support import REQUIRED_COPY_ACTIONS, git, is_subsequence, log_actions, make_scratch


def write_design(dst: Path, res: dict[str, Path], *, models=("Llama-3.2-1B-Instruct",), variables=None,
                 epochs=2, batch_size=4, warmup=10, task_script=None, size_gb=0.0, eval_epochs="all", size_kb=None) -> dict:
    variables = {"lora_rank": [4, 8]} if variables is None else variables
    runs = sweep.generate_runs(list(models), variables, True)
    tasks = [{"name": "capitalization", "script": str(task_script or res["task"]), "description": "x"}]
    name = "cap_lora_rank_comparison_2026-11-25"
    doc = {
        "experiment": {"name": name, "type": "experiment", "question": "q?", "date": "2026-11-25",
                       "directory": naming.experiment_directory(str(res["scratch"]), "experiment", name)},
        "tools": {"preparation": "torchtune", "evaluation": "inspect-ai"},
        "variables": variables,
        "controls": {"system_prompt": "", "prompt": "{input}\n", "epochs": epochs, "batch_size": batch_size,
                     "gpus": 1, "validation_during_training": True, "num_warmup_steps": warmup},
        "models": {"base": [{"name": m, "path": str(Path(res["models_dir"]) / m), "size_gb": size_gb} for m in models]},
        "data": {"training": {"path": str(res["dataset"]), "label": "words_8L_500", "format": "json",
                              "size_kb": size_kb, "splits": {"train": 400, "validation": 50, "test": 50}}},
        "output": {"base_directory": naming.output_directory(str(res["scratch"]), name),
                   "checkpoint_pattern": "ck-out-{run_name}/epoch_{N}", "wandb_project": "p"},
        "runs": runs,
        "evaluation": {"system_prompt": "", "temperature": 0.0, "scorer": [{"name": "match"}], "tasks": tasks,
                       "matrix": sweep.build_matrix(runs, ["capitalization"], eval_epochs=eval_epochs, epochs=epochs)},
    }
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "experiment_summary.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (dst / "README.md").write_text("# plan\n")
    return doc


ANSWERS = {"_src_path": "/tpl", "_commit": "abc1234", "question": "q?", "models": ["Llama-3.2-1B-Instruct"],
           "variables": {"lora_rank": [4, 8]}, "approved": True}


def run_hook(dst: Path, operation="copy", answers=None, stage="tasks") -> tuple[int, str]:
    out = io.StringIO()
    rc = hook_main(["--operation", operation, "--stage", stage, "--dst", str(dst),
                    "--answers", json.dumps(answers if answers is not None else ANSWERS)], out=out)
    return rc, out.getvalue()


def entries(dst: Path) -> list[list[str]]:
    text = (dst / "logs" / "design-experiment.log").read_text()
    return [block.splitlines() for block in text.strip().split("\n\n")]


def test_copy_logs_every_required_action_in_order_and_commits(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert rc == 0
    actions = log_actions(dst)
    assert is_subsequence(REQUIRED_COPY_ACTIONS, actions), actions
    assert actions.count("USER_RESPONSE") == 4  # every public answer, not _src_path/_commit
    assert actions.count("VERIFY_MODEL") == 1 and actions.count("VERIFY_EVAL_TASK") == 1
    assert check_log_file(dst / "logs" / "design-experiment.log") == []
    start = entries(dst)[0]
    assert any(line.startswith("Experiment: cap_lora_rank_comparison") for line in start)
    assert any(line.startswith("Directory: ") for line in start) and "Type: experiment" in start
    assert any(line.startswith("Duration: ") for line in entries(dst)[-1])
    # git: one commit holding everything, clean tree
    assert git(["log", "--format=%s"], dst).stdout.split("\n")[0] == "Design cap_lora_rank_comparison_2026-11-25"
    assert git(["rev-list", "--count", "HEAD"], dst).stdout.strip() == "1"
    assert git(["status", "--porcelain"], dst).stdout == ""
    assert "logs/design-experiment.log" in git(["ls-files"], dst).stdout
    assert "files written" in out and "next:" in out and "prerequisites: none" in out


def test_missing_model_and_task_script_are_failures_not_crashes(tmp_path, env):
    res = make_scratch(tmp_path, models=())
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res, task_script=Path(res["scratch"]) / "tasks" / "missing.py")
    before = sorted(p.name for p in dst.iterdir())
    rc, out = run_hook(dst)
    assert rc == 0
    assert set(before) <= {p.name for p in dst.iterdir()}
    by_action = {e[0].split("] ")[1]: e for e in entries(dst)}
    model = by_action["VERIFY_MODEL"]
    assert model[-1] == "Result: failure" and model[-2].startswith("Error: ModelNotFound - ")
    task = by_action["VERIFY_EVAL_TASK"]
    assert task[-1] == "Result: failure" and task[-2].startswith("Error: TaskScriptNotFound - ")
    assert by_action["COMPLETE_DESIGN"][-1] == "Result: warning"
    assert check_log_file(dst / "logs" / "design-experiment.log") == []
    assert "prerequisites (2" in out and "missing.py" in out and "Llama-3.2-1B-Instruct" in out


def test_declined_plan_does_nothing(tmp_path, env):
    dst = tmp_path / "exp"
    dst.mkdir()
    rc, out = run_hook(dst, answers={**ANSWERS, "approved": False})
    assert rc == 0 and list(dst.iterdir()) == []
    rc, out = run_hook(dst)  # approved but nothing rendered
    assert rc == 0 and list(dst.iterdir()) == []


def test_update_outside_the_after_stage_does_nothing(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    assert run_hook(dst, operation="update", stage="tasks")[0] == 0
    assert not (dst / "logs").exists()


@pytest.mark.parametrize("ahead", [timedelta(minutes=5), timedelta(hours=2)])
def test_timestamps_never_go_backwards_nor_follow_the_future(tmp_path, env, ahead):
    """Within the allowed clock skew (10 minutes) an earlier entry's time is kept as a floor;
    beyond it the entry is from the future (forged, issue 21 item 12): new entries keep the real time."""
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    future = datetime.now().replace(microsecond=0) + ahead
    (dst / "logs").mkdir()
    (dst / "logs" / "design-experiment.log").write_text(
        format_entry("START_DESIGN", "earlier design", {"Experiment": "x", "Type": "experiment", "Directory": "/d"},
                     when=future) + "\n")
    run_hook(dst)
    stamps = [line[1:20] for line in (dst / "logs" / "design-experiment.log").read_text().splitlines() if line.startswith("[")]
    if ahead < CLOCK_SKEW:
        assert stamps == sorted(stamps) and stamps[-1] == future.strftime("%Y-%m-%d %H:%M:%S")
    else:
        assert stamps[0] == future.strftime("%Y-%m-%d %H:%M:%S")
        assert all(s < stamps[0] for s in stamps[1:]), stamps
    assert entries(dst)[0][1] == "Details: earlier design"  # appended, not rewritten


def test_commit_without_any_git_identity_uses_a_fallback_and_says_so(tmp_path, env, monkeypatch):
    for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(k, raising=False)
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert rc == 0
    assert git(["log", "-1", "--format=%an <%ae>|%cn"], dst).stdout.strip() == f"{hook_git.FALLBACK_NAME} <{hook_git.FALLBACK_EMAIL}>|{hook_git.FALLBACK_NAME}"
    assert "no git identity is configured" in out
    assert "GIT_AUTHOR_NAME" not in os.environ  # only the commit's subprocess got it


def test_configured_identity_is_used(tmp_path, env, monkeypatch):
    for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(k, raising=False)
    git(["config", "--global", "user.name", "Ada Researcher"], tmp_path)
    git(["config", "--global", "user.email", "ada@example.invalid"], tmp_path)
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert git(["log", "-1", "--format=%an <%ae>"], dst).stdout.strip() == "Ada Researcher <ada@example.invalid>"
    assert "no git identity" not in out


def test_inside_a_work_tree_files_are_staged_not_committed(tmp_path, env):
    res = make_scratch(tmp_path)
    outer = tmp_path / "experiments-repo"
    outer.mkdir()
    git(["init", "-q"], outer)
    (outer / "notes.md").write_text("mine\n")
    git(["add", "notes.md"], outer)
    git(["commit", "-qm", "notes"], outer)
    dst = outer / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert rc == 0
    status = git(["status", "--porcelain"], outer).stdout.splitlines()
    assert "A  exp/experiment_summary.yaml" in status and "A  exp/logs/design-experiment.log" in status
    assert git(["rev-list", "--count", "HEAD"], outer).stdout.strip() == "1"
    assert not (dst / ".git").exists()
    assert "staged, not committed" in out


def test_git_ignored_destination_inside_a_work_tree_gets_its_own_repository(tmp_path, env):
    res = make_scratch(tmp_path)
    outer = tmp_path / "clone"
    outer.mkdir()
    git(["init", "-q"], outer)
    (outer / ".gitignore").write_text("demo-output/\n")
    dst = outer / "demo-output" / "exp"
    write_design(dst, res)
    run_hook(dst)
    assert (dst / ".git").is_dir()
    assert git(["status", "--porcelain"], dst).stdout == ""


def test_training_steps_warn_like_ck250_ck252(tmp_path, env):
    res = make_scratch(tmp_path, train=40)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res, epochs=1, batch_size=4, warmup=100)
    run_hook(dst)
    gen = next(e for e in entries(dst) if e[0].endswith("GENERATE_RUNS"))
    assert gen[-1] == "Result: warning"
    error = next(line for line in gen if line.startswith("Warning: "))
    assert "CK250" in error and "CK251" in error and "10 total steps" in error


def test_disk_estimate_counts_every_saved_epoch_not_only_evaluated_ones(tmp_path, env):
    # torchtune saves a checkpoint after every epoch; evaluating only the last does not delete the others.
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res, epochs=3, eval_epochs="last")
    run_hook(dst)
    disk = next(e for e in entries(dst) if e[0].endswith("CALCULATE_DISK_USAGE"))
    assert "Fine-tuned runs: 2" in disk and "Checkpoints: 6" in disk


def test_missing_resources_are_worded_as_in_the_readme_and_the_plan(tmp_path, env):
    from ck_design.facts.prerequisites import prerequisites

    res = make_scratch(tmp_path, models=())
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    doc = write_design(dst, res, task_script=Path(res["scratch"]) / "tasks" / "missing.py")
    rc, out = run_hook(dst)
    expected = prerequisites(doc)
    assert len(expected) == 2
    listed = out[out.index("  prerequisites (2"):].splitlines()[1:3]
    assert [line.removeprefix("    - ") for line in listed] == expected
    complete = next(e for e in entries(dst) if e[0].endswith("COMPLETE_DESIGN"))
    assert all(p in "\n".join(complete) for p in expected)


def test_prior_slurm_logs_give_a_training_time(tmp_path, env):
    res = make_scratch(tmp_path)
    old = Path(res["scratch"]) / "ck-outputs" / "older_experiment" / "Llama-3.2-1B-Instruct_rank8"
    old.mkdir(parents=True)
    (old / "slurm-4242.out").write_text(
        "1|10|Loss: 2.1:  40%|####      | 10/25 [00:05<00:07, 2.00it/s]\n"
        "1|25|Loss: 1.2: 100%|##########| 25/25 [00:12<00:00, 2.00it/s]\n")
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    run_hook(dst)
    by_action = {e[0].split("] ")[1]: e for e in entries(dst)}
    assert "Found: 1" in by_action["SEARCH_PRIOR_RUNS"]
    assert "Speed: 2.00 it/s (median)" in by_action["EXTRACT_TRAINING_SPEED"]
    # 400 train / (4 x 1) = 100 steps/epoch x 2 epochs = 200 steps at 2 it/s = 100 s per run
    assert "Longest run: 1m 40s" in by_action["CALCULATE_TRAINING_TIME"]


def test_without_prior_runs_the_log_says_so(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    search = next(e for e in entries(dst) if e[0].endswith("SEARCH_PRIOR_RUNS"))
    # worded as the plans' "Basis:" line says it (issue 22 item 6): an estimate from defaults
    said = "training time estimated from documented defaults (no earlier slurm-*.out logs with it/s figures)"
    assert "Found: 0" in search and f"Note: {said}" in search
    assert "CALCULATE_TRAINING_TIME" not in log_actions(dst)
    assert said in out and "not estimated" not in out


def test_speed_parsing_reads_it_per_s_and_s_per_it(tmp_path):
    f = tmp_path / "slurm-1.out"
    f.write_text("a 3/10 [00:03<00:07, 1.00it/s]\nb 4/10 [00:08<00:12, 2.00s/it]\nc 5/10 [3.00it/s]\n")
    assert priorspeed.file_speed(f) == pytest.approx(1.0)
    (tmp_path / "slurm-2.out").write_text("no progress here\n")
    assert priorspeed.file_speed(tmp_path / "slurm-2.out") is None


def test_update_logs_changed_answers_and_conflicts(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    (dst / ".copier-answers.yml").write_text(yaml.safe_dump(ANSWERS))
    run_hook(dst)
    size_after_copy = (dst / "logs" / "design-experiment.log").stat().st_size
    new_answers = {**ANSWERS, "_commit": "def5678", "variables": {"lora_rank": [4, 8, 16]}}
    summary = dst / "experiment_summary.yaml"
    summary.write_text(summary.read_text().replace("  system_prompt: ''\n", "<<<<<<< before updating\n  system_prompt: ''\n=======\n  system_prompt: 'x'\n>>>>>>> after updating\n", 1))
    rc, out = run_hook(dst, operation="update", stage="after", answers=new_answers)
    assert rc == 0
    log = dst / "logs" / "design-experiment.log"
    assert log.stat().st_size > size_after_copy
    update = next(e for e in entries(dst) if e[0].endswith("UPDATE_DESIGN"))
    assert 'Changed variables: {"lora_rank": [4, 8]} -> {"lora_rank": [4, 8, 16]}' in update
    assert "Template: abc1234 -> def5678" in update
    assert "Conflicts: experiment_summary.yaml" in update and update[-1] == "Result: warning"
    assert check_log_file(log) == []
    assert hook_git.conflicts(dst) == ["experiment_summary.yaml"]


def test_conflicts_finds_unmerged_paths_and_rej_files(tmp_path, env):
    dst = tmp_path / "repo"
    dst.mkdir()
    git(["init", "-q"], dst)
    (dst / "a.txt").write_text("fine\n")
    (dst / "b.txt.rej").write_text("@@ hunk\n")
    git(["add", "a.txt"], dst)
    assert hook_git.conflicts(dst) == ["b.txt.rej"]


def test_a_crash_midway_keeps_finished_entries_and_exits_zero(tmp_path, env, monkeypatch, capsys):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)

    def boom(*a, **k):
        raise RuntimeError("disk exploded")

    monkeypatch.setattr(verify, "check_disk", boom)
    rc, _ = run_hook(dst)
    assert rc == 0
    actions = log_actions(dst)
    assert actions[-2] == "VERIFY_EVAL_TASK" and "START_DESIGN" in actions
    # the log stays complete (issue 21, item 11): it ends saying the hook failed, and where
    assert actions[-1] == "COMPLETE_DESIGN"
    last = (dst / "logs" / "design-experiment.log").read_text().rstrip().rsplit("\n\n", 1)[1]
    assert "Result: failure" in last
    assert f"Error: HookFailed - RuntimeError while {VERIFY_STEP}: disk exploded" in last
    assert check_log_file(str(dst / "logs" / "design-experiment.log")) == []
    assert "disk exploded" in capsys.readouterr().err
    assert (dst / "experiment_summary.yaml").exists()


def test_a_model_downloaded_after_the_copy_is_flagged_as_stale(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res, size_gb=None)  # rendered while the model was missing; copier update keeps it
    rc, out = run_hook(dst)
    model = next(e for e in entries(dst) if e[0].endswith("VERIFY_MODEL"))
    assert model[-1] == "Result: warning" and model[-2].startswith("Warning: StaleDesign - ")
    assert "set its models.base size_gb" in out
    assert check_log_file(dst / "logs" / "design-experiment.log") == []


def test_slurm_search_is_bounded_in_depth_and_time(tmp_path):
    deep = tmp_path / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "b" / "c" / "slurm-1.out").write_text("x")
    (deep / "slurm-2.out").write_text("x")  # 4 levels below: out of reach
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "slurm-3.out").write_text("x")
    logs, truncated = speed.slurm_logs(tmp_path)
    assert [p.name for p in logs] == ["slurm-1.out"] and not truncated
    logs, truncated = speed.slurm_logs(tmp_path, budget_s=-1)
    assert logs == [] and truncated


def test_packed_steps_are_estimated_from_the_dataset_and_said_to_be(tmp_path, env):
    """Issue 22 item 8: 400 one-word examples packed into 2,048-token sequences are a step or
    two per epoch, not 100: the log's "Training steps" says the estimate, and warmup 100 never
    completes (CK251), as ck-validate --check-resources says; without the dataset ck-validate
    says the count from examples is an upper bound."""
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    doc = write_design(dst, res, epochs=1, batch_size=4, warmup=100)
    doc["controls"].update(packing=True, max_seq_len=2048)
    (dst / "experiment_summary.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    run_hook(dst)
    gen = next(e for e in entries(dst) if e[0].endswith("GENERATE_RUNS"))
    steps = next(line for line in gen if line.startswith("Training steps: "))
    assert steps == ("Training steps: Llama-3.2-1B-Instruct_rank4=~1 (estimated: packing), "
                     "Llama-3.2-1B-Instruct_rank8=~1 (estimated: packing)"), gen
    error = next(line for line in gen if line.startswith("Warning: "))
    assert "CK251 Llama-3.2-1B-Instruct_rank4: 1 total steps < num_warmup_steps 100" in error, error
    ck_validate = Path(sys.executable).with_name("ck-validate")
    summary = dst / "experiment_summary.yaml"
    with_data = subprocess.run([ck_validate, "--check-resources", str(summary)], capture_output=True, text=True)
    assert "CK251 warning: every fine-tuned run (values from controls): warmup never completes: num_warmup_steps " \
           "is 100 but with packing, an estimate: ~" in with_data.stdout, with_data.stdout
    assert "= ~1 total steps" in with_data.stdout
    without = subprocess.run([ck_validate, str(summary)], capture_output=True, text=True)
    assert ("400 train examples / (batch_size 4 x gradient_accumulation_steps 1) = 100 steps per epoch x 1 epoch "
            "= 100 total steps at most (packing puts several examples in one sequence") in without.stdout, without.stdout
