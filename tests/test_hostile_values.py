"""Issue 13, items 9 and 10: values nobody can train with, text that would inject lines into a
SLURM script, and keys that are not strings: the real ck-validate reports each on one line with
its location (exit 1), never an internal error."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import inprocess
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"


def _validate(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """ck-validate through its console script's function (tests/inprocess.py; test_cli.py and
    the golden test start the script itself)."""
    f = tmp_path / "experiment_summary.yaml"
    f.write_text(text)
    return inprocess.ck_validate([str(f)], text=True)


def _edit(replace: dict[str, str]) -> str:
    text = EXAMPLE.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  weight_decay: 0.01\n", "  weight_decay: .inf\n", "controls.weight_decay: .inf is not a finite number"),
        ("  weight_decay: 0.01\n", "  weight_decay: .nan\n", "controls.weight_decay: .nan is not a finite number"),
        ("  epochs: 2\n", "  epochs: 100000000000000000000000000000\n", "controls.epochs: 100000000000... (30 digits) is out of range: it must be <= 1000"),
        ("  epochs: 2\n", "  epochs: 1e29\n", "controls.epochs: expected an integer, got the number 1e+29"),
        ("  gpus: 1\n", "  gpus: 100000000000000\n", "controls.gpus: 100000000000000 is out of range: it must be <= 1024"),
        ("  gpus: 1\n", "  gpus: 1e14\n", "controls.gpus: expected an integer"),
        ("  temperature: 0.0\n", "  temperature: .inf\n", "evaluation.temperature: .inf is not a finite number"),
        ("  - 1.0e-05\n", "  - .nan\n", "variables.lr[0]: .nan is not a finite number"),
        ("  - 8\n", "  - 100000000\n", "variables.lora_rank[1]: 100000000 is out of range: it must be <= 65536"),
    ],
)
def test_unusable_numbers_are_errors(tmp_path, old, new, expected):
    r = _validate(tmp_path, _edit({old: new}))
    assert r.returncode == 1, r.stdout + r.stderr
    assert expected in r.stdout, r.stdout
    assert "internal error" not in r.stderr


def _yaml_with(edit) -> str:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    edit(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


INJECTION = 'gpu80\n#SBATCH --wrap="rm -rf ~"'


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["runs"][0]["slurm_overrides"].__setitem__("constraint", INJECTION), "runs[0].slurm_overrides.constraint"),
        (lambda d: d["runs"][0]["slurm_overrides"].__setitem__("partition", "gpu\r\nx"), "runs[0].slurm_overrides.partition"),
        (lambda d: d["output"].__setitem__("wandb_project", "ck\u2028x"), "output.wandb_project"),
        (lambda d: d["data"]["training"].__setitem__("path", "/scratch/d\n.json"), "data.training.path"),
        (lambda d: d["models"]["base"][0].__setitem__("path", "/m\x1b[2J"), "models.base[0].path"),
    ],
)
def test_control_characters_in_script_or_path_fields_are_errors(tmp_path, edit, where):
    r = _validate(tmp_path, _yaml_with(edit))
    assert r.returncode == 1, r.stdout + r.stderr
    line = next((ln for ln in r.stdout.splitlines() if f"error: {where}:" in ln), None)
    assert line is not None, r.stdout
    assert "lands in a SLURM script or a path" in line
    assert ("a newline" in line) or ("a carriage return" in line) or ("control character U+" in line)


@pytest.mark.parametrize("key", ["1", "true", "~", "1.5", "null"])
def test_top_level_key_that_is_not_a_string(tmp_path, key):
    text = EXAMPLE.read_text()
    r = _validate(tmp_path, text + f"{key}: 1\n")
    assert "internal error" not in r.stderr, r.stderr
    assert r.returncode == 1
    line = len(text.splitlines()) + 1
    expected = f"CK101 error: <document>: the key {key} is not a string"
    assert f"experiment_summary.yaml:{line}:1: {expected}" in r.stdout, r.stdout


def test_nested_key_that_is_null_or_a_float(tmp_path):
    r = _validate(tmp_path, _edit({"controls:\n": "controls:\n  ~: 3\n  2.5: x\n"}))
    assert "internal error" not in r.stderr, r.stderr
    assert r.returncode == 1
    assert "CK101 error: controls: the key ~ is not a string" in r.stdout, r.stdout
    assert "CK101 error: controls: the key 2.5 is not a string" in r.stdout, r.stdout
