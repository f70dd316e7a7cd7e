"""Time `ck-validate` (full validation) against `check-jsonschema` (schema only) on the same designs.

    .venv/bin/python benchmarks/validate.py [--repeat 5] [--sizes typical,10,1000,10000] [--keep DIR]

Designs are generated with the wizard's builder (ck_design.wizard.build.build_design; so they are valid: the comparison is the cost
of saying "all good", which is what pre-commit pays on every commit): one model swept over
lora_rank plus its base control, 5 eval tasks, 3 training epochs, every epoch evaluated.

"typical" is the everyday case: the 10-run design of tests/designs.make_design() (2 models x
lora_rank x lr, base controls, 2 tasks), where start-up (imports) is most of the time.

Targets (issue 2): 1,000 runs: ck-validate <= 0.35x check-jsonschema;
10,000 runs: ck-validate <= 12x its own 1,000-run time.
Target (issue 8): typical: ck-validate <= 0.5x check-jsonschema.

"typical-0.3" is the same design as cruijff_kit 0.3 writes it (tests/era_designs.to_v03).
Target (issue 19): typical-0.3 costs what typical does: ck-validate <= 1.1x typical's time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ck_design.wizard import build

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import designs  # noqa: E402  (tests/designs.py: the typical design the tests use)
import era_designs  # noqa: E402  (tests/era_designs.py: the same design in the 0.3 era)

TYPICAL = "typical"
TYPICAL_V03 = "typical-0.3"
SCHEMA = REPO / "schemas" / "experiment_summary.schema.json"
BIN = Path(sys.executable).parent
MODEL = "Llama-3.2-1B-Instruct"
TASKS = 5
EPOCHS = 3


def build_design(n_runs: int) -> dict:
    """A valid design with exactly `n_runs` runs (n_runs - 1 fine-tuned + one control), built by
    the wizard's own builder from answers, so the benchmark measures the shape users get."""
    d = build.build_design({
        "scratch_dir": "/scratch/me",
        "models_dir": "/scratch/me/models",
        "models": [MODEL],
        "dataset_path": "/scratch/me/data/words.json",
        "experiment_name": f"bench_lora_rank_comparison_{n_runs}_2026-11-25",
        "experiment_date": "2026-11-25",
        "question": "Does LoRA rank matter?",
        "variables": {"lora_rank": list(range(1, n_runs))},
        "epochs": EPOCHS,
        "eval_epochs": "all",
        "num_warmup_steps": 10,
        "gpu_constraint": "gpu80",
        "eval_tasks": [
            {"name": f"task{i}", "script": f"/scratch/me/tasks/task{i}.py", "description": f"Task {i}"}
            for i in range(TASKS)
        ],
    })
    # The dataset is not on disk here; give it counts so the training-step rules (CK250-252) run too.
    d["data"]["training"]["size_kb"] = 28
    d["data"]["training"]["splits"] = {"train": 4000, "validation": 500, "test": 500}
    return d


def write_design(directory: Path, size: str) -> Path:
    path = directory / f"runs_{size}" / "experiment_summary.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if size == TYPICAL:
        return designs.write_design(path.parent, designs.make_design())
    if size == TYPICAL_V03:
        return designs.write_design(path.parent, era_designs.to_v03(designs.make_design()))
    with open(path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(build_design(int(size)), fh, sort_keys=False, width=1000)
    return path


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def time_command(argv: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of `repeat` runs (after one warm-up run) and the last exit status."""
    subprocess.run(argv, capture_output=True)  # warm the page cache and .pyc files
    times = []
    rc = 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True)
        times.append(time.perf_counter() - start)
        rc = proc.returncode
    return statistics.median(times), rc


def time_interleaved(a: list[str], b: list[str], repeat: int) -> tuple[float, float]:
    """Median wall times of two commands run alternately (after one warm-up each), so a change
    of load on a shared machine weighs on both alike: what a ratio of the two needs."""
    for argv in (a, b):
        subprocess.run(argv, capture_output=True)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for argv, out in ((a, times[0]), (b, times[1])):
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True)
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default=f"{TYPICAL},{TYPICAL_V03},10,1000,10000", help=f"run counts, {TYPICAL!r} or {TYPICAL_V03!r}")
    parser.add_argument("--keep", type=Path, help="write the designs here and keep them")
    parser.add_argument("--no-jsonschema", action="store_true", help="time ck-validate only")
    args = parser.parse_args(argv)
    sizes = [s if s in (TYPICAL, TYPICAL_V03) else int(s) for s in args.sizes.split(",")]

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ck-bench-"))
    ck = _tool("ck-validate")
    cj = _tool("check-jsonschema")
    results: dict[int | str, tuple[float, float | None]] = {}
    print(f"{'runs':>7} {'size':>9} {'ck-validate':>12} {'check-jsonschema':>17} {'ratio':>6}  exit(ck/cj)")
    try:
        for n in sizes:
            path = write_design(workdir, str(n))
            ck_time, ck_rc = time_command([ck, str(path)], args.repeat)
            if args.no_jsonschema:
                cj_time, cj_rc = None, None
            else:
                cj_time, cj_rc = time_command([cj, "--schemafile", str(SCHEMA), str(path)], args.repeat)
            results[n] = (ck_time, cj_time)
            ratio = f"{ck_time / cj_time:6.2f}" if cj_time else "     -"
            cj_text = f"{cj_time:16.3f}s" if cj_time else f"{'-':>17}"
            print(
                f"{n:>7} {path.stat().st_size / 1024:>7.0f}kB {ck_time:>11.3f}s {cj_text} {ratio}  {ck_rc}/{cj_rc}",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    ok = True
    if TYPICAL in results:
        ck_time, cj_time = results[TYPICAL]
        if cj_time:
            ratio = ck_time / cj_time
            good = ratio <= 0.5
            ok &= good
            print(
                f"typical (10 runs): ck-validate {ck_time:.3f}s median, / check-jsonschema = {ratio:.2f}"
                f" (target <= 0.5) {'ok' if good else 'MISSED'}"
            )
        else:
            print(f"typical (10 runs): ck-validate {ck_time:.3f}s median")
    if TYPICAL in results and TYPICAL_V03 in results:
        # Run alternately for the ratio: the two medians above were taken minutes apart.
        workdir = Path(tempfile.mkdtemp(prefix="ck-bench-"))
        try:
            seed_t, v03_t = time_interleaved([ck, str(write_design(workdir, TYPICAL))],
                                             [ck, str(write_design(workdir, TYPICAL_V03))], args.repeat)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        ratio = v03_t / seed_t
        good = ratio <= 1.1
        ok &= good
        print(f"typical-0.3 / typical (ck-validate, run alternately: {v03_t:.3f}s / {seed_t:.3f}s) = {ratio:.2f}"
              f" (target <= 1.1) {'ok' if good else 'MISSED'}")
    if 1000 in results and results[1000][1]:
        ratio = results[1000][0] / results[1000][1]
        good = ratio <= 0.35
        ok &= good
        print(f"1,000 runs: ck-validate / check-jsonschema = {ratio:.2f} (target <= 0.35) {'ok' if good else 'MISSED'}")
    if 1000 in results and 10000 in results:
        scale = results[10000][0] / results[1000][0]
        good = scale <= 12
        ok &= good
        print(f"10,000 runs / 1,000 runs (ck-validate) = {scale:.1f}x (target <= 12x) {'ok' if good else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
