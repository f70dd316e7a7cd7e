"""The wizard end to end: a real `copier copy` (Python API and CLI) of this repository into a
temporary directory, with real model dirs, dataset and task scripts; the rendered
experiment_summary.yaml asserted field by field and checked by the real `ck-validate`."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
import yaml
from ck_design.spec import compute
from ck_design.spec.params import PARAMS
from wizard_fixtures import (
    REPO, TEST, TRAIN, VALIDATION, assert_no_findings, base_answers, ck_validate, load_design,
    make_resources, name_date_codes, render_api, render_cli, task_list,
)

M1, M3 = "Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"


def conv(res, name="dst", sub="ck-experiments"):
    """A destination where the convention puts an experiment of that name: experiment.directory
    is then the destination itself (a destination elsewhere: tests/test_models_destination.py)."""
    return Path(res["scratch"]) / sub / name


def common_fields(d, res, name, etype="experiment"):
    scratch = res["scratch"]
    assert d["experiment"]["name"] == name
    assert d["experiment"]["type"] == etype
    assert d["experiment"]["date"] == "2026-11-25"
    sub = "ck-sanity-checks" if etype == "sanity_check" else "ck-experiments"
    assert d["experiment"]["directory"] == f"{scratch}/{sub}/{name}"
    assert d["tools"] == {"preparation": "torchtune", "evaluation": "inspect-ai"}
    assert d["data"]["training"]["path"] == res["dataset"]
    assert d["data"]["training"]["label"] == "words_8L"
    assert d["data"]["training"]["format"] == "json"
    assert isinstance(d["data"]["training"]["size_kb"], int)
    assert d["data"]["training"]["splits"] == {"train": TRAIN, "validation": VALIDATION, "test": TEST}
    assert d["output"] == {"base_directory": f"{scratch}/ck-outputs/{name}",
                           "checkpoint_pattern": "ck-out-{run_name}/epoch_{N}", "wandb_project": "ck-words"}
    assert d["evaluation"]["system_prompt"] == d["controls"]["system_prompt"]
    for m in d["models"]["base"]:
        assert m["path"] == f"{res['models_dir']}/{m['name']}"
        assert isinstance(m["size_gb"], float)


def test_single_model_rank_sweep_with_controls_api(res, tmp_path):
    name = "words_8L_lora_rank_comparison_2026-11-25"
    dst = render_api(res, conv(res, name), base_answers(res, variables={"lora_rank": [4, 8]}))
    d = load_design(dst)
    common_fields(d, res, name)
    assert d["experiment"]["question"] == "Does LoRA rank matter for capitalization?"
    assert d["experiment"]["hypothesis"] == "" and d["experiment"]["purpose"] == ""
    assert d["variables"] == {"lora_rank": [4, 8]}
    # Every parameter not varied, at the table's default (a new hyperparameter edits no test), but
    # what the answers give and the dataset type the wizard takes from the (instruction-tuned) model.
    answered = {k: v for k, v in base_answers(res).items() if k in PARAMS}
    assert d["controls"] == {
        **{name: p.default for name, p in PARAMS.items() if p.default is not None and name not in d["variables"]},
        **answered, "dataset_type": "chat_completion",
    }
    assert answered == {"num_warmup_steps": 10, "packing": False}
    assert [m["name"] for m in d["models"]["base"]] == [M1]
    gpu = {"constraint": "gpu80"}
    # Compute estimates (documented defaults: no earlier logs under this scratch dir); see test_beyond_seed.py.
    estimate = {"time": "00:30:00", "gpus": 1, "mem": "32G", "basis": compute.BASIS_DEFAULTS}
    assert [r.pop("compute", None) for r in d["runs"]] == [estimate, estimate, None]
    assert d["runs"] == [
        {"name": f"{M1}_rank4", "type": "fine-tuned", "model": M1, "parameters": {"lora_rank": 4}, "slurm_overrides": gpu},
        {"name": f"{M1}_rank8", "type": "fine-tuned", "model": M1, "parameters": {"lora_rank": 8}, "slurm_overrides": gpu},
        {"name": f"{M1}_base", "type": "control", "model": M1, "parameters": {}, "slurm_overrides": gpu},
    ]
    assert d["evaluation"]["temperature"] == 0.0
    assert d["evaluation"]["scorer"] == [{"name": "match", "params": {"location": "exact", "ignore_case": False}}]
    assert d["evaluation"]["tasks"] == [{"name": "words", "script": res["scripts"]["words"],
                                         "description": "Capitalize (words)", "dataset": "same"}]
    assert d["evaluation"]["matrix"] == [
        {"run": f"{M1}_rank4", "vis_label": "rank4", "tasks": ["words"], "epochs": [0]},
        {"run": f"{M1}_rank8", "vis_label": "rank8", "tasks": ["words"], "epochs": [0]},
        {"run": f"{M1}_base", "vis_label": "base", "tasks": ["words"], "epochs": None},
    ]
    text = (dst / "experiment_summary.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "lora_rank: [4, 8]" in text and "epochs: [0]" in text  # short lists in flow style
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(REPO) and "approved" not in answers
    assert answers["question"] == "Does LoRA rank matter for capitalization?"
    readme = (dst / "README.md").read_text()
    for needle in ("## Question", "## Runs", "## Evaluation matrix", "```mermaid", "## Prerequisites",
                   "## Next steps", f"`{M1}_rank4`", "None: every model directory"):
        assert needle in readme, needle
    # the next steps are the commands the Jobs section and the closing summary name, not another way
    steps = readme.split("## Next steps", 1)[1]
    assert "`ck-scaffold --render`" in steps and "`sh submit.sh`" in steps, steps
    assert_no_findings(dst)


def test_two_models_two_variables_all_epochs_cli(res, tmp_path):
    answers = base_answers(res, models=[M1, M3], variables={"lora_rank": [4, 8], "lr": [1e-5, 1e-4]},
                           epochs=2, eval_epochs="all", hypothesis="rank 4 is enough", purpose="pick a rank")
    name = "words_8L_lora_rank_lr_comparison_2026-11-25"
    dst = conv(res, name)
    done = render_cli(res, dst, answers)
    assert done.returncode == 0, done.stderr
    d = load_design(dst)
    common_fields(d, res, name)
    assert d["experiment"]["hypothesis"] == "rank 4 is enough" and d["experiment"]["purpose"] == "pick a rank"
    assert d["variables"] == {"lora_rank": [4, 8], "lr": [1e-05, 0.0001]}
    assert isinstance(d["variables"]["lr"][0], float)
    assert "lora_rank" not in d["controls"] and "lr" not in d["controls"] and d["controls"]["epochs"] == 2
    names = [r["name"] for r in d["runs"]]
    assert names == [f"{m}_rank{r}_lr{lr}" for m in (M1, M3) for r in (4, 8) for lr in ("1e-5", "1e-4")] + [
        f"{M1}_base", f"{M3}_base"]
    assert d["runs"][1]["parameters"] == {"lora_rank": 4, "lr": 0.0001}
    assert all(r["slurm_overrides"] == {"constraint": "gpu80"} for r in d["runs"])
    labels = [m["vis_label"] for m in d["evaluation"]["matrix"]]
    assert labels[:2] == ["1B_rank4_lr1e-5", "1B_rank4_lr1e-4"] and labels[-2:] == ["1B_base", "3B_base"]
    for m in d["evaluation"]["matrix"]:
        assert m["tasks"] == ["words"]
        assert m["epochs"] == (None if m["run"].endswith("_base") else [0, 1])
    assert_no_findings(dst)


def test_epochs_as_a_variable(res, tmp_path):
    answers = base_answers(res, variables={"epochs": [1, 3]}, eval_epochs="all")
    dst = render_api(res, conv(res), answers)
    d = load_design(dst)
    assert d["variables"] == {"epochs": [1, 3]}
    assert "epochs" not in d["controls"]
    assert [r["name"] for r in d["runs"]] == [f"{M1}_ep1", f"{M1}_ep3", f"{M1}_base"]
    assert [m["epochs"] for m in d["evaluation"]["matrix"]] == [[0], [0, 1, 2], None]
    assert [m["vis_label"] for m in d["evaluation"]["matrix"]] == ["ep1", "ep3", "base"]
    assert_no_findings(dst)


def test_no_variables(res, tmp_path):
    dst = render_api(res, conv(res, "words_8L_baseline_2026-11-25"), base_answers(res, variables={}))
    d = load_design(dst)
    assert d["experiment"]["name"] == "words_8L_baseline_2026-11-25"
    assert d["variables"] == {}
    assert d["controls"]["lora_rank"] == 8
    assert d["runs"][0].pop("compute")["gpus"] == 1
    assert d["runs"][0] == {"name": f"{M1}_ft", "type": "fine-tuned", "model": M1, "parameters": {},
                            "slurm_overrides": {"constraint": "gpu80"}}
    assert [m["vis_label"] for m in d["evaluation"]["matrix"]] == ["ft", "base"]
    assert_no_findings(dst)


def test_no_controls(res, tmp_path):
    dst = render_api(res, conv(res), base_answers(res, include_base_controls=False))
    d = load_design(dst)
    assert [r["type"] for r in d["runs"]] == ["fine-tuned", "fine-tuned"]
    assert all(m["epochs"] == [0] for m in d["evaluation"]["matrix"])
    assert_no_findings(dst)


def test_specific_epochs(res, tmp_path):
    answers = base_answers(res, epochs=3, eval_epochs="specific", eval_epoch_list=[0, 2])
    dst = render_api(res, conv(res), answers)
    d = load_design(dst)
    assert d["controls"]["epochs"] == 3
    assert [m["epochs"] for m in d["evaluation"]["matrix"]] == [[0, 2], [0, 2], None]
    assert "eval_epoch_list" in yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert_no_findings(dst)


def test_every_scorer_with_its_follow_ups(res, tmp_path):
    answers = base_answers(res, scorers=["match", "includes", "risk_scorer", "numeric_risk_scorer"],
                           match_location="end", match_ignore_case=True, includes_ignore_case=True,
                           risk_option_tokens=["A", "B"], numeric_labels=["1", "2", "3"], temperature=0.7)
    dst = render_api(res, conv(res), answers)
    d = load_design(dst)
    assert d["evaluation"]["temperature"] == 0.7
    assert d["evaluation"]["scorer"] == [
        {"name": "match", "params": {"location": "end", "ignore_case": True}},
        {"name": "includes", "params": {"ignore_case": True}},
        {"name": "risk_scorer", "params": {"option_tokens": ["A", "B"]}},
        {"name": "numeric_risk_scorer", "params": {"labels": ["1", "2", "3"]}},
    ]
    assert_no_findings(dst)


def test_follow_up_questions_only_when_relevant(res, tmp_path):
    dst = render_api(res, conv(res), base_answers(res, scorers=["includes"]))
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    for key in ("match_location", "match_ignore_case", "risk_option_tokens", "numeric_labels",
                "eval_epoch_list", "eval_matrix", "lora_rank"):
        assert key not in answers, key  # not asked: not stored
    assert answers["includes_ignore_case"] is False
    assert load_design(dst)["evaluation"]["scorer"] == [{"name": "includes", "params": {"ignore_case": False}}]


def test_selective_matrix_and_run_name_labels(res, tmp_path):
    res2 = make_resources(tmp_path / "res2", tasks=("words", "hard"))
    answers = base_answers(res2, models=[M1, M3], eval_tasks=task_list(res2), eval_selection="selective",
                           eval_matrix={"hard": ["*3B*"]}, vis_label_style="run_name")
    dst = render_api(res2, conv(res2), answers)
    d = load_design(dst)
    by_run = {m["run"]: m for m in d["evaluation"]["matrix"]}
    assert by_run[f"{M1}_rank4"]["tasks"] == ["words"]
    assert by_run[f"{M3}_rank4"]["tasks"] == ["words", "hard"]
    assert all(m["vis_label"] == m["run"] for m in d["evaluation"]["matrix"])
    assert_no_findings(dst)


def test_sanity_check_detected_from_destination(res, tmp_path):
    dst = render_api(res, conv(res, "quick", "ck-sanity-checks"), base_answers(res))
    d = load_design(dst)
    assert d["experiment"]["type"] == "sanity_check"
    assert d["experiment"]["directory"].startswith(f"{res['scratch']}/ck-sanity-checks/")
    # full_gpu defaults to "no" for sanity checks: no slurm_overrides
    assert all("slurm_overrides" not in r for r in d["runs"])
    assert_no_findings(dst)


def test_best_val_loss(res, tmp_path):
    dst = render_api(res, conv(res), base_answers(res, eval_epochs="best_val_loss"))
    d = load_design(dst)
    assert [m["epochs"] for m in d["evaluation"]["matrix"]] == ["best_val_loss", "best_val_loss", None]
    assert_no_findings(dst)


def test_defaults_from_claude_local_md_and_today(res, tmp_path):
    answers = base_answers(res)
    del answers["experiment_date"]
    dst = render_api(res, tmp_path / "dst", answers)  # the default name: from the factor and today
    d = load_design(dst)
    today = datetime.date.today().isoformat()
    assert d["experiment"]["date"] == today and d["experiment"]["name"].endswith(today)
    assert d["output"]["wandb_project"] == "ck-words"
    assert d["models"]["base"][0]["path"].startswith(res["models_dir"])


def test_missing_resources_become_prerequisites(res, tmp_path):
    answers = base_answers(res, dataset_path=str(tmp_path / "nope.json"),
                           eval_tasks=[{"name": "t", "script": str(tmp_path / "missing.py"), "description": "x"}])
    dst = render_api(res, conv(res), answers)
    d = load_design(dst)
    assert d["data"]["training"]["splits"] == {"train": None, "validation": None, "test": None}
    readme = (dst / "README.md").read_text()
    assert "nope.json does not exist" in readme and "missing.py does not exist" in readme
    rc, found, _ = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0 and {f["code"] for f in found} <= {"CK280", "CK283", *name_date_codes(dst)}, found


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"prompt": "no placeholder"}, "{input}"),
        ({"experiment_name": "../escape"}, "safe directory name"),
        ({"epochs": 2, "eval_epochs": "specific", "eval_epoch_list": [1, 2]}, "0-indexed"),
        ({"validation_during_training": False, "eval_epochs": "best_val_loss"}, "validation"),
        ({"variables": {"rank": [4]}}, "unknown hyperparameter"),
        ({"variables": {"lora_rank": []}}, "non-empty"),
        ({"preparation_tool": "axolotl"}, "not supported yet"),
        ({"models": ["Llama-3.3-70B-Instruct"], "gpus": 1}, "GPUs"),
        ({"experiment_date": "2026-02-30"}, "real date"),
    ],
)
def test_answers_that_cannot_work_are_rejected(res, tmp_path, data, why):
    dst = tmp_path / "dst"
    with pytest.raises(Exception) as info:
        render_api(res, dst, base_answers(res, **data))
    assert why in str(info.value)
    assert not dst.exists()


def test_declined_writes_nothing_api(res, tmp_path):
    dst = tmp_path / "dst"
    render_api(res, dst, base_answers(res, approved=False))
    assert not dst.exists()


def test_declined_writes_nothing_cli_even_into_an_existing_dir(res, tmp_path):
    dst = tmp_path / "existing"
    dst.mkdir()
    done = render_cli(res, dst, base_answers(res), extra=["--data", "approved=false"])
    assert done.returncode == 0, done.stderr
    assert "nothing was written" in done.stderr
    assert list(dst.iterdir()) == []


def test_unknown_model_is_kept(res, tmp_path):
    dst = render_api(res, conv(res), base_answers(res, models=["my-custom-model"]))
    d = load_design(dst)
    assert [r["model"] for r in d["runs"]] == ["my-custom-model"] * 3
    assert all("slurm_overrides" not in r for r in d["runs"])


def test_missing_package_message(tmp_path):
    """Copier imports the extension from its own environment: without ck_design it must say so."""
    code = (
        "import sys; sys.path[:] = [p for p in sys.path if not p.rstrip('/').endswith('validators')];"
        "import importlib.machinery as m;"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower() and 'ck_design' not in repr(f)];"
        "from copier.__main__ import CopierApp; sys.argv=['copier','copy','--trust','--defaults','--vcs-ref','HEAD',"
        f"{str(REPO)!r},{str(tmp_path / 'dst')!r}]; CopierApp.run()"
    )
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "No module named 'ck_design'" in done.stderr, done.stderr[-2000:]
    assert "install these extensions alongside Copier" in done.stderr
    assert "Traceback" not in done.stderr


def _clean_template(tmp_path):
    """A clone of this repository (committed state), as a user's copy of the template."""
    from wizard_fixtures import GIT_ENV

    import os

    clone = tmp_path / "ck-design"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, env={**os.environ, **GIT_ENV})
    return clone


def _git(cwd, *args):
    import os

    from wizard_fixtures import GIT_ENV

    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})


def test_relative_template_path_is_recorded_absolute(res, tmp_path):
    import os

    src = _clean_template(tmp_path)
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(yaml.safe_dump(base_answers(res)))
    from wizard_fixtures import COPIER, GIT_ENV

    done = subprocess.run([str(COPIER), "copy", "--trust", "--defaults", "--skip-tasks", "--vcs-ref", "HEAD",
                           "--data-file", str(answers_file), "ck-design", "dst"], cwd=tmp_path,
                          env={**os.environ, **GIT_ENV, "CK_LOCAL_CONFIG": res["config"]},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stored = yaml.safe_load((tmp_path / "dst" / ".copier-answers.yml").read_text())
    assert stored["_src_path"] == str(src)


def test_update_keeps_hand_edits_and_declined_update_changes_nothing(res, tmp_path):
    import os

    import copier

    src = _clean_template(tmp_path)
    dst = render_api(res, conv(res, "exp"), base_answers(res), src=src)
    _git(dst, "init", "-q")
    _git(dst, "add", "-A")
    _git(dst, "commit", "-q", "-m", "design")
    summary = dst / "experiment_summary.yaml"
    summary.write_text(summary.read_text().replace("  hypothesis: ''", "  hypothesis: edited by hand"))
    _git(dst, "commit", "-q", "-am", "hand edit")

    old = os.environ.get("CK_LOCAL_CONFIG")
    os.environ["CK_LOCAL_CONFIG"] = res["config"]
    try:
        with pytest.raises(Exception, match="nothing was changed"):
            # vcs_ref="HEAD", as it was rendered: past a release tag, the default (the newest tag) is a downgrade.
            copier.run_update(str(dst), data={"approved": False, "variables": {"lora_rank": [4, 8, 16]}},
                              defaults=True, unsafe=True, quiet=True, overwrite=True, skip_tasks=True, vcs_ref="HEAD")
        assert _git(dst, "status", "--porcelain").stdout == ""
        copier.run_update(str(dst), data={"variables": {"lora_rank": [4, 8, 16]}}, defaults=True, unsafe=True,
                          quiet=True, overwrite=True, skip_tasks=True, vcs_ref="HEAD")
    finally:
        if old is None:
            os.environ.pop("CK_LOCAL_CONFIG", None)
        else:
            os.environ["CK_LOCAL_CONFIG"] = old
    d = load_design(dst)
    assert d["experiment"]["hypothesis"] == "edited by hand"
    assert d["variables"] == {"lora_rank": [4, 8, 16]}
    assert f"{M1}_rank16" in [r["name"] for r in d["runs"]]
    assert "rank16" in (dst / "README.md").read_text()
    assert_no_findings(dst)


def test_large_model_always_gets_the_full_gpu_constraint(tmp_path):
    big = "Llama-3.3-70B-Instruct"
    res70 = make_resources(tmp_path / "res", models=(big,), local={"Partition": "gpu-full"})
    dst = render_api(res70, tmp_path / "ck-sanity-checks" / "big",
                     base_answers(res70, models=[big], gpus=4, full_gpu=False))
    d = load_design(dst)
    assert d["controls"]["gpus"] == 4
    assert all(r["slurm_overrides"] == {"constraint": "gpu80", "partition": "gpu-full"} for r in d["runs"])
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert "full_gpu" not in answers  # not asked: no chosen model fits a shared GPU
    assert_no_findings(dst)


def test_cli_data_key_value(res, tmp_path):
    dst = conv(res)
    answers = base_answers(res)
    del answers["models"]
    done = render_cli(res, dst, answers, extra=["--data", "variables={lr: [1e-5, 1e-4]}",
                                                "--data", f"models=[{M1}, {M3}]", "--data", "epochs=2",
                                                "--data", "eval_epochs=all"])
    assert done.returncode == 0, done.stderr
    d = load_design(dst)
    assert d["variables"] == {"lr": [1e-05, 0.0001]}
    assert [r["name"] for r in d["runs"]][:2] == [f"{M1}_lr1e-5", f"{M1}_lr1e-4"]
    assert d["evaluation"]["matrix"][0]["epochs"] == [0, 1]
    assert_no_findings(dst)


def test_no_claude_local_md_requires_scratch_and_models_dir(res, tmp_path, monkeypatch):
    import os

    import copier

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.claude/claude.local.md either
    monkeypatch.chdir(tmp_path)
    answers = base_answers(res)
    old = os.environ.pop("CK_LOCAL_CONFIG", None)
    try:
        with pytest.raises(ValueError, match="scratch_dir"):
            copier.run_copy(str(REPO), str(tmp_path / "dst"), data=answers, defaults=True, unsafe=True,
                            quiet=True, vcs_ref="HEAD", skip_tasks=True)
        copier.run_copy(str(REPO), str(tmp_path / "dst"), data={**answers, "scratch_dir": res["scratch"],
                        "models_dir": res["models_dir"]}, defaults=True, unsafe=True, quiet=True,
                        vcs_ref="HEAD", skip_tasks=True)
    finally:
        if old is not None:
            os.environ["CK_LOCAL_CONFIG"] = old
    d = load_design(tmp_path / "dst")
    assert d["output"]["wandb_project"] == "words_8L"  # no local project: the task label
    assert all("slurm_overrides" not in r for r in d["runs"])  # no constraint known: left out


def test_destination_in_ck_experiments_names_the_experiment(res, tmp_path):
    """`copier copy SRC $SCRATCH/ck-experiments/<name>` (README step 3): the experiment takes
    the folder's name, so experiment.directory is where the design really is."""
    dst = tmp_path / "scratch2" / "ck-experiments" / "cap_8L_lora_comparison_2026-11-25"
    dst_path = render_api(res, dst, base_answers(res))
    d = load_design(dst_path)
    assert d["experiment"]["name"] == "cap_8L_lora_comparison_2026-11-25"
    assert d["output"]["base_directory"] == f"{res['scratch']}/ck-outputs/cap_8L_lora_comparison_2026-11-25"
    # elsewhere the default is: <task label>_<factor>_<date>
    other = render_api(res, tmp_path / "elsewhere", base_answers(res))
    assert load_design(other)["experiment"]["name"] == "words_8L_lora_rank_comparison_2026-11-25"


def test_dataset_question_says_what_its_validator_accepts(res, tmp_path, monkeypatch):
    """Issue 22 (QA walk): the dataset question promised "an absolute path" while its help, and
    its validator, take a relative one from the current directory: the question, the help and
    the recorded design agree (a relative path is accepted and recorded absolute)."""
    from pty_support import QUESTIONS

    question = QUESTIONS["dataset_path"]["help"].splitlines()[0]
    assert "absolute" not in question, question  # a relative path is accepted: not promised otherwise
    assert "relative path" in QUESTIONS["dataset_path"]["help"]
    dataset = Path(res["dataset"])
    monkeypatch.chdir(dataset.parent)
    dst = render_api(res, conv(res, "relative_dataset"), base_answers(res, dataset_path=dataset.name))
    assert load_design(dst)["data"]["training"]["path"] == str(dataset)
