"""The PyTorch, torchao, INC, ONNX Runtime and OpenVINO backends the benchmarks time and profile, built in one place.

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

The OpenVINO rows (optional: ``pip install -r requirements-openvino.txt``) run the series' ONNX export of the float32
model on OpenVINO's CPU plugin, as it is and after NNCF's post-training static int8 quantization.
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
SKIPPABLE = ("torchao", "compile", "inc", "pt2e", "onnx", "openvino")


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


def inc_int8(fp32: torch.nn.Module, per_channel: bool = False):
    """INC 3.x PT2E dynamic int8 graph (export → prepare → forward → convert), not compiled.

    ``DynamicQuantConfig``: one forward records the weights' ranges. Per tensor (INC's default, the model 06's
    autotune returns) or per channel (06's second candidate: the one Inductor can rewrite into int8 kernels).
    """
    from neural_compressor.torch.quantization import DynamicQuantConfig, convert, prepare

    example = example_batch(8)
    config = DynamicQuantConfig(w_granularity="per_channel" if per_channel else "per_tensor")
    prepared = prepare(_export(fp32, (example,)), config)
    with torch.no_grad():
        prepared(example)
    return convert(prepared)


def inc_compiled(fp32: torch.nn.Module, freezing: bool = True, per_channel: bool = False):
    """Notebook 06's recipes: INC 3.x PT2E int8, ``torch.compile`` with ``freezing`` (what 06 and the benchmark time).

    ``freezing=False`` is the configuration an earlier ``which_kernels.py`` profiled (float32 ``addmm``)."""
    # dynamic=None as in notebook 06: torch.compile's default for an exported graph with a dynamic batch
    return compiled(inc_int8(fp32, per_channel), freezing, dynamic=None)


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


def float32_onnx_path(preset: str):
    """Where the benchmark exports the float32 model to ONNX (git-ignored), one file per preset."""
    from tone_helpers import paths

    folder = paths.ARTIFACTS_DIR / "onnx_bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{preset.replace('-', '_')}_fp32.onnx"


def openvino_installed() -> bool:
    try:
        import nncf  # noqa: F401
        import openvino  # noqa: F401
    except ImportError:
        print("OpenVINO rows left out: openvino and nncf are not installed (pip install -r requirements-openvino.txt)")
        return False
    return True


def openvino_compiled(model, threads: int):
    """An OpenVINO model compiled for the CPU plugin, called like the PyTorch model (``model(x).logits``)."""
    import openvino as ov
    import openvino.properties as props
    import openvino.properties.hint as hints

    config = {
        props.inference_num_threads: threads,  # the same thread budget as torch.set_num_threads
        hints.performance_mode: hints.PerformanceMode.LATENCY,
        # float32 means float32: unasked, the plugin computes in bf16 on CPUs with AVX-512 BF16
        hints.inference_precision: ov.Type.f32,
    }
    compiled = ov.Core().compile_model(model, "CPU", config)
    request = compiled.create_infer_request()  # one request reused, as an application would

    def logits(input_values: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(request.infer({0: input_values.numpy()})[0])

    return with_logits(logits)


def nncf_int8(model, calibration: torch.Tensor):
    """NNCF's post-training static int8 of an OpenVINO model (int8 weights and activations), calibrated clip by clip.

    Preset ``MIXED`` (NNCF's default for transformers): symmetric weights, asymmetric activations. Without VNNI
    (torchao's helper decides, as for the other rows) every weight gets 7 bits (``OverflowFix.ENABLE``): int8 GEMMs
    there sum u8×s8 pairs in 16 bits, which can saturate; NNCF's default fixes only the first layer.
    """
    import nncf
    from nncf.quantization.advanced_parameters import AdvancedQuantizationParameters, OverflowFix
    from torchao.utils import should_reduce_range

    overflow_fix = OverflowFix.ENABLE if should_reduce_range(torch.device("cpu")) else OverflowFix.FIRST_LAYER
    return nncf.quantize(
        model,
        nncf.Dataset(list(calibration.split(1)), lambda clip: clip.numpy()),
        model_type=nncf.ModelType.TRANSFORMER,
        preset=nncf.QuantizationPreset.MIXED,
        subset_size=len(calibration),
        advanced_parameters=AdvancedQuantizationParameters(overflow_fix=overflow_fix),
    )


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
            # per-channel weights: the INC configuration whose Linears Inductor rewrites into oneDNN int8 kernels
            model = inc_compiled(fp32, per_channel=True)
            add("INC int8 per-channel, compiled", model, "torch.compile, freezing (INC PT2E)", "int8", compiled_fp32)
        if "pt2e" not in skip:
            model = pt2e_x86_compiled(fp32, dynamic=False, calibration=example_batch(32, 1))
            runtime = "torch.compile, freezing (torchao PT2E X86InductorQuantizer)"
            add("PT2E X86Inductor int8 static, compiled", model, runtime, "int8", compiled_fp32)
    fp32_path = None  # the ONNX export, once a block below has made it
    if "onnx" not in skip:
        from tone_helpers.onnx_backend import OrtClassifier, export_onnx, optimize_transformer, quantize_onnx

        config = fp32.config
        fp32_path = export_onnx(fp32, float32_onnx_path(preset))
        # control: the transformer optimizer's fusions (SkipLayerNormalization, BiasGelu) before quantizing
        fused = optimize_transformer(
            fp32_path,
            fp32_path.with_name(f"{fp32_path.stem}_fused.onnx"),
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
    if "openvino" not in skip and openvino_installed():
        import openvino as ov

        from tone_helpers.onnx_backend import export_onnx

        # exported afresh unless the ONNX rows just did: a file left by an earlier run may hold other weights
        model = ov.Core().read_model(fp32_path or export_onnx(fp32, float32_onnx_path(preset)))
        add("OpenVINO float32", openvino_compiled(model, threads), "OpenVINO (CPU plugin)", "float32")
        int8 = openvino_compiled(nncf_int8(model, example_batch(32, 1)), threads)  # random features, as above
        add("OpenVINO int8 (NNCF static)", int8, "OpenVINO (CPU plugin, NNCF)", "int8", "OpenVINO float32")
    return backends, runtime_of, own
