"""A model folder's size, read from disk, for the models ck-design's registry does not know.

What is read: config.json (parsed as JSON, never executed) and the total size of the weight
files (*.safetensors, else *.bin). The arithmetic from those to GPU memory is in
spec/model_registry.py (`estimate`); the wizard (model choices, full-GPU question, plan) and
CK293's hint under `ck-validate --check-resources` use it (docs/wizard.md, "Model choices").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..spec import model_registry
from .files import read_json_file

CONFIG = "config.json"
CONFIG_LIMIT = 1024 * 1024  # a model's config.json is a few KB
WEIGHT_PATTERNS = ("*.safetensors", "*.bin")  # the first that matches: repos often ship both


def read_config(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    try:
        data = read_json_file(Path(folder).expanduser() / CONFIG, CONFIG_LIMIT)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def weights_bytes(folder: str | os.PathLike[str]) -> int | None:
    p = Path(folder).expanduser()
    for pattern in WEIGHT_PATTERNS:
        try:
            files = [f for f in p.glob(pattern) if f.is_file()]
            if files:
                return sum(f.stat().st_size for f in files)
        except OSError:
            return None
    return None


def estimate(folder: str | os.PathLike[str], name: str | None = None) -> model_registry.Estimate | None:
    """The memory estimate of the model in `folder` (None when nothing there tells its size)."""
    name = name or Path(folder).name
    config = read_config(folder)
    if config is not None and model_registry.parameters_from_config(config):
        return model_registry.estimate(name, config, None)  # no need to list the weights
    return model_registry.estimate(name, config, weights_bytes(folder))


def model_dirs(models_dir: str | os.PathLike[str]) -> list[str]:
    """The folders of `models_dir` that hold a model (a config.json), sorted."""
    try:
        with os.scandir(Path(str(models_dir)).expanduser()) as it:
            return sorted(e.name for e in it if e.is_dir() and os.path.isfile(os.path.join(e.path, CONFIG)))
    except OSError:
        return []


def model_info(name: str, models_dir: Any = None) -> model_registry.ModelInfo | None:
    """The registry's entry for `name`, else the estimate from `models_dir/name`, else None."""
    info = model_registry.lookup(name)
    if info is not None or not models_dir or not isinstance(name, str) or not name:
        return info
    found = estimate(Path(str(models_dir)).expanduser() / name, name)
    return found.info() if found else None
