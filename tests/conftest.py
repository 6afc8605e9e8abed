import csv

import pytest

from tone_helpers.synth import ensure_generated


@pytest.fixture
def save_checkpoint():
    """Write a LightningModule as Lightning's trainer would, weights only, without training it."""

    def save(module, path):
        import pytorch_lightning as pl  # here, not at the top: pytest's main process loads this file too (5 s)

        trainer = pl.Trainer(
            accelerator="cpu",
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        trainer.strategy.connect(module)
        trainer.save_checkpoint(path, weights_only=True)
        return path

    return save


@pytest.fixture
def first_clips():
    """A CSV of the first ``n`` clips of a generated CSV, with absolute paths, as a reader's own CSV would be."""

    def write(source, n, path):
        ensure_generated()
        with source.open() as f:
            rows = [(str(source.parent / r["path"]), r["label"]) for r in csv.DictReader(f)][:n]
        with path.open("w", newline="") as f:
            csv.writer(f).writerows([("path", "label"), *rows])
        return path

    return write
