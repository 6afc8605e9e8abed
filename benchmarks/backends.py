"""The PyTorch, torchao, INC and ONNX Runtime backends the benchmarks time and profile, built in one place.

``latency_backends.py`` times what ``build_backends`` returns and ``which_kernels.py`` profiles the same
objects, so the profile always describes the configuration that was timed.

Every compiled backend states whether it freezes (``compiled(..., freezing=...)``) instead of relying on a
global ``torch._inductor.config.freezing`` set earlier in the process. With freezing the weights become
constants, and Inductor's quantization passes may rewrite a dequantize/``_int_mm`` → matmul pattern into a
oneDNN int8 kernel (``onednn::qlinear_pointwise``); without it the weights stay inputs and nothing int8 is fused.
Trap (measured, torch 2.13): ``torch.compile(..., options={"freezing": True})`` does *not* freeze: Dynamo
decides whether parameters become constants from the global ``torch._inductor.config.freezing`` while it
traces (``torch._dynamo.utils.is_parameter_freezing``). So the flag is patched in around every call, which is
when Dynamo traces (first call per input shape, and any recompile).
"""

from __future__ import annotations

import copy
import os

os.environ.setdefault("INC_TARGET_DEVICE", "cpu")
os.environ.setdefault("LOGLEVEL", "ERROR")

import torch  # noqa: E402

from tone_helpers import build_model  # noqa: E402
from tone_helpers.logits import LogitsOnly, with_logits  # noqa: E402

SHAPE = (75, 128)  # max_length 75 frames × 128 mel bins
PRESETS = {
    # name: (build_model preset, description, tokens per clip at max_length 75: 12 × 6 patches + 2)
    "ast-base": ("ast-base", "AST base (random weights), max_length 75, 5 labels", 74),
    "tiny": ("tiny", "the series' tiny AST (random weights), max_length 75, 5 labels", 74),
}
SKIPPABLE = ("torchao", "compile", "inc", "pt2e", "onnx")


def model_for(preset: str) -> torch.nn.Module:
    name, _, _ = PRESETS[preset]
    return build_model(name, num_labels=5, max_length=75).eval()


def example_batch(batch: int = 8, seed: int = 0) -> torch.Tensor:
    return torch.randn(batch, *SHAPE, generator=torch.Generator().manual_seed(seed))


def compiled(module: torch.nn.Module, freezing: bool, dynamic: bool | None = False):
    """``torch.compile(module)`` called as ``model(x).logits``, traced with ``freezing`` on or off whatever the global
    setting. dynamic=False: one graph per batch size (a dynamic-shape recompile of a frozen Conv fails in torch 2.13).
    """
    from torch._inductor import config as inductor_config

    graph = torch.compile(module, dynamic=dynamic)

    def call(input_values: torch.Tensor) -> torch.Tensor:
        with inductor_config.patch(freezing=freezing):
            return graph(input_values)

    return with_logits(call)


def float32_compiled(fp32: torch.nn.Module, freezing: bool = True):
    """torch.compile of the float32 model."""
    return compiled(LogitsOnly(fp32).eval(), freezing)


def torchao_int8(fp32: torch.nn.Module, reduce_range: bool | None = False) -> torch.nn.Module:
    """torchao's dynamic int8 (int8 activations per token, int8 weights per channel), eager.

    ``reduce_range=None`` asks torchao's own helper (``torchao.utils.should_reduce_range``): 7-bit activations
    on a CPU without VNNI, where oneDNN's int8 kernel sums u8×s8 pairs in 16 bits and can saturate.
    """
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, quantize_

    if reduce_range is None:
        from torchao.utils import should_reduce_range

        reduce_range = should_reduce_range(torch.device("cpu"))
    model = copy.deepcopy(fp32)
    quantize_(model, Int8DynamicActivationInt8WeightConfig(reduce_range=reduce_range))
    return model


def torchao_compiled(fp32: torch.nn.Module, reduce_range: bool | None = None):
    """torchao int8 compiled with freezing: Inductor rewrites ``_int_mm`` + scales into ``onednn::qlinear_pointwise``
    (eager torchao calls ``torch._int_mm``, which torch 2.13 runs as a scalar loop on a CPU without AVX-512 VNNI)."""
    model = torchao_int8(fp32, reduce_range)
    return compiled(LogitsOnly(model).eval(), freezing=True)


def _export(fp32: torch.nn.Module, example: tuple[torch.Tensor, ...]):
    from neural_compressor.torch.export import export

    batch = torch.export.Dim("batch", min=1, max=1024)
    return export(LogitsOnly(fp32).eval(), example, dynamic_shapes=({0: batch},))


def inc_int8(fp32: torch.nn.Module, static: bool = False, calibration: torch.Tensor | None = None):
    """INC 3.x PT2E int8 graph (export → prepare → forward → convert), not compiled.

    Dynamic (notebook 06's recipe): ``DynamicQuantConfig``, one forward records the weights' ranges.
    Static: ``StaticQuantConfig`` (INC's defaults: uint8 per-tensor activations, int8 per-channel weights),
    the forward calibrates the activations' ranges too.
    """
    from neural_compressor.torch.quantization import DynamicQuantConfig, StaticQuantConfig, convert, prepare

    calibration = example_batch(8) if calibration is None else calibration
    prepared = prepare(_export(fp32, (calibration[:8],)), StaticQuantConfig() if static else DynamicQuantConfig())
    with torch.no_grad():
        prepared(calibration)
    return convert(prepared)


def inc_compiled(
    fp32: torch.nn.Module, freezing: bool = True, static: bool = False, calibration: torch.Tensor | None = None
):
    """Notebook 06's recipe: INC 3.x PT2E int8, ``torch.compile`` with ``freezing`` (what 06 and the benchmark time).

    ``freezing=False`` is the configuration an earlier ``which_kernels.py`` profiled (float32 ``addmm``)."""
    # dynamic=None as in notebook 06: torch.compile's default for an exported graph with a dynamic batch
    return compiled(inc_int8(fp32, static, calibration), freezing, dynamic=None)


def pt2e_x86_int8(
    fp32: torch.nn.Module, dynamic: bool, reduce_range: bool | None = None, calibration: torch.Tensor | None = None
):
    """PT2E with torchao's ``X86InductorQuantizer`` (its default config), prepare_pt2e → forward → convert_pt2e.

    ``reduce_range=None``: torchao's helper decides (7-bit activations without VNNI)."""
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    from torchao.quantization.pt2e.quantizer import x86_inductor_quantizer as xiq

    if reduce_range is None:
        from torchao.utils import should_reduce_range

        reduce_range = should_reduce_range(torch.device("cpu"))
    calibration = example_batch(8) if calibration is None else calibration
    quantizer = xiq.X86InductorQuantizer().set_global(
        xiq.get_default_x86_inductor_quantization_config(is_dynamic=dynamic, reduce_range=reduce_range)
    )
    batch = torch.export.Dim("batch", min=1, max=1024)
    exported = torch.export.export(LogitsOnly(fp32).eval(), (calibration[:8],), dynamic_shapes=({0: batch},))
    prepared = prepare_pt2e(exported.module(), quantizer)
    with torch.no_grad():
        prepared(calibration)
    return convert_pt2e(prepared)


def pt2e_x86_compiled(
    fp32: torch.nn.Module, dynamic: bool, reduce_range: bool | None = None, calibration: torch.Tensor | None = None
):
    return compiled(pt2e_x86_int8(fp32, dynamic, reduce_range, calibration), freezing=True)


def build_backends(fp32: torch.nn.Module, threads: int, skip: set[str], preset: str = "ast-base"):
    """(backends, runtime_of, own float32) for everything not skipped: name → model called as ``model(x).logits``."""
    backends, runtime_of, own = {}, {}, {}

    def add(name, model, runtime, precision, own_float32=None):
        backends[name], runtime_of[name] = model, (runtime, precision)
        if own_float32:
            own[name] = own_float32

    add("PyTorch float32", fp32, "PyTorch eager", "float32")
    int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    add("PyTorch int8", int8, "PyTorch eager", "int8", "PyTorch float32")
    if "torchao" not in skip:
        add("torchao int8", torchao_int8(fp32), "PyTorch eager (torchao)", "int8", "PyTorch float32")
    if "compile" not in skip:
        compiled_fp32 = "PyTorch float32, compiled"
        add(compiled_fp32, float32_compiled(fp32), "torch.compile", "float32")
        if "torchao" not in skip:
            runtime = "torch.compile, freezing (torchao)"
            add("torchao int8, compiled", torchao_compiled(fp32), runtime, "int8", compiled_fp32)
        if "inc" not in skip:
            runtime = "torch.compile, freezing (INC PT2E)"
            add("INC int8, compiled", inc_compiled(fp32), runtime, "int8", compiled_fp32)
            # INC's static config is the INC 3.x route that reaches oneDNN int8 kernels (with freezing); INC offers
            # no reduce_range, so on a CPU without VNNI its 8-bit activations can saturate. Calibrated here on
            # random features (speed does not depend on the ranges).
            model = inc_compiled(fp32, static=True, calibration=example_batch(32, 1))
            add("INC int8 static, compiled", model, "torch.compile, freezing (INC PT2E static)", "int8", compiled_fp32)
        if "pt2e" not in skip:
            model = pt2e_x86_compiled(fp32, dynamic=False, calibration=example_batch(32, 1))
            runtime = "torch.compile, freezing (torchao PT2E X86InductorQuantizer)"
            add("PT2E X86Inductor int8 static, compiled", model, runtime, "int8", compiled_fp32)
    if "onnx" not in skip:
        from tone_helpers import paths
        from tone_helpers.onnx_backend import OrtClassifier, export_onnx, optimize_transformer, quantize_onnx

        config = fp32.config
        folder = paths.ARTIFACTS_DIR / "onnx_bench"
        folder.mkdir(parents=True, exist_ok=True)
        stem = preset.replace("-", "_")
        fp32_path = export_onnx(fp32, folder / f"{stem}_fp32.onnx")
        # control: the transformer optimizer's fusions (SkipLayerNormalization, BiasGelu) before quantizing
        fused = optimize_transformer(
            fp32_path,
            folder / f"{stem}_fp32_fused.onnx",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
        )
        for suffix, runtime, float_path in (
            ("", "ONNX Runtime", fp32_path),
            (", fused", "ONNX Runtime (transformer optimizer)", fused),
        ):
            int8_path = quantize_onnx(float_path, float_path.with_name(float_path.name.replace("fp32", "int8")))
            add(f"ONNX Runtime float32{suffix}", OrtClassifier(float_path, threads), runtime, "float32")
            own_float32 = f"ONNX Runtime float32{suffix}"
            add(f"ONNX Runtime int8{suffix}", OrtClassifier(int8_path, threads), runtime, "int8", own_float32)
    return backends, runtime_of, own


def top_ops(model, batch: int = 8, top: int = 6, calls: int = 1) -> list[tuple[str, float, int]]:
    """(operator, share of self CPU time, calls per forward) of the ``top`` operators, after two warm-up calls."""
    from torch.profiler import ProfilerActivity, profile

    from tone_helpers.profile import no_native_stderr

    x = example_batch(batch)
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
