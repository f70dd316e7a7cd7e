"""Render benchmark: the typical design vs a one-file template, same copier, same machine.

    python benchmarks/render.py [--repeat N] [--src PATH]

Times `copier copy --trust --defaults --data-file answers.yml` of ck-design for the typical
design (2 models x 2 LoRA ranks, controls, one task; real model dirs, dataset and task script)
against `copier copy --defaults` of a one-file template (one question, one .jinja file), both as
git repositories with one commit, both through the same copier executable as a subprocess (so
start-up and git cloning count for both). Reports the median of N runs and the ratio; the
target is a ratio under 2. Post-copy tasks are skipped (`--skip-tasks`): this measures the
wizard and the rendering, not the hook.

The runs alternate (one-file, ck-design, one-file, ...) so a loaded machine slows both alike, and
the CPU time of each copier process (user + system, its children included) is reported beside
the wall time. Two things a user does not pay are kept out, as neither is the template's cost:
- the clone is made with `--no-local`: a user's clone holds the reachable history in one pack,
  where a local clone hard-links this repository's whole object store (loose objects, every
  branch's), which copier clones again and deletes in every run; it grows with every commit made
  here (about +0.3x wall after a day of commits on a shared clone);
- copier runs with bytecode: PYTHONDONTWRITEBYTECODE is dropped and the bytecode goes to a
  folder of the temporary root (PYTHONPYCACHEPREFIX), filled by one untimed run of each; an
  installed ck-design has its bytecode, and without it every copier process compiled the
  ck_design modules the wizard imports (~50 ms) while copier's own came precompiled.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
COPIER = Path(sys.executable).parent / "copier"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def git_repo(path: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "bench"]):
        subprocess.run(argv, cwd=path, env=env, check=True)


def one_file_template(root: Path) -> Path:
    t = root / "one-file"
    t.mkdir()
    (t / "copier.yml").write_text("name:\n  type: str\n  default: world\n")
    (t / "hello.txt.jinja").write_text("Hello {{ name }}\n")
    git_repo(t)
    return t


def clean_clone(root: Path, src: Path) -> Path:
    """The committed state of the template (no dirty-tree copy), as a user's clone is."""
    dst = root / "ck-design"
    subprocess.run(["git", "clone", "-q", "--no-local", str(src), str(dst)], check=True)
    return dst


def resources(root: Path) -> tuple[Path, Path]:
    models = root / "models"
    for m in ("Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"):
        (models / m).mkdir(parents=True)
        (models / m / "config.json").write_text("{}")
        (models / m / "model.safetensors").write_bytes(b"\0" * 4096)
    data = root / "data" / "words_8L.json"
    data.parent.mkdir()
    row = {"input": "abcdefgh", "output": "Abcdefgh"}
    data.write_text(json.dumps({"train": [row] * 400, "validation": [row] * 50, "test": [row] * 50}))
    task = root / "tasks" / "words_8L.py"
    task.parent.mkdir()
    task.write_text("from inspect_ai import task\n\n@task\ndef words_8L():\n    pass\n")
    (root / "scratch").mkdir()
    cfg = root / "claude.local.md"
    cfg.write_text(f"- **Scratch directory**: `{root / 'scratch'}`\n- **Models directory**: `{models}`\n"
                   "- **Full GPU constraint**: `gpu80`\n")
    answers = root / "answers.yml"
    answers.write_text(yaml.safe_dump({
        "question": "Does LoRA rank matter?", "dataset_path": str(data),
        "models": ["Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"], "variables": {"lora_rank": [4, 8]},
        "num_warmup_steps": 10,
        "eval_tasks": [{"name": "words_8L", "script": str(task), "description": "capitalize", "dataset": "same"}],
    }))
    return cfg, answers


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU: the finished children's user + system time)."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stderr[-3000:]}")
    return elapsed, cpu


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:7.0f} ms  ({', '.join(f'{t * 1000:.0f}' for t in times)})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--src", type=Path, default=REPO, help="ck-design template (a git repo; default: this one)")
    args = p.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    try:
        baseline_src = one_file_template(root)
        ck_src = clean_clone(root, args.src)
        cfg, answers = resources(root)
        env = {**os.environ, **GIT_ENV, "CK_LOCAL_CONFIG": str(cfg), "PYTHONPYCACHEPREFIX": str(root / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_argv = lambda i: [str(COPIER), "copy", "--quiet", "--defaults", str(baseline_src), str(root / f"base-{i}")]  # noqa: E731
        ck_argv = lambda i: [str(COPIER), "copy", "--quiet", "--trust", "--defaults", "--skip-tasks",  # noqa: E731
                             "--vcs-ref", "HEAD", "--data-file", str(answers), str(ck_src), str(root / f"ck-{i}")]
        timed(base_argv("warm"), env)  # writes the bytecode
        timed(ck_argv("warm"), env)
        base, ck = [], []
        for i in range(args.repeat):
            base.append(timed(base_argv(i), env))
            ck.append(timed(ck_argv(i), env))
        design = yaml.safe_load((root / "ck-0" / "experiment_summary.yaml").read_text())
        assert len(design["runs"]) == 6, design["runs"]
        print(f"copier: {COPIER}")
        for what, k in (("wall", 0), ("CPU", 1)):
            b_times, c_times = [t[k] for t in base], [t[k] for t in ck]
            print(f"one-file template, {what}:".ljust(36) + _ms(b_times))
            print(f"ck-design 2 models x 2 ranks, {what}:".ljust(36) + _ms(c_times))
        b, c = statistics.median(t[0] for t in base), statistics.median(t[0] for t in ck)
        b_cpu, c_cpu = statistics.median(t[1] for t in base), statistics.median(t[1] for t in ck)
        print(f"ratio: {c / b:.2f}x wall, {c_cpu / b_cpu:.2f}x CPU (target < 2x)")
        return 0 if c / b < 2 else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
