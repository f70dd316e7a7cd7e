"""Facts about the models ck-design knows (spec/model_registry.py; docs/design.md).

The wizard uses them to decide whether to ask the full-GPU question; the validator uses them
for CK292 (a model that needs more VRAM than one GPU gives, with gpus: 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FULL_GPU_VRAM_GB = 80  # one full GPU on the clusters we target (A100/H100 80 GB)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    min_gpu_vram_gb: int
    family: str
    min_gpus: int = 1


MODELS: dict[str, ModelInfo] = {
    m.name: m
    for m in (
        ModelInfo("Llama-3.2-1B", 20, "llama"),
        ModelInfo("Llama-3.2-1B-Instruct", 20, "llama"),
        ModelInfo("Llama-3.2-3B-Instruct", 40, "llama"),
        ModelInfo("Llama-3.1-8B-Instruct", 40, "llama"),
        ModelInfo("Llama-3.3-70B-Instruct", 320, "llama", min_gpus=4),
        ModelInfo("Mistral-7B-v0.1", 40, "mistral"),
        ModelInfo("Mistral-7B-Instruct-v0.1", 40, "mistral"),
        ModelInfo("Qwen2.5-3B", 40, "qwen"),
        ModelInfo("Qwen2.5-3B-Instruct", 40, "qwen"),
    )
}

_SIZE_TOKEN = re.compile(r"\d+(\.\d+)?B")


def lookup(name: str) -> ModelInfo | None:
    return MODELS.get(name)


def fits_shared_gpu(name: str, full_gpu_vram_gb: float = FULL_GPU_VRAM_GB) -> bool:
    """True when the model would fit on less than a full GPU (the full-GPU question applies)."""
    info = MODELS.get(name)
    return info is not None and info.min_gpu_vram_gb < full_gpu_vram_gb


def needs_multi_gpu(name: str, full_gpu_vram_gb: float = FULL_GPU_VRAM_GB) -> bool:
    info = MODELS.get(name)
    return info is not None and info.min_gpu_vram_gb > full_gpu_vram_gb


def size_token(name: str) -> str:
    """`1B` for Llama-3.2-1B-Instruct, `2.5B`-style tokens too; the whole name when there is none."""
    m = _SIZE_TOKEN.search(name)
    return m.group(0) if m else name
