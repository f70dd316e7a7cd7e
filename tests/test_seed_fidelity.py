"""Seed fidelity (issue 23) and nothing silent (issue 22 items 2 and 10), beyond the one case per
code in tests/test_rules.py: run names in every form the seed allows are never flagged nor
renamed, a misspelled key is fixed in place, a `# ck-validate: ignore CODE` comment acknowledges
a finding on its line only, and --explain answers an unknown code with where to look."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from designs import dump, line_of, make_design, write_design

from ck_design.facts import loader
from ck_design.validate import cli
from ck_design.validate import engine as checks

RUN0 = "Llama-3.2-1B-Instruct_rank4_lr1e-5"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]], str]:
    status = cli.run(["--format", "json", *argv])
    out, err = capsys.readouterr()
    return status, json.loads(out or "[]"), err


def _rename_all(data: dict[str, Any], old: str, new: str) -> None:
    for run in data["runs"]:
        if run["name"] == old:
            run["name"] = new
    for entry in data["evaluation"]["matrix"]:
        if entry["run"] == old:
            entry["run"] = new


# --- issue 23 item 8: CK223 accepts the full parameter name and the short forms -----------------


@pytest.mark.parametrize(
    "name",
    [
        "Llama-3.2-1B-Instruct_lora_rank4_lr1e-05",  # the full parameter name
        "Llama-3.2-1B-Instruct_lora_rank_4_lr_1e-5",  # a separator, the number as people write it
        "Llama-3.2-1B-Instruct_rank-4_lr0.00001",
        "Llama-3.2-1B-Instruct_lr1e-5_rank4",  # the parts in another order
    ],
)
def test_ck223_accepts_every_form_the_seed_allows_and_fix_renames_nothing(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_design()
    _rename_all(data, RUN0, name)
    path = write_design(tmp_path, data)
    before = path.read_text()
    assert _run([str(path)], capsys)[:2] == (0, [])
    status, remaining, _ = _run(["--fix", str(path)], capsys)
    assert (status, remaining) == (0, []) and path.read_text() == before


def test_ck223_batch_size_full_name_is_no_false_alarm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's case: a batch_size sweep named `..._batch_size4`, not the wizard's `bs4`."""
    data = make_design(models=("Llama-3.2-1B-Instruct",), variables={"batch_size": [4, 8]})
    data["controls"].pop("batch_size")
    for size in (4, 8):
        _rename_all(data, f"Llama-3.2-1B-Instruct_bs{size}", f"Llama-3.2-1B-Instruct_batch_size{size}")
    path = write_design(tmp_path, data)
    assert _run([str(path)], capsys)[:2] == (0, [])
    before = path.read_text()
    assert _run(["--fix", str(path)], capsys)[0] == 0 and path.read_text() == before


def test_ck223_still_flags_a_name_that_lacks_a_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_design()
    _rename_all(data, RUN0, "Llama-3.2-1B-Instruct_batch_size4")  # the wrong parameter entirely
    status, found, _ = _run([str(write_design(tmp_path, data))], capsys)
    assert [f["code"] for f in found] == ["CK223"] and "'rank4'" in found[0]["message"]


def test_explain_ck223_lists_the_accepted_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--explain", "CK223"]) == 0
    out = capsys.readouterr().out
    for form in ("rank4", "lora_rank4", "bs4", "batch_size4", "lora_rank_4", "lr1e-5"):
        assert form in out, form
    assert "Run names should include model and varying parameter values" in out  # the seed's words


# --- issue 22 item 2: a misspelled key is an error --fix renames in place ------------------------


def test_fix_renames_a_misspelled_key_keeping_its_comment_and_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = dump(make_design(variables={"lr": [1e-05, 0.0001]})).replace(
        "  lora_dropout: 0.0\n", "  lora_dropout: 0.0\n  lora_rnak: 8   # asked by Ana\n")
    path = write_design(tmp_path, text)
    status, found, _ = _run([str(path)], capsys)
    assert status == 1 and [(f["code"], f["line"], f["fixable"]) for f in found] == [
        ("CK105", line_of(text, "lora_rnak: 8"), True)
    ]
    assert _run(["--fix", str(path)], capsys)[:2] == (0, [])
    assert path.read_text() == text.replace("lora_rnak: 8   # asked by Ana", "lora_rank: 8   # asked by Ana")


def test_a_misspelled_constant_of_a_varied_parameter_is_not_renamed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """controls.lora_rnak while variables sweeps lora_rank: renaming would make CK224 (which trains?)."""
    data = make_design()
    data["controls"]["lora_rnak"] = 8
    path = write_design(tmp_path, data)
    status, found, _ = _run([str(path)], capsys)
    assert [(f["code"], f["fixable"]) for f in found] == [("CK105", False)]


def test_a_misspelling_of_a_key_already_set_is_not_guessed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelling of a key the mapping already has is named, never fixed."""
    data = make_design()
    data["controls"]["gpu"] = 1  # one edit from `gpus`, which is set too: deleting is a person's call
    path = write_design(tmp_path, data)
    status, found, _ = _run([str(path)], capsys)
    assert status == 1 and [(f["code"], f["fixable"]) for f in found] == [("CK105", False)]
    assert found[0]["hint"] == "'gpus' is set too: keep the right one and delete 'gpu'"
    before = path.read_text()
    _run(["--fix", str(path)], capsys)
    assert path.read_text() == before


# --- issue 22 item 2: `# ck-validate: ignore CODE` acknowledges a finding on its line -----------


def _with_unknown_key(comment: str) -> str:
    text = dump(make_design())
    assert "  max_seq_len: 2048\n" in text
    return text.replace("  max_seq_len: 2048\n", f"  max_seq_len: 2048\n  lora_alpha: 16{comment}\n")


def test_an_ignore_comment_acknowledges_the_finding_on_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = write_design(tmp_path, _with_unknown_key(""))
    assert [f["code"] for f in _run([str(plain)], capsys)[1]] == ["CK103"]
    quiet = write_design(tmp_path, _with_unknown_key("  # ck-validate: ignore CK103"), name="quiet.yaml")
    assert _run([str(quiet)], capsys)[:2] == (0, [])
    # Two codes in one comment; a code that is not the finding's acknowledges nothing.
    two = write_design(tmp_path, _with_unknown_key("  # ck-validate: ignore CK293, CK103"), name="two.yaml")
    assert _run([str(two)], capsys)[1] == []
    other = write_design(tmp_path, _with_unknown_key("  # ck-validate: ignore CK293"), name="other.yaml")
    assert [f["code"] for f in _run([str(other)], capsys)[1]] == ["CK103"]


def test_an_ignore_comment_counts_on_its_own_line_only(tmp_path: Path) -> None:
    text = _with_unknown_key("").replace("  max_seq_len: 2048\n", "  max_seq_len: 2048  # ck-validate: ignore CK103\n")
    findings = checks.check(loader.loads(text, "x.yaml"))
    assert [(f.code, f.line) for f in findings] == [("CK103", line_of(text, "lora_alpha: 16"))]


def test_ignore_text_inside_a_string_is_data_not_a_comment(tmp_path: Path) -> None:
    data = make_design()
    data["controls"]["lora_alpha"] = "16 # ck-validate: ignore CK103"  # quoted: a string value
    text = dump(data)
    assert "'16 # ck-validate: ignore CK103'" in text
    assert [f.code for f in checks.check(loader.loads(text, "x.yaml"))] == ["CK103"]


def test_an_error_can_be_acknowledged_too(tmp_path: Path) -> None:
    """As ruff's noqa and --ignore: the comment is explicit and reviewed with the design."""
    text = dump(make_design()).replace("  max_seq_len: 2048\n", "  max_seq_len: 2048\n  lora_rnak: 8  # ck-validate: ignore CK105\n")
    assert checks.check(loader.loads(text, "x.yaml")) == []


# --- issue 22 item 10 ------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "nearest"), [("CK999", "CK307, CK308, CK309"), ("ck216", "CK213, CK214, CK215")])
def test_explain_an_unknown_code_points_at_the_list_and_the_nearest(
    code: str, nearest: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["--explain", code]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no rule has the code {code.upper()}" in err
    assert f"the nearest are {nearest}" in err and "docs/rules.md" in err


# --- issue 23 item 6: one scratch folder ---------------------------------------------------------


def test_ck267_a_design_kept_outside_the_scratch_folder_is_a_choice(tmp_path: Path) -> None:
    """~/ck-experiments/{name} with outputs in /scratch/me/ck-outputs/{name} (the wizard run from
    home): not reported; /scratch/alice/ck-outputs beside /scratch/me/ck-experiments is."""
    data = make_design()
    name = data["experiment"]["name"]
    data["experiment"]["directory"] = f"/home/me/ck-experiments/{name}"
    assert checks.check(loader.loads(dump(data), "x.yaml")) == []
    data["experiment"]["directory"] = f"/scratch/me/ck-experiments/{name}"
    data["output"]["base_directory"] = f"/scratch/alice/ck-outputs/{name}"
    (finding,) = checks.check(loader.loads(dump(data), "x.yaml"))
    assert finding.code == "CK267" and "'/scratch/alice'" in finding.message
    assert finding.hint == f"use '/scratch/me/ck-outputs/{name}'"


@pytest.mark.parametrize(("code", "shown"), [("CK293", True), ("CK103", True), ("CK001", False), ("CK301", False)])
def test_explain_tells_how_to_acknowledge_a_design_finding(code: str, shown: bool, capsys: pytest.CaptureFixture[str]) -> None:
    """Only where a comment can acknowledge it: a loaded design's finding, not the loader's nor the log's."""
    assert cli.run(["--explain", code]) == 0
    assert (f"# ck-validate: ignore {code}" in capsys.readouterr().out) is shown
