"""`ck-plan --compare REF` (issue 24): what a change to the design does, read from a real git
repository with a history of commits (a value added, a task removed, the epochs changed, a finding
introduced and fixed), through the installed `ck-plan` command, asserting the exact lines."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from designs import TASKS, dump, make_design, with_compute
from tools import CK_MIGRATE, CK_PLAN

MODEL = "Llama-3.2-1B-Instruct"
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.invalid",
       "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.invalid",
       "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


pytestmark = pytest.mark.e2e  # a real git history (tests/conftest.py)


def design(lora=(4, 8), tasks=TASKS, epochs=2) -> dict:
    """One model swept over lora_rank, its base control, with the wizard's compute estimates."""
    return with_compute(make_design(models=(MODEL,), variables={"lora_rank": list(lora)}, tasks=tasks, epochs=epochs))


def with_finding() -> dict:
    d = design(lora=(4, 8, 16), tasks=TASKS[:1], epochs=3)
    d["evaluation"]["matrix"][0]["epochs"] = [0, 1, 5]  # CK210: epoch 5 is past training
    return d


# The history a pull request's reviewer sees, one commit (and tag) per step.
STEPS = {
    "first": design(),
    "value_added": design(lora=(4, 8, 16)),
    "task_removed": design(lora=(4, 8, 16), tasks=TASKS[:1]),
    "epochs_changed": design(lora=(4, 8, 16), tasks=TASKS[:1], epochs=3),
    "finding_introduced": with_finding(),
    "finding_fixed": design(lora=(4, 8, 16), tasks=TASKS[:1], epochs=3),
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("compare") / "experiment"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    git(repo, "tag", "empty")
    for name, data in STEPS.items():
        (repo / "experiment_summary.yaml").write_text(dump(data), encoding="utf-8")
        git(repo, "add", "experiment_summary.yaml")
        git(repo, "commit", "-q", "-m", name)
        git(repo, "tag", name)
    return repo


def ck_plan(repo: Path, *args: str, working: str | None = None) -> subprocess.CompletedProcess[str]:
    """`ck-plan --compare ...` in `repo` with the working design as at tag `working` (default: HEAD)."""
    path = repo / "experiment_summary.yaml"
    path.write_text(git(repo, "show", f"{working or 'HEAD'}:experiment_summary.yaml"), encoding="utf-8")
    return subprocess.run([CK_PLAN, "--compare", *args], cwd=repo, env=ENV, capture_output=True, text=True)


def report(repo: Path, ref: str, working: str) -> list[str]:
    r = ck_plan(repo, ref, working=working)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout.splitlines()


def table(runs, training, evaluation, hours, findings, era="seed (unchanged)") -> list[str]:
    return ["| | before → after |", "|---|---|", f"| runs | {runs} |", f"| training jobs | {training} |",
            f"| evaluation jobs | {evaluation} |", f"| GPU-hours | {hours} |", f"| findings | {findings} |",
            f"| schema era | {era} |"]


TITLE = "## Design change: experiment_summary.yaml against `{}`"
R = "`Llama-3.2-1B-Instruct_{}`"


def test_a_value_added_adds_a_run_its_evaluations_and_its_gpu_hours(repo):
    assert report(repo, "first", "value_added") == [
        TITLE.format("first"), "",
        *table("3 → 4", "2 → 3", "10 → 14", "6 → 8.5", "0 (unchanged)"), "",
        "### Runs", "",
        f"- added: {R.format('rank16')}", "",
        "### Evaluations added (4)", "",
        f"- {R.format('rank16')} × `capitalization` × epoch_0",
        f"- {R.format('rank16')} × `capitalization` × epoch_1",
        f"- {R.format('rank16')} × `capitalization_hard` × epoch_0",
        f"- {R.format('rank16')} × `capitalization_hard` × epoch_1",
    ]


def test_a_task_removed_removes_its_evaluations(repo):
    assert report(repo, "value_added", "task_removed") == [
        TITLE.format("value_added"), "",
        *table("4 (unchanged)", "3 (unchanged)", "14 → 7", "8.5 → 5", "0 (unchanged)"), "",
        "### Evaluations removed (7)", "",
        *(f"- {R.format(run)} × `capitalization_hard` × epoch_{e}" for run in ("rank4", "rank8", "rank16") for e in (0, 1)),
        f"- {R.format('base')} × `capitalization_hard` × as it is (not trained)",
    ]


def test_epochs_changed_shows_the_setting_and_the_new_checkpoints(repo):
    assert report(repo, "task_removed", "epochs_changed") == [
        TITLE.format("task_removed"), "",
        *table("4 (unchanged)", "3 (unchanged)", "7 → 10", "5 → 6.5", "0 (unchanged)"), "",
        "### Settings every run shares (controls)", "",
        "- `epochs`: `2` → `3`", "",
        "### Evaluations added (3)", "",
        *(f"- {R.format(run)} × `capitalization` × epoch_2" for run in ("rank4", "rank8", "rank16")),
    ]


FINDING = "CK210 error ({}line 108): epoch 5 is past training: controls.epochs is 3, so checkpoints are epoch_0 to epoch_2"


def test_a_finding_introduced_then_fixed(repo):
    new = report(repo, "epochs_changed", "finding_introduced")
    assert new[2:10] == table("4 (unchanged)", "3 (unchanged)", "10 (unchanged)", "6.5 (unchanged)", "0 → 1")
    assert new[-3:] == ["### Findings", "", f"- new: {FINDING.format('')}"]
    fixed = report(repo, "finding_introduced", "finding_fixed")
    assert fixed[2:10] == table("4 (unchanged)", "3 (unchanged)", "10 (unchanged)", "6.5 (unchanged)", "1 → 0")
    assert fixed[-3:] == ["### Findings", "", f"- fixed: {FINDING.format('was ')}"]
    # the cells that changed with it
    assert f"- {R.format('rank4')} × `capitalization` × epoch_5" in new
    assert f"- {R.format('rank4')} × `capitalization` × epoch_5" in fixed


def test_a_run_changed_in_place_names_the_parameter(repo):
    d = design(lora=(4, 8, 16), tasks=TASKS[:1], epochs=3)
    d["runs"][0]["parameters"]["lr"] = 0.0002
    d["runs"][0]["slurm_overrides"]["constraint"] = "gpu40"
    (repo / "experiment_summary.yaml").write_text(dump(d), encoding="utf-8")
    r = subprocess.run([CK_PLAN, "--compare", "finding_fixed"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert r.returncode == 0
    assert (f"- changed: {R.format('rank4')}: `lr`: (not set) → `0.0002`, `slurm_overrides.constraint`: `\"gpu80\"` → `\"gpu40\"`"
            in r.stdout.splitlines())


def test_a_design_missing_at_ref_is_a_new_design(repo):
    lines = report(repo, "empty", "first")
    assert lines[:12] == [TITLE.format("empty"), "", "New design: experiment_summary.yaml is not in `empty`.", "",
                          *table("0 → 3", "0 → 2", "0 → 10", "0 → 6", "0 (unchanged)", era="none → seed")]
    assert "### Settings every run shares (controls)" not in lines
    assert lines[12:17] == ["", "### Runs", "", f"- added: {R.format('rank4')}", f"- added: {R.format('rank8')}"]


def test_an_unchanged_design(repo):
    assert report(repo, "finding_fixed", "finding_fixed") == [
        TITLE.format("finding_fixed"), "", "No change: experiment_summary.yaml is the same as at `finding_fixed`."]


def test_json(repo):
    r = ck_plan(repo, "first", "--format", "json", working="value_added")
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["status"] == "changed" and out["ref"] == "first"
    assert out["runs"]["added"] == [f"{MODEL}_rank16"] and out["runs"]["removed"] == []
    assert out["jobs"] == {"training": {"before": 2, "after": 3}, "evaluation": {"before": 10, "after": 14}}
    assert out["gpu_hours"]["total"] == {"before": 6.0, "after": 8.5}
    assert out["evaluations"]["added"][0] == {"run": f"{MODEL}_rank16", "task": "capitalization", "epoch": 0}
    assert out["era"] == {"before": "seed", "after": "seed"}
    assert out["findings"] == {"new": [], "fixed": [], "before": 0, "after": 0}


@pytest.mark.parametrize(("ref", "message"), [
    ("no-such-ref", "ck-plan: --compare: 'no-such-ref' is not a commit in the repository at ."),
    ("--output=/tmp/x", "ck-plan: --compare: '--output=/tmp/x' is not a git revision"),
])
def test_a_bad_ref_is_one_line_and_exit_2(repo, ref, message):
    r = subprocess.run([CK_PLAN, f"--compare={ref}"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", message + "\n")


def test_outside_a_repository_is_exit_2(tmp_path):
    (tmp_path / "experiment_summary.yaml").write_text(dump(design()), encoding="utf-8")
    r = subprocess.run([CK_PLAN, "--compare", "HEAD", str(tmp_path)], env=ENV, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"ck-plan: --compare: {tmp_path}: not a git repository") and r.stderr.count("\n") == 1


def test_a_design_in_a_subfolder_is_read_at_its_own_path(repo, tmp_path):
    # An experiment folder inside a larger repository: REF:<its path>, not REF:experiment_summary.yaml.
    outer = tmp_path / "outer"
    (outer / "designs" / "exp").mkdir(parents=True)
    git(outer, "init", "-q")
    target = outer / "designs" / "exp" / "experiment_summary.yaml"
    target.write_text(dump(design()), encoding="utf-8")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "design")
    target.write_text(dump(design(lora=(4, 8, 16))), encoding="utf-8")
    r = subprocess.run([CK_PLAN, "--compare", "HEAD", "designs/exp"], cwd=outer, env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "| runs | 3 → 4 |" in r.stdout.splitlines()


def test_an_era_migration_changes_the_era_and_nothing_a_job_sees(repo):
    # The real ck-migrate rewrites the working design as a cruijff_kit 0.3 design.
    path = repo / "experiment_summary.yaml"
    path.write_text(git(repo, "show", "finding_fixed:experiment_summary.yaml"), encoding="utf-8")
    m = subprocess.run([CK_MIGRATE, "--project", "capitalization", str(path)], env=ENV, capture_output=True, text=True)
    assert m.returncode == 0, m.stderr
    r = subprocess.run([CK_PLAN, "--compare", "finding_fixed"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.splitlines() == [
        TITLE.format("finding_fixed"), "",
        *table("4 (unchanged)", "3 (unchanged)", "10 (unchanged)", "6.5 (unchanged)", "0 (unchanged)", era="seed → 0.3"), "",
        "The schema era changed: seed → 0.3.",
    ]
    j = subprocess.run([CK_PLAN, "--compare", "finding_fixed", "--format", "json"], cwd=repo, env=ENV,
                       capture_output=True, text=True)
    assert json.loads(j.stdout)["era"] == {"before": "seed", "after": "0.3"}


def test_a_file_mixing_the_eras_says_so(repo):
    path = repo / "experiment_summary.yaml"
    text = git(repo, "show", "finding_fixed:experiment_summary.yaml")
    path.write_text(text.replace("  type: experiment\n", "  type: experiment\n  project: capitalization\n", 1), encoding="utf-8")
    r = subprocess.run([CK_PLAN, "--compare", "finding_fixed"], cwd=repo, env=ENV, capture_output=True, text=True)
    lines = r.stdout.splitlines()
    assert r.returncode == 0
    assert lines[8:12] == ["| findings | 0 → 1 |", "| schema era | seed → mixed |", "", "The schema era changed: seed → mixed."]
    assert lines[-1].startswith("- new: CK104 error (line 4): this file mixes the eras: seed-era keys experiment.directory (line 9)")


@pytest.mark.parametrize("text", [
    "runs: 5\n",
    "evaluation: {matrix: abc, compute: {time: '01:00:00'}}\n",
    "evaluation: {matrix: [{run: x, tasks: 5, epochs: {a: 1}}, 3], compute: {time: '01:00:00'}}\n",
    "runs: [3, {name: [1], type: fine-tuned, parameters: [1, 2], compute: {time: 5}}]\ncontrols: [1]\n",
    "evaluation: {matrix: [{run: x, tasks: [a], epochs: [{a: 1}, [2], true]}]}\n",
    "- a list\n",
    "key: [unclosed\n",
    "\xff\xfe",
])
def test_a_malformed_design_is_compared_not_crashed_on(repo, text):
    """A pull request may break the design: its findings say how, and nothing raises."""
    (repo / "experiment_summary.yaml").write_text(text, encoding="latin-1")
    r = subprocess.run([CK_PLAN, "--compare", "first"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    assert lines[0] == TITLE.format("first") and "### Findings" in lines
    assert any(line.startswith("- new: CK") and " error (line " in line for line in lines)


def test_a_long_list_is_cut_in_markdown_and_whole_in_json(repo):
    (repo / "experiment_summary.yaml").write_text(dump(design(lora=range(1, 9))), encoding="utf-8")
    r = subprocess.run([CK_PLAN, "--compare", "empty"], cwd=repo, env=ENV, capture_output=True, text=True)
    lines = r.stdout.splitlines()
    start = lines.index("### Evaluations added (34)")
    assert lines[start + 22] == "- ... and 14 more (`--format json` lists them all)"
    j = subprocess.run([CK_PLAN, "--compare", "empty", "--format", "json"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert len(json.loads(j.stdout)["evaluations"]["added"]) == 34


@pytest.mark.parametrize(("args", "message"), [
    (["--compare", "HEAD", "--check"], "--check and --compare do different things: give one"),
    (["--format", "json"], "--format goes with --compare REF"),
])
def test_usage_errors(repo, args, message):
    r = subprocess.run([CK_PLAN, *args], cwd=repo, env=ENV, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.splitlines()[-1].endswith(message)
