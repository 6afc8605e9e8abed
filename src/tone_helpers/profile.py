"""Where a model's time goes: profiler shares by part of the model, and int8 GEMM speed on its own shapes.

Used by notebooks 08 and 10 and the benchmarks; the Amdahl arithmetic stays in the notebook.
"""

from __future__ import annotations

import contextlib
import os
import re

import torch

from tone_helpers.backends import quantize_dynamic
from tone_helpers.timing import Timing, model_latency

LINEAR_INT8, LINEAR_FLOAT32 = "Linear (int8, incl. quantizing inputs)", "Linear (float32)"
CATEGORIES = [  # profiler op name pattern -> part of the model, first match wins
    (r"quantized::linear_dynamic|linear_dynamic", LINEAR_INT8),
    (r"aten::(addmm|linear|mm)$", LINEAR_FLOAT32),
    (r"scaled_dot_product|aten::(bmm|baddbmm|matmul)$", "attention matmuls and softmax"),
    (r"softmax", "attention matmuls and softmax"),
    (r"layer_norm", "LayerNorm"),
    (r"gelu", "GELU"),
    (r"conv", "patch-embedding Conv"),
    (r"aten::(copy_|contiguous|clone)$", "copies into contiguous memory"),
    (r"aten::add$", "residual additions"),
]


@contextlib.contextmanager
def no_native_stderr():
    """Kineto (torch 2.13) writes a "profiler_start/stop" line to the process's stderr on every profile."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def profile_shares(model, batch: int) -> dict[str, float]:
    """Share of self CPU time of one forward pass, by part of the model: ``top_ops`` grouped by ``CATEGORIES``.

    Taught in: 10 · Why int8 is fast, § 3 · Where AST base spends its time (Amdahl's law).
    """
    parts: dict[str, float] = {}
    for name, share, _ in top_ops(model, batch, top=10_000):
        part = next((p for pattern, p in CATEGORIES if re.search(pattern, name)), "everything else")
        parts[part] = parts.get(part, 0.0) + share
    return dict(sorted(parts.items(), key=lambda kv: -kv[1]))


def top_ops(model, batch: int = 8, top: int = 6, calls: int = 1) -> list[tuple[str, float, int]]:
    """(operator, share of self CPU time, calls per forward) of the ``top`` operators, after two warm-up calls.

    Taught in: 08 · Every backend side by side, § torchao and INC: what each one runs.
    """
    from torch.profiler import ProfilerActivity, profile

    x = torch.randn(batch, 75, 128, generator=torch.Generator().manual_seed(0))  # not an inference tensor: as timing's
    with torch.inference_mode():
        model(x)
        model(x)
        with no_native_stderr(), profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(calls):
                model(x)
    events = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in events)
    return [(e.key, e.self_cpu_time_total / total, e.count // calls) for e in events[:top]]


def op_names(model, batch: int = 8) -> dict[str, int]:
    """Every operator one forward pass runs, with its number of calls."""
    return {name: count for name, _, count in top_ops(model, batch, top=10_000)}


# The operators a Linear layer can run as: int8 kernels, and float32 matrix products.
INT8_LINEAR_KERNELS = ("onednn::qlinear_pointwise", "aten::_int_mm", "quantized::linear_dynamic")
FLOAT32_MATMULS = ("aten::addmm", "aten::mm", "aten::linear")


def int8_linear_kernels(ops: dict[str, int], n_linear: int) -> dict[str, int] | None:
    """The int8 kernels that ``n_linear`` Linear layers run as, by name and count, from ``op_names``'s dict;
    ``None`` unless every Linear runs one and no float32 matrix product is left.

    Which int8 kernel compiled torchao runs depends on the CPU (08 · Every backend side by side, § torchao and
    INC: what each one runs): all ``qlinear_pointwise`` without AVX-512 VNNI or with AMX; with AVX-512 VNNI and no
    AMX, all ``_int_mm``, or ``_int_mm`` for query, key and value only once torchao's ``x86_inductor_quantizer`` is
    imported.
    """
    kernels = {op: ops[op] for op in INT8_LINEAR_KERNELS if op in ops}
    if sum(kernels.values()) != n_linear or any(op in ops for op in FLOAT32_MATMULS):
        return None
    return kernels


def linear_shapes(model: torch.nn.Module) -> list[tuple[int, int]]:
    """(in, out) of every Linear, in order; in an AST the last is the classifier, which sees one row per clip."""
    return [(m.in_features, m.out_features) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


def gemm_timings(shapes: list[tuple[int, int]], rows: int, repeats: int) -> dict[tuple[int, int], dict[str, Timing]]:
    """The timed rounds of one float32 ``nn.Linear`` and of its dynamic int8 copy, on ``rows`` rows, per shape.

    Taught in: 10 · Why int8 is fast, § 2 · Matrix products on AST's own shapes.
    """
    timings = {}
    for k, n in sorted(set(shapes)):
        fp32 = torch.nn.Sequential(torch.nn.Linear(k, n))
        int8 = quantize_dynamic(fp32)
        timings[k, n] = model_latency({"float32": fp32, "int8": int8}, rows, warmup=3, repeats=repeats, shape=(k,))
    return timings


def gemm_seconds(shapes: list[tuple[int, int]], rows: int, repeats: int) -> dict[tuple[int, int], dict[str, float]]:
    """Median seconds of ``gemm_timings``' rounds, per shape and precision."""
    return {
        shape: {precision: timing.median for precision, timing in t.items()}
        for shape, t in gemm_timings(shapes, rows, repeats).items()
    }


def linear_speedup(widths: list[int], tokens: int = 74, repeats: int = 20) -> list[float]:
    """fp32 time / int8 time of one square ``nn.Linear`` on ``tokens`` rows, per width (``gemm_seconds``)."""
    seconds = gemm_seconds([(width, width) for width in widths], tokens, repeats)
    return [seconds[w, w]["float32"] / seconds[w, w]["int8"] for w in widths]
