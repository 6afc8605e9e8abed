"""Where a model's bytes are: file size the tutorial's way, and parameters by kind of layer."""

from __future__ import annotations

import os
import tempfile
from collections import Counter

import torch
from torch import nn
from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear

MB = 1024 * 1024  # the tutorial divides by 1024 * 1024 and calls it MB


def model_size_mb(model: nn.Module) -> float:
    """The tutorial's ``print_size_of_model``: bytes of ``torch.save(model.state_dict())`` / 2**20.

    The file is named ``temp.p`` as in the tutorial: ``torch.save`` writes a zip archive whose folder
    is named after the file, so even the name changes the size by a few bytes per tensor.

    Taught in: 04 · Compare the sizes, § Step 3: Measure the size, the tutorial's way.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "temp.p")
        torch.save(model.state_dict(), path)
        return os.path.getsize(path) / MB


def kind_of(module: nn.Module) -> str | None:
    """The layer groups we report; None for containers and parameter-free modules."""
    if isinstance(module, (nn.Linear, DynamicQuantizedLinear)):
        return "Linear"
    if isinstance(module, nn.Conv2d):
        return "Conv2d (patch embedding)"
    if isinstance(module, nn.LayerNorm):
        return "LayerNorm"
    return None


def parameter_breakdown(model: nn.Module) -> Counter:
    """Parameters by what dynamic quantization does to them: Linear weights become int8, the rest stays fp32.

    Parameters owned by none of the reported layers (position and summary-token vectors) count as embeddings.
    """
    counts = Counter()
    for module in model.modules():
        kind = kind_of(module)
        if kind == "Linear":
            counts["Linear weights"] += module.weight.numel()
            counts["Linear biases"] += module.bias.numel() if module.bias is not None else 0
        elif kind:
            counts[kind] += sum(p.numel() for p in module.parameters(recurse=False))
    counts["position/cls embeddings"] = sum(p.numel() for p in model.parameters()) - sum(counts.values())
    return counts


def predicted_int8_ratio(model: nn.Module) -> float:
    """int8/fp32 size if Linear weights took 1 byte and everything else stayed 4 (ignores names and scales)."""
    counts = parameter_breakdown(model)
    linear, total = counts["Linear weights"], sum(counts.values())
    return (linear * 1 + (total - linear) * 4) / (total * 4)


def module_types(model: nn.Module) -> Counter:
    """How many modules of each class, with their defining package, e.g. ``torch.nn.Linear``."""
    return Counter(
        f"{type(m).__module__.split('.modules')[0]}.{type(m).__name__}" for m in model.modules() if kind_of(m)
    )


def stored_weight(layer: DynamicQuantizedLinear) -> tuple[torch.Tensor, float]:
    """A converted Linear's weight as the float values it stands for, and its scale.

    ``dtype=torch.qint8``: the dequantized int8 values; the scale of a per-tensor weight, or the largest row
    scale (the coarsest step) of a per-channel one (``per_channel_dynamic_qconfig``).
    ``dtype=torch.float16``: the float16 values (returned as float32); there is no scale, so it is NaN.

    Taught in: 02 · Quantize the model with `quantize_dynamic`, § What changed?.
    """
    weight = layer.weight()
    if not weight.is_quantized:
        return weight.float(), float("nan")
    if weight.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        return weight.dequantize(), weight.q_per_channel_scales().max().item()
    return weight.dequantize(), weight.q_scale()


def _float_weight(fp32: dict[str, nn.Module], name: str) -> torch.Tensor:
    weight = getattr(fp32.get(name), "weight", None)
    if not isinstance(weight, torch.Tensor):
        raise ValueError(
            f"{name!r} is not a float Linear in the first model: call weight_errors(float_model, quantized_model)"
        )
    return weight.detach()


def weight_errors(model: nn.Module, quantized: nn.Module) -> list[dict]:
    """For every Linear that became int8 (or float16): its scale and how far its weights are from fp32.

    Taught in: 02 · Quantize the model with `quantize_dynamic`, § What changed?.
    """
    fp32 = dict(model.named_modules())
    rows = []
    for name, module in quantized.named_modules():
        if isinstance(module, DynamicQuantizedLinear):
            w = _float_weight(fp32, name)
            stored, scale = stored_weight(module)  # scale is NaN for float16 weights: they have none
            err = (stored - w).norm() / w.norm()
            rows.append(
                {
                    "layer": name,
                    "dtype": str(module._packed_params.dtype).removeprefix("torch."),
                    "shape": tuple(w.shape),
                    "scale": scale,
                    "max |w|": w.abs().max().item(),
                    "relative error": err.item(),
                }
            )
    if not rows:
        raise ValueError(
            "the second model has no layer converted by quantize_dynamic: "
            "call weight_errors(float_model, quantized_model)"
        )
    return rows


def bytes_by_part(model: nn.Module) -> dict[str, float]:
    """MB of the saved state dict by part; what the tensors do not explain is names and pickle metadata."""
    parts = Counter()
    for module in model.modules():
        if isinstance(module, DynamicQuantizedLinear):
            weight, bias = module.weight(), module.bias()
            parts["Linear weights"] += weight.numel() * weight.element_size()
            parts["Linear biases"] += bias.numel() * bias.element_size() if bias is not None else 0
        elif isinstance(module, nn.Linear):
            parts["Linear weights"] += module.weight.numel() * module.weight.element_size()
            parts["Linear biases"] += module.bias.numel() * module.bias.element_size() if module.bias is not None else 0
        else:
            parts["everything else (fp32)"] += sum(
                p.numel() * p.element_size() for p in module.parameters(recurse=False)
            )
    parts["names, scales, metadata"] = model_size_mb(model) * MB - sum(parts.values())
    return {part: n / MB for part, n in parts.items()}
