"""Issue 13, item 6: ck-validate, --log, --check-resources and the wizard's facts read only
regular files, bounded, and never block. Real FIFOs (os.mkfifo), /dev/zero, process
substitution through bash, and a memory ceiling set with resource.setrlimit in the child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from ck_design.facts.resources import dataset_facts, task_script_facts

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CK_VALIDATE = str(BIN / "ck-validate")
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"
# A hang is a failure, not a stuck suite: every child gets a generous deadline.
DEADLINE = 60


def _limited(max_bytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    return apply


def _run(args: list[str], cwd: Path, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=DEADLINE,
                          preexec_fn=_limited(memory) if memory else None)


def test_fifo_design_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "experiment_summary.yaml"
    os.mkfifo(fifo)
    r = _run([CK_VALIDATE, str(fifo)], tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        f"ck-validate: {fifo}: is a FIFO (named pipe or process substitution), not a regular file; "
        "ck-design reads regular files only"
    )
    assert "Traceback" not in r.stderr


def test_fifo_log_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "design-experiment.log"
    os.mkfifo(fifo)
    for args in ([CK_VALIDATE, "--log", str(fifo)], [CK_VALIDATE, str(fifo)]):
        r = _run(args, tmp_path)
        assert r.returncode == 2
        assert "is a FIFO" in r.stderr.splitlines()[0]


def test_process_substitution_is_refused(tmp_path):
    r = _run(["bash", "-c", f'"{CK_VALIDATE}" <(cat "{EXAMPLE}")'], tmp_path)
    assert r.returncode == 2
    assert "is a FIFO (named pipe or process substitution)" in r.stderr


def test_dev_zero_is_refused_within_a_small_memory_ceiling(tmp_path):
    # 1 GB of address space: reading /dev/zero unbounded would hit MemoryError long before.
    r = _run([CK_VALIDATE, "/dev/zero"], tmp_path, memory=1024 * 1024 * 1024)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        "ck-validate: /dev/zero: is a character device, not a regular file; ck-design reads regular files only"
    )


def _design_with_dataset(tmp_path: Path, dataset: Path, task: Path | None = None) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["data"]["training"]["path"] = str(dataset)
    if task is not None:
        for t in data["evaluation"]["tasks"]:
            t["script"] = str(task)
    out = tmp_path / "experiment_summary.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


def test_check_resources_with_fifo_dataset_reports_it(tmp_path):
    fifo = tmp_path / "words.json"
    os.mkfifo(fifo)
    task_fifo = tmp_path / "task.py"
    os.mkfifo(task_fifo)
    design = _design_with_dataset(tmp_path, fifo, task_fifo)
    r = _run([CK_VALIDATE, "--check-resources", str(design)], tmp_path)
    assert r.returncode == 1, r.stderr
    assert f"dataset {str(fifo)!r} is a FIFO (named pipe or process substitution), not a regular file" in r.stdout
    assert f"cannot parse task script {str(task_fifo)!r}: it is a FIFO (named pipe or process substitution)" in r.stdout
    assert "Traceback" not in r.stderr


def test_check_resources_with_dev_zero_dataset_under_memory_ceiling(tmp_path):
    design = _design_with_dataset(tmp_path, Path("/dev/zero"))
    r = _run([CK_VALIDATE, "--check-resources", str(design)], tmp_path, memory=1024 * 1024 * 1024)
    assert r.returncode == 1, r.stderr
    assert "dataset '/dev/zero' is a character device, not a regular file" in r.stdout


def test_deeply_nested_json_dataset_is_reported_not_a_recursion_error(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"train": ' + "[" * 200_000 + "]" * 200_000 + "}")
    facts = dataset_facts(deep)
    assert facts.error == f"cannot read dataset {str(deep)!r}: the JSON nests too deeply to be a dataset"
    design = _design_with_dataset(tmp_path, deep)
    r = _run([CK_VALIDATE, "--check-resources", str(design)], tmp_path)
    assert "nests too deeply" in r.stdout
    assert "RecursionError" not in r.stdout + r.stderr


def test_oversized_json_dataset_is_not_read(tmp_path, monkeypatch):
    from ck_design.facts import resources

    big = tmp_path / "big.json"
    big.write_text(json.dumps({"train": [{"input": "x" * 100}] * 1000}))
    monkeypatch.setattr(resources, "MAX_JSON_DATASET_BYTES", 50_000)
    facts = dataset_facts(big)
    assert facts.size_kb is not None and facts.splits["train"] is None
    assert "split counts are measured for JSON datasets up to" in facts.error


def test_deeply_nested_task_script_is_reported(tmp_path):
    script = tmp_path / "task.py"
    script.write_text("x = " + "(" * 100_000 + ")" * 100_000 + "\n")
    facts = task_script_facts(script)
    assert facts.error is not None and facts.error.startswith(f"cannot parse task script {str(script)!r}")
