"""PerformanceBenchmark: one measuring object for every backend, and the paired test it reports."""

import math

import pytest
import torch

from tone_helpers.evaluate import mcnemar_p_value


def test_mcnemar_exact():
    a = torch.tensor([True] * 90 + [False] * 10)
    b = torch.tensor([True] * 100)
    only_a, only_b, p = mcnemar_p_value(a, b)
    assert (only_a, only_b) == (0, 10)
    assert p == pytest.approx(2 * 0.5**10)
    assert mcnemar_p_value(a, a)[2] == 1.0
    assert not math.isnan(p)


def test_performance_benchmark_rows_and_ratios():
    from types import SimpleNamespace

    from tone_helpers.backends import Backend
    from tone_helpers.comparison import PerformanceBenchmark
    from tone_helpers.data import FeatureDataset

    labels = torch.tensor([0, 1, 2, 3, 4, 0])
    dataset = FeatureDataset(torch.randn(6, 75, 128), labels)

    def always(cls):
        return lambda x: SimpleNamespace(logits=torch.nn.functional.one_hot(torch.full((len(x),), cls), 5).float())

    backends = {"ref": Backend(always(0), 4.0), "other": Backend(always(1), 1.0)}
    bench = PerformanceBenchmark(dataset, batch_sizes=(1, 2), warmup=1, repeats=2)
    results = bench.run(backends, reference="ref")
    assert results["ref"]["accuracy"] == pytest.approx(2 / 6)
    assert results["other"]["accuracy"] == pytest.approx(1 / 6)
    assert results["other"]["agreement"] == 0.0 and results["ref"]["agreement"] == 1.0
    for bs in (1, 2):  # speed-up = reference time / this backend's time: above 1 means faster
        ratio = results["ref"][f"latency b{bs}"].median / results["other"][f"latency b{bs}"].median
        assert results["other"][f"speed-up b{bs}"] == pytest.approx(ratio)
    assert {"latency b1", "latency b2", "clips/s", "size (MB)"} <= set(results["other"])
    assert "| other | 1.00 |" in repr(bench.table())


def test_slow_backends_are_not_timed_at_larger_batches():
    import time as clock
    from types import SimpleNamespace

    from tone_helpers.backends import Backend
    from tone_helpers.comparison import PerformanceBenchmark

    def model(delay):
        def run(x):
            clock.sleep(delay)
            return SimpleNamespace(logits=torch.zeros(len(x), 5))

        return run

    # far apart, so a busy machine (the suite runs in two processes) cannot bring them within 5×
    backends = {"ref": Backend(model(0.0), 1.0), "crawl": Backend(model(0.1), 1.0)}
    bench = PerformanceBenchmark(None, batch_sizes=(1, 2), warmup=1, repeats=5, slow=5.0)
    results = bench.run(backends, "ref")
    assert results["crawl"]["latency b2"] is None and results["crawl"]["speed-up b2"] is None
    # already far behind after warm-up: timed in 3 rounds, not 5, and its cell says so
    assert len(results["crawl"]["latency b1"].seconds) == 3 and "(3 rounds)" in repr(bench.table())
    assert len(results["ref"]["latency b1"].seconds) == 5
    assert results["crawl"]["speed-up b1"] < 1 / 5
    assert results["ref"]["latency b2"] is not None


def test_slow_backends_can_be_left_out_of_the_accuracy_run():
    import time as clock
    from types import SimpleNamespace

    from tone_helpers.backends import Backend
    from tone_helpers.comparison import PerformanceBenchmark
    from tone_helpers.data import FeatureDataset

    batches = {"ref": set(), "crawl": set()}  # the batch sizes each model was called with

    def model(name, delay):
        def run(x):
            batches[name].add(len(x))
            clock.sleep(delay)
            return SimpleNamespace(logits=torch.zeros(len(x), 5))

        return run

    dataset = FeatureDataset(torch.randn(4, 75, 128), torch.zeros(4, dtype=torch.long))
    backends = {"ref": Backend(model("ref", 0.0), 1.0), "crawl": Backend(model("crawl", 0.1), 1.0)}
    bench = PerformanceBenchmark(dataset, batch_sizes=(1, 2), warmup=1, repeats=3, slow=5.0, evaluate_slow=False)
    results = bench.run(backends, "ref")
    assert batches == {"ref": {1, 2}, "crawl": {1}}  # crawl: timed at batch 1 only, never run on the clips (batch 2)
    assert results["crawl"]["accuracy"] is None and results["crawl"]["agreement"] is None
    assert results["ref"]["accuracy"] == 1.0 and set(bench.predictions) == set(bench.logits) == {"ref"}
    assert bench.logits["ref"].shape == (4, 5)  # every clip's logits, kept for checks that need more than classes
    assert "not run (too slow)" in repr(bench.table())
