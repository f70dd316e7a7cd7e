"""Time the search for earlier training logs (facts/priorspeed.py slurm_logs) on a scratch folder
that holds both eras' finished experiments.

    .venv/bin/python benchmarks/priorspeed.py [--repeat 5] [--experiments 20] [--runs 20]

The scratch holds, per era, `--experiments` experiments of `--runs` fine-tuned runs, each run as
cruijff_kit leaves it after training and evaluation: the seed's {scratch}/ck-experiments/{exp}/{run}/
(job files, slurm log, one evaluation folder per task and epoch) and
{scratch}/ck-outputs/{exp}/ck-out-{run}/epoch_{N}/ (checkpoint files); 0.3's
{scratch}/ck-projects/{project}/{exp}/{run}/ with the same job files and its checkpoints under
artifacts/epoch_{N}/. Three walks are timed, each finding what it can:

    search      slurm_logs as shipped: 3 levels, 4 under ck-projects/ (finds both eras' logs)
    depth 3     one depth everywhere, as before 0.3 logs were looked for (finds no 0.3 log)
    depth 4     one more level everywhere (finds both, but lists every checkpoint's files)

Printed: the median wall time of each, the logs each finds (how many of them 0.3's), and the
ratios to `depth 3`. slurm_logs keeps the newest MAX_SLURM_LOGS (200) of what it finds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "validators"))
from ck_design.facts import priorspeed  # noqa: E402

EPOCHS = 2
TASKS = ("capitalization", "capitalization_hard")
CHECKPOINT_FILES = ("config.json", "adapter_model.safetensors", "adapter_config.json", "model.safetensors",
                    "tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json")
LOG = "1|25|Loss: 1.2: 100%|##########| 25/25 [00:12<00:00, 2.00it/s]\n"


def _touch(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _run_folder(run: Path, eval_name: str) -> None:
    """A run folder after its jobs ran: job files, the training log, evaluation folders."""
    for name in ("setup_finetune.yaml", "finetune.yaml", "finetune.slurm"):
        _touch(run / name)
    _touch(run / "slurm-1001.out", LOG)
    for task in TASKS:
        for epoch in range(EPOCHS):
            folder = run / "eval" / f"{task}_epoch{epoch}"
            _touch(folder / eval_name)
            _touch(folder / "cell.slurm")


def _checkpoints(output: Path) -> None:
    for epoch in range(EPOCHS):
        for name in CHECKPOINT_FILES:
            _touch(output / f"epoch_{epoch}" / name)


def build(scratch: Path, experiments: int, runs: int) -> None:
    for e in range(experiments):
        for r in range(runs):
            run = f"Llama-3.2-1B-Instruct_rank{r}"
            _run_folder(scratch / "ck-experiments" / f"seed_exp{e}" / run, "eval_config.yaml")
            _checkpoints(scratch / "ck-outputs" / f"seed_exp{e}" / f"ck-out-{run}")
            v03 = scratch / "ck-projects" / f"project{e % 3}" / f"v03_exp{e}" / run
            _run_folder(v03, "eval.yaml")
            _checkpoints(v03 / "artifacts")


def uniform(scratch: Path, depth: int) -> list[Path]:
    """The same walk with one depth everywhere (hidden folders skipped), for comparison."""
    found: list[Path] = []
    level = [scratch]
    for _ in range(depth + 1):
        below: list[Path] = []
        for directory in level:
            with os.scandir(directory) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        below.append(Path(entry.path))
                    elif entry.name.startswith("slurm-") and entry.name.endswith(".out"):
                        found.append(Path(entry.path))
        level = below
    return found


def median_time(fn, repeat: int) -> tuple[float, int, int]:
    """(median seconds, logs found, of them 0.3's) of `repeat` walks on a warm directory cache."""
    fn()
    times, found = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        found = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(found), sum("/ck-projects/" in str(p) for p in found)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--experiments", type=int, default=20)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-priorspeed-") as tmp:
        scratch = Path(tmp) / "scratch"
        build(scratch, args.experiments, args.runs)
        entries = sum(len(dirs) + len(files) for _, dirs, files in os.walk(scratch))
        walks = {
            "search": lambda: priorspeed.slurm_logs(scratch, budget_s=600)[0],
            "depth 3": lambda: uniform(scratch, 3),
            "depth 4": lambda: uniform(scratch, 4),
        }
        results = {name: median_time(fn, args.repeat) for name, fn in walks.items()}
    logs = 2 * args.experiments * args.runs
    print(f"scratch: {args.experiments} experiments x {args.runs} runs per era, {entries:,} entries, "
          f"{logs} slurm logs (half of them 0.3's); median of {args.repeat}")
    print(f"  (slurm_logs keeps the newest {priorspeed.MAX_SLURM_LOGS}; the others keep all they find)")
    base = results["depth 3"][0]
    for name, (seconds, found, v03) in results.items():
        print(f"  {name:8s} {seconds * 1000:8.1f} ms  {found:5d} logs found ({v03:4d} of 0.3)  x{seconds / base:.2f} of depth 3")


if __name__ == "__main__":
    main()
