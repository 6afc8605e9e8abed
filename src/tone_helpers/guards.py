"""The series' accuracy guards: is an int8 model as accurate as its float32 original, on the same clips?

One guideline, used by 05's checks, ``tone-report``'s gate and the tests that show each guard failing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

MAX_ACCURACY_CHANGE = 0.005  # 5 clips in 1000: the tutorial's own int8 lost 0.5 points (0.521 -> 0.516)
MIN_AGREEMENT = 0.99  # at most 10 clips in 1000 change class
MAX_INTERVAL = 0.01  # ±1 point: with no discordant clip, about ±0.4 points on 1000 clips at 97 % accuracy


def int8_guards(fp32_preds: torch.Tensor, int8_preds: torch.Tensor, labels: torch.Tensor) -> list[tuple]:
    """(holds, claim, what your clips showed otherwise) for each guard, as ``notebook.check`` takes them.

    Taught in: 05 · Evaluate accuracy and latency, § Accuracy: how different are the two models, really?.
    """
    from tone_helpers.evaluate import accuracy_difference  # here: tone-report --help reads the constants only

    fp32_right, int8_right = fp32_preds == labels, int8_preds == labels
    clips = len(labels)
    changed = int(int8_right.sum()) - int(fp32_right.sum())  # counted in clips: 5 of 1000 is exactly the bar
    change = changed / clips
    agreement = (fp32_preds == int8_preds).float().mean().item()
    _, low, high = accuracy_difference(fp32_right, int8_right)
    return [
        (
            abs(changed) <= MAX_ACCURACY_CHANGE * clips + 1e-9,
            f"int8 accuracy is within {100 * MAX_ACCURACY_CHANGE:.1f} percentage points of float32",
            f"{100 * change:+.1f} points on your clips",
        ),
        (
            agreement >= MIN_AGREEMENT,
            f"int8 and float32 predict the same class on at least {100 * MIN_AGREEMENT:.0f} % of clips",
            f"they differ on {100 * (1 - agreement):.1f} % of your clips, above the "
            f"{100 * (1 - MIN_AGREEMENT):.0f} % guideline this series uses",
        ),
        (
            -MAX_INTERVAL <= low and high <= MAX_INTERVAL,
            f"the 95 % interval on int8 - float32 lies within ±{100 * MAX_INTERVAL:.0f} percentage point",
            f"it runs from {100 * low:+.2f} to {100 * high:+.2f} points: int8 may have changed this model's accuracy",
        ),
    ]
