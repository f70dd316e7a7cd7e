"""ck-scaffold: the job files of a design, field by field per era against ../shared/UPSTREAM.md
section 2 (the expected values below are written from that table, not from any output), the path
invariant for every cell, determinism, stale-file removal and the refusals."""

from __future__ import annotations

import hashlib
import os
import posixpath
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ck_design.facts import yamlwriter
from ck_design.scaffold import keys
from ck_design.spec import era as eras
from ck_design.spec.jobs import evaluation_cells
from ck_design.validate.cli import main as validate_main
from scaffold_support import NAME, SCRATCH, files_under, load, scaffold, scaffold_console, seed_design, to_v03, write

RUN = "Llama-3.2-1B-Instruct_rank4_lr1e-5"
CONTROL = "Llama-3.2-1B-Instruct_base"
OUT = f"{SCRATCH}/ck-outputs/{NAME}"
V03_DIR = f"{SCRATCH}/ck-projects/capitalization/{NAME}"
HEADER = "# generated from experiment_summary.yaml, do not edit: ck-scaffold rewrites it"
SCORERS = [{"name": "match", "params": {"location": "exact", "ignore_case": False}}]


def pure(data: dict[str, Any], site: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """The files keys.scaffold plans, parsed back from their bytes."""
    sc = keys.scaffold(data, keys.Site(site or {}))
    assert not sc.problems, sc.problems
    return {p.path: yaml.safe_load(yamlwriter.job_file(p.keys, keys.HEADER)) for p in sc.files}


def finetune_output(cfg: dict[str, Any]) -> str:
    """finetune.yaml's output_dir as upstream's setup_finetune computes it from these keys
    (seed: output_dir_base + experiment_name + /ck-out-{run}/; 0.3: project_dir + experiment_name
    + /{run}/artifacts/)."""
    run = cfg["my_wandb_run_name"]
    if "project_dir" in cfg:
        return f"{cfg['project_dir']}{cfg['experiment_name']}/{run}/artifacts/"
    return f"{cfg['output_dir_base']}{cfg['experiment_name']}/ck-out-{run}/"


# --- seed era, field by field ----------------------------------------------------------------


def test_seed_setup_finetune_field_by_field(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    data = seed_design()
    data["controls"]["packing"] = True  # ck-design's packing is upstream's packed
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 0, r.stderr
    text = (exp / RUN / "setup_finetune.yaml").read_text()
    assert text.splitlines()[0] == HEADER
    assert load(exp / RUN / "setup_finetune.yaml") == {
        "my_wandb_run_name": RUN,
        "my_wandb_project": "ck-capitalization",
        "torchtune_model_name": "Llama-3.2-1B-Instruct",
        "model_checkpoint": f"{SCRATCH}/models/Llama-3.2-1B-Instruct",
        "models_dir": f"{SCRATCH}/models",
        "input_dir_base": f"{SCRATCH}/data/",
        "dataset_label": "words_8L_500",
        "dataset_ext": ".json",
        "input_formatting": "",
        "dataset_type": "chat_completion",  # an instruct model's default
        "output_dir_base": f"{SCRATCH}/ck-outputs/",
        "experiment_name": NAME,
        "epochs": 2, "batch_size": 4, "gradient_accumulation_steps": 1, "weight_decay": 0.01, "lora_dropout": 0.0,
        "lora_rank": 4, "lr": 1e-05, "num_warmup_steps": 10, "max_seq_len": 2048, "packed": True,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "",
        "run_val_every_n_steps": 50,
        "training_samples": 400,
        "custom_recipe": "cruijff_kit.tools.torchtune.custom_recipes.lora_finetune_single_device_stable",
        "gpus": 1,
        "constraint": "gpu80",
    }
    # A control trains nothing: no setup_finetune.yaml.
    assert not (exp / CONTROL / "setup_finetune.yaml").exists()


def test_seed_evaluation_configs_field_by_field(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    assert scaffold(exp).returncode == 0
    common = {
        "task_script": f"{SCRATCH}/tasks/capitalization_hard.py@capitalization_hard",
        "task_name": "capitalization_hard",
        "data_path": f"{SCRATCH}/data/words_8L_500.json",  # no dataset given: the training data
        "use_chat_template": True,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "",
        "scorer": SCORERS,
    }
    assert load(exp / RUN / "eval" / "capitalization_hard_epoch1" / "eval_config.yaml") == {
        **common,
        "model_path": f"{OUT}/ck-out-{RUN}/epoch_1",
        "model_hf_name": f"hf/{RUN}_epoch_1",
        "output_dir": f"{OUT}/ck-out-{RUN}/",
        "vis_label": "1B_rank4_lr1e-5",
        "finetuned": True,
        "epoch": 1,
    }
    assert load(exp / CONTROL / "eval" / "capitalization_hard" / "eval_config.yaml") == {
        **common,
        "model_path": f"{SCRATCH}/models/Llama-3.2-1B-Instruct",
        "model_hf_name": f"hf/{CONTROL}",
        "output_dir": f"{OUT}/ck-out-{CONTROL}/",
        "vis_label": "1B_base",
        "finetuned": False,
    }
    # `dataset: same` is the training data too.
    first = load(exp / RUN / "eval" / "capitalization_epoch0" / "eval_config.yaml")
    assert first["data_path"] == f"{SCRATCH}/data/words_8L_500.json"


def test_one_file_per_cell_and_none_other(tmp_path: Path) -> None:
    data = seed_design()
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 0, r.stderr
    written = set(files_under(exp)) - {keys.MANIFEST, keys.SUBMIT}
    trained = {f"{r['name']}/setup_finetune.yaml" for r in data["runs"] if r["type"] == "fine-tuned"}
    cells = {keys.evaluation_file(eras.SEED, c) for c in evaluation_cells(data)}
    assert written == trained | cells
    assert len(cells) == 8 * 2 * 2 + 2 * 2  # 8 runs x 2 tasks x epochs 0, 1; 2 controls x 2 tasks
    assert "8 training jobs, 36 evaluation jobs" in r.stdout
    assert "next: ck-scaffold --render" in r.stdout


# --- 0.3 era, field by field (the pure layer; the CLI once the validator reads 0.3) ------------


def test_v03_setup_finetune_field_by_field() -> None:
    data = to_v03(seed_design())
    data["controls"]["seed"] = 7
    data["controls"]["packing"] = True
    run = data["runs"][0]
    run["compute"] = {"time": "01:30:00", "gpus": 2, "mem": "64G", "cpus_per_task": 8}
    files = pure(data, {"conda_env": "cruijff", "account": "lab", "partition": "gpu", "constraint": "a100"})
    assert list(files)[0] == f"{RUN}/setup_finetune.yaml"
    assert files[f"{RUN}/setup_finetune.yaml"] == {
        "my_wandb_run_name": RUN,
        "my_wandb_project": "ck-capitalization",
        "torchtune_model_name": "Llama-3.2-1B-Instruct",
        "model_checkpoint": f"{SCRATCH}/models/Llama-3.2-1B-Instruct",
        "models_dir": f"{SCRATCH}/models",
        "input_dir_base": f"{SCRATCH}/data/",
        "dataset_label": "words_8L_500",
        "dataset_ext": ".json",
        "input_formatting": "",
        "dataset_type": "chat_completion",
        # the parent of experiment.dir and its last component, never the whole path
        "project_dir": f"{SCRATCH}/ck-projects/capitalization/",
        "experiment_name": NAME,
        "epochs": 2, "batch_size": 4, "gradient_accumulation_steps": 1, "weight_decay": 0.01, "lora_dropout": 0.0,
        "lora_rank": 4, "lr": 1e-05, "num_warmup_steps": 10, "max_seq_len": 2048, "packed": True,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "",
        "seed": 7,
        "run_val_every_n_steps": 50,
        "training_samples": 400,
        # two GPUs: the distributed recipe
        "custom_recipe": "cruijff_kit.tools.torchtune.custom_recipes.lora_finetune_distributed_stable",
        "time": "01:30:00", "gpus": 2, "mem": "64G", "cpus_per_task": 8,
        # claude.local.md, but the run's slurm_overrides win
        "conda_env": "cruijff", "account": "lab", "partition": "gpu", "constraint": "gpu80",
    }
    one_gpu = files[f"{data['runs'][1]['name']}/setup_finetune.yaml"]
    assert one_gpu["custom_recipe"] == "cruijff_kit.tools.torchtune.custom_recipes.lora_finetune_single_device_nightly"
    assert "time" not in one_gpu and "mem" not in one_gpu  # no compute block: nothing invented


def test_v03_evaluation_configs_field_by_field() -> None:
    data = to_v03(seed_design())
    ev = data["evaluation"]
    ev.update({"temperature": 0.7, "do_sample": True, "max_tokens": 20, "max_connections": 8, "seed": 3})
    data["runs"].append({"name": "prior_ckpt", "type": "eval-only", "model": "Llama-3.2-3B-Instruct",
                         "parameters": {"checkpoint_path": "/scratch/old/ck-out-x/epoch_0"}})
    ev["matrix"].append({"run": "prior_ckpt", "vis_label": "prior", "tasks": ["capitalization"], "epochs": None})
    files = pure(data)
    settings = {"temperature": 0.7, "do_sample": True, "max_tokens": 20, "max_connections": 8, "seed": 3,
                "dataset_type": "chat_completion"}
    art = f"{V03_DIR}/{RUN}/artifacts/"
    assert files[f"{RUN}/eval/capitalization_hard_epoch0/eval.yaml"] == {
        "task_script": f"{SCRATCH}/tasks/capitalization_hard.py@capitalization_hard",
        "task_name": "capitalization_hard",
        "model_path": f"{art}epoch_0",
        "model_hf_name": f"hf/{RUN}_epoch_0",
        "output_dir": art,
        "data_path": f"{SCRATCH}/data/words_8L_500.json",
        # 0.3: an entry with several tasks labels each cell with its task
        "vis_label": "1B_rank4_lr1e-5 (capitalization_hard)",
        "use_chat_template": True,
        "prompt": "Capitalize: {input}\n",
        "system_prompt": "",
        "scorers": SCORERS,
        "is_finetuned": True,
        "epoch": 0,
        "source_model": "Llama-3.2-1B-Instruct",
        **settings,
    }
    control = files[f"{CONTROL}/eval/capitalization/eval.yaml"]
    assert control["model_path"] == f"{SCRATCH}/models/Llama-3.2-1B-Instruct"
    assert control["model_hf_name"] == f"hf/{CONTROL}"
    assert control["is_finetuned"] is False and "epoch" not in control
    assert control["output_dir"] == f"{V03_DIR}/{CONTROL}/artifacts/"
    only = files["prior_ckpt/eval/capitalization/eval.yaml"]
    assert only["model_path"] == "/scratch/old/ck-out-x/epoch_0"
    assert only["model_hf_name"] == "hf/prior_ckpt"
    assert only["is_finetuned"] is True and "epoch" not in only
    assert only["vis_label"] == "prior"  # one task: the entry's label as it is
    assert only["source_model"] == "Llama-3.2-3B-Instruct"
    assert not any(p.startswith("prior_ckpt/") and p.endswith("setup_finetune.yaml") for p in files)


def test_v03_generation_settings_absent_are_not_written() -> None:
    files = pure(to_v03(seed_design()))
    cfg = files[f"{RUN}/eval/capitalization_epoch1/eval.yaml"]
    for key in ("temperature", "do_sample", "max_tokens", "max_connections", "seed", "assistant_prefix"):
        assert key not in cfg
    assert cfg["dataset_type"] == "chat_completion"


# --- several tasks and epochs, swept prompts, per-task overrides -------------------------------


def test_swept_prompts_with_per_task_overrides(tmp_path: Path) -> None:
    prompts = ["Capitalize: {input}\n", "Upper-case this word: {input}\n"]
    data = seed_design(models=("Llama-3.2-1B-Instruct",), variables={"prompt": prompts}, epochs=3)
    data["evaluation"]["tasks"][1]["prompt"] = "HARD: {input}\n"
    data["evaluation"]["tasks"][1]["system_prompt"] = "Be exact."
    data["evaluation"]["tasks"][1]["dataset"] = f"{SCRATCH}/data/hard.json"
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 0, r.stdout + r.stderr
    run2 = "Llama-3.2-1B-Instruct_prompt2"
    assert load(exp / run2 / "setup_finetune.yaml")["prompt"] == prompts[1]  # trains with its own prompt
    for epoch in (0, 1, 2):
        own = load(exp / run2 / "eval" / f"capitalization_epoch{epoch}" / "eval_config.yaml")
        assert (own["prompt"], own["system_prompt"], own["epoch"]) == (prompts[1], "", epoch)
        hard = load(exp / run2 / "eval" / f"capitalization_hard_epoch{epoch}" / "eval_config.yaml")
        assert (hard["prompt"], hard["system_prompt"]) == ("HARD: {input}\n", "Be exact.")  # the task's own wins
        assert hard["data_path"] == f"{SCRATCH}/data/hard.json"
    control = load(exp / CONTROL / "eval" / "capitalization" / "eval_config.yaml")
    assert control["prompt"] == prompts[0]  # controls.prompt is the first swept value
    # Every value is one line: the prompt's newline is escaped, never a line break in the file.
    for rel, blob in files_under(exp).items():
        if rel in (keys.MANIFEST, keys.SUBMIT):
            continue
        lines = blob.decode().splitlines()
        assert lines[0] == HEADER
        for line in lines[1:]:
            assert len(yaml.safe_load(line)) == 1, (rel, line)


# --- the invariants ----------------------------------------------------------------------------

PATH_KEYS = ("model_checkpoint", "models_dir", "input_dir_base", "output_dir_base", "project_dir",
             "model_path", "output_dir", "data_path")


@pytest.mark.parametrize("era", [eras.SEED, eras.V03])
def test_path_invariant_for_every_cell(era: str) -> None:
    data = seed_design(eval_epochs="all", epochs=3)
    data["variables"]["epochs"] = [1, 3]  # runs of different lengths
    data["controls"].pop("epochs")
    from ck_design.spec import sweep
    data["runs"] = sweep.generate_runs(["Llama-3.2-1B-Instruct"], data["variables"], True)
    data["evaluation"]["matrix"] = sweep.build_matrix(data["runs"], ["capitalization", "capitalization_hard"],
                                                      eval_epochs="all", epochs=3, variables=data["variables"])
    if era == eras.V03:
        data = to_v03(data)
    files = pure(data)
    config = keys.EVAL_CONFIG[era]
    checked = 0
    for rel, cfg in files.items():
        for key in PATH_KEYS:
            if key in cfg:
                assert str(cfg[key]).startswith("/"), (rel, key)
        if not rel.endswith(config) or "epoch" not in cfg:
            continue
        run = rel.split("/")[0]
        output = finetune_output(files[f"{run}/setup_finetune.yaml"])
        assert cfg["model_path"] == f"{output}epoch_{cfg['epoch']}"
        assert cfg["output_dir"] == output
        assert rel == f"{run}/eval/{cfg['task_name']}_epoch{cfg['epoch']}/{config}"
        checked += 1
    assert checked == sum(1 for c in evaluation_cells(data) if isinstance(c.epoch, int))
    # rank x lr (4 points) x epochs 1 or 3 (1 + 3 checkpoints) x 2 tasks
    assert checked == 4 * (1 + 3) * 2


def test_deterministic_byte_identical_and_rerun_changes_nothing(tmp_path: Path) -> None:
    data = seed_design()
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, data)
    write(b, data)
    assert scaffold(a).returncode == 0
    assert scaffold(b).returncode == 0
    assert files_under(a) == files_under(b)
    before = {p: (a / p).stat().st_mtime_ns for p in files_under(a)}
    r = scaffold(a)
    assert r.returncode == 0
    assert "0 written, 0 updated, 0 removed, 45 unchanged" in r.stdout
    assert {p: (a / p).stat().st_mtime_ns for p in files_under(a)} == before
    assert scaffold(a, "--check").returncode == 0


def test_design_change_rewrites_and_removes_only_its_own_stale_files(tmp_path: Path) -> None:
    data = seed_design()
    exp = tmp_path / "exp"
    write(exp, data)
    assert scaffold(exp).returncode == 0
    notes = exp / RUN / "notes.txt"
    notes.write_text("mine\n")  # a researcher's file inside a run folder that goes away
    gone = "Llama-3.2-3B-Instruct_rank8_lr1e-4"
    data["runs"] = [r for r in data["runs"] if r["name"] not in (RUN, gone)]
    data["evaluation"]["matrix"] = [m for m in data["evaluation"]["matrix"] if m["run"] not in (RUN, gone)]
    data["controls"]["batch_size"] = 8
    write(exp, data)
    check = scaffold(exp, "--check")
    assert check.returncode == 1
    assert f"{exp / gone / 'setup_finetune.yaml'}: stale (remove)" in check.stdout
    assert f"{exp / data['runs'][0]['name'] / 'setup_finetune.yaml'}: stale (update)" in check.stdout
    diff = scaffold(exp, "--diff")
    assert diff.returncode == 1 and "-batch_size: 4\n+batch_size: 8\n" in diff.stdout
    assert (exp / gone).is_dir()  # neither wrote anything
    r = scaffold(exp)
    assert r.returncode == 0, r.stderr
    assert "0 written, 7 updated, 10 removed" in r.stdout
    assert not (exp / gone).exists()  # its folders went with its files
    assert notes.read_text() == "mine\n" and not (exp / RUN / "setup_finetune.yaml").exists()
    assert load(exp / data["runs"][0]["name"] / "setup_finetune.yaml")["batch_size"] == 8
    assert scaffold(exp, "--check").returncode == 0


def _log_entries(exp: Path) -> list[dict[str, str]]:
    """The design log's entries: the action (`_`) and each `Key: value` line."""
    entries = []
    for block in (exp / "logs" / "design-experiment.log").read_text().strip("\n").split("\n\n"):
        header, *lines = block.splitlines()
        entries.append({"_": header.split("] ", 1)[1], **dict(line.split(": ", 1) for line in lines)})
    return entries


def test_each_scaffold_that_changes_files_is_recorded_in_the_design_log(tmp_path: Path) -> None:
    data = seed_design()
    exp = tmp_path / "exp"
    design = write(exp, data)
    start = "[2026-12-01 09:00:00] START_DESIGN\nDetails: by hand\nExperiment: x\nType: t\nDirectory: d\nResult: success\n"
    (exp / "logs").mkdir()
    (exp / "logs" / "design-experiment.log").write_text(start)
    assert scaffold(exp).returncode == 0
    first = _log_entries(exp)[-1]
    assert first["_"] == "SCAFFOLD_JOBS" and first["Result"] == "success"
    assert first["Details"] == "Job files written by ck-scaffold from experiment_summary.yaml"
    assert (first["Written"], first["Updated"], first["Removed"], first["Unchanged"]) == ("45", "0", "0", "0")
    assert first["Design SHA-256"] == hashlib.sha256(design.read_bytes()).hexdigest()
    assert first["Training jobs"] == str(sum(r["type"] == "fine-tuned" for r in data["runs"]))
    assert scaffold(exp).returncode == 0  # nothing changed: nothing recorded
    data["controls"]["batch_size"] = 8
    write(exp, data)
    assert scaffold(exp, "--check").returncode == 1 and scaffold(exp, "--diff").returncode == 1
    assert len(_log_entries(exp)) == 2  # --check, --diff and the unchanged rerun wrote nothing
    assert scaffold(exp, "--sync").returncode == 1  # the commit hook rewrote them
    synced = _log_entries(exp)[-1]
    assert synced["Details"].startswith("Job files written by ck-scaffold --sync")
    assert (synced["Updated"], synced["Design SHA-256"]) == ("8", hashlib.sha256(design.read_bytes()).hexdigest())
    assert len(_log_entries(exp)) == 3
    assert validate_main(["--log", str(exp / "logs" / "design-experiment.log")]) == 0


def test_a_folder_without_a_design_log_gets_none_and_a_linked_log_is_not_followed(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    assert scaffold(exp).returncode == 0
    assert not (exp / "logs" / "design-experiment.log").exists()  # no log is started for a hand-made folder
    elsewhere = tmp_path / "elsewhere.log"
    elsewhere.write_text("")
    (exp / "logs" / "design-experiment.log").symlink_to(elsewhere)
    data = seed_design()
    data["controls"]["batch_size"] = 8
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 0, r.stderr  # the job files are written; the log is a warning
    assert "ck-scaffold: warning: " in r.stderr and "not recorded in the design log" in r.stderr
    assert elsewhere.read_text() == ""


# --- refusals ----------------------------------------------------------------------------------


def test_design_with_errors_writes_nothing(tmp_path: Path) -> None:
    data = seed_design()
    data["evaluation"]["matrix"][0]["epochs"] = [1, 2]  # epoch 2 is past training (CK210)
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 1
    assert "CK210" in r.stdout and "nothing written" in r.stderr
    assert files_under(exp) == {}


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", "-rf"])
def test_unsafe_run_name_never_reaches_the_disk(tmp_path: Path, name: str) -> None:
    data = seed_design()
    old = data["runs"][0]["name"]
    data["runs"][0]["name"] = name
    data["evaluation"]["matrix"][0]["run"] = name
    exp = tmp_path / "deep" / "exp"
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 1 and "CK264" in r.stdout, r.stdout + r.stderr
    assert files_under(tmp_path) == {}
    # Around the validator, the layout refuses it too.
    with pytest.raises(keys.UnsafeName, match="not a safe folder name"):
        keys.scaffold(data)
    assert old


def test_unsafe_task_name_refused_by_the_layout() -> None:
    data = seed_design()
    data["evaluation"]["tasks"][0]["name"] = "../../x"
    for entry in data["evaluation"]["matrix"]:
        entry["tasks"] = ["../../x" if t == "capitalization" else t for t in entry["tasks"]]
    with pytest.raises(keys.UnsafeName, match="task name '../../x'"):
        keys.scaffold(data)


def test_relative_path_is_refused(tmp_path: Path) -> None:
    data = seed_design()
    data["models"]["base"][0]["path"] = "models/Llama-3.2-1B-Instruct"
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 1
    assert "models.base[Llama-3.2-1B-Instruct].path: 'models/Llama-3.2-1B-Instruct' is not an absolute path" in r.stderr
    assert files_under(exp) == {}


def test_file_in_the_way_is_never_overwritten(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    mine = exp / RUN / "setup_finetune.yaml"
    mine.parent.mkdir()
    mine.write_text("my own setup\n")
    r = scaffold(exp)
    assert r.returncode == 1
    assert f"{mine}: not written by ck-scaffold" in r.stderr and "nothing written" in r.stderr
    assert mine.read_text() == "my own setup\n"
    assert set(files_under(exp)) == {f"{RUN}/setup_finetune.yaml"}


def test_edited_generated_file_is_not_overwritten(tmp_path: Path) -> None:
    data = seed_design()
    exp = tmp_path / "exp"
    write(exp, data)
    assert scaffold(exp).returncode == 0
    target = exp / RUN / "setup_finetune.yaml"
    target.write_text(target.read_text() + "# my note\n")
    data["controls"]["batch_size"] = 8
    write(exp, data)
    r = scaffold(exp)
    assert r.returncode == 1 and f"{target}: edited since ck-scaffold wrote it" in r.stderr
    assert target.read_text().endswith("# my note\n")
    assert load(exp / data["runs"][1]["name"] / "setup_finetune.yaml")["batch_size"] == 4  # nothing written


def test_symlinks_and_special_files_are_refused(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    outside = tmp_path / "outside"
    outside.mkdir()
    (exp / RUN).symlink_to(outside)  # a run folder pointing elsewhere
    r = scaffold(exp)
    assert r.returncode == 1 and f"{exp / RUN}: is a symlink" in r.stderr
    assert list(outside.iterdir()) == []
    (exp / RUN).unlink()
    (exp / RUN).mkdir()
    (exp / RUN / "setup_finetune.yaml").symlink_to(outside / "target")
    r = scaffold(exp)
    assert r.returncode == 1 and "is a symlink; ck-scaffold never writes through one" in r.stderr
    assert not (outside / "target").exists()
    (exp / RUN / "setup_finetune.yaml").unlink()
    os.mkfifo(exp / RUN / "setup_finetune.yaml")
    r = scaffold(exp)
    assert r.returncode == 1 and "is a FIFO" in r.stderr
    (exp / RUN / "setup_finetune.yaml").unlink()
    assert scaffold(exp).returncode == 0
    # Deeper on the way: the run's eval/ folder a link, then a cell's folder a plain file.
    cell = next(p for p in (exp / RUN / "eval").iterdir())
    (exp / RUN / "eval").rename(outside / "eval")
    (exp / RUN / "eval").symlink_to(outside / "eval")
    r = scaffold(exp, "--check")
    assert r.returncode == 1 and f"{exp / RUN / 'eval'}: is a symlink; ck-scaffold writes only into real folders" in r.stderr
    (exp / RUN / "eval").unlink()
    (outside / "eval").rename(exp / RUN / "eval")
    for f in cell.iterdir():
        f.unlink()
    cell.rmdir()
    cell.write_text("mine\n")
    r = scaffold(exp)
    assert r.returncode == 1 and f"{cell}: is a file, not a folder; ck-scaffold would write" in r.stderr
    assert cell.read_text() == "mine\n"


def test_a_lost_manifest_adopts_identical_files(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    assert scaffold(exp).returncode == 0
    (exp / keys.MANIFEST).unlink()
    r = scaffold(exp)
    assert r.returncode == 0 and "45 unchanged" in r.stdout
    assert (exp / keys.MANIFEST).is_file()


def _unshare_works() -> bool:
    import shutil
    import subprocess

    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


def _in_small_fs(tmp_path: Path, script: str) -> Any:
    """Run `script` (sh) in a user+mount namespace where $FS is a fresh 64 KB tmpfs."""
    import subprocess
    import sys

    fs = tmp_path / "fs"
    fs.mkdir()
    env = {**os.environ, "FS": str(fs), "CK": str(Path(sys.executable).parent / "ck-scaffold"),
           "CK_LOCAL_CONFIG": str(tmp_path / "none"), "HOME": str(tmp_path)}
    full = f"set -e; mount -t tmpfs -o size=64k tmpfs \"$FS\"; {script}"
    return subprocess.run(["unshare", "-rm", "sh", "-c", full], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces)")
def test_disk_full_is_one_message_and_no_half_written_file(tmp_path: Path) -> None:
    design = write(tmp_path / "src", seed_design())
    r = _in_small_fs(tmp_path, f'mkdir "$FS/exp"; cp "{design}" "$FS/exp/"; head -c 40000 /dev/zero > "$FS/ballast";'
                               ' "$CK" "$FS/exp" || echo "rc=$?"; find "$FS/exp" -name "*ck-scaffold-tmp*" | wc -l;'
                               ' for f in $(find "$FS/exp" -name "*.yaml" ! -name experiment_summary.yaml); do'
                               ' head -1 "$f" | grep -q "^# generated" || echo "HALF $f"; tail -c 1 "$f" | od -c | grep -q "\\\\n" || echo "CUT $f"; done')
    assert "rc=1" in r.stdout, r.stdout + r.stderr
    assert "no space left (the disk is full or over quota)" in r.stderr
    assert "nothing half-written is left" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "HALF" not in r.stdout and "CUT" not in r.stdout
    assert "\n0\n" in r.stdout  # no temporary file left


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces)")
def test_read_only_folder_is_one_message(tmp_path: Path) -> None:
    design = write(tmp_path / "src", seed_design())
    r = _in_small_fs(tmp_path, f'mkdir "$FS/exp"; cp "{design}" "$FS/exp/"; mount -o remount,ro "$FS";'
                               ' "$CK" "$FS/exp" || echo "rc=$?"; ls "$FS/exp"')
    assert "rc=1" in r.stdout, r.stdout + r.stderr
    assert "the file system is read-only" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stdout.split("rc=1")[1].split() == ["experiment_summary.yaml"]


def test_missing_design_is_a_usage_error(tmp_path: Path) -> None:
    r = scaffold(tmp_path)
    assert r.returncode == 2 and "experiment_summary.yaml: no such file" in r.stderr


def test_site_settings_come_from_claude_local_md(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    cfg = tmp_path / "claude.local.md"
    cfg.write_text("- **Default conda environment**: `ck`\n- **Account**: `lab`\n- **Partition**: `<partition>`\n")
    r = scaffold(exp, env={"CK_LOCAL_CONFIG": str(cfg)})
    assert r.returncode == 0, r.stderr
    cfg_ = load(exp / RUN / "setup_finetune.yaml")
    assert (cfg_["conda_env"], cfg_["account"], cfg_.get("partition")) == ("ck", "lab", None)
    assert posixpath.isabs(cfg_["models_dir"])


def test_v03_through_the_cli_matches_the_table(tmp_path: Path) -> None:
    data = to_v03(seed_design())
    data["evaluation"].update({"temperature": 0.7, "do_sample": True, "max_tokens": 20, "seed": 3})
    data["runs"].append({"name": "prior_ckpt", "type": "eval-only", "model": "Llama-3.2-3B-Instruct",
                         "parameters": {"checkpoint_path": "/scratch/old/ck-out-x/epoch_0"}})
    data["evaluation"]["matrix"].append({"run": "prior_ckpt", "vis_label": "prior", "tasks": ["capitalization"], "epochs": None})
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold_console(exp)  # the installed console script (the other tests call its function)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0.3-era design: 8 training jobs, 37 evaluation jobs" in r.stdout
    expected = pure(data)
    on_disk = {rel: yaml.safe_load(blob) for rel, blob in files_under(exp).items() if rel.endswith(".yaml")}
    assert on_disk == expected
    assert on_disk["prior_ckpt/eval/capitalization/eval.yaml"]["model_path"] == "/scratch/old/ck-out-x/epoch_0"
    assert on_disk[f"{RUN}/eval/capitalization_epoch0/eval.yaml"]["model_path"] == f"{V03_DIR}/{RUN}/artifacts/epoch_0"


# --- the one-line writer: its shortcut gives yaml.dump's own bytes ------------------------------

@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(yamlwriter._JOB_PLAIN, fullmatch=True), st.text(max_size=30),
                 st.sampled_from(["yes", "No", "ON", "null", "y", "n", "true", "1e-5", "/a b", "a: b", "- x", "#x"])))
def test_the_plain_string_shortcut_is_yaml_dumps_own(value: str) -> None:
    assert yamlwriter.job_value(value) == yamlwriter._job_value_slow(value)
    line = yamlwriter.job_file({"k": value}, "h").decode().splitlines()[1]
    assert yaml.safe_load(line) == {"k": value}


def test_every_key_written_is_plain_yaml() -> None:
    data = to_v03(seed_design())
    data["runs"][0]["compute"] = {"time": "01:00:00", "gpus": 1, "mem": "32G", "cpus_per_task": 4}
    for planned in keys.scaffold(data, keys.Site({k: "x" for k in keys.SITE_KEYS})).files + keys.scaffold(seed_design()).files:
        for k in planned.keys:
            assert yamlwriter._JOB_PLAIN.fullmatch(k) and yamlwriter.job_value(k) == k


def test_python_without_render_is_a_usage_error(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, seed_design())
    r = scaffold(exp, "--python", "/usr/bin/python3")
    assert r.returncode == 2 and "--python names the Python for --render" in r.stderr
    assert files_under(exp) == {}


def test_a_machine_without_claude_local_md_reproduces_the_same_files(tmp_path: Path) -> None:
    """CI has no claude.local.md: the settings the files were written with are recorded in the
    manifest, so --check (and the commit hook CI runs) finds nothing stale."""
    exp = tmp_path / "exp"
    write(exp, seed_design())
    cfg = tmp_path / "claude.local.md"
    cfg.write_text("- **Default conda environment**: `ck`\n- **Account**: `lab`\n")
    assert scaffold(exp, env={"CK_LOCAL_CONFIG": str(cfg)}).returncode == 0
    assert load(exp / RUN / "setup_finetune.yaml")["account"] == "lab"
    check = scaffold(exp, "--check")  # no claude.local.md in reach
    assert check.returncode == 0, check.stdout + check.stderr
    assert scaffold(exp, "--sync").returncode == 0
    assert load(exp / RUN / "setup_finetune.yaml")["account"] == "lab"
    # Another claude.local.md found: its settings win, and the files are stale until rewritten.
    cfg.write_text("- **Default conda environment**: `ck`\n- **Account**: `other`\n")
    assert scaffold(exp, "--check", env={"CK_LOCAL_CONFIG": str(cfg)}).returncode == 1
    assert scaffold(exp, env={"CK_LOCAL_CONFIG": str(cfg)}).returncode == 0
    assert load(exp / RUN / "setup_finetune.yaml")["account"] == "other"
    assert scaffold(exp, "--check").returncode == 0
