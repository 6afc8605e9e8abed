"""``tone-report``: is int8 safe for *my* model, and how much faster is it on *this* machine?

    tone-report --checkpoint my.ckpt --csv my_eval.csv --out report_dir [--backends pytorch-int8,onnx-int8]
                [--processes 2] [--threads 2] [--repeats 10] [--max-drop 0.5] [--min-agreement 99]

Quantizes the checkpoint with the series' backends, evaluates float32 and int8 on every clip of the CSV
(on several processes with Lightning if asked, each clip counted once), times them at batch 1 and 8, and
writes ``report.md``, ``report.json`` (the result format of ``tone_helpers.results``) and the charts as PNG
into a new folder. The measuring code is the notebooks'. Nothing is written if an input is bad, and an
existing folder is never overwritten.

Exit status, for a CI: 0 when every int8 backend is within the gate (``--max-drop``, ``--min-agreement``),
3 when one falls short (the report is written all the same), 2 for bad input (nothing written).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

BACKENDS = {"pytorch-int8": "PyTorch int8", "onnx-int8": "ONNX Runtime int8"}

BAD_INPUT = 2  # the exit status of argparse's own usage errors
OUTSIDE_GATE = 3  # an int8 backend lost more accuracy, or agreed on fewer clips, than the gate allows


class ReportError(Exception):
    """A bad input, said in one line that names it."""


def guideline() -> tuple[float, float]:
    """The series' guideline as the gate's defaults (points, percent): ``tone_helpers.guards``, which 05 checks."""
    from tone_helpers.guards import MAX_ACCURACY_CHANGE, MIN_AGREEMENT  # imports torch: not at module level

    return 100 * MAX_ACCURACY_CHANGE, 100 * MIN_AGREEMENT


def parse(argv: list[str] | None) -> argparse.Namespace:
    max_drop, min_agreement = guideline()
    parser = argparse.ArgumentParser(
        prog="tone-report",
        description=__doc__.splitlines()[0],
        epilog=f"exit status: 0 every int8 backend within the gate, {OUTSIDE_GATE} one outside it (report written), "
        f"{BAD_INPUT} bad input (nothing written)",
    )
    parser.add_argument("--checkpoint", required=True, help="a LightningToneClassifier checkpoint")
    parser.add_argument("--csv", required=True, help="evaluation CSV with path,label columns")
    parser.add_argument("--out", required=True, help="a new folder for the report")
    parser.add_argument("--backends", default="pytorch-int8,onnx-int8", help=f"comma-separated: {', '.join(BACKENDS)}")
    parser.add_argument("--processes", type=int, default=1, help="CPU processes for evaluation (Lightning)")
    parser.add_argument("--threads", type=int, default=2, help="threads in total, and for the timings")
    parser.add_argument("--repeats", type=int, default=10, help="timing rounds per model and batch size")
    parser.add_argument("--batch-size", type=int, default=64, help="clips per batch when evaluating")
    gate = parser.add_argument_group(
        "gate",
        f"exit with status {OUTSIDE_GATE} if an int8 backend falls short of either bar (the report is written all the "
        "same). Both bars are on the point estimates measured on your clips, as the notebooks' checks are, counted "
        "in clips: the accuracy drop is (clips right only in float32 - clips right only in int8) / clips, and the "
        "agreement the share of clips given float32's class. Newcombe's paired 95 % interval is in the report "
        "but not gated: on a few hundred clips its lower end is below -0.5 points even when int8 predicts every "
        "clip as float32 does. A passing line says when it reaches below the bar, as a warning that the clips are "
        "too few to rule out a larger drop. "
        "--max-drop 100 --min-agreement 0 turns the gate off.",
    )
    gate.add_argument(
        "--max-drop",
        default=f"{max_drop:g}",
        metavar="POINTS",
        help="largest accuracy drop allowed, in percentage points (0-100; a gain always passes); "
        "default %(default)s, the series' guideline",
    )
    gate.add_argument(
        "--min-agreement",
        default=f"{min_agreement:g}",
        metavar="PERCENT",
        help="lowest agreement with float32 allowed, in percent of clips (0-100); default %(default)s, "
        "the series' guideline",
    )
    return parser.parse_args(argv)


def percentage(value: str, option: str, unit: str) -> float:
    """A threshold from 0 to 100, or a ReportError naming the option."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 <= number <= 100:  # NaN fails this too
        raise ReportError(f"{option} {value!r}: give a number of {unit} from 0 to 100")
    return number


def check_inputs(args) -> list[str]:
    """Everything that can be checked before any work: fail here, and nothing is written."""
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReportError(f"{out}: already exists and is not an empty folder; choose a new --out")
    if not Path(args.checkpoint).is_file():
        raise ReportError(f"{args.checkpoint}: checkpoint not found")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends:
        raise ReportError(f"--backends {args.backends!r}: choose from {', '.join(BACKENDS)}")
    if args.processes < 1 or args.threads < 1 or args.repeats < 1:
        raise ReportError("--processes, --threads and --repeats must be at least 1")
    args.max_drop = percentage(args.max_drop, "--max-drop", "percentage points")
    args.min_agreement = percentage(args.min_agreement, "--min-agreement", "percent")
    if "onnx-int8" in backends:
        import importlib.util

        from tone_helpers.notebook import EXTRAS

        file, modules = EXTRAS["onnx"]
        if any(importlib.util.find_spec(m) is None for m in modules):
            raise ReportError(f"onnx-int8 needs ONNX Runtime and onnxscript: pip install -r {file}")
    return backends


def load_inputs(args):
    """The float32 model and the CSV's features; the data module's errors name the file and row."""
    from tone_helpers import LightningToneClassifier, ToneDataModule
    from tone_helpers.audio import ToneDataError

    try:
        pl_model = LightningToneClassifier.load_from_checkpoint(args.checkpoint, map_location="cpu", weights_only=True)
    except Exception as error:  # a file that is not a checkpoint of ours
        raise ReportError(f"{args.checkpoint}: cannot be read as a tone classifier checkpoint ({error})") from None
    datamodule = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path)
    try:
        dataset = datamodule.get_dataset(args.csv)
    except ToneDataError as error:
        raise ReportError(str(error)) from None
    return pl_model.model.eval(), dataset


def build(model, backends: list[str], work: Path, threads: int) -> dict:
    """name -> ``tone_helpers.backends.Backend``: the float32 model and the int8 backends asked for."""
    from tone_helpers import backends as series

    names = [series.REFERENCE] + [BACKENDS[b] for b in backends]
    return series.build(names, model, threads=threads, folder=work, stem="model")


def recipe_backend(name: str, backend) -> str:
    """What each evaluation process builds: the series' name, or for ONNX Runtime the file made here."""
    return str(backend.model.path) if name.startswith("ONNX Runtime") else name


def predict_all(args, built: dict, dataset) -> dict:
    """Predictions of every backend on every clip, each counted once (several processes if asked)."""
    from tqdm.auto import tqdm

    from tone_helpers.tools.distributed import Recipe, evaluate_logits

    logits = {}
    for name, backend in tqdm(built.items(), desc="evaluating", unit="model"):
        recipe = Recipe(str(Path(args.checkpoint).resolve()), recipe_backend(name, backend))
        logits[name] = evaluate_logits(
            recipe, dataset.features, dataset.labels, args.processes, args.threads, args.batch_size
        )
    return {name: values.argmax(-1) for name, values in logits.items()}


def quality(predictions: dict, labels) -> dict:
    """Accuracy of every model; for each int8 model, the paired comparison with float32 on the same clips."""
    from tone_helpers.backends import REFERENCE
    from tone_helpers.evaluate import accuracy_difference, mcnemar_p_value

    reference = predictions[REFERENCE]
    table = {}
    for name, preds in predictions.items():
        row = {"accuracy": (preds == labels).float().mean().item()}
        if name != REFERENCE:
            only_fp32, only_int8, p = mcnemar_p_value(reference == labels, preds == labels)
            difference, low, high = accuracy_difference(reference == labels, preds == labels)
            row |= {
                "agreement": (preds == reference).float().mean().item(),
                "same class as float32": int((preds == reference).sum()),
                "right only in float32": only_fp32,
                "right only in int8": only_int8,
                "accuracy difference": difference,
                "accuracy difference 95 % interval": [low, high],
                "McNemar p": p,
            }
        table[name] = row
    return table


def verdict(q: dict) -> str:
    """One line on an int8 model's accuracy against float32: the paired interval first, then the test."""
    from tone_helpers.evaluate import mcnemar_smallest_significant

    low, high = q["accuracy difference 95 % interval"]
    discordant = q["right only in float32"] + q["right only in int8"]
    line = (
        f"accuracy {100 * q['accuracy difference']:+.1f} points against float32 "
        f"(95 % interval {100 * low:+.1f} to {100 * high:+.1f}, Newcombe's paired interval)"
    )
    if low > 0 or high < 0:
        line += f"; the interval excludes 0: int8 changed the accuracy (McNemar p = {q['McNemar p']:.3f})"
    else:
        line += "; the interval includes 0: no detectable change, and a change beyond either end is unlikely"
    smallest = mcnemar_smallest_significant(0.05)
    if discordant < smallest:
        line += (
            f"; only {discordant} clip{'s' * (discordant != 1)} right in one model only, and McNemar's exact test "
            f"needs at least {smallest} (all one way) to reach p < 0.05, so its p-value says nothing here"
        )
    return line + f"; agrees with float32 on {100 * q['agreement']:.1f} % of clips"


def gate(q: dict, clips: int, max_drop: float, min_agreement: float) -> dict:
    """An int8 model's row against the bars (points, percent), on the point estimates, counted in clips.

    Counting clips keeps the bar exact: 0.5 points of 1000 clips is 5 clips, and losing 5 passes whatever the
    rounding of two accuracies would say. A gain in accuracy always passes; the agreement bar catches a model
    that changes many predictions.
    """
    lost = q["right only in float32"] - q["right only in int8"]  # net: a clip int8 gains back offsets one it loses
    allowed = math.floor(max_drop * clips / 100 + 1e-9)
    same, required = q["same class as float32"], math.ceil(min_agreement * clips / 100 - 1e-9)
    return {
        "passed": lost <= allowed and same >= required,
        "clips lost, net": lost,
        "clips lost allowed": allowed,
        "same class as float32": same,
        "same class required": required,
    }


def gate_line(name: str, q: dict, g: dict, clips: int, max_drop: float, min_agreement: float) -> str:
    """One line per int8 backend, ✓ or ✗, with the figures and the bars in points, percent and clips."""
    short = [
        what
        for what, ok in (
            ("accuracy", g["clips lost, net"] <= g["clips lost allowed"]),
            ("agreement", g["same class as float32"] >= g["same class required"]),
        )
        if not ok
    ]
    head = f"✓ {name} within the gate" if g["passed"] else f"✗ {name} outside the gate ({' and '.join(short)})"
    line = (
        f"{head}: accuracy {100 * q['accuracy difference']:+.1f} points against float32, allowed {-max_drop:+.1f} "
        f"(net {g['clips lost, net']} of {clips} clips lost, allowed {g['clips lost allowed']}); "
        f"agreement {100 * q['agreement']:.1f} %, required {min_agreement:.1f} % "
        f"({g['same class as float32']} of {clips} clips, required {g['same class required']})"
    )
    low = q["accuracy difference 95 % interval"][0]
    if g["passed"] and 100 * low < -max_drop:
        line += f"; the 95 % interval reaches {100 * low:+.1f} points, so {clips} clips cannot rule out a larger drop"
    return line


def apply_gate(result: dict, max_drop: float, min_agreement: float) -> None:
    """``result["gate"]``: the bars, the statistic, and every int8 backend's verdict, with its line."""
    backends = {}
    for name, q in result["quality"].items():
        if "agreement" in q:
            g = gate(q, result["clips"], max_drop, min_agreement)
            backends[name] = g | {"line": gate_line(name, q, g, result["clips"], max_drop, min_agreement)}
    result["gate"] = {
        "max drop (points)": max_drop,
        "min agreement (%)": min_agreement,
        "statistic": "point estimate on these clips, counted in clips",
        "passed": all(g["passed"] for g in backends.values()),
        "backends": backends,
    }


def time_models(args, built: dict, command: str) -> dict:
    """The result file's skeleton with timings at batch 1 and 8 (model only, interleaved, median and IQR)."""
    from tone_helpers import results
    from tone_helpers.backends import REFERENCE
    from tone_helpers.timing import model_latency

    result = results.new_result(
        "this CPU", "measured", command, f"checkpoint {Path(args.checkpoint).name}", args.threads
    )
    models = {name: b.model for name, b in built.items()}
    runtime_of = {name: (b.runtime, b.precision) for name, b in built.items()}
    against = {name: REFERENCE for name in built if name != REFERENCE}  # every int8 model against PyTorch's float32
    for batch in (1, 8):
        timings = model_latency(models, batch, warmup=2, repeats=args.repeats)
        results.add_timings(result, batch, timings, runtime_of, REFERENCE, against)
    return result


def write_report(folder: Path, result: dict, predictions: dict, labels, args) -> None:
    """report.md, report.json and the charts, into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    from tone_helpers import plots, results

    fig, _ = plots.confusion_matrices({name: (preds, labels) for name, preds in predictions.items()})
    fig.savefig(folder / "confusion_matrices.png", dpi=100)
    b8 = {r["backend"]: r["median_ms"] for r in result["timings"] if r["batch"] == 8}
    summary = {
        name: {"Size (MB)": result["sizes_mb"][name], "Accuracy": q["accuracy"], "Latency at batch 8 (ms)": b8[name]}
        for name, q in result["quality"].items()
    }
    plots.comparison_chart(summary).savefig(folder / "comparison.png", dpi=100)
    results.save(result, folder / "report.json")
    (folder / "report.md").write_text(markdown(result, args), encoding="utf-8")


def markdown(result: dict, args) -> str:
    from tone_helpers.report import Table

    quality_rows = [
        [
            name,
            f"{q['accuracy']:.3f}",
            f"{100 * q['agreement']:.1f} %" if "agreement" in q else "—",
            (
                f"{100 * q['accuracy difference']:+.1f} ({100 * q['accuracy difference 95 % interval'][0]:+.1f} to "
                f"{100 * q['accuracy difference 95 % interval'][1]:+.1f})"
                if "accuracy difference" in q
                else "—"
            ),
            (f"{q['right only in float32']} / {q['right only in int8']}" if "right only in float32" in q else "—"),
            f"{q['McNemar p']:.3f}" if "McNemar p" in q else "—",
        ]
        for name, q in result["quality"].items()
    ]
    timing_rows = [
        [
            r["backend"],
            r["batch"],
            f"{r['median_ms']:.2f} ms",
            f"{r['q1_ms']:.2f}–{r['q3_ms']:.2f} ms",
            f"{r['vs_reference']:.2f}×",
        ]
        for r in result["timings"]
    ]
    verdicts = [f"- **{name}**: {verdict(q)}" for name, q in result["quality"].items() if "agreement" in q]
    g, (series_drop, series_agreement) = result["gate"], guideline()
    gate_section = (
        f"## Gate: {'passed' if g['passed'] else f'failed (exit status {OUTSIDE_GATE})'}\n\n"
        f"int8 may lose at most {g['max drop (points)']:g} points of accuracy against float32 and must agree with it "
        f"on at least {g['min agreement (%)']:g} % of clips (`--max-drop`, `--min-agreement`; the series' guideline "
        f"is {series_drop:g} and {series_agreement:g}), on the point estimates measured here.\n\n"
        + "\n".join(f"- {b['line']}" for b in g["backends"].values())
    )
    return (
        "\n\n".join(
            [
                f"# int8 report: {Path(args.checkpoint).name} on {result['clips']} clips of {Path(args.csv).name}",
                gate_section,
                "## Paired comparison with float32\n\n" + "\n".join(verdicts),
                "## Size\n\n"
                + repr(Table(["model", "size (MB)"], [[n, f"{s:.2f}"] for n, s in result["sizes_mb"].items()])),
                "## Accuracy\n\n"
                + repr(
                    Table(
                        [
                            "model",
                            "accuracy",
                            "agreement with float32",
                            "minus float32, points (95 % interval)",
                            "right only in float32 / only in this model",
                            "McNemar p",
                        ],
                        quality_rows,
                    )
                ),
                "![confusion matrices](confusion_matrices.png)\n\n![size, accuracy and latency](comparison.png)",
                f"## Latency (model only, {result['threads']} threads, median of {args.repeats} interleaved rounds)\n\n"
                + repr(Table(["model", "batch", "median", "IQR", "speed-up over float32"], timing_rows)),
                "## Machine\n\n"
                + "\n".join(f"- {k}: {v}" for k, v in {**result["machine"], **result["software"]}.items()),
                f"Command: `{result['source']}`",
            ]
        )
        + "\n"
    )


def run(argv: list[str] | None = None) -> tuple[Path, dict]:
    args = parse(argv)
    backends = check_inputs(args)
    from tone_helpers.runtime import prepare

    prepare(args.threads)
    model, dataset = load_inputs(args)
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="tone-report-") as work:
        built = build(model, backends, Path(work), args.threads)
        predictions = predict_all(args, built, dataset)
        command = "tone-report " + " ".join(sys.argv[1:] if argv is None else argv)
        result = time_models(args, built, command)
        result["clips"] = len(dataset)
        result["sizes_mb"] = {name: round(b.size_mb, 3) for name, b in built.items()}
        result["quality"] = quality(predictions, dataset.labels)
        apply_gate(result, args.max_drop, args.min_agreement)
        staging = Path(work) / "report"
        staging.mkdir()
        write_report(staging, result, predictions, dataset.labels, args)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()  # checked empty above
        shutil.copytree(staging, out)
    return out, result["gate"]


def main(argv: list[str] | None = None) -> None:
    try:
        out, gate_result = run(argv)
    except ReportError as error:
        print(f"tone-report: error: {error}", file=sys.stderr)
        raise SystemExit(BAD_INPUT) from None
    print(f"report written to {out}/ (report.md, report.json, confusion_matrices.png, comparison.png)")
    print((out / "report.md").read_text(encoding="utf-8"))
    for backend in gate_result["backends"].values():  # last, where a CI log's tail shows them
        print(backend["line"])
    if not gate_result["passed"]:
        failed = [name for name, b in gate_result["backends"].items() if not b["passed"]]
        print(f"tone-report: int8 outside the gate: {', '.join(failed)} (exit status {OUTSIDE_GATE})", file=sys.stderr)
        raise SystemExit(OUTSIDE_GATE)


if __name__ == "__main__":
    main()
