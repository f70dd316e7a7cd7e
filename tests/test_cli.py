"""`ck-validate` as a user runs it: output format, exit codes, options (README, docs/rules.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ck_design import __version__

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"
EXAMPLE_FILES = REPO / "examples" / "capitalization"
CK_VALIDATE = str(Path(sys.executable).parent / "ck-validate")
FINDING_RE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>CK\d{3})(?: \[\*\])? (?P<sev>error|warning): (?P<msg>.+)$")
SUMMARY_RE = re.compile(r"^(\d+) errors?, (\d+) warnings? in (\d+) files?( \(\d+ ignored\))?$|^no problems in \d+ files?( \(\d+ ignored\))?$")
LOG_ENTRY = "[2026-11-25 14:30:01] VERIFY_MODEL\nDetails: Verifying model\nModel: m\nResult: success\n"


def ck(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CK_VALIDATE, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def findings(stdout: str) -> list[re.Match[str]]:
    lines = stdout.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("  hint: "):
            assert i > 0 and FINDING_RE.match(lines[i - 1]), f"hint without a finding: {line!r}"
            continue
        m = FINDING_RE.match(line)
        assert m, f"not a finding line: {line!r}"
        out.append(m)
    return out


@pytest.fixture
def duplicate_key(tmp_path: Path) -> Path:
    p = tmp_path / "experiment_summary.yaml"
    p.write_text("experiment:\n  name: a\n  name: b\n")
    return p


@pytest.fixture
def warning_log(tmp_path: Path) -> Path:
    """A log whose only finding is a warning (CK308: missing blank line between entries)."""
    p = tmp_path / "design-experiment.log"
    p.write_text(LOG_ENTRY + LOG_ENTRY.replace("14:30:01", "14:30:02"))
    return p


def test_example_design_has_no_errors() -> None:
    proc = ck(str(EXAMPLE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = findings(proc.stdout)
    assert all(m["sev"] == "warning" for m in found)
    assert all(m["path"] == str(EXAMPLE) for m in found)
    assert [int(m["line"]) for m in found] == sorted(int(m["line"]) for m in found)
    assert SUMMARY_RE.match(proc.stderr.strip()), proc.stderr


def test_error_format_exact_with_hint(duplicate_key: Path) -> None:
    proc = ck(str(duplicate_key))
    assert proc.returncode == 1
    assert proc.stdout == (
        f"{duplicate_key}:3:3: CK002 error: duplicate key 'name': first defined at line 2\n"
        "  hint: keep one of them; YAML parsers silently drop all but the last\n"
    )
    assert proc.stderr == "1 error, 0 warnings in 1 file\n"


def test_json_format_is_an_array_with_the_documented_keys(duplicate_key: Path) -> None:
    proc = ck("--format", "json", str(duplicate_key))
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data == [
        {
            "path": str(duplicate_key),
            "line": 3,
            "column": 3,
            "code": "CK002",
            "severity": "error",
            "message": "duplicate key 'name': first defined at line 2",
            "hint": "keep one of them; YAML parsers silently drop all but the last",
            "fixable": False,
        }
    ]
    assert list(data[0]) == ["path", "line", "column", "code", "severity", "message", "hint", "fixable"]


def test_json_of_a_clean_file_is_an_empty_array(tmp_path: Path) -> None:
    log = tmp_path / "design-experiment.log"
    log.write_text(LOG_ENTRY)
    proc = ck("--format", "json", "--log", str(log))
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == []
    assert proc.stderr.strip() == "no problems in 1 file"


def test_json_matches_text(tmp_path: Path) -> None:
    text = ck(str(EXAMPLE))
    js = ck("--format", "json", str(EXAMPLE))
    assert text.returncode == js.returncode
    as_text = [(m["path"], int(m["line"]), int(m["col"]), m["code"], m["sev"], m["msg"]) for m in findings(text.stdout)]
    as_json = [(f["path"], f["line"], f["column"], f["code"], f["severity"], f["message"]) for f in json.loads(js.stdout)]
    assert as_text == as_json


def test_strict_turns_warnings_into_errors(warning_log: Path) -> None:
    lenient = ck(str(warning_log))
    assert lenient.returncode == 0
    assert [m["code"] + " " + m["sev"] for m in findings(lenient.stdout)] == ["CK308 warning"]
    strict = ck("--strict", "--format", "json", str(warning_log))
    assert strict.returncode == 1
    assert [(f["code"], f["severity"]) for f in json.loads(strict.stdout)] == [("CK308", "error")]


def test_strict_on_the_example_fails_when_it_has_warnings() -> None:
    lenient = ck(str(EXAMPLE))
    strict = ck("--strict", str(EXAMPLE))
    if findings(lenient.stdout):
        assert strict.returncode == 1
        assert {m["sev"] for m in findings(strict.stdout)} == {"error"}
    else:
        assert strict.returncode == 0


def test_ignore_drops_codes_and_says_so(duplicate_key: Path) -> None:
    proc = ck("--ignore", "CK002", str(duplicate_key))
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert proc.stderr.strip() == "no problems in 1 file (1 ignored)"


def test_ignore_is_repeatable_comma_separated_and_case_insensitive(warning_log: Path, duplicate_key: Path) -> None:
    proc = ck("--ignore", "ck308, CK301", "--ignore=CK002", str(warning_log), str(duplicate_key))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("value", ["CK999", "CK2100", "E501", "CK002,nonsense"])
def test_ignore_of_an_unknown_code_is_a_usage_error(value: str, duplicate_key: Path) -> None:
    proc = ck("--ignore", value, str(duplicate_key))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "--ignore" in proc.stderr


@pytest.mark.parametrize("args", [["--format", "xml"], ["--no-such-option"], ["--ignore"]])
def test_usage_errors_exit_2_with_one_line(args: list[str]) -> None:
    proc = ck(*args, str(EXAMPLE))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("ck-validate: error: ")
    assert "Traceback" not in proc.stderr


def test_version() -> None:
    proc = ck("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ck-validate {__version__}"


def test_default_path_is_experiment_summary_in_the_current_directory(tmp_path: Path, duplicate_key: Path) -> None:
    proc = ck(cwd=duplicate_key.parent)
    assert proc.returncode == 1
    assert proc.stdout.startswith("experiment_summary.yaml:3:3: CK002 error:")


def test_several_files_keep_their_order_and_the_worst_exit_wins(tmp_path: Path, duplicate_key: Path,
                                                                 warning_log: Path) -> None:
    proc = ck(str(warning_log), str(duplicate_key))
    assert proc.returncode == 1
    assert [m["path"] for m in findings(proc.stdout)] == [str(warning_log), str(duplicate_key)]
    assert proc.stderr.strip() == "1 error, 1 warning in 2 files"


def test_unreadable_file_beside_a_bad_one_still_reports_the_bad_one(tmp_path: Path, duplicate_key: Path) -> None:
    proc = ck(str(tmp_path / "missing.yaml"), str(duplicate_key))
    assert proc.returncode == 2
    assert "CK002" in proc.stdout
    assert f"ck-validate: {tmp_path / 'missing.yaml'}: no such file" in proc.stderr
    assert "1 file could not be checked" in proc.stderr


def test_messages_stay_on_one_line(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["evaluation"]["system_prompt"] = "You are\nhelpful."
    p = tmp_path / "experiment_summary.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    proc = ck(str(p))
    assert proc.returncode == 1
    found = findings(proc.stdout)  # asserts every line is a finding or its hint
    assert any(m["code"] == "CK201" for m in found)


def _design_with_real_files(root: Path) -> Path:
    """The example design with its paths pointing at files this test creates (relative paths)."""
    shutil.copytree(EXAMPLE_FILES / "models", root / "models")
    shutil.copytree(EXAMPLE_FILES / "tasks", root / "tasks")
    (root / "data").mkdir()
    dataset = {split: [{"input": f"w{i}", "output": f"W{i}"} for i in range(n)]
               for split, n in (("train", 400), ("validation", 50), ("test", 50))}
    (root / "data" / "words_8L_500.json").write_text(json.dumps(dataset))
    text = EXAMPLE.read_text().replace("/scratch/me/models/", "models/").replace(
        "/scratch/me/data/", "data/").replace("/scratch/me/tasks/", "tasks/")
    design = root / "experiment_summary.yaml"
    design.write_text(text)
    return design


def test_check_resources_resolves_paths_beside_the_design(tmp_path: Path) -> None:
    design = _design_with_real_files(tmp_path / "exp")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = ck("--check-resources", "--format", "json", str(design), cwd=elsewhere)
    codes = {f["code"] for f in json.loads(proc.stdout)}
    assert proc.returncode == 0, proc.stdout
    assert not codes & {"CK280", "CK281", "CK282"}


def test_check_resources_reports_missing_files_only_when_asked(tmp_path: Path) -> None:
    design = _design_with_real_files(tmp_path)
    shutil.rmtree(tmp_path / "models" / "Llama-3.2-3B-Instruct")
    plain = ck("--format", "json", str(design))
    assert "CK280" not in {f["code"] for f in json.loads(plain.stdout)}
    checked = ck("--check-resources", "--format", "json", str(design))
    ck280 = [f for f in json.loads(checked.stdout) if f["code"] == "CK280"]
    assert len(ck280) == 1 and "Llama-3.2-3B-Instruct" in ck280[0]["message"]
    line = design.read_text().splitlines()[ck280[0]["line"] - 1]
    assert "models/Llama-3.2-3B-Instruct" in line


def test_pre_commit_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"ck-validate-summary", "ck-validate-log", "ck-validate-fix"}
    assert hooks["ck-validate-fix"]["entry"] == "ck-validate --fix"  # tests/test_fix.py runs it in git
    summary, log = hooks["ck-validate-summary"], hooks["ck-validate-log"]
    assert summary["entry"] == "ck-validate" and log["entry"] == "ck-validate --log"
    assert summary["language"] == log["language"] == "python"
    for name in ("experiment_summary.yaml", "exp/experiment_summary.yml"):
        assert re.search(summary["files"], name)
    assert not re.search(summary["files"], "experiment_summary.yaml.bak")
    assert re.search(log["files"], "logs/design-experiment.log")
    assert not re.search(log["files"], "design-experiment.log.old")


def test_unicode_in_findings_survives_an_ascii_terminal(tmp_path: Path) -> None:
    p = tmp_path / "experiment_summary.yaml"
    p.write_text("r\u00e9sum\u00e9: 1\nr\u00e9sum\u00e9: 2\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUTF8"}
    env["PYTHONIOENCODING"] = "ascii"
    proc = subprocess.run([CK_VALIDATE, str(p)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "CK002 error: duplicate key 'r\\xe9sum\\xe9'" in proc.stdout


def _benchmark_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ck_bench", REPO / "benchmarks" / "validate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_benchmark_designs_are_clean_and_the_script_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = _benchmark_module()
    design = bench.write_design(tmp_path, 25)
    proc = ck(str(design))
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout
    assert len(yaml.safe_load(design.read_text())["runs"]) == 25
    bench.main(["--sizes", "10", "--repeat", "1", "--no-jsonschema"])
    assert "ck-validate" in capsys.readouterr().out


def test_fixable_findings_end_with_how_to_fix_them(tmp_path: Path) -> None:
    """The hook shows ck-validate's output and nothing else: the `[*]` marks say how to apply
    them on the line after the summary, as ruff does; --fix itself and a file without `[*]`
    findings print no such line."""
    design = tmp_path / "experiment_summary.yaml"
    shutil.copy(REPO / "examples" / "typical-mistakes.yaml", design)
    r = ck(str(design))
    assert r.returncode == 1
    assert r.stderr.splitlines()[-2:] == [
        "3 errors, 0 warnings in 1 file",
        "[*] 3 fixable with `ck-validate --fix` (`--diff` previews the change)",
    ], r.stderr
    fixed = ck("--fix", str(design))
    assert "fixable with" not in fixed.stderr, fixed.stderr
    clean = ck(str(design))
    assert clean.returncode == 0 and "fixable with" not in clean.stderr, clean.stderr
