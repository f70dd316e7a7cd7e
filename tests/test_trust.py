"""Issue 9: trust on real designs. One test per numbered item (plus issue 13 item 3).

False alarms (1-3): a legitimate design, exit 0. Mistakes (4-11): a design that breaks just
that rule, the exact code at the exact line (found by plain text search), and the exit status.
CLI messages (12-13): what a user reads. Everything runs `ck-validate` in-process (`cli.run`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from designs import dump, line_of, make_design, make_resources, write_design

from ck_design.validate import cli

SEED_DESIGNS = Path(__file__).parent / "seed_designs"
RUN0 = "Llama-3.2-1B-Instruct_rank4_lr1e-5"


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Exit status, findings (JSON) and stderr of `ck-validate --format json ARGS`."""
    rc = cli.run(["--format", "json", *args])
    out, err = capsys.readouterr()
    return rc, json.loads(out) if out.strip() else [], err


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


def only(findings: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["code"] == code]


def _rename_run(data: dict[str, Any], old: str, new: str) -> None:
    for run in data["runs"]:
        if run["name"] == old:
            run["name"] = new
    for entry in data["evaluation"]["matrix"]:
        if entry["run"] == old:
            entry["run"] = new


# --- 1-3: false alarms on real designs ---------------------------------------------------------


def test_1_seed_template_design_required_fields_only_has_no_errors(capsys, tmp_path):
    """Written by hand to the seed's template: no experiment.type, nothing optional. Exit 0."""
    rc, found, _ = validate(capsys, str(SEED_DESIGNS / "required_only.yaml"))
    assert [f for f in found if f["severity"] == "error"] == []
    assert rc == 0
    # Without type, the directory says what it is: ck-experiments/ -> experiment (CK260 quiet),
    # and a sanity-check directory makes it a sanity check (no CK260 either).
    text = (SEED_DESIGNS / "required_only.yaml").read_text()
    sanity = text.replace("/ck-experiments/", "/ck-sanity-checks/")
    rc, found, _ = validate(capsys, str(write_design(tmp_path, sanity)))
    assert rc == 0 and "CK260" not in codes(found) and "CK292" not in codes(found)


def test_1_type_absent_follows_directory(capsys, tmp_path):
    data = make_design(experiment_type="sanity_check", full_gpu=False)
    del data["experiment"]["type"]
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (0, [])  # a sanity check needs no full-GPU overrides (CK292)
    data = make_design(full_gpu=False)
    del data["experiment"]["type"]
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 0 and set(codes(found)) == {"CK292"}  # an experiment: it does


def test_2_unrelated_variable_gets_no_far_fetched_suggestion(capsys, tmp_path):
    """The seed suggests varying a data size; it is no torchtune hyperparameter, nor 'batch_size'."""
    data = make_design(variables={"lora_rank": [4, 8], "data_size": [100, 400]})
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 0
    (ck103,) = only(found, "CK103")
    assert ck103["line"] == line_of(dump(data), "data_size:")
    assert "did you mean" not in (ck103["hint"] or "")
    assert set(codes(found)) == {"CK103"}  # run names rank4_data_size100 follow the convention


def test_2_a_real_typo_still_gets_the_suggestion(capsys, tmp_path):
    data = make_design()
    data["controls"]["lora_rnak"] = data["controls"].pop("batch_size")
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    # Issue 22 item 2: a misspelling of a known key is an error naming it, fixable.
    (ck105,) = only(found, "CK105")
    # Not fixable here: make_design varies lora_rank, and a constant of it would be CK224.
    assert rc == 1 and ck105["severity"] == "error" and not ck105["fixable"]
    assert ck105["hint"] == "rename the key to 'lora_rank'"


def test_3_run_name_lr_as_people_write_it(capsys, tmp_path):
    """lr1e-5 and lr1e-5 spell the same value: both pass; the wizard keeps the repr form."""
    data = make_design()
    _rename_run(data, RUN0, "Llama-3.2-1B-Instruct_rank4_lr1e-5")
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (0, [])
    # A different value is still caught.
    data = make_design()
    _rename_run(data, RUN0, "Llama-3.2-1B-Instruct_rank4_lr2e-5")
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    (ck223,) = only(found, "CK223")
    assert ck223["line"] == line_of(dump(data), "name: Llama-3.2-1B-Instruct_rank4_lr2e-5")


# --- 4-11: mistakes that passed ------------------------------------------------------------------


def test_4_controls_epochs_is_required(capsys, tmp_path):
    data = make_design()
    del data["controls"]["epochs"]
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 1
    (ck100,) = only(found, "CK100")
    assert "controls.epochs" in ck100["message"]
    assert ck100["line"] == line_of(dump(data), "controls:")
    assert ck100["hint"]


def test_4_epochs_as_a_variable_needs_no_control(capsys, tmp_path):
    data = make_design(variables={"epochs": [1, 2]}, eval_epochs="last")
    del data["controls"]["epochs"]
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert "CK100" not in codes(found) and rc == 0, found


def test_5_varied_system_prompt_evaluates_each_run_with_its_own(capsys, tmp_path):
    # Since prompt sweeps (issue 11): a run's own system prompt is also its evaluation prompt
    # (spec.sweep.effective_prompt), so sweeping it is valid; run names index it (system_prompt2).
    data = make_design(variables={"lora_rank": [4], "system_prompt": ["", "Answer in capitals."]},
                       models=("Llama-3.2-1B-Instruct",))
    assert [r["name"] for r in data["runs"]][:2] == ["Llama-3.2-1B-Instruct_rank4_system_prompt1",
                                                     "Llama-3.2-1B-Instruct_rank4_system_prompt2"]
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 0 and found == [], found


def test_5_system_prompt_set_per_run(capsys, tmp_path):
    # One run on its own prompt; the others trained with controls' '' but evaluated with
    # evaluation.system_prompt 'Be terse.': CK204 names those, not the run on its own.
    data = make_design(models=("Llama-3.2-1B-Instruct",))
    data["runs"][1]["parameters"]["system_prompt"] = "Be terse."
    data["evaluation"]["system_prompt"] = "Be terse."
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 1
    (ck204,) = only(found, "CK204")
    assert data["runs"][0]["name"] in ck204["message"] and data["runs"][1]["name"] not in ck204["message"]
    assert "CK201" not in codes(found)


def _best_val_loss(data: dict[str, Any]) -> None:
    for entry in data["evaluation"]["matrix"]:
        if entry["epochs"] is not None:
            entry["epochs"] = "best_val_loss"


def test_6_best_val_loss_with_validation_split_0(capsys, tmp_path):
    data = make_design(models=("Llama-3.2-1B-Instruct",))
    _best_val_loss(data)
    data["data"]["training"]["splits"]["validation"] = 0
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 1
    # Training validates on no data too (controls.validation_during_training: true): CK255.
    assert set(codes(found)) == {"CK214", "CK255"}
    (ck214,) = only(found, "CK214")
    assert ck214["line"] == line_of(dump(data), "epochs: best_val_loss")
    assert "validation" in ck214["hint"]


def test_6_best_val_loss_with_a_dataset_without_validation(capsys, tmp_path):
    data = make_design(models=("Llama-3.2-1B-Instruct",))
    _best_val_loss(data)
    make_resources(tmp_path, data)
    dataset = tmp_path / data["data"]["training"]["path"]
    dataset.write_text(json.dumps({"train": json.loads(dataset.read_text())["train"]}))
    data["data"]["training"]["splits"]["validation"] = None
    data["data"]["training"]["splits"]["test"] = None
    rc, found, _ = validate(capsys, "--check-resources", str(write_design(tmp_path, data)))
    assert rc == 1
    (ck214, *_) = only(found, "CK214")
    assert ck214["line"] == line_of(dump(data), "epochs: best_val_loss")


def test_6_ck281_hint_never_proposes_validation_0_when_it_is_needed(capsys, tmp_path):
    data = make_design(models=("Llama-3.2-1B-Instruct",))  # validation_during_training: true
    make_resources(tmp_path, data)
    dataset = tmp_path / data["data"]["training"]["path"]
    full = json.loads(dataset.read_text())
    dataset.write_text(json.dumps({"train": full["train"], "test": full["test"]}))
    rc, found, _ = validate(capsys, "--check-resources", str(write_design(tmp_path, data)))
    (ck281,) = only(found, "CK281")
    assert ck281["line"] == line_of(dump(data), "validation: 50")
    assert "validation: 0" not in ck281["hint"]
    assert "validation list" in ck281["hint"]


def test_7_model_needing_several_gpus_without_full_gpu_override(capsys, tmp_path):
    data = make_design(models=("Llama-3.3-70B-Instruct",), full_gpu=False)
    data["controls"]["gpus"] = 4
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 0
    ck292 = only(found, "CK292")
    assert len(ck292) == len(data["runs"]) and all(f["severity"] == "warning" for f in ck292)
    assert ck292[0]["line"] == line_of(dump(data), "- name: Llama-3.3-70B-Instruct_rank4_lr1e-5")
    assert "full" in ck292[0]["message"]
    # With the override (what the wizard now writes without asking): clean.
    data = make_design(models=("Llama-3.3-70B-Instruct",), full_gpu=True)
    data["controls"]["gpus"] = 4
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (0, [])


@pytest.mark.parametrize(
    ("where", "bad"),
    [("run", "Llama-3.2-1B-Instruct rank4/lr1e-5"), ("run", "../Llama-3.2-1B-Instruct_rank4_lr1e-5"),
     ("task", "capitalization/hard"), ("vis_label", "rank 4")],
)
def test_8_unsafe_names_for_folders_and_files(capsys, tmp_path, where, bad):
    data = make_design()
    if where == "run":
        _rename_run(data, RUN0, bad)
        needle, after = f"name: {bad}", "runs:"
    elif where == "task":
        old = data["evaluation"]["tasks"][1]["name"]
        data["evaluation"]["tasks"][1]["name"] = bad
        for entry in data["evaluation"]["matrix"]:
            entry["tasks"] = [bad if t == old else t for t in entry["tasks"]]
        needle, after = f"name: {bad}", "tasks:"
    else:
        data["evaluation"]["matrix"][0]["vis_label"] = bad
        needle, after = f"vis_label: {bad}", "matrix:"
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 1
    ck264 = only(found, "CK264")
    assert ck264 and ck264[0]["line"] == line_of(dump(data), needle, after=after)
    assert ck264[0]["severity"] == "error" and ck264[0]["hint"]


def test_9_parameter_both_varied_and_constant(capsys, tmp_path):
    data = make_design()
    data["controls"]["lora_rank"] = 16
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (1, ["CK224"])
    assert found[0]["line"] == line_of(dump(data), "lora_rank: 16", after="controls:")


def test_10_training_label_is_the_file_name_without_extension(capsys, tmp_path):
    data = make_design()
    data["data"]["training"]["label"] = "words"
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (0, ["CK265"])
    assert found[0]["line"] == line_of(dump(data), "label: words")
    assert found[0]["hint"] == "set label: words_8L_500"


def test_11_typo_in_variables_reports_the_root_cause_only(capsys, tmp_path):
    data = make_design()
    data["variables"] = {"lora_rnak": [4, 8], "lr": [1e-05, 0.0001]}
    for run in data["runs"]:
        run["parameters"] = {("lora_rnak" if k == "lora_rank" else k): v for k, v in run["parameters"].items()}
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert (rc, codes(found)) == (1, ["CK105"])
    assert found[0]["hint"] == "rename it to 'lora_rank' here, in every run's parameters and in the run names"
    assert found[0]["line"] == line_of(dump(data), "lora_rnak:", after="variables:")


def test_11_typo_in_run_parameters_comes_first(capsys, tmp_path):
    data = make_design(models=("Llama-3.2-1B-Instruct",))
    run = data["runs"][0]
    run["parameters"] = {("lora_rnak" if k == "lora_rank" else k): v for k, v in run["parameters"].items()}
    rc, found, _ = validate(capsys, str(write_design(tmp_path, data)))
    assert rc == 1
    assert found[0]["code"] == "CK222" and found[0]["hint"] == "did you mean 'lora_rank'?"
    assert "CK223" not in codes(found)


# --- 12-13: the CLI's own messages ---------------------------------------------------------------


def test_12_missing_file_says_what_happened(capsys, tmp_path):
    rc, found, err = validate(capsys, str(tmp_path / "nope.yaml"))
    assert rc == 2 and found == []
    assert "no such file" in err
    assert "no problems" not in err
    assert err.strip().splitlines()[-1] == "1 file could not be checked (nothing was validated)"


def test_12_binary_file_could_not_be_read(capsys, tmp_path):
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"\x00\x01\xff\xfe" * 64)
    rc, found, err = validate(capsys, str(weights))
    assert rc == 2 and found == []
    assert f"{weights}: could not be read: a binary file, not a YAML text file" in err


def test_13_explain_prints_the_rule_from_the_installed_package(capsys):
    rc = cli.run(["--explain", "CK210"])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert out.startswith("CK210 error")
    assert "0-indexed" in out
    rc = cli.run(["--explain", "ck999"])
    _, err = capsys.readouterr()
    # Issue 22 item 10: where every code is listed, and the nearest ones.
    assert rc == 2 and "no rule has the code CK999" in err
    assert "the nearest are CK307, CK308, CK309" in err and "docs/rules.md" in err


def test_13_help_points_to_explain(capsys):
    with pytest.raises(SystemExit):
        cli.run(["--help"])
    out, _ = capsys.readouterr()
    assert "--explain CODE" in out and "docs/rules.md" not in out


def test_seed_designs_are_kept_with_their_comments():
    # The hand-written design keeps the seed template's REQUIRED markers: it is documentation too.
    text = (SEED_DESIGNS / "required_only.yaml").read_text()
    assert text.count("# REQUIRED") >= 20 and "type:" not in text.split("tools:")[0]
    assert shutil.which  # (keeps the import used when the resource tests are skipped)


@pytest.mark.e2e
def test_7_wizard_writes_full_gpu_overrides_for_a_multi_gpu_model_without_asking(tmp_path, capsys):
    """A real `copier copy`: a 70B model (4 GPUs) gets the full-GPU constraint in every run, the
    full-GPU question is not asked (its `when:` is false), and the design validates clean."""
    from ck_design.wizard.defaults import full_gpu_question_applies
    from wizard_fixtures import base_answers, load_design, make_resources as wizard_resources, render_api

    assert not full_gpu_question_applies(["Llama-3.3-70B-Instruct"])
    res = wizard_resources(tmp_path, models=("Llama-3.3-70B-Instruct",))
    dst = tmp_path / "out"
    render_api(res, dst, base_answers(res, models=["Llama-3.3-70B-Instruct"], gpus=4, variables={"lora_rank": [4, 8]}))
    design = load_design(dst)
    assert design["runs"] and all(r["slurm_overrides"] == {"constraint": "gpu80"} for r in design["runs"])
    rc, found, _ = validate(capsys, str(dst / "experiment_summary.yaml"))
    assert (rc, [f for f in found if f["code"] == "CK292"]) == (0, [])
