"""ck-migrate (issue 19 item 4): a seed-era design rewritten as a 0.3 one, through the real
console script: the result validates, its comments stay, a second run changes nothing, and a
result with errors is never written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from designs import NAME, SCRATCH, dump, make_design, write_design
from era_designs import PROJECT, SEED_TEMPLATE, V03_TEMPLATE, to_v03
from tools import CK_MIGRATE, CK_VALIDATE, REPO

from ck_design.spec import era


def _migrate(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CK_MIGRATE, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def _in_project(tmp_path: Path, text: str, project: str = PROJECT, name: str = "cap_4L_lora_rank_comparison_2026-02-25") -> Path:
    folder = tmp_path / "ck-projects" / project / name
    folder.mkdir(parents=True)
    path = folder / "experiment_summary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_seed_template_design_round_trips_to_a_valid_0_3_design(tmp_path: Path) -> None:
    original = SEED_TEMPLATE.read_text()
    path = _in_project(tmp_path, original)
    done = _migrate(path)
    assert done.returncode == 0, done.stderr
    migrated = path.read_text()
    data = yaml.safe_load(migrated)
    assert era.detect(data) == era.V03
    assert data["experiment"]["project"] == PROJECT  # from the path ck-projects/capitalization/
    assert data["experiment"]["dir"] == str(path.parent)  # the folder the file is in
    assert data["data"]["training"]["dataset_label"] == "words_4L"
    assert data["evaluation"]["scorers"] == [{"name": "match"}]
    assert "base_directory" not in data["output"] and "checkpoint_pattern" not in data["output"]
    assert "system_prompt" not in data["evaluation"]  # equal to controls': 0.3's one source
    # What was dropped and why, one line each.
    assert "dropped output.base_directory: 0.3 keeps checkpoints inside the experiment folder" in done.stderr
    assert "from the path ck-projects/capitalization/" in done.stderr
    # Comments stay: every comment of the original that is not on a dropped line.
    dropped = ("base_directory:", "checkpoint_pattern:", 'system_prompt: ""            # REQUIRED: must match')
    kept = [line.split("#", 1)[1] for line in original.splitlines() if "#" in line and not any(d in line for d in dropped)]
    assert len(kept) > 20
    for comment in kept:
        assert comment in migrated, comment
    valid = subprocess.run([CK_VALIDATE, str(path)], capture_output=True, text=True)
    assert valid.returncode == 0 and "0 errors" in valid.stderr, valid.stdout + valid.stderr
    # Idempotent: a 0.3 design is left byte for byte, and said so.
    again = _migrate(path)
    assert again.returncode == 0 and "already a 0.3 design" in again.stderr
    assert path.read_text() == migrated


def test_the_result_is_the_field_table_applied_by_hand(tmp_path: Path) -> None:
    data = make_design()
    path = write_design(tmp_path, data)
    assert _migrate("--project", PROJECT, path).returncode == 0
    expected = to_v03(make_design())  # evaluation.system_prompt (equal to controls') dropped
    assert "system_prompt" not in expected["evaluation"]
    got = yaml.safe_load(path.read_text())
    assert got == expected
    assert got["experiment"]["dir"] == f"{SCRATCH}/ck-projects/{PROJECT}/{NAME}"
    assert list(got["experiment"])[:2] == ["name", "project"]


def test_diff_previews_and_writes_nothing(tmp_path: Path) -> None:
    path = write_design(tmp_path, make_design())
    before = path.read_bytes()
    done = _migrate("--diff", "--project", PROJECT, path)
    assert done.returncode == 0
    assert done.stdout.startswith(f"--- {path}\n+++ {path}\n")
    assert "-  directory: " in done.stdout and "+  dir: " in done.stdout and "+  project: capitalization" in done.stdout
    assert "nothing written" in done.stderr
    assert path.read_bytes() == before


def test_diff_of_unicode_text_on_an_ascii_terminal_is_escaped_not_a_traceback(tmp_path: Path) -> None:
    # terminal.escape_unencodable_output, which every console script calls first: stdout (the diff)
    # would otherwise raise UnicodeEncodeError on a terminal that cannot encode the user's text.
    data = make_design()
    data["experiment"]["directory"] = data["experiment"]["directory"].replace(NAME, "r\u00e9sum\u00e9")
    path = write_design(tmp_path, data)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUTF8"}
    env["PYTHONIOENCODING"] = "ascii"
    done = subprocess.run([CK_MIGRATE, "--diff", "--project", PROJECT, str(path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "r\\xe9sum\\xe9" in done.stdout and "Traceback" not in done.stderr


def test_without_a_project_it_asks_for_one(tmp_path: Path) -> None:
    path = write_design(tmp_path, make_design())
    before = path.read_bytes()
    done = _migrate(path)
    assert done.returncode == 2
    assert "--project NAME" in done.stderr and done.stderr.count("\n") == 1
    assert path.read_bytes() == before
    unsafe = _migrate("--project", "cap/2026", path)
    assert unsafe.returncode == 1 and "not safe as a folder name" in unsafe.stderr
    assert path.read_bytes() == before


def test_a_result_with_errors_is_not_written(tmp_path: Path) -> None:
    data = make_design()
    data["data"]["training"]["format"] = "parquet"  # 0.3 reads json only
    path = write_design(tmp_path, data)
    before = path.read_bytes()
    done = _migrate("--project", PROJECT, path)
    assert done.returncode == 1
    assert "CK102 error: data.training.format: 'parquet' is not one of 'json'" in done.stdout
    assert "would have 1 error" in done.stderr and "nothing written" in done.stderr
    assert path.read_bytes() == before


def test_a_key_and_its_0_3_name_both_present_is_refused(tmp_path: Path) -> None:
    data = make_design()
    data["evaluation"]["scorers"] = [{"name": "includes"}]
    path = write_design(tmp_path, data)
    before = path.read_bytes()
    done = _migrate("--project", PROJECT, path)
    assert done.returncode == 1
    assert "both evaluation.scorer and evaluation.scorers are set" in done.stderr
    assert path.read_bytes() == before


def test_a_seed_era_sampling_temperature_keeps_sampling(tmp_path: Path) -> None:
    data = make_design()
    data["evaluation"]["temperature"] = 0.7  # the seed era sampled at it (no switch given)
    path = write_design(tmp_path, data)
    done = _migrate("--project", PROJECT, path)
    assert done.returncode == 0, done.stdout + done.stderr
    evaluation = yaml.safe_load(path.read_text())["evaluation"]
    assert evaluation["do_sample"] is True and list(evaluation).index("do_sample") == list(evaluation).index("temperature") + 1


def test_the_file_keeps_its_mode_and_unreadable_or_missing_files_are_usage_errors(tmp_path: Path) -> None:
    path = write_design(tmp_path, make_design())
    os.chmod(path, 0o640)
    assert _migrate("--project", PROJECT, path).returncode == 0
    assert os.stat(path).st_mode & 0o777 == 0o640
    missing = _migrate(tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert _migrate().returncode == 2


def test_a_0_3_design_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(V03_TEMPLATE.read_text())
    done = _migrate("--project", "other", path)
    assert done.returncode == 0 and "already a 0.3 design" in done.stderr
    assert path.read_text() == V03_TEMPLATE.read_text()


def test_no_hook_runs_it() -> None:
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    rendered = "".join(p.read_text() for p in (REPO / "template").rglob("*") if p.is_file())
    assert "ck-migrate" not in hooks and "ck-migrate" not in rendered


def test_a_dropped_key_takes_its_own_comment_and_leaves_the_next_keys(tmp_path: Path) -> None:
    text = SEED_TEMPLATE.read_text().replace(
        '  checkpoint_pattern: "ck-out-{run_name}/epoch_{N}"   # REQUIRED\n',
        '  checkpoint_pattern: "ck-out-{run_name}/epoch_{N}"   # REQUIRED\n'
        "                                   # Standard value: ck-out-{run_name}/epoch_{N}\n"
        "  # the W&B project, shared by the whole team\n",
    )
    path = _in_project(tmp_path, text)
    assert _migrate(path).returncode == 0
    migrated = path.read_text()
    assert "Standard value" not in migrated
    assert "output:\n  # the W&B project, shared by the whole team\n  wandb_project: cap-4L        # REQUIRED\n" in migrated


def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    """README.md's two ck-migrate lines, in the folder of a seed-era design, in order."""
    readme = (REPO / "README.md").read_text()
    lines = [line for line in readme.splitlines() if line.startswith("ck-migrate ")]
    assert len(lines) == 2 and "--diff" in lines[0] and "--diff" not in lines[1]
    path = write_design(tmp_path, make_design())
    before = path.read_bytes()
    preview = subprocess.run([CK_MIGRATE, *lines[0].split()[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert preview.returncode == 0 and preview.stdout.startswith("--- experiment_summary.yaml")
    assert path.read_bytes() == before
    done = subprocess.run([CK_MIGRATE, *lines[1].split()[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert era.detect(yaml.safe_load(path.read_text())) == era.V03


def test_a_half_migrated_file_gets_the_rest_and_validates(tmp_path: Path) -> None:
    """A mixed file (CK104 for ck-validate) whose 0.3 keys have no seed-era twin: the seed-era
    keys left are migrated, the 0.3 ones kept as they are."""
    data = make_design()
    data["data"]["training"]["dataset_label"] = data["data"]["training"].pop("label")
    data["evaluation"]["scorers"] = data["evaluation"].pop("scorer")
    path = write_design(tmp_path, data)
    mixed = subprocess.run([CK_VALIDATE, str(path)], capture_output=True, text=True)
    assert mixed.returncode == 1 and "CK104" in mixed.stdout
    done = _migrate("--project", PROJECT, path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "renamed experiment.directory -> experiment.dir" in done.stderr and "scorer ->" not in done.stderr
    got = yaml.safe_load(path.read_text())
    assert era.detect(got) == era.V03 and got["evaluation"]["scorers"][0]["name"] == "match"


def test_a_file_ruamel_cannot_rewrite_exactly_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "experiment_summary.yaml"
    path.write_bytes(dump(make_design()).replace("\n", "\r\n").encode())  # CRLF line ends
    before = path.read_bytes()
    done = _migrate("--project", PROJECT, path)
    assert done.returncode == 1
    assert "cannot rewrite it without reformatting the file" in done.stderr and "nothing written" in done.stderr
    assert path.read_bytes() == before
