"""``LightningToneClassifier``: the tutorial's LightningModule around ``ASTForAudioClassification``.

The module stores the full model config in its hyper-parameters (primitive types only), so
``load_from_checkpoint`` rebuilds the architecture from that config and lets the checkpoint
bring the weights: it never downloads, and it loads with ``weights_only=True``.
"""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from torchmetrics.classification import MulticlassAccuracy
from transformers import ASTConfig, ASTForAudioClassification

from tone_helpers.labels import NUM_LABELS
from tone_helpers.presets import ast_config, is_preset, local_or_hub


def build_model(
    model_name_or_path: str = "tiny", num_labels: int = NUM_LABELS, max_length: int = 75, layers: int | None = None
) -> ASTForAudioClassification:
    """A fresh AST: random weights for presets, pretrained weights for a local folder or hub id.

    ``layers``: keep only the first so many encoder layers (the tests time AST base's shapes on 2 of its 12).
    """
    config = ast_config(model_name_or_path, num_labels, max_length)
    if layers is not None:
        config.num_hidden_layers = layers
    if is_preset(model_name_or_path):
        return ASTForAudioClassification(config)
    # The pretrained head (527 AudioSet classes) and position embeddings (1024 frames) are re-sized.
    return ASTForAudioClassification.from_pretrained(
        local_or_hub(model_name_or_path), config=config, ignore_mismatched_sizes=True
    )


class LightningToneClassifier(pl.LightningModule):
    def __init__(
        self,
        model_name_or_path: str = "tiny",
        num_labels: int = NUM_LABELS,
        max_length: int = 75,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.01,
        config: dict | None = None,
    ):
        super().__init__()
        if config is None:
            self.model = build_model(model_name_or_path, num_labels, max_length)
            config = self.model.config.to_dict()
        else:  # restoring a checkpoint: architecture from the stored config, weights from the file
            self.model = ASTForAudioClassification(ASTConfig.from_dict(config))
        self.save_hyperparameters(
            dict(
                model_name_or_path=model_name_or_path,
                num_labels=num_labels,
                max_length=max_length,
                learning_rate=learning_rate,
                weight_decay=weight_decay,
                config=config,
            )
        )
        # micro: the share of clips classified correctly, the accuracy every notebook reports
        self.train_acc = MulticlassAccuracy(num_labels, average="micro")
        self.val_acc = MulticlassAccuracy(num_labels, average="micro")

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        return self.model(input_values).logits

    def _step(self, batch: dict, metric: MulticlassAccuracy, stage: str) -> torch.Tensor:
        logits = self(batch["input_values"])
        loss = torch.nn.functional.cross_entropy(logits, batch["labels"])
        metric(logits.argmax(-1), batch["labels"])
        self.log(f"{stage}_loss", loss, prog_bar=True)
        self.log(f"{stage}_acc", metric, prog_bar=True)
        return loss

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        return self._step(batch, self.train_acc, "train")

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        self._step(batch, self.val_acc, "val")

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            self.parameters(), lr=self.hparams.learning_rate, weight_decay=self.hparams.weight_decay
        )
        steps = self.trainer.estimated_stepping_batches
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, self.hparams.learning_rate, total_steps=steps)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}

    @classmethod
    def load_checkpoint(cls, path: str | Path, **kwargs) -> LightningToneClassifier:
        """``load_from_checkpoint`` on CPU with ``weights_only=True``, with a clear error for a missing file."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: checkpoint not found")
        return cls.load_from_checkpoint(path, map_location="cpu", weights_only=True, **kwargs)
