"""Issue 9 item 15: the measured values of a design (size_gb, size_kb, split counts, README.md's
prerequisites) follow the resources on `copier update`; a value edited by hand is kept.
Real copier (CLI), real git, real pre-commit, real ck-validate (hooks/README.md, "Resource facts
on update")."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml
from designs import SPLITS, write_dataset, write_model

from copier_support import (
    CK_VALIDATE,
    answers_for,
    copier_copy,
    copier_update,
    git,
    make_scratch,
)

MODEL = "Llama-3.2-1B-Instruct"


def _download(models_dir: str) -> None:
    """The model as a download leaves it, 2.47 GB of (sparse) weights: size_gb 2.47."""
    write_model(Path(models_dir) / MODEL)
    with open(Path(models_dir) / MODEL / "model.safetensors", "wb") as fh:
        fh.truncate(2_470_000_000)


def _copy_before_resources(setup, name: str):
    """A design copied before its model is downloaded and its dataset generated."""
    tmp, env, template, _ = setup
    res = make_scratch(tmp / name, models=())
    dataset = Path(res["root"]) / "data" / "later" / "words_8L.json"
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"
    r = copier_copy(template, dst, answers_for(res, dataset_path=str(dataset)), env, tmp)
    assert r.returncode == 0, r.stderr
    return res, dataset, dst


def _design(dst: Path) -> dict:
    return yaml.safe_load((dst / "experiment_summary.yaml").read_text())


def _entries(dst: Path) -> list[list[str]]:
    text = (dst / "logs" / "design-experiment.log").read_text()
    return [block.strip().splitlines() for block in text.split("\n\n") if block.strip()]


def _valid(dst: Path, env: dict) -> None:
    for args in (["--check-resources", "experiment_summary.yaml"], ["--log", "logs/design-experiment.log"]):
        v = subprocess.run([CK_VALIDATE, *args], cwd=dst, env=env, capture_output=True, text=True, check=False)
        assert v.returncode == 0, v.stdout + v.stderr


def test_update_fills_in_what_appeared_after_the_copy(setup):
    tmp, env, _, _ = setup
    res, dataset, dst = _copy_before_resources(setup, "appear")
    design = _design(dst)
    assert design["models"]["base"][0]["size_gb"] is None
    assert design["data"]["training"]["size_kb"] is None
    assert set(design["data"]["training"]["splits"].values()) == {None}
    readme = (dst / "README.md").read_text()
    assert f"Model {MODEL}: directory" in readme and "Dataset: " in readme
    assert "logs/resource-facts.json" in git(["ls-files"], dst).stdout  # committed with the design
    summary_before = (dst / "experiment_summary.yaml").read_text()
    before = len(_entries(dst))

    _download(res["models_dir"])
    write_dataset(dataset, SPLITS)
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr

    design = _design(dst)
    assert design["models"]["base"][0]["size_gb"] == 2.47
    assert design["data"]["training"]["size_kb"] == round(dataset.stat().st_size / 1024)
    assert design["data"]["training"]["splits"] == SPLITS
    # only those lines changed: comments and layout stay
    after_lines = (dst / "experiment_summary.yaml").read_text().splitlines()
    changed = [(a, b) for a, b in zip(summary_before.splitlines(), after_lines) if a != b]
    assert len(after_lines) == len(summary_before.splitlines()) and len(changed) == 5, changed
    assert ("      size_gb: null", "      size_gb: 2.47") in changed
    readme = (dst / "README.md").read_text()
    assert "## Prerequisites\n\nNone: every model directory" in readme and f"Model {MODEL}:" not in readme
    assert "train 400" in readme  # the plan followed (ck-plan's code)
    added = _entries(dst)[before:]
    model = next(e for e in added if e[0].endswith("VERIFY_MODEL"))
    assert "Refreshed size_gb: null -> 2.47" in model and model[-1] == "Result: success"
    counts = next(e for e in added if e[0].endswith("COUNT_DATASET_SAMPLES"))
    assert "Refreshed train: null -> 400" in counts and "Refreshed test: null -> 50" in counts
    assert any(e[0].endswith("UPDATE_DESIGN") and "Path: README.md" in e for e in added)
    assert "refreshed models.base[Llama-3.2-1B-Instruct].size_gb: null -> 2.47" in u.stdout
    _valid(dst, env)
    git(["add", "-A"], dst, env)
    c = git(["commit", "-qm", "resources appeared"], dst, env, check=False)
    assert c.returncode == 0, c.stdout + c.stderr  # pre-commit (ck-validate, ck-plan) passes

    # A dataset regenerated later: the counts still as measured follow it; nothing else moves.
    write_dataset(dataset, {**SPLITS, "train": 300})
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    assert _design(dst)["data"]["training"]["splits"]["train"] == 300
    assert "train 300" in (dst / "README.md").read_text()
    status = sorted(line[3:] for line in git(["status", "--porcelain"], dst).stdout.splitlines())
    # The job files follow the new count too (training_samples; ck-scaffold, issue 20).
    jobs = [f for f in status if f.endswith("/setup_finetune.yaml") or f == "logs/scaffold-manifest.json"]
    assert len(jobs) == 3 and all("training_samples: 300\n" in (dst / f).read_text() for f in jobs[:-1])
    assert [f for f in status if f not in jobs] == ["README.md", "experiment_summary.yaml", "logs/design-experiment.log",
                                                     "logs/resource-facts.json"]
    _valid(dst, env)


def test_a_value_edited_by_hand_is_kept_and_reported(setup):
    tmp, env, _, _ = setup
    res, dataset, dst = _copy_before_resources(setup, "hand")
    summary = dst / "experiment_summary.yaml"
    # The researcher knows the size before the download finishes, and says so.
    summary.write_text(summary.read_text().replace("size_gb: null", "size_gb: 2.5  # from the model card", 1))
    git(["commit", "-qam", "size from the model card"], dst, env)
    before = len(_entries(dst))

    _download(res["models_dir"])
    write_dataset(dataset, SPLITS)
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    text = summary.read_text()
    assert "size_gb: 2.5  # from the model card" in text  # kept, comment and all
    assert _design(dst)["data"]["training"]["splits"] == SPLITS  # the rest is refreshed
    assert "kept models.base[Llama-3.2-1B-Instruct].size_gb: 2.5 (edited by hand; it measures 2.47)" in u.stdout
    model = next(e for e in _entries(dst)[before:] if e[0].endswith("VERIFY_MODEL"))
    assert "Kept size_gb: 2.5 (measures 2.47)" in model and model[-1] == "Result: warning"
    assert model[-2].startswith("Warning: HandEdited - size_gb")
    record = json.loads((dst / "logs" / "resource-facts.json").read_text())
    assert record["facts"][f"models.base[{MODEL}].size_gb"]["value"] == 2.47
    assert record["prerequisites"] == []
    _valid(dst, env)
    # the next update keeps it too, and finds nothing else to do
    git(["add", "-A"], dst, env)
    assert git(["commit", "-qm", "update"], dst, env, check=False).returncode == 0
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    assert "size_gb: 2.5  # from the model card" in summary.read_text()
    assert [line[3:] for line in git(["status", "--porcelain"], dst).stdout.splitlines()] == ["logs/design-experiment.log"]
    assert os.path.getsize(dst / "logs" / "resource-facts.json") > 0
