"""A design whose model and task script do not exist yet still renders (step 7 of the workflow: missing resources are prerequisites): the log
records the failures with Error lines, README.md lists them as prerequisites, copier exits 0."""

from __future__ import annotations

from pathlib import Path

import subprocess


from copier_support import CK_VALIDATE, answers_for, clean_env, copier_copy, git, make_scratch


def test_missing_model_and_task_script_become_prerequisites(tmp_path):
    from copier_support import shared_template

    env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "r", models=())  # no model directory at all
    missing_task = Path(res["scratch"]) / "tasks" / "not_written_yet.py"
    answers = answers_for(
        res,
        models=["Llama-3.2-1B-Instruct"],
        eval_tasks=[{"name": "capitalization", "script": str(missing_task), "description": "d", "dataset": "same"}],
    )
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers, env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (dst / "experiment_summary.yaml").is_file() and (dst / "README.md").is_file()
    entries = (dst / "logs" / "design-experiment.log").read_text().strip().split("\n\n")
    model = next(e for e in entries if "] VERIFY_MODEL" in e).splitlines()
    task = next(e for e in entries if "] VERIFY_EVAL_TASK" in e).splitlines()
    assert model[-1] == "Result: failure" and model[-2].startswith("Error: ModelNotFound - ")
    assert task[-1] == "Result: failure" and task[-2].startswith("Error: TaskScriptNotFound - ")
    assert entries[-1].splitlines()[-1] == "Result: warning"  # COMPLETE_DESIGN: success with warnings
    v = subprocess.run([CK_VALIDATE, "--log", str(dst / "logs" / "design-experiment.log")],
                       capture_output=True, text=True, env=env)
    assert v.returncode == 0, v.stdout
    readme = (dst / "README.md").read_text()
    prereq = readme[readme.lower().index("prerequisite"):]
    assert "Llama-3.2-1B-Instruct" in prereq and "not_written_yet.py" in prereq
    assert "prerequisites (2" in r.stdout
    # One wording (facts/prerequisites.py): the README's checklist and the hook's summary agree.
    readme_items = [line.removeprefix("- [ ] ") for line in readme.splitlines() if line.startswith("- [ ] ")]
    listed = r.stdout[r.stdout.index("prerequisites (2"):].splitlines()[1:3]
    assert [line.removeprefix("    - ") for line in listed] == readme_items
    assert git(["status", "--porcelain"], dst).stdout == ""
