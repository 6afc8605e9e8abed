import pytest
import torch

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


def test_every_helper_feeds_a_model_the_same_kind_of_input():
    """Timing, profiling and evaluation all call the model under inference_mode on ordinary tensors, as a slice of
    the features is: a compiled model guards on the input's kind (inference tensor or not, and the grad mode's
    dispatch keys) and would compile again for another kind; 06 and 08 rely on one graph serving them all."""
    from types import SimpleNamespace

    from tone_helpers.data import FeatureDataset
    from tone_helpers.evaluate import logits_on, predict
    from tone_helpers.profile import top_ops

    seen = set()

    def model(x):
        seen.add((x.is_inference(), torch.is_inference_mode_enabled(), torch.is_grad_enabled()))
        return SimpleNamespace(logits=torch.zeros(len(x), 5))

    features = torch.randn(8, 75, 128)
    model_latency({"m": model}, 8, warmup=1, repeats=1)
    top_ops(model, batch=8, top=1)
    predict(model, FeatureDataset(features, torch.zeros(8, dtype=torch.long)), batch_size=8)
    logits_on(model, features, batch_size=8)
    with torch.inference_mode():
        model(features[:8])  # what 06's own loops do
    assert seen == {(False, True, False)}


def test_a_speed_verdict_needs_the_spreads_apart():
    """05 and 09 call one timing faster or slower only where the middle halves of the rounds do not overlap."""
    from tone_helpers.timing import ratio_span, speed_verdict

    fast, slow = Timing("a", 1, [1.0, 1.1, 1.2, 1.3]), Timing("b", 1, [1.5, 1.6, 1.7, 1.8])
    overlapping = Timing("c", 1, [1.2, 1.3, 1.4, 1.5])
    assert speed_verdict(fast, slow) == "faster than" and speed_verdict(slow, fast) == "slower than"
    assert speed_verdict(fast, overlapping) == "not measurably faster or slower than"
    low, high = ratio_span(slow, fast)
    assert low < slow.median / fast.median < high
