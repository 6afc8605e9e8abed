"""One result format for every measurement the project writes: benchmarks now, reports later.

A result file is JSON: what was measured (model, threads, source command), on what (machine facts from
``tone_helpers.machine``, software versions), how it was obtained (``kind``: measured, forced kernels,
transcribed from a note), and rows of timings with both kinds of ratio. ``python -m tone_helpers.results``
prints the "what to expect on your CPU" table from every file in ``benchmarks/results/``.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform
from pathlib import Path

from tone_helpers.paths import REPO_ROOT

SCHEMA = "tone-quantization-results/1"
KINDS = ("measured", "forced kernels", "transcribed")
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
REQUIRED = ("schema", "label", "kind", "source", "date", "machine", "software", "model", "threads", "timings")
ROW_KEYS = ("backend", "runtime", "precision", "batch", "median_ms")
# Two VMs with the same ISA features differed 2× in int8 speed: the CPU's model name, family and model tell them apart.
MACHINE_KEYS = ("torch", "threads", "cpu", "cpu model", "int8 features")


class ResultError(ValueError):
    """A result file that does not follow the schema; the message names the file and the field."""


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("torch", "onnxruntime", "neural-compressor-pt", "torchao", "transformers", "openvino", "nncf"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


def new_result(label: str, kind: str, source: str, model: str, threads: int) -> dict:
    """An empty result for this machine, today."""
    from tone_helpers.machine import machine_facts

    if kind not in KINDS:
        raise ResultError(f"kind must be one of {KINDS}, got {kind!r}")
    return {
        "schema": SCHEMA,
        "label": label,
        "kind": kind,
        "source": source,
        "date": datetime.date.today().isoformat(),
        "machine": machine_facts(),
        "software": software_versions(),
        "model": model,
        "threads": threads,
        "timings": [],
    }


def add_timings(result: dict, batch: int, timings: dict, runtime_of: dict, reference: str, own: dict) -> None:
    """Rows for one batch size: median and quartiles, ratio to ``reference`` and to each backend's own float32.

    ``timings`` maps backend name -> ``tone_helpers.timing.Timing``; ``runtime_of`` maps it to
    (runtime, precision); ``own`` maps an int8 backend to the float32 backend of the same runtime.
    """
    for name, timing in timings.items():
        runtime, precision = runtime_of[name]
        q1, q3 = timing.spread
        row = {
            "backend": name,
            "runtime": runtime,
            "precision": precision,
            "batch": batch,
            "median_ms": round(1e3 * timing.median, 4),
            "q1_ms": round(1e3 * q1, 4),
            "q3_ms": round(1e3 * q3, 4),
            "repeats": len(timing.seconds),
            "vs_reference": round(timings[reference].median / timing.median, 4),
        }
        if name in own and own[name] in timings:
            row["vs_own_float32"] = round(timings[own[name]].median / timing.median, 4)
        result["timings"].append(row)


def save(result: dict, path: str | Path) -> Path:
    validate(result, str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def validate(result: dict, where: str) -> dict:
    """Raise ResultError naming ``where`` and the field if ``result`` does not follow the schema."""
    missing = [key for key in REQUIRED if key not in result]
    if missing:
        raise ResultError(f"{where}: missing field(s) {missing}")
    if result["schema"] != SCHEMA:
        raise ResultError(f"{where}: schema {result['schema']!r}, this code reads {SCHEMA!r}")
    if result["kind"] not in KINDS:
        raise ResultError(f"{where}: kind {result['kind']!r} is not one of {KINDS}")
    absent = [key for key in MACHINE_KEYS if key not in result["machine"]]
    if absent:
        raise ResultError(f"{where}: machine lacks {absent} (a file written by an older benchmark: run it again)")
    for i, row in enumerate(result["timings"]):
        absent = [key for key in ROW_KEYS if key not in row]
        if absent:
            raise ResultError(f"{where}: timings[{i}] lacks {absent}")
    return result


def load(path: str | Path) -> dict:
    path = Path(path)
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ResultError(f"{path}: not JSON ({error})") from None
    return validate(result, str(path))


def load_all(folder: str | Path = RESULTS_DIR) -> list[dict]:
    return [load(p) for p in sorted(Path(folder).glob("*.json"))]


def ratio(result: dict, backend: str, batch: int, key: str = "vs_reference") -> float | None:
    for row in result["timings"]:
        if row["backend"] == backend and row["batch"] == batch:
            return row.get(key)
    return None


EXPECT_ROWS = [  # (row label, backend, batch, which ratio)
    ("PyTorch `quantize_dynamic`, batch 1", "PyTorch int8", 1, "vs_reference"),
    ("PyTorch `quantize_dynamic`, batch 8", "PyTorch int8", 8, "vs_reference"),
    ("ONNX Runtime int8, batch 1", "ONNX Runtime int8", 1, "vs_reference"),
    ("ONNX Runtime int8, batch 8", "ONNX Runtime int8", 8, "vs_reference"),
    ("ONNX Runtime int8 against its own float32, batch 8", "ONNX Runtime int8", 8, "vs_own_float32"),
    ("ONNX Runtime float32, batch 8", "ONNX Runtime float32", 8, "vs_reference"),
    ("ONNX Runtime int8 after the transformer optimizer, batch 8", "ONNX Runtime int8, fused", 8, "vs_reference"),
    ("torchao int8, batch 8", "torchao int8", 8, "vs_reference"),
    ("PyTorch float32, `torch.compile`, batch 8", "PyTorch float32, compiled", 8, "vs_reference"),
    ("INC int8, compiled, batch 8", "INC int8, compiled", 8, "vs_reference"),
    ("torchao int8, compiled with freezing, batch 1", "torchao int8, compiled", 1, "vs_reference"),
    ("torchao int8, compiled with freezing, batch 8", "torchao int8, compiled", 8, "vs_reference"),
    ("INC int8 per-channel, compiled with freezing, batch 1", "INC int8 per-channel, compiled", 1, "vs_reference"),
    ("INC int8 per-channel, compiled with freezing, batch 8", "INC int8 per-channel, compiled", 8, "vs_reference"),
    (
        "PT2E `X86InductorQuantizer` static int8, compiled, batch 8",
        "PT2E X86Inductor int8 static, compiled",
        8,
        "vs_reference",
    ),
    ("OpenVINO float32, batch 8", "OpenVINO float32", 8, "vs_reference"),
    ("OpenVINO int8 (NNCF static), batch 1", "OpenVINO int8 (NNCF static)", 1, "vs_reference"),
    ("OpenVINO int8 (NNCF static), batch 8", "OpenVINO int8 (NNCF static)", 8, "vs_reference"),
    ("OpenVINO int8 against its own float32, batch 8", "OpenVINO int8 (NNCF static)", 8, "vs_own_float32"),
]


def expectation_table(results: list[dict]):
    """One column per result file, one row per backend and batch: speed-ups over PyTorch float32 (a ``Table``)."""
    from tone_helpers.report import Table

    rows = []
    for label, backend, batch, key in EXPECT_ROWS:
        values = [ratio(result, backend, batch, key) for result in results]
        if any(v is not None for v in values):
            rows.append([label, *(f"{v:.2f}×" if v is not None else "—" for v in values)])
    rows.append(["how obtained", *(f"{r['kind']}, {r['date']}" for r in results)])
    return Table(["AST base, speed-up over PyTorch float32 eager", *(r["label"] for r in results)], rows)


def cpu_kind(result: dict) -> str:
    """The int8 instruction path a result's CPU offers its libraries: the column a reader's CPU belongs to."""
    features = result["machine"]["int8 features"]
    for feature, kind in (("amx_int8", "AMX"), ("avx512_vnni", "AVX-512 VNNI"), ("avx512f", "AVX-512 without VNNI")):
        if feature in features:
            return kind
    return "AVX2 only" if "avx2" in features else features


def value_range(values: list[float], machines: int) -> str:
    """ "2.93–4.45×" over the machines that have a value; "(1 of 2)" where not every machine of the kind does."""
    if not values:
        return "—"
    text = f"{values[0]:.2f}×" if len(values) == 1 else f"{values[0]:.2f}–{values[-1]:.2f}×"
    return text if len(values) == machines else f"{text} ({len(values)} of {machines})"


def range_table(results: list[dict]):
    """Per CPU kind, the range of each speed-up over the measured files of that kind (forced kernels left out):
    what to expect on a CPU of that kind, as far as the machines measured so far tell."""
    from tone_helpers.report import Table

    kinds: dict[str, list[dict]] = {}
    for result in results:
        if result["kind"] == "measured":
            kinds.setdefault(cpu_kind(result), []).append(result)
    rows = []
    for label, backend, batch, key in EXPECT_ROWS:
        cells = []
        for measured in kinds.values():
            values = sorted(v for v in (ratio(r, backend, batch, key) for r in measured) if v is not None)
            cells.append(value_range(values, len(measured)))
        if any(cell != "—" for cell in cells):
            rows.append([label, *cells])
    rows.append(["machines measured", *(str(len(measured)) for measured in kinds.values())])
    return Table(["AST base, speed-up over PyTorch float32 eager", *kinds], rows)


def main() -> None:
    print(repr(expectation_table(load_all())))
    print()
    print(repr(range_table(load_all())))


if __name__ == "__main__":
    main()
