"""Plumbing for layer-sensitivity studies: natural groups of Linear layers, and how much a change hurts.

The decisions (which groups, how many bits, what tolerance) stay in the notebook; this module only loops
and measures (``evaluate.logits_on`` runs the model).
"""

from __future__ import annotations

import re

import torch
import torch.nn.functional as F
from torch import nn

ROLES = {  # the last part of a Linear layer's name -> its role in a transformer block
    "q_proj": "q/k/v",
    "k_proj": "q/k/v",
    "v_proj": "q/k/v",
    "query": "q/k/v",
    "key": "q/k/v",
    "value": "q/k/v",
    "o_proj": "attention out",
    "fc1": "MLP in",
    "fc2": "MLP out",
}


def linear_groups(model: nn.Module) -> dict[str, list[str]]:
    """Linear layers grouped as a block uses them: "block 0 · q/k/v", "block 0 · MLP in", ..., "classifier"."""
    groups: dict[str, list[str]] = {}
    for name, module in model.named_modules():
        if not isinstance(module, nn.Linear):
            continue
        block = re.search(r"\.layers?\.(\d+)\.", name)
        role = ROLES.get(name.rsplit(".", 1)[-1], name.rsplit(".", 2)[-2] if "." in name else name)
        group = f"block {block.group(1)} · {role}" if block else "classifier" if "classifier" in name else name
        groups.setdefault(group, []).append(name)
    return groups


@torch.inference_mode()
def damage(reference: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """How far ``logits`` are from the float32 ``reference``: agreement, accuracy, KL divergence, mean |Δlogit|."""
    kl = F.kl_div(F.log_softmax(logits, -1), F.log_softmax(reference, -1), log_target=True, reduction="batchmean")
    return {
        "agreement": (logits.argmax(-1) == reference.argmax(-1)).float().mean().item(),
        "accuracy": (logits.argmax(-1) == labels).float().mean().item(),
        "KL": kl.item(),
        "mean |Δlogit|": (logits - reference).abs().mean().item(),
    }


def notional_mb(model: nn.Module, bits_by_layer: dict[str, int]) -> float:
    """Size if each named Linear weight took ``bits`` per value (plus one float32 scale per row), the rest float32.

    Notional: no file format stores these bit widths here; it is the information the weights carry.
    """
    bits = 0
    for name, parameter in model.named_parameters():
        layer, _, kind = name.rpartition(".")
        if layer in bits_by_layer and kind == "weight":
            bits += parameter.numel() * bits_by_layer[layer] + parameter.shape[0] * 32
        else:
            bits += parameter.numel() * 32
    return bits / 8 / 2**20
