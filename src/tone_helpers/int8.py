"""Affine int8 quantization written out by hand: the arithmetic that notebook 03 takes apart.

``r = S · (q − Z)``: a real value ``r`` is stored as an integer ``q`` with a float scale ``S`` and an integer
zero point ``Z``. Every function here is a few lines on purpose: the notebook prints them, and the solutions
to its exercises are the same code.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


def affine_params(lo: float, hi: float, qmin: int, qmax: int) -> tuple[float, int]:
    """Scale and zero point that map [lo, hi] (widened to contain 0) onto the integers [qmin, qmax].

    Taught in: 03 · int8 by hand, § 1 · The affine map.
    """
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # 0.0 must be exact: padding and ReLU zeros stay zero
    scale = (hi - lo) / (qmax - qmin) or 0.1  # an all-zero tensor: any scale works; fbgemm picks 0.1
    zero_point = round(qmin - lo / scale)
    return scale, min(max(zero_point, qmin), qmax)


def symmetric_scale(w: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """PyTorch's int8 weight scale: max |w| / 127.5, per tensor or (with ``dim``) per slice along ``dim``.

    Taught in: 03 · int8 by hand, § 3 · Per-tensor or per-channel scales.
    """
    amax = w.abs().amax() if dim is None else w.abs().amax(dim=[d for d in range(w.dim()) if d != dim])
    return amax.clamp(min=1e-12) / 127.5  # qint8 spans 255 steps, -128 to 127


def quantize(x: torch.Tensor, scale, zero_point, qmin: int, qmax: int) -> torch.Tensor:
    """Round to the nearest step, shift by the zero point, clamp to the integer range.

    Taught in: 03 · int8 by hand, § 1 · The affine map.
    """
    return torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax).to(torch.int32)


def dequantize(q: torch.Tensor, scale, zero_point) -> torch.Tensor:
    """Back to floats: ``S · (q − Z)``.

    Taught in: 03 · int8 by hand, § 1 · The affine map.
    """
    return scale * (q.to(torch.float32) - zero_point)


def int_linear(xq, x_zero_point, wq, x_scale, w_scale, bias) -> torch.Tensor:
    """u8 activations × s8 weights, products summed in int32, then one float rescale and the float bias.

    Taught in: 03 · int8 by hand, § 5 · An integer-only linear layer.
    """
    acc = (xq.to(torch.int32) - x_zero_point) @ wq.to(torch.int32).T  # exact: no int8 or int16 overflow
    return acc.to(torch.float32) * (x_scale * w_scale) + bias


def engine_quantize(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> torch.Tensor:
    """Quantize as fbgemm's ``QuantizeAvx2`` does: ``x · (1/S) + Z`` in one fused multiply-add, then round.

    fbgemm multiplies by a float32 reciprocal ``1/S``, adds the zero point in float *before* rounding to an
    integer, and does both in one fused multiply-add (one rounding to float32), then rounds to the nearest
    integer, ties to even. ``quantize`` instead rounds ``x / S`` to float32, then to an integer, then adds
    ``Z``. float64 holds the exact product of two float32s, so adding ``Z`` in float64 and rounding to float32
    gives the fused result (up to a double rounding, float64 then float32, which is far rarer than the ties
    this function exists for).

    Taught in: 03 · int8 by hand, § 5 · An integer-only linear layer.
    """
    inverse = torch.tensor(1.0, dtype=torch.float32) / scale
    fused = (x.double() * inverse.double() + zero_point).float()
    return torch.clamp(torch.round(fused), qmin, qmax).to(torch.int32)


def fake_quantize(w: torch.Tensor, bits: int, dim: int | None = 0) -> torch.Tensor:
    """Symmetric ``bits``-bit copy of a 2-D weight, per output row (``dim=0``) or per tensor (``None``), as floats.

    Taught in: 03 · int8 by hand, § 7 · Fewer bits.
    """
    qmax = 2 ** (bits - 1) - 1  # 127, 7, 1: a symmetric grid, -qmax to qmax
    amax = w.abs().amax() if dim is None else w.abs().amax(dim=1 - dim, keepdim=True)
    scale = amax.clamp(min=1e-12) / qmax
    return quantize(w, scale, 0, -qmax, qmax) * scale


def fake_quantized_copy(model: nn.Module, bits: int, skip: tuple[str, ...] = (), dim: int | None = 0) -> nn.Module:
    """A float copy of ``model`` whose Linear weights (except the named ones) sit on a ``bits``-bit grid.

    ``dim=0``: one scale per output row (per channel); ``dim=None``: one scale per weight tensor.
    """
    linears = [name for name, module in model.named_modules() if isinstance(module, nn.Linear) and name not in skip]
    return fake_quantize_layers(model, dict.fromkeys(linears, bits), dim=dim)


def fake_quantize_layers(model: nn.Module, bits_by_layer: dict[str, int], dim: int | None = 0) -> nn.Module:
    """A float copy of ``model`` in which each named Linear layer's weight sits on its own ``bits``-bit grid."""
    clone = copy.deepcopy(model)
    modules = dict(clone.named_modules())
    with torch.no_grad():
        for name, bits in bits_by_layer.items():
            modules[name].weight.copy_(fake_quantize(modules[name].weight, bits, dim=dim))
    return clone
