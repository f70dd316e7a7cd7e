"""submit.sh: the whole experiment queued at once, each evaluation after the training it needs.

Pure text from the scaffold (keys.Scaffold): every value is shlex-quoted data, never a pasted
string. The script refuses to start until every SLURM script exists (`ck-scaffold --render`
writes them), submits each training job with `sbatch --parsable`, each of that run's evaluations
with `--dependency=afterok:<job>`, and control and eval-only evaluations at once. It skips what
already ran and says so: a training job whose last checkpoint folder exists (its evaluations
then start at once), an evaluation whose inspect-ai logs exist.
"""

from __future__ import annotations

from shlex import quote

from . import keys
from .keys import Scaffold

_PRELUDE = """\
#!/bin/sh
# {header}
# Queues every job of the experiment: each training job, each of its evaluations once it has
# succeeded (afterok), the evaluations of untrained runs at once. What already ran is skipped.
set -eu
cd -- "$(dirname -- "$0")"

for script in {scripts}; do
  if [ ! -f "$script" ]; then
    echo "submit.sh: $script is missing: run ck-scaffold --render first" >&2
    exit 1
  fi
done

# train RUN_DIR LAST_CHECKPOINT: prints the job id ('' when the run has trained already)
train() {{
  if [ -d "$2" ]; then
    echo "skipped training $1: $2 exists" >&2
    return 0
  fi
  out=$(cd -- "$1" && sbatch --parsable {finetune}) || exit 1
  echo "queued training $1: job ${{out%%;*}}" >&2
  echo "${{out%%;*}}"
}}

# evaluate CELL_DIR SCRIPT [JOB]: after JOB succeeds when one is given
evaluate() {{
  for log in "$1"/logs/*.eval "$1"/logs/*.json; do
    if [ -e "$log" ]; then
      echo "skipped evaluation $1: its logs exist" >&2
      return 0
    fi
  done
  if [ -n "${{3:-}}" ]; then
    out=$(cd -- "$1" && sbatch --parsable --dependency="afterok:$3" "$2") || exit 1
  else
    out=$(cd -- "$1" && sbatch --parsable "$2") || exit 1
  fi
  echo "queued evaluation $1: job ${{out%%;*}}" >&2
}}
"""


def _cell_dir(path: str) -> str:
    return path.rsplit("/", 1)[0]


def script(sc: Scaffold) -> str:
    """The text of submit.sh for a scaffold whose files are all planned (no problems)."""
    trainings = [p for p in sc.files if p.kind == "training"]
    # (run, cell folder, its SLURM script) of each evaluation, each worked out once (16,000 of them).
    evaluations = [(p.run, _cell_dir(p.path), keys.eval_slurm(sc.era, p.cell))
                   for p in sc.files if p.kind == "evaluation" and p.cell is not None]
    scripts = [f"{p.run}/{keys.FINETUNE_SLURM}" for p in trainings]
    scripts += [f"{folder}/{slurm}" for _, folder, slurm in evaluations]
    lines = [_PRELUDE.format(header=keys.HEADER, finetune=keys.FINETUNE_SLURM,
                             scripts=" \\\n    ".join(quote(s) for s in scripts) or "''")]
    by_run: dict[str, list[str]] = {}
    for run, folder, slurm in evaluations:
        by_run.setdefault(run, []).append(f"{quote(folder)} {quote(slurm)}")
    for p in trainings:
        lines.append(f"job=$(train {quote(p.run)} {quote(keys.last_checkpoint(sc, p.run))})")
        lines += [f'evaluate {cell} "$job"' for cell in by_run.pop(p.run, [])]
    for cells in by_run.values():  # runs evaluated as they are: nothing to wait for
        lines += [f"evaluate {cell}" for cell in cells]
    return "\n".join(lines) + "\n"
