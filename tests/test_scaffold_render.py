"""ck-scaffold --render and submit.sh.

--render runs against a small stand-in cruijff_kit package written here, with upstream's real
command-line shape (`python -m cruijff_kit.tools.torchtune.setup_finetune --config_file F`,
`python -m cruijff_kit.tools.inspect.setup_inspect --config F --model_name M ...`, writing into
the current folder) and upstream's refusal of a model it does not know. submit.sh runs against a
recording `sbatch` on PATH: the test checks the dependency graph, not SLURM.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ck_design.scaffold import keys
from scaffold_support import BIN, NAME, absolute, files_under, load, to_v03, write
from scaffold_support import scaffold_console as scaffold  # --render starts processes of its own
from designs import make_design

# End-to-end (tests/conftest.py): a process of cruijff_kit's per job, submit.sh under sh; not in make test-fast.
pytestmark = pytest.mark.e2e

RUN = "Llama-3.2-1B-Instruct_rank4_lr1e-5"
CONTROL = "Llama-3.2-1B-Instruct_base"

SETUP_FINETUNE = '''
import argparse, yaml
KNOWN = {known}
p = argparse.ArgumentParser()
p.add_argument("--config_file", default="setup_finetune.yaml")
a = p.parse_args()
cfg = yaml.safe_load(open(a.config_file))
if cfg["torchtune_model_name"] not in KNOWN:
    raise ValueError("Unknown model: " + repr(cfg["torchtune_model_name"]))
if "project_dir" in cfg:  # 0.3
    out = cfg["project_dir"] + cfg["experiment_name"] + "/" + cfg["my_wandb_run_name"] + "/artifacts/"
else:
    out = cfg["output_dir_base"] + cfg["experiment_name"] + "/ck-out-" + cfg["my_wandb_run_name"] + "/"
yaml.safe_dump({{"output_dir": out, "epochs": cfg["epochs"]}}, open("finetune.yaml", "w"))
open("finetune.slurm", "w").write("#!/bin/bash\\n#SBATCH --job-name=" + cfg["my_wandb_run_name"] + "\\ntune run --config finetune.yaml\\n")
'''

SETUP_INSPECT = '''
import argparse, os, yaml
KNOWN = {known}
p = argparse.ArgumentParser()
p.add_argument("--config", required=True)
p.add_argument("--model_name", required=True)
for opt in ("--time", "--account", "--mem", "--partition", "--constraint", "--conda_env", "--output_slurm"):
    p.add_argument(opt)
p.add_argument("--gpus", type=int)
a = p.parse_args()
if a.model_name not in KNOWN:
    raise ValueError("Unknown model: " + repr(a.model_name))
cfg = yaml.safe_load(open(a.config))
missing = [k for k in ("task_script", "task_name", "model_path", "model_hf_name", "output_dir") if k not in cfg]
if missing:
    raise ValueError("eval config missing required keys: " + ", ".join(missing))
name = a.output_slurm or "cell.slurm"
open(name, "w").write("#!/bin/bash\\ncd " + os.path.dirname(os.path.abspath(a.config)) + "\\ninspect eval " + cfg["task_script"]
                      + " -M model_path=" + cfg["model_path"] + " --time " + str(a.time) + " --gpus " + str(a.gpus) + "\\n")
'''


def stand_in(root: Path, known: tuple[str, ...] = ("Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct")) -> Path:
    """A cruijff_kit package under root/site: the two scripts ck-scaffold runs, nothing else."""
    site = root / "site"
    for pkg in ("cruijff_kit", "cruijff_kit/tools", "cruijff_kit/tools/torchtune", "cruijff_kit/tools/inspect"):
        (site / pkg).mkdir(parents=True, exist_ok=True)
        (site / pkg / "__init__.py").write_text("")
    (site / "cruijff_kit/tools/torchtune/setup_finetune.py").write_text(SETUP_FINETUNE.format(known=repr(set(known))))
    (site / "cruijff_kit/tools/inspect/setup_inspect.py").write_text(SETUP_INSPECT.format(known=repr(set(known))))
    return site


def design_under(tmp: Path) -> dict:
    """The standard design with every path under `tmp` (so checkpoints can be faked there)."""
    data = absolute(make_design(), str(tmp / "scratch"))
    data["output"]["base_directory"] = f"{tmp}/scratch/ck-outputs/{NAME}"
    data["experiment"]["directory"] = f"{tmp}/scratch/ck-experiments/{NAME}"
    data["evaluation"]["compute"] = {"time": "00:30:00", "gpus": 1, "mem": "32G"}
    return data


def test_render_writes_every_slurm_script_with_cruijff_kits_own_scripts(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    site = stand_in(tmp_path)
    r = scaffold(exp, "--render", env={"PYTHONPATH": str(site)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rendered 44 of 44 jobs" in r.stdout
    assert f"next: sh {exp / 'submit.sh'}" in r.stdout
    assert (exp / RUN / "finetune.slurm").read_text().splitlines()[1] == f"#SBATCH --job-name={RUN}"
    cell = exp / RUN / "eval" / "capitalization_epoch1"
    script = (cell / "capitalization_epoch1.slurm").read_text()
    assert f"cd {cell.resolve()}\n" in script and "--time 00:30:00" in script
    assert f"-M model_path={tmp_path}/scratch/ck-outputs/{NAME}/ck-out-{RUN}/epoch_1" in script
    assert (exp / CONTROL / "eval" / "capitalization" / "capitalization.slurm").is_file()
    assert not list(exp.rglob(".ck-render-*"))  # the temporary folders are gone
    # A rerun renders nothing again, and a plain scaffold keeps the rendered files.
    again = scaffold(exp, "--render", env={"PYTHONPATH": str(site)})
    assert again.returncode == 0 and "rendered 0 of 44 jobs" in again.stdout and "44 already rendered" in again.stdout
    assert scaffold(exp).returncode == 0
    assert (exp / RUN / "finetune.slurm").is_file()
    assert scaffold(exp, "--check").returncode == 0


def test_a_changed_job_file_removes_what_was_rendered_from_it(tmp_path: Path) -> None:
    data = design_under(tmp_path)
    exp = tmp_path / "exp"
    write(exp, data)
    site = stand_in(tmp_path)
    assert scaffold(exp, "--render", env={"PYTHONPATH": str(site)}).returncode == 0
    data["runs"][0]["parameters"]["lora_rank"] = 16
    data["runs"][0]["name"] = RUN  # same name, new job
    data["variables"]["lora_rank"] = [4, 8, 16]
    write(exp, data)
    r = scaffold(exp)
    if r.returncode != 0:  # the design may warn; it must not error
        pytest.fail(r.stdout + r.stderr)
    assert not (exp / RUN / "finetune.slurm").exists()  # it would have submitted rank 4
    assert (exp / data["runs"][1]["name"] / "finetune.slurm").exists()
    r = scaffold(exp, "--render", env={"PYTHONPATH": str(site)})
    assert r.returncode == 0 and "rendered 1 of 44 jobs" in r.stdout, r.stdout  # that training job, nothing else
    assert (exp / RUN / "finetune.slurm").exists()


def test_one_failure_is_reported_with_its_run_and_hides_no_other(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    site = stand_in(tmp_path, known=("Llama-3.2-1B-Instruct",))
    r = scaffold(exp, "--render", env={"PYTHONPATH": str(site)})
    assert r.returncode == 1
    failed = [ln for ln in r.stderr.splitlines() if "exited 1: ValueError: Unknown model: 'Llama-3.2-3B-Instruct'" in ln]
    # 4 runs of the 3B model and their 16 evaluations, and the 3B control's 2.
    assert len(failed) == 4 + 16 + 2
    assert "ck-scaffold: run Llama-3.2-3B-Instruct_rank8_lr1e-4: cruijff_kit.tools.torchtune.setup_finetune exited 1" in r.stderr
    assert "ck-scaffold: run Llama-3.2-3B-Instruct_base, task capitalization_hard: cruijff_kit.tools.inspect.setup_inspect exited 1" in r.stderr
    assert "rendered 22 of 44 jobs" in r.stdout and "22 failed" in r.stdout
    assert (exp / RUN / "finetune.slurm").is_file()
    assert not (exp / "Llama-3.2-3B-Instruct_rank4_lr1e-5" / "finetune.slurm").exists()
    assert not list(exp.rglob(".ck-render-*"))


def test_without_cruijff_kit_it_says_what_to_install_and_exits_0(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    r = scaffold(exp, "--render")
    assert r.returncode == 0, r.stderr
    assert "cruijff_kit is not importable by" in r.stderr
    assert "git clone https://github.com/niznik-dev/cruijff_kit" in r.stderr and f"ck-scaffold --render {exp}" in r.stderr
    assert (exp / RUN / "setup_finetune.yaml").is_file()
    assert not list(exp.rglob("*.slurm"))


def test_python_option_names_the_environment_that_has_it(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    site = stand_in(tmp_path)
    wrapper = tmp_path / "cruijff-python"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH={site} exec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    r = scaffold(exp, "--render", "--python", str(wrapper))
    assert r.returncode == 0, r.stderr
    assert f"with {wrapper}" in r.stdout and (exp / RUN / "finetune.slurm").is_file()
    bad = scaffold(exp, "--render", "--python", sys.executable)
    assert bad.returncode == 0 and f"--python {sys.executable} cannot import cruijff_kit" in bad.stderr


def test_render_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    site = stand_in(tmp_path)
    assert scaffold(exp).returncode == 0
    mine = exp / RUN / "finetune.slurm"
    mine.write_text("#!/bin/bash\n# my own job\n")
    r = scaffold(exp, "--render", env={"PYTHONPATH": str(site)})
    assert r.returncode == 1 and f"{mine}: not written by ck-scaffold" in r.stderr
    assert mine.read_text() == "#!/bin/bash\n# my own job\n"


# --- submit.sh against a recording sbatch --------------------------------------------------------

SBATCH = """#!/bin/sh
# Records where and how it was called; answers as `sbatch --parsable` does (id;cluster).
n=$(($(cat "$SBATCH_COUNTER" 2>/dev/null || echo 100) + 1))
echo "$n" > "$SBATCH_COUNTER"
echo "$n|$PWD|$*" >> "$SBATCH_LOG"
echo "$n;cluster"
"""


def _submit(exp: Path, tmp: Path) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, str, list[str]]]]:
    fake = tmp / "fakebin"
    fake.mkdir(exist_ok=True)
    (fake / "sbatch").write_text(SBATCH)
    (fake / "sbatch").chmod(0o755)
    log = tmp / "sbatch.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "SBATCH_LOG": str(log), "SBATCH_COUNTER": str(tmp / "counter")}
    r = subprocess.run(["sh", str(exp / "submit.sh")], capture_output=True, text=True, env=env, cwd=tmp, timeout=120)
    calls = [(i, where, args.split()) for i, where, args in (ln.split("|", 2) for ln in log.read_text().splitlines())] if log.exists() else []
    return r, calls


def test_submit_sh_chains_each_evaluation_after_its_training(tmp_path: Path) -> None:
    data = design_under(tmp_path)
    exp = tmp_path / "exp"
    write(exp, data)
    site = stand_in(tmp_path)
    assert scaffold(exp, "--render", env={"PYTHONPATH": str(site)}).returncode == 0
    r, calls = _submit(exp, tmp_path)
    assert r.returncode == 0, r.stderr
    root = str(exp.resolve())
    trainings = {Path(where).name: job for job, where, args in calls if args == ["--parsable", "finetune.slurm"]}
    assert set(trainings) == {run["name"] for run in data["runs"] if run["type"] == "fine-tuned"}
    evaluations = [(where, args) for _, where, args in calls if args[-1].endswith(".slurm") and args[-1] != "finetune.slurm"]
    assert len(evaluations) == 36
    for where, args in evaluations:
        run = Path(where).relative_to(root).parts[0]
        assert args[0] == "--parsable" and args[-1] == f"{Path(where).name}.slurm"
        if run.endswith("_base"):
            assert len(args) == 2  # a control waits for nothing
        else:
            assert args[1] == f"--dependency=afterok:{trainings[run]}"  # after its own training job
    # Every training is submitted before its evaluations.
    order = [where for _, where, _ in calls]
    for run, _job in trainings.items():
        first_eval = next(i for i, w in enumerate(order) if w.startswith(f"{root}/{run}/eval/"))
        assert order.index(f"{root}/{run}") < first_eval


def test_submit_sh_skips_what_already_ran(tmp_path: Path) -> None:
    data = design_under(tmp_path)
    exp = tmp_path / "exp"
    write(exp, data)
    site = stand_in(tmp_path)
    assert scaffold(exp, "--render", env={"PYTHONPATH": str(site)}).returncode == 0
    trained = Path(f"{tmp_path}/scratch/ck-outputs/{NAME}/ck-out-{RUN}/epoch_1")
    trained.mkdir(parents=True)
    done = exp / CONTROL / "eval" / "capitalization" / "logs"
    done.mkdir(parents=True)
    (done / "2026-12-01_capitalization.eval").write_text("{}")
    r, calls = _submit(exp, tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"skipped training {RUN}: {trained} exists" in r.stderr
    assert f"skipped evaluation {CONTROL}/eval/capitalization: its logs exist" in r.stderr
    root = str(exp.resolve())
    assert not any(where == f"{root}/{RUN}" for _, where, _ in calls)
    own = [args for _, where, args in calls if where.startswith(f"{root}/{RUN}/eval/")]
    assert len(own) == 4 and all(len(a) == 2 for a in own)  # the checkpoints exist: no dependency
    assert len(calls) == 8 - 1 + 36 - 1


def test_submit_sh_refuses_to_start_before_render(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    assert scaffold(exp).returncode == 0
    r, calls = _submit(exp, tmp_path)
    assert r.returncode == 1 and f"submit.sh: {RUN}/finetune.slurm is missing: run ck-scaffold --render first" in r.stderr
    assert calls == []


def test_submit_sh_passes_shellcheck(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    assert scaffold(exp).returncode == 0
    assert os.access(exp / "submit.sh", os.X_OK)
    r = subprocess.run([str(BIN / "shellcheck"), "--shell=sh", str(exp / "submit.sh")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert keys.SUBMIT in files_under(exp)
    assert load(exp / RUN / "setup_finetune.yaml")["my_wandb_run_name"] == RUN
    assert textwrap.dedent(SBATCH)  # the stand-in itself is plain sh
    r = subprocess.run([str(BIN / "shellcheck"), "--shell=sh", "-"], input=SBATCH, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_v03_render_writes_cell_slurm_and_names_upstreams_submitters(tmp_path: Path) -> None:
    data = to_v03(design_under(tmp_path))
    data["experiment"]["dir"] = f"{tmp_path}/scratch/ck-projects/capitalization/{NAME}"
    exp = tmp_path / "exp"
    write(exp, data)
    r = scaffold(exp, "--render", env={"PYTHONPATH": str(stand_in(tmp_path))})
    assert r.returncode == 0, r.stdout + r.stderr
    cell = exp / RUN / "eval" / "capitalization_epoch0"
    assert sorted(p.name for p in cell.iterdir()) == ["cell.slurm", "eval.yaml"]  # what submit_inspect looks for
    assert "--gpus 1" in (cell / "cell.slurm").read_text()  # 0.3's setup_inspect takes --gpus
    assert f"python -m cruijff_kit.tools.run.submit_torchtune {exp}" in r.stdout
    r, calls = _submit(exp, tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(calls) == 8 + 36


# --- README step 7, run as written --------------------------------------------------------------


def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    """The commands of README.md's step 7, in its order, in an experiment folder: cruijff_kit is
    the stand-in above, sbatch the recording one."""
    import shlex

    from test_readme import commands, fenced, readme

    step = readme().split("### 7. From the design to SLURM jobs", 1)[1].split("\n## ", 1)[0]
    shown = [cmd for lang, body in fenced(step) if lang == "sh" for cmd in commands(body)]
    assert shown == ["ck-scaffold", "ck-scaffold --check", "ck-scaffold --render", "sh submit.sh"]
    exp = tmp_path / "exp"
    write(exp, design_under(tmp_path))
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "sbatch").write_text(SBATCH)
    (fake / "sbatch").chmod(0o755)
    env = {**os.environ, "PATH": f"{BIN}:{fake}:{os.environ['PATH']}", "PYTHONPATH": str(stand_in(tmp_path)),
           "CK_LOCAL_CONFIG": str(tmp_path / "none"), "HOME": str(tmp_path),
           "SBATCH_LOG": str(tmp_path / "sbatch.log"), "SBATCH_COUNTER": str(tmp_path / "counter")}
    for cmd in shown:
        r = subprocess.run(shlex.split(cmd), cwd=exp, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-2000:])
    assert len((tmp_path / "sbatch.log").read_text().splitlines()) == 8 + 36
