"""ONNX Runtime behind the same call as a 🤗 model, so every measuring helper serves both.

``OrtClassifier(path)(input_values).logits`` runs an exported AST with ONNX Runtime on the CPU and
returns torch logits, just like ``model(input_values).logits``; also the export and quantization recipes
of notebook 07, packaged for the notebooks and benchmarks that repeat them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tone_helpers.logits import LogitsOnly, with_logits
from tone_helpers.measure import MB


class OrtClassifier:
    """An ONNX Runtime CPU session with a fixed thread count, called like the PyTorch model."""

    def __init__(self, path: str | Path, threads: int = 2):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # the same thread budget as torch.set_num_threads
        options.inter_op_num_threads = 1
        # ORT's idle threads spin by default, stealing the cores from whatever runs next; our timings
        # interleave ORT with PyTorch, so they must sleep instead.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: no notices on the reader's screen
        self.path = Path(path)
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def logits(self, input_values: torch.Tensor) -> torch.Tensor:
        (logits,) = self.session.run(None, {self.input_name: input_values.numpy()})
        return torch.from_numpy(logits)

    def __call__(self, input_values: torch.Tensor):
        return with_logits(self.logits)(input_values)


def onnx_size_mb(path: str | Path) -> float:
    """Size on disk of an ONNX model, counting an external ``.data`` file next to it if there is one."""
    path = Path(path)
    files = [path] + [p for p in path.parent.glob(path.name + ".data")]
    return sum(p.stat().st_size for p in files) / MB


def op_counts(path: str | Path) -> dict[str, int]:
    """How many nodes of each operator type the graph has, for showing what quantization inserted."""
    from collections import Counter

    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    return dict(sorted(Counter(node.op_type for node in graph.node).items()))


def strip_export_metadata(path: str | Path) -> int:
    """Remove the per-node debugging metadata the dynamo exporter writes; returns how many entries.

    For every node the exporter records the Python stack trace, module path and FX node that produced
    it. Useful when debugging an export, but it holds absolute file paths, so the same model exported on
    two machines gives files of different sizes (and leaks the paths).
    """
    import onnx

    model = onnx.load(str(path))
    removed = 0
    for node in model.graph.node:
        removed += len(node.metadata_props)
        del node.metadata_props[:]
    onnx.save(model, str(path))
    return removed


def export_onnx(model: torch.nn.Module, path: str | Path) -> Path:
    """Notebook 07's export recipe: dynamo exporter, free batch dimension, one file, debug metadata stripped."""
    batch = torch.export.Dim("batch", min=1, max=1024)  # max is optional: a generous bound, above any batch used here
    torch.onnx.export(
        LogitsOnly(model).eval(),
        (torch.randn(2, 75, 128),),
        path,
        input_names=["input_values"],
        output_names=["logits"],
        dynamic_shapes={"input_values": {0: batch}},
        dynamo=True,
        external_data=False,
        verbose=False,
    )
    strip_export_metadata(path)
    return Path(path)


def quantize_onnx(fp32_path: str | Path, int8_path: str | Path, **options) -> Path:
    """Notebook 07's quantization recipe: pre-process, then dynamic int8 on MatMul/Gemm (QInt8 weights by default)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = Path(int8_path).with_suffix(".prepared.onnx")
    quant_pre_process(fp32_path, prepared)
    quantize_dynamic(
        prepared, int8_path, op_types_to_quantize=["MatMul", "Gemm"], **{"weight_type": QuantType.QInt8, **options}
    )
    return Path(int8_path)


def calibration_reader(features: torch.Tensor, batch_size: int = 16):
    """ONNX Runtime's calibration input: the clips' features, a batch at a time, then ``None``.

    ``quantize_static`` runs the model on these to record each activation's range. Give it clips the
    model will never be evaluated on (the series uses the training split).
    """
    from onnxruntime.quantization import CalibrationDataReader

    class FeatureReader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter(features.split(batch_size))

        def get_next(self):
            batch = next(self.batches, None)
            return None if batch is None else {"input_values": batch.numpy()}

    return FeatureReader()


def optimized_op_counts(path: str | Path) -> dict[str, int]:
    """Operator counts of the graph ONNX Runtime actually runs, after its fusions (saved at the extended level)."""
    import tempfile

    import onnxruntime as ort

    with tempfile.TemporaryDirectory() as folder:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(Path(folder) / "optimized.onnx")
        options.log_severity_level = 3
        ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return op_counts(options.optimized_model_filepath)


def optimize_transformer(fp32_path: str | Path, out_path: str | Path, num_heads: int, hidden_size: int) -> Path:
    """ONNX Runtime's transformer optimizer: fuses LayerNorm with the residual add and the bias with GELU."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimize_model(str(fp32_path), model_type="vit", num_heads=num_heads, hidden_size=hidden_size).save_model_to_file(
        str(out_path)
    )
    return Path(out_path)


def narrowed_ranges(reference, ranges, rtol: float = 1e-4) -> dict[str, float]:
    """Activations whose calibrated range in ``ranges`` is narrower than in ``reference``, with the share kept.

    Both arguments map a tensor name to what an ONNX Runtime calibrator's ``compute_data()`` returns for it
    (an object with ``range_value`` = (lowest, highest), or a plain pair). A range counts as narrower only
    when its width is below ``(1 - rtol)`` times the reference width: ranges computed from float32 tensors
    can differ in their last bits between two calibrators' sessions, and that is not a different choice.
    Returns {name: narrowed width / reference width}.
    """

    def width(value) -> float:
        low, high = getattr(value, "range_value", value)
        return float(np.asarray(high).reshape(-1)[0]) - float(np.asarray(low).reshape(-1)[0])

    out = {}
    for name in reference.keys():
        full, other = width(reference[name]), width(ranges[name])
        if other < (1 - rtol) * full:
            out[name] = other / full
    return out
