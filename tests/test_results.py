"""The one result format: round trip, clear errors, and the README's table drawn from the committed files."""

import json
import re

import pytest

from tone_helpers import paths, results
from tone_helpers.timing import Timing


def a_result():
    result = results.new_result("test CPU", "measured", "pytest", "AST base", 2)
    timings = {
        "PyTorch float32": Timing("PyTorch float32", 8, [0.4, 0.5, 0.6]),
        "PyTorch int8": Timing("PyTorch int8", 8, [0.1, 0.1, 0.1]),
    }
    runtime_of = {"PyTorch float32": ("PyTorch eager", "float32"), "PyTorch int8": ("PyTorch eager", "int8")}
    results.add_timings(result, 8, timings, runtime_of, "PyTorch float32", {"PyTorch int8": "PyTorch float32"})
    return result


def test_a_result_survives_a_round_trip(tmp_path):
    path = results.save(a_result(), tmp_path / "r.json")
    loaded = results.load(path)
    assert loaded["machine"] and loaded["software"]["torch"]
    assert results.ratio(loaded, "PyTorch int8", 8) == 5.0
    assert results.ratio(loaded, "PyTorch int8", 8, "vs_own_float32") == 5.0
    assert results.ratio(loaded, "PyTorch int8", 1) is None


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("machine"), "missing field(s) ['machine']"),
        (lambda r: r.update(schema="other/2"), "schema 'other/2'"),
        (lambda r: r.update(kind="guessed"), "kind 'guessed'"),
        (lambda r: r["timings"][0].pop("median_ms"), "timings[0] lacks ['median_ms']"),
        (lambda r: r["machine"].pop("cpu model"), "machine lacks ['cpu model']"),
    ],
)
def test_a_broken_file_is_named_with_its_field(tmp_path, change, message):
    result = a_result()
    change(result)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(result))
    with pytest.raises(results.ResultError, match=re.escape(f"{path}: {message}")):
        results.load(path)


def test_not_json_is_named(tmp_path):
    path = tmp_path / "oops.json"
    path.write_text("{")
    with pytest.raises(results.ResultError, match="oops.json: not JSON"):
        results.load(path)


def test_every_committed_result_follows_the_schema():
    files = sorted(results.RESULTS_DIR.glob("*.json"))
    assert len(files) >= 2  # at least two kinds of CPU
    for path in files:
        results.load(path)


def test_the_cpu_page_shows_the_tables_the_files_give():
    page = (paths.REPO_ROOT / "docs" / "cpu.md").read_text(encoding="utf-8")
    assert repr(results.expectation_table(results.load_all())) in page
    assert repr(results.range_table(results.load_all())) in page


def test_ranges_are_taken_over_the_measured_files_of_one_cpu_kind():
    def result(features, kind, speedup):
        r = a_result()
        r["machine"]["int8 features"], r["kind"] = features, kind
        r["timings"][1]["vs_reference"] = speedup
        return r

    files = [
        result("avx2, avx512f, avx512_vnni", "measured", 4.45),
        result("avx2", "measured", 1.65),
        result("avx2, avx512f, avx512_vnni", "measured", 2.93),
        result("avx2, avx512f, avx512_vnni", "forced kernels", 2.02),  # not what a CPU of the kind gives
    ]
    table = repr(results.range_table(files))
    assert "| AVX-512 VNNI | AVX2 only |" in table
    assert "| PyTorch `quantize_dynamic`, batch 8 | 2.93–4.45× | 1.65× |" in table
    assert "| machines measured | 2 | 1 |" in table
    assert results.value_range([3.6], 2) == "3.60× (1 of 2)"
