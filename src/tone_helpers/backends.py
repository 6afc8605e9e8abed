"""Every backend of the series built from its name: the model, called as ``model(x).logits``, and its size.

One recipe per name, used by 08 · Every backend side by side, the benchmarks, ``tone-report`` and its
evaluation workers. The recipes are the ones taught in 02 · Quantize (PyTorch, torchao), 06 · Intel Neural
Compressor (INC) and 07 · ONNX Runtime; 08 explains the compiled torchao one.

Every compiled backend states whether it freezes instead of relying on a global
``torch._inductor.config.freezing`` set earlier in the process. With freezing the weights become constants,
and Inductor's quantization passes may rewrite a dequantize/``_int_mm`` → matmul pattern into oneDNN's int8
``qlinear_pointwise`` (for torchao's ``_int_mm``, whether they do depends on the CPU: 08 § torchao and INC).
Trap (measured, torch 2.13): ``torch.compile(..., options={"freezing": True})`` does *not* freeze, because
Dynamo reads the global flag while it traces; so the flag is patched in around every call, which is when
Dynamo traces (the first call per input shape, and any recompile).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from tone_helpers.logits import LogitsOnly, with_logits
from tone_helpers.measure import model_size_mb

REFERENCE = "PyTorch float32"
COMPILED_FLOAT32 = "PyTorch float32, compiled"


@dataclass
class Backend:
    """A runnable model and what a results table says about it."""

    model: object  # called as model(input_values).logits
    size_mb: float
    runtime: str = "PyTorch eager"
    precision: str = "float32"
    own_float32: str | None = None  # the float32 backend of the same runtime, for int8's own speed-up


def quantize_dynamic(fp32: torch.nn.Module) -> torch.nn.Module:
    """02's recipe: PyTorch's dynamic int8 on every ``nn.Linear`` (fbgemm on x86, qnnpack on ARM)."""
    return torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)


def torchao_int8(fp32: torch.nn.Module, reduce_range: bool | None = False) -> torch.nn.Module:
    """02's successor API: torchao's dynamic int8 (activations per token, weights per channel), eager.

    ``reduce_range=None`` asks torchao's own helper (``torchao.utils.should_reduce_range``): True on a CPU without
    AVX-512 VNNI (PyTorch's check ignores AVX-VNNI); torchao then keeps activations and weights to 7 bits (−64…63),
    so that the 16-bit pair sums of oneDNN's AVX2 and AVX-512-without-VNNI paths cannot saturate.

    Taught in: 08 · Every backend side by side, in one run, § Building every backend.
    """
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, quantize_

    if reduce_range is None:
        from torchao.utils import should_reduce_range

        reduce_range = should_reduce_range(torch.device("cpu"))
    model = copy.deepcopy(fp32)
    quantize_(model, Int8DynamicActivationInt8WeightConfig(reduce_range=reduce_range))
    return model


def compiled(module: torch.nn.Module, freezing: bool, dynamic: bool | None = False):
    """``torch.compile(module)`` called as ``model(x).logits``, traced with ``freezing`` on or off whatever the global
    setting. dynamic=False: one graph per batch size (a dynamic-batch graph of a frozen Conv fails in torch 2.13).

    Taught in: 08 · Every backend side by side, in one run, § Building every backend.
    """
    from torch._inductor import config as inductor_config

    graph = torch.compile(module, dynamic=dynamic)

    def call(input_values: torch.Tensor) -> torch.Tensor:
        with inductor_config.patch(freezing=freezing):
            return graph(input_values)

    return with_logits(call)


def inc_int8(fp32: torch.nn.Module, example: torch.Tensor, per_channel: bool = False):
    """06's recipe: INC 3.x PT2E dynamic int8 (export → prepare → one forward → convert), not compiled.

    Per-tensor weights (INC's default, the model 06's autotune returns) or per channel (06's second candidate,
    the one Inductor can rewrite into int8 kernels). The forward pass records the weights' ranges.
    """
    os.environ.setdefault("INC_TARGET_DEVICE", "cpu")  # before INC is imported: CPU only
    from neural_compressor.torch.export import export
    from neural_compressor.torch.quantization import DynamicQuantConfig, convert, prepare

    batch = torch.export.Dim("batch", min=1, max=1024)
    exported = export(LogitsOnly(fp32).eval(), (example,), dynamic_shapes=({0: batch},))
    prepared = prepare(exported, DynamicQuantConfig(w_granularity="per_channel" if per_channel else "per_tensor"))
    with torch.inference_mode():  # as 06 runs it
        prepared(example)
    return convert(prepared)


def pt2e_x86_static(fp32: torch.nn.Module, calibration: torch.Tensor, reduce_range: bool | None = None):
    """PT2E with torchao's ``X86InductorQuantizer`` (static, its default config): prepare_pt2e → calibrate → convert.

    ``reduce_range=None``: torchao's helper decides (7-bit activations without AVX-512 VNNI)."""
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    from torchao.quantization.pt2e.quantizer import x86_inductor_quantizer as xiq

    if reduce_range is None:
        from torchao.utils import should_reduce_range

        reduce_range = should_reduce_range(torch.device("cpu"))
    quantizer = xiq.X86InductorQuantizer().set_global(
        xiq.get_default_x86_inductor_quantization_config(is_dynamic=False, reduce_range=reduce_range)
    )
    batch = torch.export.Dim("batch", min=1, max=1024)
    exported = torch.export.export(LogitsOnly(fp32).eval(), (calibration[:8],), dynamic_shapes=({0: batch},))
    prepared = prepare_pt2e(exported.module(), quantizer)
    with torch.no_grad():
        prepared(calibration)
    return convert_pt2e(prepared)


def _pytorch(name: str, fp32: torch.nn.Module, example: torch.Tensor) -> Backend:
    """The backends that run in PyTorch, eager or compiled."""
    if name == "PyTorch float32":
        return Backend(fp32, model_size_mb(fp32))
    if name == "PyTorch int8":
        int8 = quantize_dynamic(fp32)
        return Backend(int8, model_size_mb(int8), precision="int8", own_float32=REFERENCE)
    if name == "torchao int8":
        int8 = torchao_int8(fp32)
        return Backend(int8, model_size_mb(int8), "PyTorch eager (torchao)", "int8", REFERENCE)
    if name == COMPILED_FLOAT32:
        return Backend(compiled(LogitsOnly(fp32).eval(), freezing=True), model_size_mb(fp32), "torch.compile")
    if name == "torchao int8, compiled":
        int8 = torchao_int8(fp32, reduce_range=None)
        model = compiled(LogitsOnly(int8).eval(), freezing=True)
        return Backend(model, model_size_mb(int8), "torch.compile, freezing (torchao)", "int8", COMPILED_FLOAT32)
    if name in ("INC int8, compiled", "INC int8 per-channel, compiled"):
        graph = inc_int8(fp32, example[:8], per_channel="per-channel" in name)
        # dynamic=None as in 06: torch.compile's default for an exported graph with a dynamic batch
        model = compiled(graph, freezing=True, dynamic=None)
        return Backend(model, model_size_mb(graph), "torch.compile, freezing (INC PT2E)", "int8", COMPILED_FLOAT32)
    if name == "PT2E X86Inductor int8 static, compiled":
        graph = pt2e_x86_static(fp32, example)
        model = compiled(graph, freezing=True)
        runtime = "torch.compile, freezing (torchao PT2E X86InductorQuantizer)"
        return Backend(model, model_size_mb(graph), runtime, "int8", COMPILED_FLOAT32)
    raise ValueError(f"unknown backend {name!r}; choose from {', '.join(NAMES)}")


def _onnx(names: list[str], fp32: torch.nn.Module, folder: Path, stem: str, threads: int) -> dict[str, Backend]:
    """07's recipe: export once, quantize MatMul/Gemm weights to int8; ", fused" after the transformer optimizer."""
    from tone_helpers.onnx_backend import (
        OrtClassifier,
        export_onnx,
        onnx_size_mb,
        optimize_transformer,
        quantize_onnx,
    )

    folder.mkdir(parents=True, exist_ok=True)
    float_path = export_onnx(fp32, folder / f"{stem}_fp32.onnx")
    paths = {"": float_path}
    if any(name.endswith(", fused") for name in names):
        config = fp32.config
        fused = folder / f"{stem}_fp32_fused.onnx"
        paths[", fused"] = optimize_transformer(float_path, fused, config.num_attention_heads, config.hidden_size)
    built = {}
    for suffix, path in paths.items():
        runtime = "ONNX Runtime" + (" (transformer optimizer)" if suffix else "")
        float_name, int8_name = f"ONNX Runtime float32{suffix}", f"ONNX Runtime int8{suffix}"
        if float_name in names:
            built[float_name] = Backend(OrtClassifier(path, threads), onnx_size_mb(path), runtime)
        if int8_name in names:
            int8_path = quantize_onnx(path, path.with_name(path.name.replace("fp32", "int8")))
            model = OrtClassifier(int8_path, threads)
            built[int8_name] = Backend(model, onnx_size_mb(int8_path), runtime, "int8", float_name)
    return built


def build(
    names: list[str],
    fp32: torch.nn.Module,
    example: torch.Tensor | None = None,
    threads: int = 2,
    folder: str | Path | None = None,
    stem: str = "model",
) -> dict[str, Backend]:
    """The named backends of ``fp32``, in the order asked.

    ``example``: a batch of input features (at least 8 clips; random ones by default) for the graph exports and
    the static calibration; ``folder``/``stem``: where the ONNX files go (default: the artifacts folder).

    Taught in: 08 · Every backend side by side, § Building every backend.
    """
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise ValueError(f"unknown backend {', '.join(map(repr, unknown))}; choose from {', '.join(NAMES)}")
    if example is None:
        shape = (fp32.config.max_length, fp32.config.num_mel_bins)  # frames × mel bins, as the features are
        example = torch.randn(32, *shape, generator=torch.Generator().manual_seed(1))
    onnx_names = [name for name in names if name.startswith("ONNX Runtime")]
    built = {}
    if onnx_names:
        from tone_helpers import paths

        folder = Path(folder) if folder is not None else paths.ARTIFACTS_DIR / "onnx"
        built = _onnx(onnx_names, fp32, folder, stem, threads)
    return {name: built[name] if name in built else _pytorch(name, fp32, example) for name in names}


NAMES = (
    "PyTorch float32",
    "PyTorch int8",
    "torchao int8",
    COMPILED_FLOAT32,
    "torchao int8, compiled",
    "INC int8, compiled",
    "INC int8 per-channel, compiled",
    "PT2E X86Inductor int8 static, compiled",
    "ONNX Runtime float32",
    "ONNX Runtime int8",
    "ONNX Runtime float32, fused",
    "ONNX Runtime int8, fused",
)
