"""Time `ck-scaffold` against `ck-validate` on the same 1,000-run design.

    .venv/bin/python benchmarks/scaffold.py [--repeat 5] [--runs 1000] [--keep DIR]

The design: one model swept over 1,000 LoRA ranks (1,000 training jobs, no controls), 5 tasks,
3 training epochs, every epoch evaluated (15,000 evaluation jobs), built with the tests' own
builder (tests/designs.make_design) and absolute paths. Each command runs as the user runs it
(the console script, a fresh process): ck-validate on the design; ck-scaffold into an empty
folder (it validates first, then writes 16,000 files and submit.sh); ck-scaffold --check on the
folder it wrote (nothing stale).

Targets (issue 20): scaffold <= 10x ck-validate; --check with nothing stale <= 3x ck-validate.
The machine's file system sets a floor under the first: the benchmark also times creating the
same 16,000 files (temporary file + rename each, as ck-scaffold does) with bare os calls.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import designs  # noqa: E402  (tests/designs.py: the builder the tests use)

BIN = Path(sys.executable).parent
MODEL = "Llama-3.2-1B-Instruct"
TASKS = 5
EPOCHS = 3
TARGET_SCAFFOLD = 10.0
TARGET_CHECK = 3.0


def build(n_runs: int) -> dict:
    data = designs.make_design(models=(MODEL,), variables={"lora_rank": list(range(1, n_runs + 1))},
                               tasks=[f"task{i}" for i in range(TASKS)], epochs=EPOCHS, eval_epochs="all",
                               include_base_controls=False)
    for m in data["models"]["base"]:
        m["path"] = f"/scratch/me/{m['path']}"
    data["data"]["training"]["path"] = f"/scratch/me/{data['data']['training']['path']}"
    for t in data["evaluation"]["tasks"]:
        t["script"] = f"/scratch/me/{t['script']}"
    return data


def timed(argv: list[str], cpu: list[float], expect: int = 0) -> float:
    """Wall seconds of one run; its CPU seconds (user + system) appended to `cpu`: on a shared
    machine the CPU time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if r.returncode != expect:
        sys.exit(f"{' '.join(argv)} exited {r.returncode}, expected {expect}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return elapsed


def floor(exp: Path, work: Path) -> tuple[float, float]:
    """(wall, CPU) seconds to create the same folders and files (same sizes) with bare os calls,
    a temporary file renamed over each: what the file system alone costs, the floor of a scaffold."""
    paths = sorted(p.relative_to(exp) for p in exp.rglob("*") if p.is_file())
    target = work / "floor"
    shutil.rmtree(target, ignore_errors=True)
    base = str(target)
    # Everything but the system calls prepared before the clock starts.
    jobs = [(f"{base}/{p.parent.as_posix()}", f"{base}/{p.parent.as_posix()}/.{p.name}.tmp", f"{base}/{p.as_posix()}",
             b"x" * (exp / p).stat().st_size) for p in paths]
    folders = list(dict.fromkeys(j[0] for j in jobs))
    r0, t0 = os.times(), time.perf_counter()
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    for _, tmp, final, data in jobs:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.write(fd, data)
        os.close(fd)
        os.replace(tmp, final)
    r1, wall = os.times(), time.perf_counter() - t0
    shutil.rmtree(target, ignore_errors=True)
    return wall, (r1.user - r0.user) + (r1.system - r0.system)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("--keep", type=Path, help="keep the design and one scaffold here")
    args = p.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="ck-bench-scaffold-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "design").mkdir(exist_ok=True)
    design = designs.write_design(work / "design", build(args.runs))
    env_note = "(no claude.local.md: CK_LOCAL_CONFIG points nowhere)"
    os.environ["CK_LOCAL_CONFIG"] = str(work / "none.md")
    validate, scaffold, check = [], [], []
    cpu: dict[str, list[float]] = {"validate": [], "scaffold": [], "check": []}
    for k in range(args.repeat):
        validate.append(timed([str(BIN / "ck-validate"), str(design)], cpu["validate"]))
        exp = work / f"exp{k}"
        if exp.exists():
            shutil.rmtree(exp)
        exp.mkdir()
        shutil.copy(design, exp / design.name)
        scaffold.append(timed([str(BIN / "ck-scaffold"), str(exp)], cpu["scaffold"]))
        check.append(timed([str(BIN / "ck-scaffold"), "--check", str(exp)], cpu["check"]))
        if k:
            shutil.rmtree(exp)
    files = sum(1 for _ in (work / "exp0").rglob("*") if _.is_file()) - 1
    floor_wall, floor_cpu = floor(work / "exp0", work)
    v, s, c = (statistics.median(x) for x in (validate, scaffold, check))
    print(f"design: {args.runs} training jobs, {args.runs * TASKS * EPOCHS} evaluation jobs; {files} files written {env_note}")
    print(f"median of {args.repeat}: ck-validate {v:.2f} s, ck-scaffold {s:.2f} s, ck-scaffold --check {c:.2f} s")
    print(f"ck-scaffold / ck-validate: {s / v:.2f}x (target <= {TARGET_SCAFFOLD:g}x) {'ok' if s / v <= TARGET_SCAFFOLD else 'MISSED'}")
    print(f"ck-scaffold --check / ck-validate: {c / v:.2f}x (target <= {TARGET_CHECK:g}x) {'ok' if c / v <= TARGET_CHECK else 'MISSED'}")
    vc, sc_, cc = (statistics.median(cpu[k]) for k in ("validate", "scaffold", "check"))
    print(f"CPU seconds (user + system), median: ck-validate {vc:.2f}, ck-scaffold {sc_:.2f} ({sc_ / vc:.2f}x), "
          f"--check {cc:.2f} ({cc / vc:.2f}x)")
    print(f"file-system floor (the same {files + 1} files created and renamed with bare os calls): "
          f"{floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU = {floor_cpu / vc:.2f}x ck-validate's CPU")
    if not args.keep:
        shutil.rmtree(work)
    return 0 if s / v <= TARGET_SCAFFOLD and c / v <= TARGET_CHECK else 1


if __name__ == "__main__":
    sys.exit(main())
