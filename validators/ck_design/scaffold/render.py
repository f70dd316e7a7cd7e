"""`ck-scaffold --render`: cruijff_kit's own scripts turn the job files into SLURM scripts.

In each fine-tuned run's folder `python -m cruijff_kit.tools.torchtune.setup_finetune
--config_file setup_finetune.yaml` (finetune.yaml, finetune.slurm); in each evaluation folder
`python -m cruijff_kit.tools.inspect.setup_inspect --config <eval config> --model_name <model>`
and the SLURM options (keys.inspect_arguments). Each runs in a fresh temporary folder beside
its input, and what it wrote is renamed into place only when it succeeded and nothing there is
someone else's file: a failing job leaves nothing behind, and one failure is reported with its
run without hiding the others. The rendered files enter the manifest with the job file they came
from, so a later scaffold that changes that file removes them (they would submit the old job).

The Python that runs them is the one that has cruijff_kit: `--python PATH` when given, else this
one if it can import cruijff_kit, else the conda environment claude.local.md names.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import keys, writer

FINETUNE_MODULE = "cruijff_kit.tools.torchtune.setup_finetune"
INSPECT_MODULE = "cruijff_kit.tools.inspect.setup_inspect"
_PROBE = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('cruijff_kit') else 3)"
INSTALL = ("install cruijff_kit (git clone https://github.com/niznik-dev/cruijff_kit && cd cruijff_kit && make install, "
           "in its conda environment) or name the Python that has it with --python PATH")
TIMEOUT = 600  # seconds for one script; upstream's take well under one


class NoCruijffKit(Exception):
    """No Python with cruijff_kit was found: the message says what was tried."""


@dataclass(frozen=True)
class Job:
    label: str  # "run X" or "run X, task T, epoch N"
    folder: str  # relative to the experiment folder
    source: str  # the job file it renders (relative)
    expect: str  # the SLURM script it writes (relative)
    argv: tuple[str, ...]  # after `python -m MODULE`


@dataclass
class Outcome:
    job: Job
    error: str = ""  # one line; '' when it rendered
    written: tuple[str, ...] = ()


def _has_cruijff_kit(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", _PROBE], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _conda_python(env: str) -> str | None:
    """The python of the conda environment named `env` (or at path `env`), if conda knows it."""
    if "/" in env:
        return str(Path(env) / "bin" / "python")
    conda = os.environ.get("CONDA_EXE") or shutil.which("conda")
    if not conda:
        return None
    try:
        listed = subprocess.run([conda, "env", "list", "--json"], capture_output=True, text=True, timeout=120)
        envs = json.loads(listed.stdout).get("envs", [])
    except (OSError, subprocess.SubprocessError, ValueError, AttributeError):
        return None
    for prefix in envs:
        if Path(prefix).name == env:
            return str(Path(prefix) / "bin" / "python")
    return None


def find_python(explicit: str | None, conda_env: str | None) -> str:
    """The Python that imports cruijff_kit; NoCruijffKit naming what was tried."""
    if explicit:
        if _has_cruijff_kit(explicit):
            return explicit
        raise NoCruijffKit(f"--python {explicit} cannot import cruijff_kit")
    if importlib.util.find_spec("cruijff_kit") is not None:
        return sys.executable
    tried = [sys.executable]
    if conda_env:
        py = _conda_python(conda_env)
        if py and _has_cruijff_kit(py):
            return py
        tried.append(f"the conda environment {conda_env!r} of claude.local.md" + ("" if py else " (conda does not know it)"))
    raise NoCruijffKit(f"cruijff_kit is not importable by {' nor '.join(tried)}")


def jobs(sc: keys.Scaffold, root: Path) -> list[Job]:
    """One job per planned file, in the scaffold's order (trainings, then cells)."""
    out = []
    for p in sc.files:
        config = str((root / p.path).resolve())
        folder = p.path.rsplit("/", 1)[0]
        if p.kind == "training":
            out.append(Job(f"run {p.run}", folder, p.path, f"{folder}/{keys.FINETUNE_SLURM}",
                           ("-m", FINETUNE_MODULE, "--config_file", config)))
        elif p.cell is not None:
            where = f"run {p.run}, task {p.cell.task}" + (f", epoch {p.cell.epoch}" if isinstance(p.cell.epoch, int) else "")
            out.append(Job(where, folder, p.path, f"{folder}/{keys.eval_slurm(sc.era, p.cell)}",
                           ("-m", INSPECT_MODULE, "--config", config, *keys.inspect_arguments(sc, p.cell))))
    return out


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


def _render_one(python: str, root: Path, job: Job, manifest: dict[str, writer.Entry]) -> Outcome:
    folder = root / job.folder
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".ck-render-"))
    try:
        try:
            r = subprocess.run([python, *job.argv], cwd=tmp, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return Outcome(job, f"{job.argv[1]} did not finish in {TIMEOUT} s")
        if r.returncode != 0:
            return Outcome(job, f"{job.argv[1]} exited {r.returncode}: {_last_line(r.stderr or r.stdout)}")
        made = sorted(p.name for p in tmp.iterdir() if p.is_file() and not p.is_symlink())
        names = [f"{job.folder}/{n}" for n in made]
        for rel in names:
            try:
                now = writer.existing(root, rel)
            except OSError as exc:
                return Outcome(job, str(exc))
            if now is not None and (rel not in manifest or manifest[rel].sha256 != writer.sha256(now)):
                return Outcome(job, f"{root / rel}: not written by ck-scaffold; it is left as it is (move it away and rerun)")
        for n in made:
            os.replace(tmp / n, folder / n)
        return Outcome(job, written=tuple(names))
    except OSError as exc:
        return Outcome(job, f"cannot write in {folder}: {writer.reason(exc)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def render(python: str, root: Path, sc: keys.Scaffold, files: dict[str, bytes], manifest: dict[str, writer.Entry],
           workers: int | None = None) -> tuple[list[Outcome], int]:
    """Render every job whose SLURM script is missing or comes from an older job file; the
    manifest gains what was written (saved by the caller). Returns those jobs' outcomes and how
    many jobs were already rendered."""
    rendered_from = {e.source: e.source_sha256 for e in manifest.values() if e.source}
    todo = [j for j in jobs(sc, root)
            if rendered_from.get(j.source) != writer.sha256(files[j.source]) or not (root / j.expect).is_file()]
    workers = workers or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda j: _render_one(python, root, j, manifest), todo))
    for o in outcomes:
        source_sha = writer.sha256(files[o.job.source])
        for rel in o.written:
            manifest[rel] = writer.Entry(writer.sha256((root / rel).read_bytes()), o.job.source, source_sha)
    return outcomes, len(sc.files) - len(todo)
