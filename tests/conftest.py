import pytest
import pytorch_lightning as pl


@pytest.fixture
def save_checkpoint():
    """Write a LightningModule as Lightning's trainer would, weights only, without training it."""

    def save(module, path):
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
