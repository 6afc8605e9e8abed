"""Part 1 speed benchmark: float32 vs dynamic int8 on AST base (the tutorial's architecture), model only.

    python benchmarks/latency_part1.py [--threads 2] [--repeats 30] [--batch-sizes 1 8 128]

Random weights (speed does not depend on values). Interleaved rounds after warm-up; prints medians,
interquartile ranges and the int8 speed-up per batch size, with the machine facts the numbers depend on.
"""

import argparse

import torch

from tone_helpers import build_model, notebook
from tone_helpers.machine import machine_facts
from tone_helpers.timing import fmt_time, model_latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 128])
    parser.add_argument("--preset", default="ast-base")
    parser.add_argument("--attn", default=None, help="attention implementation (sdpa, eager)")
    parser.add_argument("--engine", default=None, help="quantized engine (x86, fbgemm, onednn, qnnpack)")
    args = parser.parse_args()
    notebook.quiet_known_warnings()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    engine = args.engine or notebook.choose_quantized_engine()
    torch.backends.quantized.engine = engine
    fp32 = build_model(args.preset).eval()
    if args.attn:
        fp32.set_attn_implementation(args.attn)
    int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    print(
        ", ".join(f"{k}: {v}" for k, v in machine_facts().items()), f"| attention: {fp32.config._attn_implementation}"
    )
    for bs in args.batch_sizes:
        repeats = args.repeats if bs <= 8 else max(3, args.repeats // 6)
        t = model_latency({"float32": fp32, "int8": int8}, bs, warmup=2, repeats=repeats)
        print(
            f"{args.preset} batch {bs:>3}: float32 {fmt_time(t['float32'].median)}, int8 {fmt_time(t['int8'].median)}"
            f" -> speed-up {t['float32'].median / t['int8'].median:.2f}× ({repeats} rounds;"
            f" IQR float32 {' – '.join(map(fmt_time, t['float32'].spread))},"
            f" int8 {' – '.join(map(fmt_time, t['int8'].spread))})"
        )


if __name__ == "__main__":
    main()
