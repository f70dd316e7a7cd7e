"""What the 0.3 schema (issue 19) left behind, each as a cruijff_kit 0.3 user meets it:

- the compute estimate reads the speed of earlier 0.3 runs, whose logs sit one level deeper
  ({scratch}/ck-projects/{project}/{experiment}/{run}/slurm-*.out) than the seed era's;
- the experiment_type question names 0.3's folder as well as the seed era's, and the checkpoints
  question's example glob each era's checkpoint layout;
- a 0.3 design that keeps evaluation.system_prompt (equal to controls') is warned, as
  upstream's propagate tool warns;
- a migrated experiment's .copier-answers.yml keeps the project the design has after an update
  (tests/test_wizard_era.py, test_a_migrated_experiment_stays_0_3_on_update);
- CK284's and CK230's hints show the design's own output layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ck_design.facts import priorspeed

PROGRESS = ("1|10|Loss: 2.1:  40%|####      | 10/25 [00:05<00:07, 2.00it/s]\n"
            "1|25|Loss: 1.2: 100%|##########| 25/25 [00:12<00:00, 2.00it/s]\n")


def _v03_log(scratch: Path, run: str = "Llama-3.2-1B-Instruct_rank8") -> Path:
    """A training log where cruijff_kit 0.3 leaves it: in the run folder its job was submitted from."""
    folder = scratch / "ck-projects" / "capitalization" / "cap_older_2026-08-01" / run
    folder.mkdir(parents=True)
    log = folder / "slurm-4242.out"
    log.write_text(PROGRESS, encoding="utf-8")
    return log


# --- (a) earlier 0.3 logs give the speed ------------------------------------------------------


def test_a_0_3_runs_log_is_found_and_gives_the_speed(tmp_path: Path) -> None:
    log = _v03_log(tmp_path)
    logs, stopped = priorspeed.slurm_logs(tmp_path)
    assert logs == [log] and not stopped
    speed, files, ignored = priorspeed.prior_speed(str(tmp_path), ("Llama-3.2-1B-Instruct",))
    assert (speed, files, ignored) == (2.0, 1, 0)


def test_only_ck_projects_is_searched_a_level_deeper(tmp_path: Path) -> None:
    # Four levels down elsewhere (a checkpoint folder's files) stays out of reach.
    elsewhere = tmp_path / "ck-outputs" / "exp" / "ck-out-run" / "epoch_0"
    elsewhere.mkdir(parents=True)
    (elsewhere / "slurm-1.out").write_text(PROGRESS, encoding="utf-8")
    # Five levels down under ck-projects (an artifacts folder) too.
    artifacts = tmp_path / "ck-projects" / "p" / "exp" / "run" / "artifacts"
    artifacts.mkdir(parents=True)
    (artifacts / "slurm-2.out").write_text(PROGRESS, encoding="utf-8")
    assert priorspeed.slurm_logs(tmp_path) == ([], False)


def test_the_search_stops_after_its_entry_budget_and_says_so(tmp_path: Path) -> None:
    _v03_log(tmp_path)
    for i in range(30):
        (tmp_path / f"other{i:02d}").mkdir()
    logs, stopped = priorspeed.slurm_logs(tmp_path, max_entries=10)
    assert logs == [] and stopped
    logs, stopped = priorspeed.slurm_logs(tmp_path, max_entries=10_000)
    assert len(logs) == 1 and not stopped


@pytest.mark.e2e
def test_the_wizard_estimates_a_0_3_design_from_earlier_0_3_runs(tmp_path: Path) -> None:
    from wizard_fixtures import base_answers, load_design, make_resources, render_cli

    res = make_resources(tmp_path)
    _v03_log(Path(res["scratch"]))
    dst = Path(res["scratch"]) / "ck-projects" / "capitalization" / "cap_rank_2026-11-25"
    done = render_cli(res, dst, base_answers(res, variables={"lora_rank": [4, 8]}), skip_tasks=False)
    assert done.returncode == 0, done.stdout + done.stderr
    design = load_design(dst)
    fine_tuned = [r for r in design["runs"] if r["type"] == "fine-tuned"]
    assert fine_tuned and all(r["compute"]["basis"].startswith("earlier slurm-*.out logs: 2.00 it/s (median of 1 file)")
                              for r in fine_tuned), [r["compute"]["basis"] for r in fine_tuned]
    log = (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")
    assert "Pattern: slurm-*.out, up to 3 levels deep (4 under ck-projects/)\nFound: 1\n" in log
    assert "Speed: 2.00 it/s (median)" in log





# --- (b) the experiment_type question speaks of both eras' folders ----------------------------


def test_experiment_type_choices_name_each_eras_folder() -> None:
    """The labels copier lists for experiment_type (copier.yml as copier reads it): each names its
    seed-era folder and 0.3's ck-projects/, and fits an 80-column terminal beside its marker."""
    import yaml

    repo = Path(__file__).resolve().parent.parent
    question = yaml.safe_load((repo / "copier.yml").read_text(encoding="utf-8"))["experiment_type"]
    labels = {value: label for label, value in question["choices"].items()}
    assert labels == {
        "experiment": "research experiment (seed: ck-experiments/, 0.3: ck-projects/)",
        "sanity_check": "sanity check (seed: ck-sanity-checks/, 0.3: ck-projects/)",
    }
    assert all(len("  » " + label) <= 80 for label in labels.values())
    assert "in cruijff_kit 0.3 both live in ck-projects/{project}/" in " ".join(question["help"].split())
    # The checkpoints question's example glob: each era's checkpoint layout.
    checkpoints = " ".join(yaml.safe_load((repo / "copier.yml").read_text(encoding="utf-8"))["eval_checkpoints"]["help"].split())
    assert ("/scratch/me/ck-outputs/old/ck-out-*/epoch_0 (seed layout) or "
            "/scratch/me/ck-projects/cap/old/*/artifacts/epoch_0 (0.3 layout)") in checkpoints


# --- (c) a 0.3 design that keeps evaluation.system_prompt is warned -----------------------------


def _ck_validate(path: Path) -> tuple[int, str]:
    import subprocess
    import sys

    done = subprocess.run([str(Path(sys.executable).parent / "ck-validate"), path.name], capture_output=True,
                          text=True, cwd=path.parent, timeout=60)
    return done.returncode, done.stdout


def _line(text: str, needle: str, after: str) -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_a_0_3_design_keeping_an_equal_evaluation_system_prompt_is_warned(tmp_path: Path) -> None:
    """Upstream's 0.3.4 fixture keeps it (as the fixture-like design here does); upstream's
    propagate tool warns, and so does ck-validate: once, at that line, a warning (exit 0)."""
    from era_designs import V03_FIXTURE_LIKE

    path = tmp_path / "experiment_summary.yaml"
    text = V03_FIXTURE_LIKE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    status, out = _ck_validate(path)
    line = _line(text, "system_prompt:", "evaluation:")
    ck207 = [row for row in out.splitlines() if " CK207 " in row]
    assert ck207 == [f"experiment_summary.yaml:{line}:18: CK207 warning: evaluation.system_prompt 'You are a helpful assistant.' repeats "
                     "controls.system_prompt: cruijff_kit 0.3 reads the system prompt from controls only (its "
                     "propagate tool warns about this key)"], out
    assert status == 0


def test_the_warning_is_0_3_only_and_a_different_prompt_stays_ck201_alone(tmp_path: Path) -> None:
    from designs import dump, make_design
    from era_designs import to_v03

    seed = make_design()  # the seed's template requires evaluation.system_prompt: no CK207
    assert seed["evaluation"]["system_prompt"] == seed["controls"]["system_prompt"]
    (tmp_path / "seed").mkdir()
    path = tmp_path / "seed" / "experiment_summary.yaml"
    path.write_text(dump(seed), encoding="utf-8")
    assert "CK207" not in _ck_validate(path)[1]
    differs = to_v03(make_design())
    differs["evaluation"]["system_prompt"] = "You are a careful copy editor."
    (tmp_path / "v03").mkdir()
    path = tmp_path / "v03" / "experiment_summary.yaml"
    path.write_text(dump(differs), encoding="utf-8")
    status, out = _ck_validate(path)
    assert status == 1 and " CK201 [*] error" in out and "CK207" not in out, out
    # In 0.3 removing the key is the better repair (a copy that agrees is CK207's warning).
    assert ("  hint: remove evaluation.system_prompt (cruijff_kit 0.3 reads controls.system_prompt for both), or set "
            "evaluation.system_prompt to controls.system_prompt: models are evaluated with the system prompt they "
            "were trained with") in out.splitlines(), out


# --- CK284's hint names the design's own checkpoint layout ----------------------------------------


@pytest.mark.parametrize(("era", "example"), [("seed", ".../ck-out-<run>/epoch_0"), ("0.3", ".../<run>/artifacts/epoch_0")])
def test_a_checkpoint_path_that_is_no_checkpoint_is_hinted_in_the_designs_layout(tmp_path: Path, era: str,
                                                                                   example: str) -> None:
    import json
    import subprocess
    import sys

    from designs import dump, make_design, make_resources
    from era_designs import to_v03

    data = make_design()
    make_resources(tmp_path, data)
    (tmp_path / "older" / "run").mkdir(parents=True)  # a run's folder, one level above its checkpoints
    data["runs"].append({"name": "older_run", "type": "eval-only", "model": "Llama-3.2-1B-Instruct",
                         "parameters": {"checkpoint_path": "older/run"}, "slurm_overrides": {"constraint": "gpu80"}})
    data["evaluation"]["matrix"].append({"run": "older_run", "tasks": ["capitalization"], "epochs": None})
    if era == "0.3":
        data = to_v03(data)
    (tmp_path / "experiment_summary.yaml").write_text(dump(data), encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "ck-validate"), "--check-resources", "--format", "json",
                           "experiment_summary.yaml"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    found = [f for f in json.loads(done.stdout) if f["code"] == "CK284"]
    assert [f["hint"] for f in found] == [f"point at the folder that holds the weights (e.g. {example})"], done.stdout


@pytest.mark.parametrize(("era", "folder"), [("seed", "ck-out-{run_name}"), ("0.3", "{run_name}/artifacts")])
def test_a_duplicate_run_name_is_hinted_with_the_designs_output_folder(tmp_path: Path, era: str, folder: str) -> None:
    import json
    import subprocess
    import sys

    from designs import dump, make_design
    from era_designs import to_v03

    data = make_design()
    data["runs"][1]["name"] = data["runs"][0]["name"]
    if era == "0.3":
        data = to_v03(data)
    (tmp_path / "experiment_summary.yaml").write_text(dump(data), encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "ck-validate"), "--format", "json", "experiment_summary.yaml"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    hints = [f["hint"] for f in json.loads(done.stdout) if f["code"] == "CK230"]
    assert hints == [f"rename one of them: a run's checkpoints go to {folder}, so the two would overwrite each other"]
