"""Facts about the models ck-design knows (spec/model_registry.py; docs/design.md).

The wizard uses them to decide whether to ask the full-GPU question; the validator uses them
for CK292 (a model that needs more VRAM than one GPU gives, with gpus: 1). For a model the
registry does not know, `estimate` does the arithmetic from its size (config.json, weight
files: read by facts/model_size.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .params import CHAT_COMPLETION, TEXT_COMPLETION

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


# --- Models the registry does not know: an estimate from their size (docs/wizard.md) ------------
#
# LoRA keeps the base model's bf16 weights frozen; training adds activations, the adapters'
# gradients and optimizer states, and the framework's own memory. ck-design estimates the whole
# as TRAIN_MEMORY_FACTOR x the bf16 weights: 2.5 x 16 GB = 40 GB for an 8B model and
# 2.5 x 141 GB = 353 GB for a 70B model, in line with the registry's 40 GB and 320 GB.
TRAIN_MEMORY_FACTOR = 2.5
BF16_BYTES = 2
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1}

# The sources of an estimate, as the plan and CK293 name them.
FROM_CONFIG = "config.json"
FROM_WEIGHTS = "weight files"


@dataclass(frozen=True)
class Estimate:
    """A model's memory needs estimated from its size, for a model the registry does not know."""

    name: str
    parameters: int
    source: str  # FROM_CONFIG or FROM_WEIGHTS

    @property
    def weights_gb(self) -> float:
        return self.parameters * BF16_BYTES / 1e9

    @property
    def train_gb(self) -> float:
        return self.weights_gb * TRAIN_MEMORY_FACTOR

    @property
    def min_gpus(self) -> int:
        return gpus_for(self.train_gb)

    def info(self) -> ModelInfo:
        """As a registry entry would say it (rounded up to whole GB)."""
        return ModelInfo(self.name, math.ceil(self.train_gb), "unknown", self.min_gpus)

    def describe(self) -> str:
        """`Qwen2.5-0.5B-Instruct: not in the registry; ~1.0 GB of weights, estimated 2.5 GB to
        train (from config.json)`, then what that means for its GPUs."""
        text = (f"{self.name}: not in the registry; ~{_gb(self.weights_gb)} GB of weights, "
                f"estimated {_gb(self.train_gb)} GB to train (from {self.source})")
        return f"{text}; {placement_text(self.info())}"


def _gb(value: float) -> str:
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"


def gpus_for(vram_gb: float, full_gpu_vram_gb: float = FULL_GPU_VRAM_GB) -> int:
    return max(1, math.ceil(vram_gb / full_gpu_vram_gb))


def placement_text(info: ModelInfo, full_gpu_vram_gb: float = FULL_GPU_VRAM_GB) -> str:
    if info.min_gpu_vram_gb < full_gpu_vram_gb:
        return "fits a shared GPU"
    if info.min_gpus > 1:
        return f"needs {info.min_gpus} GPUs of {full_gpu_vram_gb:g} GB"
    return "needs a full GPU"


def _int(config: Mapping[str, Any], key: str) -> int | None:
    value = config.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def parameters_from_config(config: Mapping[str, Any]) -> int | None:
    """The parameter count a Hugging Face config.json states (`num_parameters`) or implies: a
    decoder-only transformer of `num_hidden_layers` layers, each attention (grouped-query when
    `num_key_value_heads` < `num_attention_heads`) and a gated MLP of `intermediate_size`, plus
    the embeddings (twice unless `tie_word_embeddings`). None when the sizes are missing."""
    if stated := _int(config, "num_parameters"):
        return stated
    text = config.get("text_config")  # multimodal configs nest the language model's sizes
    if isinstance(text, Mapping) and _int(config, "hidden_size") is None:
        return parameters_from_config(text)
    hidden, layers = _int(config, "hidden_size"), _int(config, "num_hidden_layers")
    inter, vocab = _int(config, "intermediate_size"), _int(config, "vocab_size")
    if not (hidden and layers and inter and vocab):
        return None
    heads = _int(config, "num_attention_heads") or 1
    kv_dim = hidden * (_int(config, "num_key_value_heads") or heads) // heads
    attention = 2 * hidden * hidden + 2 * hidden * kv_dim
    mlp = 3 * hidden * inter
    embeddings = vocab * hidden * (1 if config.get("tie_word_embeddings") else 2)
    return layers * (attention + mlp) + embeddings


def parameters_from_weights(weights_bytes: int, config: Mapping[str, Any] | None = None) -> int:
    """The parameter count of weight files of that total size, in config.json's `torch_dtype`
    (bf16 when it does not say)."""
    dtype = (config or {}).get("torch_dtype") or (config or {}).get("dtype")
    return weights_bytes // DTYPE_BYTES.get(str(dtype), BF16_BYTES)


def estimate(name: str, config: Mapping[str, Any] | None, weights_bytes: int | None) -> Estimate | None:
    """The estimate for a model folder: from config.json's sizes, else from the weight files."""
    params = parameters_from_config(config) if config else None
    if params:
        return Estimate(name, params, FROM_CONFIG)
    if weights_bytes:
        return Estimate(name, parameters_from_weights(weights_bytes, config), FROM_WEIGHTS)
    return None


# Instruction-tuned checkpoints by their published names: Llama-3.2-1B-Instruct, gemma-2-2b-it,
# Qwen1.5-7B-Chat, Llama-2-7b-chat-hf.
_INSTRUCTION_TUNED = re.compile(r"instruct|chat|(^|[-_.])it($|[-_.])", re.IGNORECASE)


def is_instruction_tuned(name: str) -> bool:
    return bool(_INSTRUCTION_TUNED.search(name))


def default_dataset_type(models: Sequence[str] | str) -> str:
    """chat_completion when every model is instruction-tuned (it has a chat template), else
    text_completion: the wizard's default for controls.dataset_type (docs/wizard.md)."""
    names = [models] if isinstance(models, str) else list(models)
    return CHAT_COMPLETION if names and all(is_instruction_tuned(m) for m in names) else TEXT_COMPLETION
