"""schemas/experiment_summary.schema.json: generated from the models, checked in, usable by other tools."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from ck_design.spec import jsonschema as schema_gen

REPO = Path(__file__).resolve().parent.parent
CHECKED_IN = REPO / "schemas" / "experiment_summary.schema.json"
PACKAGED = REPO / "validators" / "ck_design" / "schemas" / "experiment_summary.schema.json"
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def test_checked_in_schema_matches_the_models() -> None:
    # If this fails: run `make schema` and commit schemas/ and validators/ck_design/schemas/.
    expected = schema_gen.render()
    assert CHECKED_IN.read_text(encoding="utf-8") == expected
    assert PACKAGED.read_text(encoding="utf-8") == expected


def test_check_mode_passes_on_this_checkout() -> None:
    proc = subprocess.run([sys.executable, "-m", "ck_design.spec.jsonschema", "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_check_mode_fails_on_a_stale_schema(tmp_path: Path) -> None:
    stale = tmp_path / "schemas" / "experiment_summary.schema.json"
    stale.parent.mkdir()
    stale.write_text(CHECKED_IN.read_text().replace('"runs"', '"runz"', 1))
    proc = subprocess.run([sys.executable, "-m", "ck_design.spec.jsonschema", "--check", "--root", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert str(stale) in proc.stderr and "make schema" in proc.stderr
    assert stale.read_text() != schema_gen.render()  # --check never writes


def test_generate_writes_missing_files(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "ck_design.spec.jsonschema", "--root", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "schemas" / "experiment_summary.schema.json").read_text() == schema_gen.render()


def test_schema_is_a_valid_draft_2020_12_schema_with_identity() -> None:
    schema = json.loads(CHECKED_IN.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/experiment_summary.schema.json")
    assert schema["title"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["required"]) >= {"experiment", "tools", "controls", "models", "data", "output", "runs", "evaluation"}


def test_installed_package_finds_its_schema() -> None:
    assert schema_gen.installed_schema_path().is_file()


def test_example_validates_against_the_schema() -> None:
    schema = json.loads(CHECKED_IN.read_text())
    data = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.Draft202012Validator(schema).validate(data)


def test_check_jsonschema_accepts_the_example_and_rejects_a_broken_design(tmp_path: Path) -> None:
    ok = subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(CHECKED_IN), str(EXAMPLE)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    data = yaml.safe_load(EXAMPLE.read_text())
    del data["runs"]
    broken = tmp_path / "experiment_summary.yaml"
    broken.write_text(yaml.safe_dump(data, sort_keys=False))
    bad = subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(CHECKED_IN), str(broken)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "'runs' is a required property" in bad.stdout


def test_schema_gen_is_what_make_schema_runs() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "-m ck_design.spec.jsonschema" in makefile
    assert shutil.which("make") is None or "schema:" in makefile
