"""Run a classifier over a data set: predictions, labels and accuracy, the tutorial's way; and compare two
classifiers on the same clips (a paired interval on the accuracy difference, the exact McNemar test)."""

from __future__ import annotations

import math

import torch
from torch.utils.data import DataLoader, Dataset
from torchmetrics.classification import MulticlassAccuracy
from tqdm.auto import tqdm

from tone_helpers.labels import NUM_LABELS


@torch.inference_mode()
def logits_on(model, features: torch.Tensor, batch_size: int = 250) -> torch.Tensor:
    """The model's logits for every clip of a features tensor, in order (09 compares logits, not labels)."""
    return torch.cat([model(chunk).logits for chunk in features.split(batch_size)])


def predict(
    model, dataset: Dataset, batch_size: int = 128, progress: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted and true labels for every clip, each exactly once, in data set order."""
    logits, labels = logits_and_labels(model, dataset, batch_size, progress)
    return logits.argmax(-1), labels


def logits_and_labels(
    model, dataset: Dataset, batch_size: int = 128, progress: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """``predict``'s pass over the data set, keeping the logits (how sure the model was) instead of the classes."""
    logits, labels = [], []
    # batches are put together outside inference_mode, so they are ordinary tensors like a slice of the features
    # and timing's batch: a compiled model guards on the input's kind and would compile again for the other
    for batch in tqdm(DataLoader(dataset, batch_size), disable=not progress, desc="batches"):
        with torch.inference_mode():
            logits.append(model(batch["input_values"]).logits)
        labels.append(batch["labels"])
    return torch.cat(logits), torch.cat(labels)


def accuracy_on(model, dataset: Dataset, batch_size: int = 128) -> float:
    """Accuracy as the series uses the word everywhere: the share of clips classified correctly (micro)."""
    preds, labels = predict(model, dataset, batch_size)
    return MulticlassAccuracy(num_classes=NUM_LABELS, average="micro")(preds, labels).item()


def mcnemar_p_value(a_correct: torch.Tensor, b_correct: torch.Tensor) -> tuple[int, int, float]:
    """Exact McNemar test on paired outcomes: (only a right, only b right, two-sided p-value).

    Both models see the same clips, so only the clips where they disagree carry information.
    """
    from scipy.stats import binomtest

    only_a = int((a_correct & ~b_correct).sum())
    only_b = int((~a_correct & b_correct).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return only_a, only_b, p


def mcnemar_smallest_significant(alpha: float = 0.05) -> int:
    """The fewest discordant clips with which the exact McNemar test can give p < ``alpha``.

    The most lopsided split of ``n`` discordant clips (all in one direction) has the smallest p-value,
    ``2 · 0.5**n``; with fewer discordant clips than the returned number, no outcome is significant.
    """
    from scipy.stats import binomtest

    n = 1
    while binomtest(n, n, 0.5).pvalue >= alpha:
        n += 1
    return n


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``successes / n``, such as an accuracy over ``n`` clips.

    Wilson rather than ``p ± z·√(p(1−p)/n)``: it stays inside [0, 1] and keeps its coverage near 0 and 1,
    where accuracies of 97 % sit.
    """
    from scipy.stats import norm

    if n <= 0:
        raise ValueError("an interval needs at least one clip")

    z = norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # at 0 or n successes the bound is exactly 0 or 1; float rounding would leave p just outside it
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    return low, 1.0 if successes == n else min(1.0, centre + half)


def paired_difference_interval(
    both: int, only_reference: int, only_other: int, neither: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's square-and-add interval for a difference of paired proportions: (difference, low, high).

    The counts are one 2 × 2 table of paired outcomes (right in both, right only in the reference, right
    only in the other, right in neither); the difference is the other's accuracy minus the reference's,
    ``(only_other - only_reference) / n``. Method 10 of Newcombe (1998, Statistics in Medicine 17, 2635–2650):
    each accuracy gets a Wilson score interval, and the two are combined with the correlation ``phi`` of the
    paired outcomes (with Newcombe's correction: 0 when ``0 <= ad - bc <= n/2``), as in Fagerland, Lydersen
    and Laake, *Statistical Analysis of Contingency Tables*, ch. 8. Unlike a Wald interval it stays sensible
    when there are no or few discordant clips.
    """
    n = both + only_reference + only_other + neither
    ref_right, other_right = both + only_reference, both + only_other
    p_ref, p_other = ref_right / n, other_right / n
    l_ref, u_ref = wilson_interval(ref_right, n, confidence)
    l_other, u_other = wilson_interval(other_right, n, confidence)
    margins = ref_right * (n - ref_right) * other_right * (n - other_right)
    ad_bc = both * neither - only_reference * only_other
    if margins == 0 or 0 <= ad_bc <= n / 2:
        phi = 0.0
    else:
        phi = (ad_bc - n / 2 if ad_bc > 0 else ad_bc) / math.sqrt(margins)
    diff = p_other - p_ref
    down_other, up_ref = p_other - l_other, u_ref - p_ref
    up_other, down_ref = u_other - p_other, p_ref - l_ref
    low = diff - math.sqrt(down_other**2 + up_ref**2 - 2 * phi * down_other * up_ref)
    high = diff + math.sqrt(up_other**2 + down_ref**2 - 2 * phi * up_other * down_ref)
    return diff, max(-1.0, low), min(1.0, high)


def accuracy_difference(
    reference_correct: torch.Tensor, other_correct: torch.Tensor, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Accuracy of ``other`` minus that of ``reference`` on the same clips, with Newcombe's paired interval."""
    both = int((reference_correct & other_correct).sum())
    only_reference = int((reference_correct & ~other_correct).sum())
    only_other = int((~reference_correct & other_correct).sum())
    neither = len(reference_correct) - both - only_reference - only_other
    return paired_difference_interval(both, only_reference, only_other, neither, confidence)
