"""Time `ck-plan --compare HEAD` against `ck-validate` on the same design.

    .venv/bin/python benchmarks/compare.py [--repeat 5] [--sizes 10,1000]

For each size, a git repository holds a design of that many runs (built like benchmarks/validate.py,
with the wizard's builder) at HEAD, and a working copy that changes it the way a pull request
does: one swept value replaced by another (a run removed, a run added) and one task dropped.
`ck-plan --compare HEAD` validates both versions, so about twice ck-validate's work is expected.

Target (issue 24): 1,000 runs: ck-plan --compare <= 2x ck-validate on the working design.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate import _tool, build_design  # noqa: E402  (benchmarks/validate.py)

ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def changed(design: dict) -> dict:
    """The pull request: the last fine-tuned run's lora_rank replaced (a run removed and one
    added, with its matrix entry), and the last task dropped from the tasks and the matrix."""
    runs = design["runs"]
    fine_tuned = [r for r in runs if r["type"] == "fine-tuned"]
    old_name = fine_tuned[-1]["name"]
    new_rank = max(r["parameters"]["lora_rank"] for r in fine_tuned) + 1
    fine_tuned[-1]["parameters"]["lora_rank"] = new_rank
    fine_tuned[-1]["name"] = old_name.rsplit("rank", 1)[0] + f"rank{new_rank}"
    design["variables"]["lora_rank"][-1] = new_rank
    dropped = design["evaluation"]["tasks"].pop()["name"]
    for entry in design["evaluation"]["matrix"]:
        if entry["run"] == old_name:
            entry["run"] = fine_tuned[-1]["name"]
        entry["tasks"] = [t for t in entry["tasks"] if t != dropped]
    return design


def time_command(argv: list[str], repeat: int) -> tuple[float, float, int]:
    """Median wall time and median CPU time (user + system, the command and its git children) of
    `repeat` runs after one warm-up run, and the last exit status. CPU time is printed too: on a
    shared machine, wall time also counts waiting for a core."""
    subprocess.run(argv, capture_output=True)
    walls, cpus, rc = [], [], 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        rc = subprocess.run(argv, capture_output=True).returncode
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus), rc


def make_repo(directory: Path, n_runs: int) -> Path:
    directory.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=directory, check=True, env=ENV)
    path = directory / "experiment_summary.yaml"
    design = build_design(n_runs)
    path.write_text(yaml.safe_dump(design, sort_keys=False, width=1000), encoding="utf-8")
    subprocess.run(["git", "add", path.name], cwd=directory, check=True, env=ENV)
    subprocess.run(["git", "commit", "-qm", "design"], cwd=directory, check=True, env=ENV)
    path.write_text(yaml.safe_dump(changed(design), sort_keys=False, width=1000), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="10,1000")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ck-bench-compare-"))
    ck_validate, ck_plan = _tool("ck-validate"), _tool("ck-plan")
    print(f"{'runs':>7} {'ck-validate':>12} {'ck-plan --compare':>18} {'ratio':>6} {'cpu ratio':>10}  exit(validate/compare)")
    ok = True
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            path = make_repo(workdir / f"runs_{n}", n)
            v_wall, v_cpu, v_rc = time_command([ck_validate, str(path)], args.repeat)
            c_wall, c_cpu, c_rc = time_command([ck_plan, "--compare", "HEAD", str(path.parent)], args.repeat)
            ratio, cpu_ratio = c_wall / v_wall, c_cpu / v_cpu
            print(f"{n:>7} {v_wall:>11.3f}s {c_wall:>17.3f}s {ratio:>6.2f} {cpu_ratio:>10.2f}  {v_rc}/{c_rc}", flush=True)
            if n == 1000:
                good = ratio <= 2.0 and c_rc == 0
                ok &= good
                print(f"1,000 runs: ck-plan --compare {c_wall:.3f}s median / ck-validate {v_wall:.3f}s = {ratio:.2f} "
                      f"(target <= 2.00): {'ok' if good else 'MISSED'}; CPU time {c_cpu:.3f}s / {v_cpu:.3f}s = {cpu_ratio:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
