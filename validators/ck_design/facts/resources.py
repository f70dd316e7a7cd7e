"""Facts about the files a design refers to: model directories, the dataset, task scripts, disk.

Shared by `ck-validate --check-resources` (CK280-CK283), the wizard (dataset size and split
counts it writes into the design) and the post-copy hook (its VERIFY_* log entries).
Nothing here imports or executes user code: task scripts are parsed with `ast`.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .files import TooLarge, not_regular, read_regular
from .walk import TooManyEntries, tree_size

SPLITS = ("train", "validation", "test")
# Reading is bounded (docs/security.md): json.load holds ~10x the file in memory, so split counts
# are measured for JSON datasets up to this size; a larger one is reported, not read.
MAX_JSON_DATASET_BYTES = 256 * 1024 * 1024
MAX_TASK_SCRIPT_BYTES = 10 * 1024 * 1024


@dataclass
class ModelFacts:
    path: str
    exists: bool
    has_config: bool = False
    size_gb: float | None = None
    error: str | None = None
    has_weights: bool = False  # *.safetensors / *.bin / *.pt at its top level (a checkpoint's test)


# Weights as torchtune and Hugging Face save them: full models and LoRA adapters.
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


@dataclass
class DatasetFacts:
    path: str
    exists: bool
    format: str = "json"
    size_kb: int | None = None
    splits: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(SPLITS))
    error: str | None = None
    # The train split's characters (every string of every example): what packing's step
    # estimate counts tokens from (spec/sweep.py CHARS_PER_TOKEN). None when not read (parquet).
    train_chars: int | None = None


@dataclass
class TaskScriptFacts:
    path: str
    exists: bool
    task_functions: list[str] = field(default_factory=list)
    error: str | None = None


def model_facts(path: str | os.PathLike[str]) -> ModelFacts:
    p = Path(path).expanduser()
    if not p.is_dir():
        return ModelFacts(str(path), False, error=f"model directory {str(path)!r} does not exist")
    facts = ModelFacts(str(path), True, has_config=(p / "config.json").is_file())
    try:
        facts.has_weights = any(e.is_file() and e.name.endswith(WEIGHT_SUFFIXES) for e in os.scandir(p))
    except OSError:
        pass
    try:
        facts.size_gb = round(tree_size(p) / 1e9, 2)
    except TooManyEntries as exc:
        facts.error = str(exc)
    except OSError as exc:
        facts.error = f"cannot measure {str(path)!r}: {exc.strerror or exc}"
    if not facts.has_config and facts.error is None:
        facts.error = f"model directory {str(path)!r} has no config.json"
    return facts


def dataset_format(path: str) -> str:
    return "parquet" if str(path).lower().endswith(".parquet") or Path(path).is_dir() else "json"


def dataset_label(path: str) -> str:
    """The dataset's file name without extension: the design's data.training.label."""
    name = Path(str(path).rstrip("/")).name
    for ext in (".parquet", ".jsonl", ".json"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return Path(name).stem or name


def _count_parquet(p: Path) -> dict[str, int | None]:
    import pyarrow.parquet as pq  # optional: only needed for parquet datasets

    counts: dict[str, int | None] = dict.fromkeys(SPLITS)
    if p.is_dir():
        for split in SPLITS:
            files = sorted(p.glob(f"{split}.parquet")) + sorted(p.glob(f"{split}-*.parquet"))
            odd = next(((f, k) for f in files if (k := not_regular(f))), None)
            if odd:
                raise NotRegularFileError(f"{odd[0]} is {odd[1]}, not a regular file")
            if files:
                counts[split] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        return counts
    table = pq.read_table(p)
    if "split" in table.column_names:
        values = table.column("split").to_pylist()
        for split in SPLITS:
            counts[split] = values.count(split)
    else:
        counts["train"] = table.num_rows
    return counts


class NotRegularFileError(ValueError):
    """A file inside a parquet dataset directory is a FIFO or device."""


def dataset_facts(path: str | os.PathLike[str]) -> DatasetFacts:
    """Exists, size, parses, and how many examples each split holds (None = not measured).

    Only regular files are opened, never blocking, and at most MAX_JSON_DATASET_BYTES are read:
    a FIFO, /dev/zero or a deeply nested JSON file is reported in `error` (facts/files.py).
    """
    p = Path(path).expanduser()
    fmt = dataset_format(str(path))
    if not p.exists():
        return DatasetFacts(str(path), False, fmt, error=f"dataset {str(path)!r} does not exist")
    facts = DatasetFacts(str(path), True, fmt)
    odd = "" if p.is_dir() else not_regular(p)
    if odd:
        facts.error = f"dataset {str(path)!r} is {odd}, not a regular file"
        return facts
    try:
        facts.size_kb = round((tree_size(p) if p.is_dir() else p.stat().st_size) / 1024)
        if fmt == "parquet":
            try:
                facts.splits = _count_parquet(p)
            except ImportError:
                facts.error = "counting parquet rows needs pyarrow (pip install pyarrow)"
            return facts
        data = json.loads(read_regular(p, MAX_JSON_DATASET_BYTES))
    except TooManyEntries as exc:
        facts.error = f"dataset {exc}"
        return facts
    except TooLarge as exc:
        facts.error = (f"dataset {str(path)!r} is {exc.size / 1e6:.0f} MB: split counts are measured for "
                       f"JSON datasets up to {exc.limit // 1_000_000} MB; fill in data.training.splits yourself")
        return facts
    except RecursionError:
        facts.error = f"cannot read dataset {str(path)!r}: the JSON nests too deeply to be a dataset"
        return facts
    except (OSError, ValueError, MemoryError) as exc:
        facts.error = f"cannot read dataset {str(path)!r}: {exc}"
        return facts
    if not isinstance(data, dict):
        facts.error = f"dataset {str(path)!r} is not a JSON object with train/validation/test lists"
        return facts
    for split in SPLITS:
        value = data.get(split)
        facts.splits[split] = len(value) if isinstance(value, list) else None
    if facts.splits["train"] is None:
        facts.error = f"dataset {str(path)!r} has no 'train' list"
    else:
        facts.train_chars = sum(len(v) for ex in data["train"] if isinstance(ex, dict)
                                for v in ex.values() if isinstance(v, str))
    return facts


def _is_task_decorator(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id == "task"
    if isinstance(node, ast.Attribute):
        return node.attr == "task"
    return False


def task_script_facts(path: str | os.PathLike[str]) -> TaskScriptFacts:
    """Exists, and which functions carry inspect-ai's `@task` decorator (by parsing, never importing).

    Read like a dataset: a regular file of at most MAX_TASK_SCRIPT_BYTES, never blocking.
    """
    p = Path(path).expanduser()
    odd = not_regular(p)
    if odd:
        return TaskScriptFacts(str(path), True, error=f"cannot parse task script {str(path)!r}: it is {odd}, not a regular file")
    if not p.is_file():
        return TaskScriptFacts(str(path), False, error=f"task script {str(path)!r} does not exist")
    facts = TaskScriptFacts(str(path), True)
    try:
        tree = ast.parse(read_regular(p, MAX_TASK_SCRIPT_BYTES), filename=str(p))
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError) as exc:
        reason = "it nests too deeply" if isinstance(exc, (RecursionError, MemoryError)) else exc
        facts.error = f"cannot parse task script {str(path)!r}: {reason}"
        return facts
    facts.task_functions = [
        n.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(_is_task_decorator(d) for d in n.decorator_list)
    ]
    if not facts.task_functions:
        facts.error = f"task script {str(path)!r} defines no @task function"
    return facts


def free_disk_gb(path: str | os.PathLike[str]) -> float | None:
    """Free space on the file system holding `path` (its nearest existing ancestor)."""
    p = Path(path).expanduser().absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return round(shutil.disk_usage(p).free / 1e9, 1)
    except OSError:
        return None
