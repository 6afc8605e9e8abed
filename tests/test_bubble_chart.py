"""The bubble chart's accuracy intervals (notebook 08): Wilson intervals, and a y axis that spans them."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import binomtest  # noqa: E402

from tone_helpers.evaluate import wilson_interval  # noqa: E402
from tone_helpers.plots import bubble_chart  # noqa: E402


@pytest.mark.parametrize("correct, n", [(973, 1000), (974, 1000), (0, 10), (10, 10), (37, 50)])
def test_wilson_interval_matches_scipy(correct, n):
    low, high = wilson_interval(correct, n)
    ci = binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-5) and high == pytest.approx(ci.high, abs=1e-5)
    assert 0.0 <= low <= correct / n <= high <= 1.0


def test_wilson_interval_refuses_no_clips():
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def _row(accuracy, mb=0.2, clips_per_s=1000.0):
    return {"size (MB)": mb, "accuracy": accuracy, "clips/s": clips_per_s}


def test_bubble_chart_y_axis_includes_every_interval():
    # notebook 08's case: accuracies one clip apart out of 1000 must not fill the axis on their own
    results = {"float32": _row(0.973, 0.48), "int8": _row(0.974, 0.21, 1200.0), "other": _row(0.9728, 0.2, 800.0)}
    fig = bubble_chart(results, "test", clips=1000)
    try:
        bottom, top = fig.axes[0].get_ylim()
        for r in results.values():
            low, high = wilson_interval(round(r["accuracy"] * 1000), 1000)
            assert bottom <= low and high <= top
        assert top - bottom > 0.02  # the intervals (about ±1 point each) set the scale, not the 0.1-point gap
        assert 0.0 <= bottom and top <= 1.0
        assert "95 %" in fig.axes[0].get_ylabel()
    finally:
        plt.close(fig)


def test_bubble_chart_stays_inside_zero_and_one():
    fig = bubble_chart({"perfect": _row(1.0), "all wrong": _row(0.0, 0.1)}, "test", clips=20)
    try:
        bottom, top = fig.axes[0].get_ylim()
        assert bottom == 0.0 and top == 1.0
    finally:
        plt.close(fig)
