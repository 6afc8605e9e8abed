"""Every backend of the series on AST base, with controls, both kinds of ratio, the dynamic-Linear bound, a result file.

    python benchmarks/latency_backends.py [--preset ast-base|tiny] [--threads 2] [--repeats 20] [--label TEXT]
                                          [--kind measured] [--skip torchao,compile,inc,pt2e,onnx,openvino]
                                          [--out FILE]

The backends are built in ``backends.py`` (``build_backends``), the module ``which_kernels.py`` profiles them
from, so every timed row has a profile. ``--preset tiny`` is a quick check of the whole script, not a result.

AST base with random weights (speed does not depend on their values), model time only, batch 1 and 8,
all backends interleaved in one process after warm-up. Ratios: against PyTorch float32 eager (the user's
baseline) and against the backend's own float32. The bound of PyTorch's dynamic int8 Linear layers at batch 8
(``limit_b8`` in the file): every Linear layer at the time a dynamic int8 Linear of its shape takes alone on this
CPU, everything else at its profiled float32 time. It bounds that recipe only: a backend that quantizes
statically, quantizes more than the Linear layers, or runs the rest faster than eager float32 can beat it. Writes a
result file in the schema of ``tone_helpers.results``: by default to data/artifacts/results/<label>.json (git-ignored);
to add a CPU kind to the README's table, ``--out benchmarks/results/<label>.json``.

To run PyTorch's kernels on their AVX2 path on an AVX-512 machine (ONNX Runtime has no such switch, and whether
OpenVINO's CPU plugin obeys these is not checked, so their rows are left out): FBGEMM_ENABLE_INSTRUCTIONS=AVX2
ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 TORCHINDUCTOR_CPP_MARCH=haswell
python benchmarks/latency_backends.py --kind "forced kernels" --skip onnx,openvino ...
"""

import argparse
import re

from backends import PRESETS, SKIPPABLE, build_backends, model_for  # sets INC_TARGET_DEVICE=cpu before INC loads

from tone_helpers import paths, results, runtime
from tone_helpers.profile import LINEAR_FLOAT32, gemm_seconds, linear_shapes, profile_shares
from tone_helpers.timing import model_latency


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--label", default=None, help="the CPU kind, for the results table")
    parser.add_argument("--kind", default="measured", choices=results.KINDS)
    parser.add_argument("--skip", default="", help="comma-separated: " + ", ".join(SKIPPABLE))
    parser.add_argument("--preset", default="ast-base", choices=list(PRESETS), help="the model (tiny: a quick check)")
    parser.add_argument("--out", default=None, help="result file (default: data/artifacts/results/<label>.json)")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    if skip - set(SKIPPABLE):
        parser.error(f"--skip: unknown {', '.join(sorted(skip - set(SKIPPABLE)))} (choose from {', '.join(SKIPPABLE)})")
    runtime.prepare(args.threads)
    _, model_description, tokens = PRESETS[args.preset]
    fp32 = model_for(args.preset)
    backends, runtime_of, own = build_backends(fp32, args.threads, skip, args.preset)
    command = "python benchmarks/latency_backends.py " + " ".join(
        f"--{k} {v!r}" if " " in str(v) else f"--{k} {v}" for k, v in vars(args).items() if v not in (None, "")
    )
    result = results.new_result(args.label or "this CPU", args.kind, command, model_description, args.threads)
    print(", ".join(f"{k}: {v}" for k, v in result["machine"].items()))
    for batch in (1, 8):
        timings = model_latency(backends, batch, warmup=3, repeats=args.repeats)
        results.add_timings(result, batch, timings, runtime_of, "PyTorch float32", own)
        rows = [r for r in result["timings"] if r["batch"] == batch]
        for r in rows:
            mine = f", {r['vs_own_float32']:.2f}× its own float32" if "vs_own_float32" in r else ""
            print(f"batch {batch}: {r['backend']:<40} {r['median_ms']:9.2f} ms  {r['vs_reference']:5.2f}×{mine}")
    # The dynamic-Linear bound at batch 8, and where the time goes
    shares = {"float32": profile_shares(fp32, 8), "int8": profile_shares(backends["PyTorch int8"], 8)}
    fp32_b8 = next(r["median_ms"] for r in result["timings"] if r["backend"] == "PyTorch float32" and r["batch"] == 8)
    shapes, rows = linear_shapes(fp32)[:-1], 8 * tokens  # the classifier sees one row per clip, not 74
    seconds = gemm_seconds(shapes, rows, args.repeats)
    int8_linear_s = sum(seconds[shape]["int8"] for shape in shapes)
    throughput = {
        f"{rows}x{k}->{n}": {p: round(rows * k * n / s / 1e9, 2) for p, s in by_precision.items()}
        for (k, n), by_precision in seconds.items()
    }
    rest_ms = fp32_b8 * (1 - shares["float32"][LINEAR_FLOAT32])  # a KeyError: the profile found no Linear at all
    limit_ms = rest_ms + 1e3 * int8_linear_s
    # the bound counts only the Linear layers as int8; OpenVINO's int8 graph quantizes attention and the Conv too
    int8_rows = [
        r
        for r in result["timings"]
        if r["batch"] == 8 and r["precision"] == "int8" and not r["backend"].startswith("OpenVINO")
    ]
    best = min(int8_rows, key=lambda r: r["median_ms"])
    result["profile_b8"] = {k: {p: round(v, 4) for p, v in s.items()} for k, s in shares.items()}
    result["gemm_gmacs"] = throughput
    result["limit_b8"] = {
        "limit_ms": round(limit_ms, 3),
        "float32_rest_ms": round(rest_ms, 3),
        "int8_linear_ms": round(1e3 * int8_linear_s, 3),
        "best_int8": best["backend"],
        "best_over_limit": round(best["median_ms"] / limit_ms, 3),
    }
    print("profile at batch 8 (share of CPU time):")
    for precision, parts in shares.items():
        print(f"  {precision}: " + ", ".join(f"{p} {100 * s:.0f} %" for p, s in parts.items()))
    print(
        "GEMM throughput (GMAC/s): "
        + "; ".join(f"{k} {v['float32']} fp32 / {v['int8']} int8" for k, v in throughput.items())
    )
    print(
        f"bound of dynamic int8 Linear layers at batch 8: {limit_ms:.1f} ms "
        f"(float32 rest {rest_ms:.1f} ms + int8 Linears {1e3 * int8_linear_s:.1f} ms); "
        f"best int8 {best['backend']} {best['median_ms']:.1f} ms = {best['median_ms'] / limit_ms:.2f}× the bound"
    )
    name = re.sub(r"[^a-z0-9]+", "-", (args.label or "this-cpu").lower()).strip("-")
    out = results.save(result, args.out or paths.ARTIFACTS_DIR / "results" / f"{name}.json")
    print("result written to", out)


if __name__ == "__main__":
    main()
