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


def pytest_collection_modifyitems(items):
    """nbval runs each cell as the tests run it: the cell's ``test_replace`` metadata (fewer timing rounds)."""
    for item in items:
        cell = getattr(item, "cell", None)  # nbval's notebook cells; plain tests have none
        if cell is None:
            continue
        if cell.get("cell_type") == "code":
            cell.source = for_test(cell.source, cell.metadata, item.nodeid)
        if not item.path.name.startswith(QUICK_NOTEBOOKS):
            item.add_marker(pytest.mark.slow)
