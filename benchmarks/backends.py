"""The benchmarks' backends: the series' own (``tone_helpers.backends``, by name) plus the optional OpenVINO rows.

``latency_backends.py`` times what ``build_backends`` returns and ``which_kernels.py`` profiles the same
objects, so the profile always describes the configuration that was timed. How each backend is built (and the
freezing trap of ``torch.compile``) is in ``tone_helpers.backends``, which notebook 08 and ``tone-report`` use too.

The OpenVINO rows (optional: ``pip install -r requirements-openvino.txt``) run the series' ONNX export of the float32
model on OpenVINO's CPU plugin, as it is and after NNCF's post-training static int8 quantization.
"""

from __future__ import annotations

import os

os.environ.setdefault("INC_TARGET_DEVICE", "cpu")  # Intel Neural Compressor: CPU only, errors only in its log
os.environ.setdefault("LOGLEVEL", "ERROR")

import torch  # noqa: E402

from tone_helpers import backends as series  # noqa: E402
from tone_helpers import build_model, paths  # noqa: E402
from tone_helpers.logits import with_logits  # noqa: E402

SHAPE = (75, 128)  # max_length 75 frames × 128 mel bins
PRESETS = {
    # name: (build_model preset, description, tokens per clip at max_length 75: 12 × 6 patches + 2)
    "ast-base": ("ast-base", "AST base (random weights), max_length 75, 5 labels", 74),
    "tiny": ("tiny", "the series' tiny AST (random weights), max_length 75, 5 labels", 74),
}
SKIPPABLE = ("torchao", "compile", "inc", "pt2e", "onnx", "openvino")
# which --skip word leaves out which of the series' backends
SKIPPED_BY = {
    "torchao int8": {"torchao"},
    "PyTorch float32, compiled": {"compile"},
    "torchao int8, compiled": {"torchao", "compile"},
    "INC int8, compiled": {"inc", "compile"},
    "INC int8 per-channel, compiled": {"inc", "compile"},
    "PT2E X86Inductor int8 static, compiled": {"pt2e", "compile"},
    "ONNX Runtime float32": {"onnx"},
    "ONNX Runtime int8": {"onnx"},
    "ONNX Runtime float32, fused": {"onnx"},
    "ONNX Runtime int8, fused": {"onnx"},
}


def model_for(preset: str) -> torch.nn.Module:
    name, _, _ = PRESETS[preset]
    return build_model(name, num_labels=5, max_length=75).eval()


def example_batch(batch: int = 8, seed: int = 0) -> torch.Tensor:
    return torch.randn(batch, *SHAPE, generator=torch.Generator().manual_seed(seed))


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

    Preset ``MIXED`` (NNCF's default for transformers): symmetric weights, asymmetric activations. Without AVX-512
    VNNI (torchao's helper decides, as for the other rows) every weight gets 7 bits (``OverflowFix.ENABLE``): int8 GEMMs
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
    names = [name for name in series.NAMES if not SKIPPED_BY.get(name, set()) & skip]
    # random features for the exports and the static calibration: speed does not depend on their values
    built = series.build(
        names, fp32, example_batch(32, 1), threads, paths.ARTIFACTS_DIR / "onnx_bench", preset.replace("-", "_")
    )
    backends = {name: b.model for name, b in built.items()}
    runtime_of = {name: (b.runtime, b.precision) for name, b in built.items()}
    own = {name: b.own_float32 for name, b in built.items() if b.own_float32}
    if "openvino" not in skip and openvino_installed():
        import openvino as ov

        from tone_helpers.onnx_backend import export_onnx

        # exported afresh unless the ONNX rows just did: a file left by an earlier run may hold other weights
        onnx_path = paths.ARTIFACTS_DIR / "onnx_bench" / f"{preset.replace('-', '_')}_fp32.onnx"
        model = ov.Core().read_model(onnx_path if "onnx" not in skip else export_onnx(fp32, onnx_path))
        int8 = nncf_int8(model, example_batch(32, 1))
        for name, runtime, precision, runnable in (
            ("OpenVINO float32", "OpenVINO (CPU plugin)", "float32", model),
            ("OpenVINO int8 (NNCF static)", "OpenVINO (CPU plugin, NNCF)", "int8", int8),
        ):
            backends[name], runtime_of[name] = openvino_compiled(runnable, threads), (runtime, precision)
        own["OpenVINO int8 (NNCF static)"] = "OpenVINO float32"
    return backends, runtime_of, own
