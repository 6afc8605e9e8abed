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


def test_the_readme_shows_the_table_the_files_give():
    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert repr(results.expectation_table(results.load_all())) in readme
