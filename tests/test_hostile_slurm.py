"""Issue 21, item 2: one rule for every value that reaches a SLURM script or a path (spec/naming.py
line_problem / slurm_value_problem), in the schema (ck-validate), at the wizard's questions (real
copier, through its Python API) and in the claude.local.md reader: one line, no control
characters, and for SLURM option values SLURM's own characters."""

from __future__ import annotations

import subprocess

import pytest
from copier import run_copy
from designs import line_of, make_design, write_design

from ck_design.facts import localconfig
from copier_support import answers_for
from tools import CK_VALIDATE

INJECTED = "ck-out-a\n#SBATCH --wrap=touch /tmp/pwned"
WRAP = "gpu --wrap=$(touch /tmp/pwned); #"


def _validate(tmp_path, data):
    path = write_design(tmp_path, data)
    r = subprocess.run([CK_VALIDATE, str(path)], capture_output=True, text=True, timeout=60)
    return r, path.read_text()


def test_a_newline_in_an_eval_only_checkpoint_path_is_an_error(tmp_path):
    data = make_design()
    data["runs"].append({"name": "old_rank8", "type": "eval-only", "model": data["runs"][0]["model"],
                         "parameters": {"checkpoint_path": INJECTED}})
    data["evaluation"]["matrix"].append({"run": "old_rank8", "vis_label": "old_rank8",
                                         "tasks": [data["evaluation"]["tasks"][0]["name"]], "epochs": None})
    r, text = _validate(tmp_path, data)
    assert r.returncode == 1
    line = line_of(text, "checkpoint_path:")
    i = len(data["runs"]) - 1
    assert (f":{line}:" in r.stdout and f"CK102 error: runs[{i}].parameters.checkpoint_path: " in r.stdout
            and "holds a newline: text that lands in a SLURM script or a path must be one line" in r.stdout), r.stdout


def test_a_partition_that_is_not_a_slurm_value_is_an_error(tmp_path):
    data = make_design()
    run = next(r for r in data["runs"] if r.get("slurm_overrides"))
    run["slurm_overrides"]["partition"] = WRAP
    r, text = _validate(tmp_path, data)
    assert r.returncode == 1
    assert ".slurm_overrides.partition: 'gpu --wrap=$(touch /tmp/pwned); #' holds ' ': a SLURM option value uses letters" in r.stdout
    # SLURM's own constraint expressions stay valid
    run["slurm_overrides"] = {"constraint": "a100&ib|[rack1|rack2]", "partition": "gpu.long"}
    assert _validate(tmp_path, data)[0].returncode == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"eval_checkpoints_wanted": True, "eval_checkpoints": [{"path": INJECTED, "label": "old"}]},
         "checkpoint 1's path holds a newline at character 9"),
        ({"full_gpu": True, "gpu_partition": WRAP}, "the partition 'gpu --wrap=$(touch /tmp/pwned); #' holds ' '"),
        ({"full_gpu": True, "gpu_constraint": "gpu80\n#SBATCH --wrap=id"}, "the constraint holds a newline"),
        ({"dataset_path": "/data/x\n#SBATCH --wrap=id"}, "the dataset path holds a newline"),
        ({"wandb_project": "p\r#SBATCH"}, "the W&B project holds a carriage return"),
    ],
)
def test_the_wizard_refuses_it_at_the_question(setup, monkeypatch, override, message):
    tmp, _, template, res = setup
    monkeypatch.setenv("HOME", str(tmp / "home"))
    dst = tmp / f"exp-{abs(hash(message))}"
    with pytest.raises(ValueError) as exc:
        run_copy(str(template), dst, data=answers_for(res, **override), defaults=True, unsafe=True, quiet=True)
    assert message in str(exc.value)
    assert not dst.exists(), "something was written"


def test_claude_local_md_values_that_cannot_reach_slurm_are_ignored_and_named(tmp_path):
    md = tmp_path / "claude.local.md"
    md.write_text(f"- **Partition**: `{WRAP}`\n- **Account**: `lab-a`\n- **Full GPU constraint**: `gpu80`\n")
    config = localconfig.load(env={"CK_LOCAL_CONFIG": str(md)}, cwd=tmp_path, home=tmp_path)
    assert config.values == {"account": "lab-a", "full_gpu_constraint": "gpu80"}
    assert config.refused == (f"Partition {WRAP!r} holds ' ': a SLURM option value uses letters, digits and "
                              ". _ - , : + @ % & | * ( ) [ ] only, and does not start with '-'",)
