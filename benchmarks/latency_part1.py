"""Part 1 speed benchmark: float32 vs dynamic int8 on AST base (the tutorial's architecture), model only.

    python benchmarks/latency_part1.py [--preset ast-base|small|tiny] [--threads 2] [--repeats 30]
                                       [--batch-sizes 1 8 128] [--attn sdpa|eager]
                                       [--engine x86|fbgemm|onednn|qnnpack] [--out FILE]

Random weights (speed does not depend on values). Interleaved rounds after warm-up; prints medians,
interquartile ranges and the int8 speed-up per batch size, with the machine facts the numbers depend on, and
writes them as a result file (``tone_helpers.results``) to data/artifacts/results/part1/<preset>.json (git-ignored)
or ``--out``. ``--preset tiny --repeats 2`` is a quick check of the script, not a result; ``--preset small
--batch-sizes 1 8 --repeats 60`` measures the trained preset's shape; ``benchmarks/results/part1/`` holds what it gave
on the machines measured so far.
"""

import argparse
import os
import sys

from tone_helpers import backends, build_model, paths, results, runtime
from tone_helpers.machine import ENGINE_VARIABLE, machine_facts
from tone_helpers.timing import fmt_time, model_latency

NAMES = {"float32": backends.REFERENCE, "int8": "PyTorch int8"}
MODEL_NAMES = {"ast-base": "AST base", "small": "small preset", "tiny": "tiny AST"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 128])
    parser.add_argument("--preset", default="ast-base", choices=list(MODEL_NAMES))
    parser.add_argument("--attn", default=None, choices=["sdpa", "eager"], help="attention implementation")
    parser.add_argument("--engine", default=None, help="quantized engine (x86, fbgemm, onednn, qnnpack)")
    parser.add_argument("--out", default=None, help="result file (default: data/artifacts/results/part1/<preset>.json)")
    args = parser.parse_args(argv)
    if args.engine:
        os.environ[ENGINE_VARIABLE] = args.engine  # read by the set-up, which checks it names a real engine
    runtime.prepare(args.threads)
    fp32 = build_model(args.preset).eval()
    if args.attn:
        fp32.set_attn_implementation(args.attn)
    built = backends.build(list(NAMES.values()), fp32)
    print(
        ", ".join(f"{k}: {v}" for k, v in machine_facts().items()), f"| attention: {fp32.config._attn_implementation}"
    )
    command = "python benchmarks/latency_part1.py " + " ".join(argv if argv is not None else sys.argv[1:])
    model = f"{MODEL_NAMES[args.preset]} (random weights), max_length 75, 5 labels"
    result = results.new_result("this CPU (Part 1 benchmark)", "measured", command, model, args.threads)
    for bs in args.batch_sizes:
        repeats = args.repeats if bs <= 8 else max(2, args.repeats // 6)
        t = model_latency({name: built[name].model for name in NAMES.values()}, bs, warmup=2, repeats=repeats)
        runtime_of = {name: (b.runtime, b.precision) for name, b in built.items()}
        results.add_timings(result, bs, t, runtime_of, NAMES["float32"], {NAMES["int8"]: NAMES["float32"]})
        fp32_t, int8_t = t[NAMES["float32"]], t[NAMES["int8"]]
        print(
            f"{args.preset} batch {bs:>3}: float32 {fmt_time(fp32_t.median)}, int8 {fmt_time(int8_t.median)}"
            f" -> speed-up {fp32_t.median / int8_t.median:.2f}× ({repeats} rounds;"
            f" IQR float32 {' – '.join(map(fmt_time, fp32_t.spread))},"
            f" int8 {' – '.join(map(fmt_time, int8_t.spread))})"
        )
    # a folder of its own: notebook 10 puts the files of data/artifacts/results/ beside the committed ones
    out = results.save(result, args.out or paths.ARTIFACTS_DIR / "results" / "part1" / f"{args.preset}.json")
    print("result written to", out)


if __name__ == "__main__":
    main()
