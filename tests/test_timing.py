import math

import pytest
import torch

from tone_helpers.evaluate import mcnemar_p_value
from tone_helpers.timing import Timing, fmt_time, interleaved, model_latency


def test_timing_statistics():
    t = Timing("m", 4, [4.0, 1.0, 3.0, 2.0, 5.0])
    assert t.median == 3.0
    q1, q3 = t.spread
    assert q1 < t.median < q3
    assert t.ms_per_clip == 750.0


def test_interleaved_runs_warmup_then_rotating_rounds():
    order = []
    calls = {name: (lambda n=name: order.append(n)) for name in "abc"}
    timings = interleaved(calls, batch_size=1, warmup=1, repeats=3)
    assert order == list("abc") + list("abc") + list("bca") + list("cab")
    assert all(len(t.seconds) == 3 for t in timings.values())


def test_model_latency_times_every_model_on_the_same_batch():
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, x):
            seen.append(x)
            return x.sum()

    model_latency({"a": Spy(), "b": Spy()}, batch_size=2, warmup=1, repeats=2)
    assert len(seen) == 6 and all(torch.equal(x, seen[0]) for x in seen)
    assert seen[0].shape == (2, 75, 128)


@pytest.mark.parametrize("seconds, text", [(0.01234, "12.34 ms"), (14.832, "14.83 s")])
def test_times_print_in_the_format_the_sanitizer_masks(seconds, text):
    assert fmt_time(seconds) == text


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

    from tone_helpers.comparison import Backend, PerformanceBenchmark
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


def test_a_wide_spread_is_flagged_noisy():
    assert not Timing("quiet", 1, [1.0, 1.01, 0.99, 1.02, 0.98]).noisy
    noisy = Timing("busy", 1, [1.0, 3.0, 0.9, 2.5, 1.1, 2.8])
    assert noisy.noisy and str(noisy).endswith("⚠ noisy")
    from tone_helpers.timing import fmt_median

    assert fmt_median(noisy).endswith("⚠ noisy") and not fmt_median(Timing("q", 1, [1.0, 1.0])).endswith("noisy")


def test_a_pathologically_slow_call_is_timed_in_three_rounds_only():
    import time as clock

    calls = {"fast": lambda: None, "slow": lambda: clock.sleep(0.01)}
    timings = interleaved(calls, batch_size=1, warmup=1, repeats=8, slow=5.0)
    assert len(timings["fast"].seconds) == 8 and len(timings["slow"].seconds) == 3


def test_slow_backends_are_not_timed_at_larger_batches():
    import time as clock
    from types import SimpleNamespace

    from tone_helpers.comparison import Backend, PerformanceBenchmark

    def model(delay):
        def run(x):
            clock.sleep(delay)
            return SimpleNamespace(logits=torch.zeros(len(x), 5))

        return run

    backends = {"ref": Backend(model(0.0005), 1.0), "crawl": Backend(model(0.02), 1.0)}
    results = PerformanceBenchmark(None, batch_sizes=(1, 2), warmup=1, repeats=3, slow=5.0).run(backends, "ref")
    assert results["crawl"]["latency b2"] is None and results["crawl"]["speed-up b2"] is None
    assert results["crawl"]["speed-up b1"] < 1 / 5
    assert results["ref"]["latency b2"] is not None
