"""ck-validate on designs of both cruijff_kit eras (issue 19 item 1, UPSTREAM.md section 1).

- the hand-written 0.3 designs (to 0.3's template; modelled on upstream's 0.3.4 fixture) give
  no error, as the seed-era one written to the seed's template does;
- every rule case of tests/test_rules.py, on the same design rewritten as a 0.3 design, gives
  the same codes at the same line (rules about keys 0.3 dropped excepted, said why);
- the 0.3 additions are checked; a file mixing the eras gets one CK104 and nothing else;
- the JSON schema accepts each era's design and refuses the mixed one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from designs import dump, line_of, make_design, make_resources, write_design
from era_designs import SEED_TEMPLATE, V03_FIXTURE_LIKE, V03_TEMPLATE, to_v03, v03_text
from test_rules import CASES, Case

from ck_design.facts import loader
from ck_design.spec.jsonschema import installed_schema_path
from ck_design.validate import cli
from ck_design.validate import engine as checks

# Cases whose rule reads a key 0.3 dropped: nothing to find in a 0.3 design.
NOT_IN_V03 = {
    "CK261": "output.checkpoint_pattern is gone in 0.3",
    "CK262": "output.base_directory is gone in 0.3",
    "CK267": "output.base_directory is gone in 0.3 (outputs live under experiment.dir)",
    "CK268": "output.checkpoint_pattern is gone in 0.3",
}
# Cases of a rule that applies in both eras, about a field only the seed era has.
NOT_IN_V03_CASES = {"CK106-checkpoint-pattern": "output.checkpoint_pattern is gone in 0.3"}


def _errors(path: Path) -> list[str]:
    return [f"{f.line}: {f.code} {f.message}" for f in checks.check(loader.load_file(path)) if f.severity == "error"]


@pytest.mark.parametrize("design", [V03_TEMPLATE, V03_FIXTURE_LIKE, SEED_TEMPLATE], ids=lambda p: p.stem)
def test_designs_written_to_each_eras_template_have_no_error(design: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _errors(design) == []
    assert cli.run([str(design)]) == 0
    out = capsys.readouterr().out
    assert "CK100" not in out and "CK103" not in out and "scorer" not in out


def test_the_fixture_like_design_keeps_what_0_3_made_optional() -> None:
    data = yaml.safe_load(V03_FIXTURE_LIKE.read_text())
    assert data["evaluation"]["temperature"] == 0.0 and "system_prompt" in data["evaluation"]
    assert data["evaluation"]["tasks"][0]["dataset"] == "same"
    template = yaml.safe_load(V03_TEMPLATE.read_text())
    assert "temperature" not in template["evaluation"] and "system_prompt" not in template["evaluation"]


def _build_v03(tmp_path: Path, case: Case) -> Path:
    data = make_design(**case.make_kwargs)
    if case.resources:
        make_resources(tmp_path, data)
    case.mutate(data)
    to_v03(data)
    text = dump(data)
    if case.text:
        text = case.text(text)
    path = write_design(tmp_path, text)
    if case.on_disk:
        case.on_disk(tmp_path)
    return path


V03_CASES = [c for c in CASES if c.code not in NOT_IN_V03 and c.id not in NOT_IN_V03_CASES and c.code != "CK104"]


@pytest.mark.parametrize("case", V03_CASES, ids=[c.id for c in V03_CASES])
def test_every_rule_case_in_the_0_3_era(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _build_v03(tmp_path, case)
    text = path.read_text()
    findings = checks.check(loader.load_file(path), check_resources=case.resources)
    assert {f.code for f in findings} == case.codes, "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)
    expected_line = line_of(text, v03_text(case.needle), after=case.after and v03_text(case.after))
    assert expected_line in sorted(f.line for f in findings if f.code == case.code)
    argv = ["--format", "json", str(path)] + (["--check-resources"] if case.resources else [])
    status = cli.run(argv)
    reported = json.loads(capsys.readouterr().out)
    assert status == (1 if any(f.severity == "error" for f in findings) else 0)
    assert {(r["code"], r["line"]) for r in reported} == {(f.code, f.line) for f in findings}


def _v03_findings(tmp_path: Path, edit: Any) -> tuple[str, list[Any]]:
    data = to_v03(make_design())
    edit(data)
    path = write_design(tmp_path, data)
    return path.read_text(), checks.check(loader.load_file(path))


@pytest.mark.parametrize(
    ("edit", "code", "needle"),
    [
        (lambda d: d["experiment"].__setitem__("project", ""), "CK266", "project: ''"),
        (lambda d: d["experiment"].__setitem__("project", "a b"), "CK266", "project: a b"),
        (lambda d: d["experiment"].pop("project"), "CK100", "experiment:"),
        (lambda d: d["experiment"].__setitem__("dir", "/scratch/me/ck-projects/other/" + d["experiment"]["name"]), "CK260", "dir:"),
        (lambda d: d["evaluation"].update(do_sample=True, temperature=0.0), "CK297", "do_sample: true"),
        (lambda d: (d["evaluation"].pop("temperature"), d["evaluation"].update(do_sample=True)), "CK297", "do_sample: true"),
        (lambda d: d["evaluation"].update(temperature=0.7), "CK296", "temperature: 0.7"),
        (lambda d: d["controls"].update(seed="14"), "CK101", "seed: '14'"),
        (lambda d: d["controls"].update(seed=-1), "CK102", "seed: -1"),
        (lambda d: d["controls"].update(dataset_type="chat"), "CK102", "dataset_type: chat"),
        (lambda d: d["evaluation"]["tasks"][0].update(assistant_prefix=5), "CK101", "assistant_prefix: 5"),
        (lambda d: d["evaluation"].update(max_connections=0), "CK102", "max_connections: 0"),
        (lambda d: d["data"]["training"].update(format="parquet"), "CK102", "format: parquet"),
        (lambda d: d["evaluation"].update(sampling=False), "CK103", "sampling: false"),
        (lambda d: d["output"].update(base_directory="/scratch/me/ck-outputs/x"), "CK104", "base_directory:"),
    ],
    ids=["project-empty", "project-unsafe", "project-missing", "dir-other-project", "do-sample-temperature-0",
         "do-sample-no-temperature", "temperature-greedy", "seed-str", "seed-negative", "dataset-type",
         "assistant-prefix", "max-connections", "parquet", "seed-era-sampling", "seed-era-output"],
)
def test_the_0_3_additions_are_checked(tmp_path: Path, edit: Any, code: str, needle: str) -> None:
    text, findings = _v03_findings(tmp_path, edit)
    assert {f.code for f in findings} == {code}, [(f.line, f.code, f.message) for f in findings]
    assert [f.line for f in findings] == [line_of(text, needle)]


def test_do_sample_with_a_temperature_is_clean(tmp_path: Path) -> None:
    _, findings = _v03_findings(tmp_path, lambda d: d["evaluation"].update(do_sample=True, temperature=0.7))
    assert findings == []


def test_a_mixed_file_is_one_error_naming_the_keys_of_each_era(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_design()
    data["experiment"]["project"] = "capitalization"
    data["evaluation"]["scorers"] = data["evaluation"]["scorer"]
    del data["evaluation"]["scorer"]
    data["controls"]["batch_size"] = "not a number"  # would be CK101: the mixed file says nothing else
    path = write_design(tmp_path, data)
    text = path.read_text()
    findings = checks.check(loader.load_file(path))
    assert [(f.code, f.line) for f in findings] == [("CK104", line_of(text, "project: capitalization"))]
    message = findings[0].message
    for key in ("experiment.directory", "data.training.label", "output.base_directory", "output.checkpoint_pattern",
                "experiment.project", "evaluation.scorers"):
        assert key in message
    assert f"experiment.directory (line {line_of(text, 'directory:')})" in message
    assert cli.run([str(path)]) == 1
    out = capsys.readouterr().out
    assert "ck-migrate" in out and out.count("CK1") == 1


def _json_schema_errors(data: Any) -> list[str]:
    schema = json.loads(installed_schema_path().read_text())
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]


def test_the_json_schema_covers_both_eras_and_refuses_a_mixed_file() -> None:
    for design in (V03_TEMPLATE, V03_FIXTURE_LIKE, SEED_TEMPLATE):
        assert _json_schema_errors(yaml.safe_load(design.read_text())) == [], design.name
    seed = make_design()
    assert _json_schema_errors(seed) == []
    assert _json_schema_errors(to_v03(make_design())) == []
    mixed = make_design()
    mixed["experiment"]["project"] = "capitalization"
    assert _json_schema_errors(mixed) != []
    no_project = to_v03(make_design())
    del no_project["experiment"]["project"]
    assert _json_schema_errors(no_project) != []


def test_explain_says_how_a_rule_reads_a_0_3_design(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--explain", "CK265"]) == 0
    out = capsys.readouterr().out
    assert "0.3 era: The field is data.training.dataset_label." in out
    assert cli.run(["--explain", "CK210"]) == 0
    assert "0.3 era" not in capsys.readouterr().out  # the same in both eras: nothing to add


def test_a_seed_era_name_in_a_0_3_design_is_named_as_such(tmp_path: Path) -> None:
    _, findings = _v03_findings(tmp_path, lambda d: d["evaluation"].update(sampling=True))
    assert [(f.code, f.message, f.hint) for f in findings] == [
        ("CK103", "evaluation.sampling: 'sampling' is the seed era's name for this field",
         "rename it to 'do_sample', its name in the 0.3 era")]
