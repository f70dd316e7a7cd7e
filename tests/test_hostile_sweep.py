"""Issue 13, item 7: CK235 (sweep completeness) counts the missing combinations instead of
enumerating the grid. A 6 variables x 20 values design (64 million points, a few KB of YAML)
is validated by the real ck-validate under a 1 GB address-space ceiling (resource.setrlimit in
the child): it finishes with the right count and three examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from designs import MODELS, make_design

CK_VALIDATE = str(Path(sys.executable).parent / "ck-validate")
VARIABLES = {
    "lora_rank": [2 ** (i % 10) * (1 + i // 10) for i in range(20)],
    "lr": [round(1e-5 * (i + 1), 6) for i in range(20)],
    "batch_size": list(range(1, 21)),
    "weight_decay": [round(0.01 * i, 2) for i in range(20)],
    "lora_dropout": [round(0.02 * i, 2) for i in range(20)],
    "num_warmup_steps": list(range(0, 200, 10)),
}


def _limited() -> None:
    import resource

    limit = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_a_huge_grid_is_counted_within_a_memory_ceiling(tmp_path):
    data = make_design(variables={"lora_rank": [4, 8]})
    data["variables"] = VARIABLES
    # the two fine-tuned runs per model become points 2 and 3 of the new grid's first row
    seen: dict[str, int] = {}
    for run in data["runs"]:
        if run["type"] == "fine-tuned":
            k = seen[run["model"]] = seen.get(run["model"], 1) + 1
            run["parameters"] = {n: values[0] for n, values in VARIABLES.items()}
            run["parameters"]["num_warmup_steps"] = VARIABLES["num_warmup_steps"][k - 1]
    f = tmp_path / "experiment_summary.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    assert f.stat().st_size < 10_000
    r = subprocess.run([CK_VALIDATE, "--format", "text", str(f)], capture_output=True, text=True, timeout=120,
                       preexec_fn=_limited)
    assert "MemoryError" not in r.stderr and "internal error" not in r.stderr, r.stderr
    lines = [ln for ln in r.stdout.splitlines() if "CK235" in ln and "incomplete" in ln]
    assert len(lines) == len(MODELS), r.stdout
    total = 20 ** 6
    for model, line in zip(MODELS, lines):
        assert f"the sweep is incomplete for {model}: {total - 2} of {total} combinations of " \
               "lora_rank, lr, batch_size, weight_decay, lora_dropout, num_warmup_steps have no run (" in line
        # the first three holes, first variable slowest: warmup 0, 30, 40 (10 and 20 have runs)
        examples = line.split(" have no run (", 1)[1].split(" and ", 1)[0].split("; ")
        assert [e.rsplit("num_warmup_steps=", 1)[1] for e in examples] == ["0", "30", "40"], line
        assert f"and {total - 5} more)" in line
