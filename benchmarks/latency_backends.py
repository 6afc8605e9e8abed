"""Parts 1 and 3 speed benchmark on AST base: PyTorch eager float32/int8 vs ONNX Runtime float32/int8.

    python benchmarks/latency_backends.py [--threads 2] [--repeats 20]

Random weights (speed does not depend on values); model time only; interleaved rounds after warm-up.
Writes its ONNX files to data/artifacts/onnx/. Prints medians and the speed-up over PyTorch float32.
"""

import argparse

import torch

from tone_helpers import build_model, notebook, paths
from tone_helpers.machine import machine_facts
from tone_helpers.onnx_backend import OrtClassifier, export_onnx, onnx_size_mb, quantize_onnx
from tone_helpers.timing import fmt_time, model_latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    notebook.quiet_known_warnings()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    notebook.choose_quantized_engine()
    fp32 = build_model("ast-base").eval()
    folder = paths.ARTIFACTS_DIR / "onnx"
    folder.mkdir(parents=True, exist_ok=True)
    onnx_fp32 = export_onnx(fp32, folder / "bench_ast_base_fp32.onnx")
    onnx_int8 = quantize_onnx(onnx_fp32, folder / "bench_ast_base_int8.onnx")
    print(", ".join(f"{k}: {v}" for k, v in machine_facts().items()))
    print(
        f"ONNX sizes: {onnx_size_mb(onnx_fp32):.2f} MB -> {onnx_size_mb(onnx_int8):.2f} MB "
        f"(int8/fp32 = {onnx_size_mb(onnx_int8) / onnx_size_mb(onnx_fp32):.4f})"
    )
    models = {
        "PyTorch float32": fp32,
        "PyTorch int8": torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8),
        "ONNX Runtime float32": OrtClassifier(onnx_fp32, args.threads),
        "ONNX Runtime int8": OrtClassifier(onnx_int8, args.threads),
    }
    for bs in (1, 8):
        t = model_latency(models, bs, warmup=2, repeats=args.repeats)
        base = t["PyTorch float32"].median
        print(f"batch {bs}: " + "; ".join(f"{n} {fmt_time(v.median)} ({base / v.median:.2f}×)" for n, v in t.items()))


if __name__ == "__main__":
    main()
