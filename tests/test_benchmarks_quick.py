"""Every benchmark script runs end to end in its quick mode (``--preset tiny --repeats 2``) and writes its result.

The compiled rows are skipped here: building them takes most of a minute, and ``test_benchmark_kernels.py``
builds and profiles each of them already. Timings are not asserted (they are measurements, not facts).
"""

import importlib
import sys

import pytest

from tone_helpers import paths, results

pytestmark = pytest.mark.slow  # runs each benchmark script

sys.path.insert(0, str(paths.REPO_ROOT / "benchmarks"))

NOT_COMPILED = ["--skip", "torchao,compile,inc,pt2e,openvino"]


def run(script: str, argv: list[str], capsys) -> str:
    importlib.import_module(script).main(argv)
    return capsys.readouterr().out


def test_part1_writes_float32_and_int8_rows(tmp_path, capsys):
    out = tmp_path / "part1.json"
    printed = run(
        "latency_part1", ["--preset", "tiny", "--repeats", "2", "--batch-sizes", "1", "8", "--out", str(out)], capsys
    )
    rows = results.load(out)["timings"]
    assert {(r["backend"], r["batch"]) for r in rows} == {
        (name, batch) for name in ("PyTorch float32", "PyTorch int8") for batch in (1, 8)
    }
    assert "tiny batch   8" in printed


def test_backends_writes_a_row_per_backend_and_batch(tmp_path, capsys):
    out = tmp_path / "backends.json"
    run("latency_backends", ["--preset", "tiny", "--repeats", "2", *NOT_COMPILED, "--out", str(out)], capsys)
    result = results.load(out)
    names = {"PyTorch float32", "PyTorch int8", "ONNX Runtime float32", "ONNX Runtime int8"}
    assert names <= {r["backend"] for r in result["timings"] if r["batch"] == 8}
    assert result["limit_b8"]["best_int8"] in {r["backend"] for r in result["timings"] if r["precision"] == "int8"}


def test_which_kernels_names_each_backends_int8_operators(capsys):
    printed = run("which_kernels", ["--preset", "tiny", *NOT_COMPILED], capsys)
    assert "PyTorch int8, batch 8" in printed and "int8 operators: quantized::linear_dynamic" in printed
