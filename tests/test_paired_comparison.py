"""The paired accuracy interval (Newcombe), how far McNemar can reach, tone-report's verdict, 04 ex. 3's hints."""

import contextlib
import io
import math

import pytest
import torch

from tone_helpers import exercises
from tone_helpers.evaluate import (
    accuracy_difference,
    mcnemar_p_value,
    mcnemar_smallest_significant,
    paired_difference_interval,
    wilson_interval,
)
from tone_helpers.tools import report_cli


def test_newcombe_interval_on_a_hand_computed_table():
    """Right in both 1, only in the reference 1, only in the other 7, in neither 12 (n = 21).

    Accuracies 2/21 = 0.09524 and 8/21 = 0.38095, difference 6/21 = 0.28571. Wilson 95 % (z = 1.95996):
    2/21 -> [0.02652, 0.28914], 8/21 -> [0.20751, 0.59121]. ad - bc = 12 - 7 = 5 <= n/2, so phi = 0, and
    low  = 0.28571 - sqrt((0.38095 - 0.20751)² + (0.28914 - 0.09524)²) = 0.28571 - 0.26015 = 0.02556,
    high = 0.28571 + sqrt((0.59121 - 0.38095)² + (0.09524 - 0.02652)²) = 0.28571 + 0.22121 = 0.50692.
    """
    assert wilson_interval(2, 21) == pytest.approx((0.02652, 0.28914), abs=1e-5)
    assert wilson_interval(8, 21) == pytest.approx((0.20751, 0.59121), abs=1e-5)
    diff, low, high = paired_difference_interval(1, 1, 7, 12)
    assert diff == pytest.approx(6 / 21)
    assert (low, high) == pytest.approx((0.02556, 0.50692), abs=1e-5)
    # swapping the two models mirrors the interval
    assert paired_difference_interval(1, 7, 1, 12) == pytest.approx((-6 / 21, -0.50692, -0.02556), abs=1e-5)


def test_the_interval_is_symmetric_and_not_empty_without_discordant_clips():
    diff, low, high = paired_difference_interval(973, 0, 0, 27)
    assert diff == 0 and low == pytest.approx(-high) and 0.001 < high < 0.01


def test_phi_is_used_when_the_outcomes_are_correlated():
    """With ad - bc > n/2 the correlation narrows the interval against phi = 0 (independent samples)."""
    _, low, high = paired_difference_interval(973, 0, 1, 26)
    n = 1000
    l1, u1 = wilson_interval(973, n)
    l2, u2 = wilson_interval(974, n)
    independent_low = 0.001 - math.sqrt((0.974 - l2) ** 2 + (u1 - 0.973) ** 2)
    assert independent_low < low < 0 < high


def test_accuracy_difference_counts_the_paired_table_from_tensors():
    reference = torch.tensor([True] * 5 + [True, False, False, False])
    other = torch.tensor([True] * 5 + [False, True, True, False])
    assert accuracy_difference(reference, other) == pytest.approx(paired_difference_interval(5, 1, 2, 1))
    assert accuracy_difference(reference, other)[0] == pytest.approx(1 / 9)


def test_mcnemar_cannot_reach_5_percent_below_six_discordant_clips():
    assert mcnemar_smallest_significant(0.05) == 6
    five_one_way = torch.tensor([True] * 5), torch.tensor([False] * 5)
    six_one_way = torch.tensor([True] * 6), torch.tensor([False] * 6)
    assert mcnemar_p_value(*five_one_way)[2] == pytest.approx(0.0625)
    assert mcnemar_p_value(*six_one_way)[2] == pytest.approx(0.03125)
    assert mcnemar_smallest_significant(0.01) == 8  # 2 · 0.5**8 = 0.0078


def test_tone_report_reports_the_interval_and_what_mcnemar_cannot_see():
    labels = torch.zeros(1000, dtype=torch.long)
    fp32 = torch.zeros(1000, dtype=torch.long)
    fp32[:27] = 1  # 973 right
    int8 = fp32.clone()
    int8[0] = 0  # one more right: the embedded model's split on the stored run
    q = report_cli.quality({"PyTorch float32": fp32, "PyTorch int8": int8}, labels)["PyTorch int8"]
    assert (q["right only in float32"], q["right only in int8"]) == (0, 1)
    assert q["accuracy difference"] == pytest.approx(0.001)
    low, high = q["accuracy difference 95 % interval"]
    assert low < 0 < high
    line = report_cli.verdict(q)
    assert "95 % interval" in line and "includes 0" in line and "needs at least 6" in line
    many = dict(
        q, **{"right only in float32": 0, "right only in int8": 8, "accuracy difference 95 % interval": [0.002, 0.014]}
    )
    assert "excludes 0" in report_cli.verdict(many) and "needs at least" not in report_cli.verdict(many)


@pytest.mark.parametrize("wrong", [0.12, 0.3, 0.48])
def test_a_wrong_float16_size_is_not_given_the_answer(wrong):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exercises.half_size(wrong)
    line = out.getvalue()
    assert line.startswith("✗") and "0.246" not in line and "0.24" not in line
