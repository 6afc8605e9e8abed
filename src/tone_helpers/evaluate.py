"""Run a classifier over a data set: predictions, labels and accuracy, the tutorial's way."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset
from torchmetrics.classification import MulticlassAccuracy
from tqdm.auto import tqdm

from tone_helpers.labels import NUM_LABELS


@torch.inference_mode()
def predict(
    model, dataset: Dataset, batch_size: int = 128, progress: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted and true labels for every clip, each exactly once, in data set order."""
    preds, labels = [], []
    for batch in tqdm(DataLoader(dataset, batch_size), disable=not progress, desc="batches"):
        preds.append(model(batch["input_values"]).logits.argmax(-1))
        labels.append(batch["labels"])
    return torch.cat(preds), torch.cat(labels)


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
