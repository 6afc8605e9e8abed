"""Test-session settings that notebook kernels inherit (nbval starts them from this process)."""

import os

import pytest

from tone_helpers.tools.test_replace import for_test

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the series must never reach for the model hub
# Two test processes (pyproject.toml) each run 2 threads on what may be 2 cores. OpenMP's threads spin while they
# wait, by default, and then take the cores the other process needs: on 2 cores the suite took 417 s so, 257 s
# with waiting threads asleep (358 s in one process). Timings under test are not compared, so nothing changes.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def pytest_configure(config):
    """Make the data once, before pytest-xdist starts its workers: two notebooks must not both write the clips."""
    if not hasattr(config, "workerinput"):  # the main process (workers have workerinput)
        from tone_helpers.synth import ensure_generated

        ensure_generated()


QUICK_NOTEBOOKS = ("01_", "02_")  # `pytest -m "not slow"` re-runs these two; every other notebook is slow


# The slowest files first (seconds per file in a two-process run, 2026-12-08), so that pytest-xdist hands the short
# ones out last and both processes finish together (in pytest-xdist's own order, by number of tests, one process
# ran the suite's last 18 s alone).
SLOWEST_FIRST = (
    "08_compare_backends.ipynb",  # 108 s
    "06_neural_compressor.ipynb",  # 72
    "09_selective_and_static.ipynb",  # 60
    "07_onnx_runtime.ipynb",  # 56
    "05_evaluate.ipynb",  # 44
    "00_quickstart.ipynb",  # 26
    "test_report_cli.py",  # 25
    "test_site.py",  # 22
    "test_benchmark_kernels.py",  # 22
    "03_int8_by_hand.ipynb",  # 17
    "04_compare_size.ipynb",  # 17
    "test_guards.py",  # 16
    "test_own_data.py",  # about 14 (since it runs the slice a reader's files reach)
    "test_two_nodes.py",  # 14
    "10_why_int8_is_fast.ipynb",  # 13
    "test_solutions_answers.py",  # 6
    "test_check.py",  # 4
)


def slowest_first(item) -> int:
    name = item.path.name
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


def pytest_collection_modifyitems(items):
    """Slowest files first; nbval runs each cell as the tests run it: the cell's ``test_replace`` metadata."""
    items.sort(key=slowest_first)  # stable: each file's tests keep their order
    for item in items:
        cell = getattr(item, "cell", None)  # nbval's notebook cells; plain tests have none
        if cell is None:
            continue
        if cell.get("cell_type") == "code":
            cell.source = for_test(cell.source, cell.metadata, item.nodeid)
        if not item.path.name.startswith(QUICK_NOTEBOOKS):
            item.add_marker(pytest.mark.slow)
