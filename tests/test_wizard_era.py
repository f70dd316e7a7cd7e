"""The wizard writes the cruijff_kit schema the destination calls for (issue 19 items 2 and 3),
through the real copier CLI (and the real post-copy hook where it matters):

- {scratch}/ck-projects/{project}/{name}: the 0.3 schema, project from the path; the approval
  screen, README plan, log and post-copy checks speak of 0.3's folders;
- ck-experiments/: the seed schema, as always;
- anywhere else: the answer `cruijff_kit_schema` decides (default seed);
- an experiment rendered before the question existed keeps the seed schema on `copier update`
  (tests/test_upgrade.py's release, updated to this tree), wherever it sits.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from copier_support import CK_VALIDATE, COPIER, answers_for, clean_env, copier_update, make_scratch
from tools import CK_MIGRATE
from test_upgrade import CONFLICT, _template_history
from wizard_fixtures import base_answers, load_design, make_resources, render_cli

from ck_design.spec import era
from ck_design.wizard.approval import plan_text

NAME = "cap_rank_2026-11-25"


def _errors(path: Path) -> list[str]:
    done = subprocess.run([str(CK_VALIDATE), str(path)], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if " error: " in line]


def test_a_ck_projects_destination_gets_the_0_3_schema_hook_and_all(tmp_path: Path) -> None:
    res = make_resources(tmp_path)
    dst = Path(res["scratch"]) / "ck-projects" / "capitalization" / NAME
    done = render_cli(res, dst, base_answers(res, variables={"lora_rank": [4, 8]}), skip_tasks=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "schema:          cruijff_kit 0.3" in done.stdout + done.stderr
    text = (dst / "experiment_summary.yaml").read_text()
    design = load_design(dst)
    assert era.detect(design) == era.V03
    assert design["experiment"]["project"] == "capitalization"  # from the path
    assert design["experiment"]["dir"] == str(dst)
    assert design["data"]["training"]["dataset_label"] == "words_8L"
    assert design["evaluation"]["scorers"][0]["name"] == "match"
    for seed_key in ("directory:", "base_directory:", "checkpoint_pattern:", "\n  scorer:", "\n    label:"):
        assert seed_key not in text, seed_key
    assert "system_prompt" not in design["evaluation"]  # controls' is the one source in 0.3
    assert _errors(dst / "experiment_summary.yaml") == []
    readme = (dst / "README.md").read_text()
    assert f"{dst}/<run_name>/artifacts/epoch_<N>" in readme and "ck-outputs" not in readme
    assert f"checkpoints land in `{dst}`" in readme
    log = (dst / "logs" / "design-experiment.log").read_text()
    assert "Schema: cruijff_kit 0.3" in log
    assert "Checking free disk space under the experiment directory (0.3: checkpoints land there)" in log
    assert f"Checkpoints under: {dst} (<run>/artifacts/epoch_<N>)" in log
    log_check = subprocess.run([str(CK_VALIDATE), "--log", str(dst / "logs" / "design-experiment.log")],
                               capture_output=True, text=True)
    assert log_check.returncode == 0, log_check.stdout + log_check.stderr
    answers = (dst / ".copier-answers.yml").read_text()
    assert "ck-outputs" not in answers


def test_the_approval_screen_follows_the_era(tmp_path: Path) -> None:
    res = make_resources(tmp_path)
    dst = Path(res["scratch"]) / "ck-projects" / "capitalization" / NAME
    answers = {**answers_for(res), "cruijff_kit_schema": "0.3", "project": "capitalization", "experiment_name": NAME,
               "experiment_directory": str(dst)}
    text = plan_text(answers, str(dst))
    assert "Schema:               cruijff_kit 0.3 (project capitalization)" in text
    assert f"Checkpoints:          {dst}/<run>/artifacts/epoch_<N>" in text
    assert "ck-outputs" not in text
    seed = plan_text({**answers, "cruijff_kit_schema": "seed"}, str(dst))
    assert "Output directory:     " in seed and "/ck-outputs/" in seed and "Schema:" not in seed


def test_ck_experiments_stays_seed_and_elsewhere_the_answer_decides(tmp_path: Path) -> None:
    res = make_resources(tmp_path)
    seed_dst = Path(res["scratch"]) / "ck-experiments" / NAME
    assert render_cli(res, seed_dst, base_answers(res)).returncode == 0
    seed = load_design(seed_dst)
    assert era.detect(seed) == era.SEED and "base_directory" in seed["output"]

    elsewhere = tmp_path / "designs" / NAME
    assert render_cli(res, elsewhere, base_answers(res)).returncode == 0  # --defaults: seed
    assert era.detect(load_design(elsewhere)) == era.SEED
    assert "cruijff_kit_schema: seed" in (elsewhere / ".copier-answers.yml").read_text()

    chosen = tmp_path / "designs" / "chosen"
    done = render_cli(res, chosen, base_answers(res, cruijff_kit_schema="0.3", project="capitalization"))
    assert done.returncode == 0, done.stderr
    design = load_design(chosen)
    assert era.detect(design) == era.V03 and design["experiment"]["project"] == "capitalization"
    assert design["experiment"]["dir"] == str(chosen)  # where the files are; CK260 warns, no error
    assert _errors(chosen / "experiment_summary.yaml") == []
    recorded = yaml.safe_load((chosen / ".copier-answers.yml").read_text())
    assert recorded["cruijff_kit_schema"] == "0.3" and recorded["project"] == "capitalization"


def _released_experiment(tmp_path: Path, dst_of: Any) -> tuple[Path, dict[str, str]]:
    """An experiment rendered by tests/test_upgrade.py's release with that release's package, in
    the folder `dst_of(scratch)`; the template history's v0.0.2 is this tree."""
    env = clean_env(tmp_path / "home")
    template, released = _template_history(tmp_path, env)
    res = make_scratch(tmp_path / "res", models=("Llama-3.2-1B-Instruct",))
    dst = dst_of(Path(res["scratch"]))
    data = tmp_path / "answers.yml"
    data.write_text(yaml.safe_dump(answers_for(res), sort_keys=False))
    old_env = {**env, "PYTHONPATH": str(released / "validators")}
    r = subprocess.run([COPIER, "copy", "--trust", "--defaults", "--vcs-ref", "v0.0.1", "--data-file", str(data),
                        str(template), str(dst)], cwd=tmp_path, env=old_env, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return dst, env


def test_a_migrated_experiment_stays_0_3_on_update(tmp_path: Path) -> None:
    """ck-migrate on a released experiment, committed; `copier update` then renders 0.3 (the
    design's schema decides) and merges without a conflict, keeping the migrated values."""
    dst, env = _released_experiment(tmp_path, lambda scratch: scratch / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25")
    m = subprocess.run([CK_MIGRATE, "--project", "capitalization", "experiment_summary.yaml"], cwd=dst, env=env,
                       capture_output=True, text=True)
    assert m.returncode == 0, m.stderr
    migrated = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    subprocess.run(["git", "commit", "-qam", "ck-migrate", "--no-verify"], cwd=dst, env=env, check=True)

    u = copier_update(dst, env)
    assert u.returncode == 0, u.stdout + u.stderr
    text = (dst / "experiment_summary.yaml").read_text()
    assert not CONFLICT.search(text.encode())
    after = yaml.safe_load(text)
    assert era.detect(after) == era.V03
    assert after["experiment"] == migrated["experiment"] and after["output"] == migrated["output"]
    v = subprocess.run([CK_VALIDATE, "experiment_summary.yaml"], cwd=dst, env=env, capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    # The answers record what the design says (era leftover d): the migrated project, not the
    # task label the question defaults to, so the next update renders the same project.
    recorded = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert recorded["project"] == "capitalization", recorded


def test_an_experiment_rendered_before_keeps_the_seed_schema_on_update(tmp_path: Path) -> None:
    """The release of tests/test_upgrade.py, copied into a ck-projects/ folder (where a new
    design would be 0.3), then updated with this tree: it stays seed-era, cleanly."""
    dst, env = _released_experiment(
        tmp_path, lambda scratch: scratch / "ck-projects" / "capitalization" / "cap_lora_rank_comparison_2026-11-25")
    before = yaml.safe_load((dst / "experiment_summary.yaml").read_text())
    assert era.detect(before) == era.SEED

    u = copier_update(dst, env)
    assert u.returncode == 0, u.stdout + u.stderr
    after_text = (dst / "experiment_summary.yaml").read_text()
    assert not CONFLICT.search(after_text.encode())
    after = yaml.safe_load(after_text)
    assert era.detect(after) == era.SEED
    assert after["output"]["base_directory"] == before["output"]["base_directory"]
    assert "project" not in after["experiment"]
    v = subprocess.run([CK_VALIDATE, "experiment_summary.yaml"], cwd=dst, env=env, capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
