"""One process's set-up, the same in a notebook, a benchmark, ``tone-report`` and each of its workers."""

from __future__ import annotations

import logging
import warnings

import torch

from tone_helpers.machine import choose_quantized_engine

# Known notices that say nothing about the reader's code. Each is explained once, in notebook 02.
KNOWN_WARNINGS = [
    (DeprecationWarning, r"torch\.ao\.quantization is deprecated"),
    (UserWarning, r"torch\.quantize_per_tensor, torch\.quantize_per_channel"),
    (UserWarning, r"At least one mel filter has all zero values"),
    (UserWarning, r"TypedStorage is deprecated"),  # torch.load of quantized tensors, inside torch
    (FutureWarning, r"`isinstance\(treespec, LeafSpec\)"),  # torch.export internals (ONNX export, INC)
    (UserWarning, r"While compiling, we found certain side effects"),  # transformers' output hooks, torch.export
    (UserWarning, r"To copy construct from a tensor"),  # Inductor's oneDNN int8 lowering (per-channel INC graphs)
]


def quiet_known_warnings() -> None:
    for category, message in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)
    # The ONNX exporter logs that torchvision's operators are skipped when torchvision is absent.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)


def prepare(threads: int, seed: int = 0) -> str:
    """Quiet the known notices, fix the thread count and the seed, select the int8 engine (returned)."""
    quiet_known_warnings()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return choose_quantized_engine()
