"""Train the embedded tiny AST on the synthetic train split and write its checkpoint.

    python -m tone_helpers.tools.train --overwrite      # rebuilds data/tiny_ast_tones.ckpt

Generates the synthetic data first if it is missing. Same seed, same machine type: same weights.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytorch_lightning as pl
import torch

from tone_helpers import paths
from tone_helpers.data import ToneDataModule
from tone_helpers.evaluate import accuracy_on
from tone_helpers.model import LightningToneClassifier
from tone_helpers.synth import ensure_generated


def train(
    out: Path,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    threads: int,
    train_csv: Path = paths.TRAIN_CSV,
    val_csv: Path = paths.VAL_CSV,
    eval_csv: Path = paths.EVAL_CSV,
    max_steps: int = -1,
) -> dict:
    """Train the tiny AST and save it to ``out``; ``max_steps`` stops early (the tests take one step)."""
    ensure_generated()
    torch.set_num_threads(threads)
    pl.seed_everything(seed, verbose=False)
    datamodule = ToneDataModule(train_csv, val_csv, "tiny", batch_size=batch_size, seed=seed)
    module = LightningToneClassifier("tiny", learning_rate=learning_rate)
    trainer = pl.Trainer(
        max_epochs=epochs,
        max_steps=max_steps,
        accelerator="cpu",
        deterministic=True,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        enable_progress_bar=max_steps < 0,
    )
    start = time.perf_counter()
    trainer.fit(module, datamodule=datamodule)
    seconds = time.perf_counter() - start
    trainer.save_checkpoint(out, weights_only=True)  # no optimizer state: small, and all a reader needs
    eval_set = ToneDataModule(eval_metadata=eval_csv).get_dataset(eval_csv)
    restored = LightningToneClassifier.load_checkpoint(out).model.eval()
    return {"train_seconds": seconds, "eval_accuracy": accuracy_on(restored, eval_set), "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the embedded tiny AST tone classifier.")
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_CHECKPOINT)
    parser.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint at --out")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if args.out.exists() and not args.overwrite:
        parser.error(f"{args.out} exists; pass --overwrite to replace it")
    result = train(args.out, args.epochs, args.batch_size, args.learning_rate, args.seed, args.threads)
    print(f"checkpoint: {paths.relative(args.out)} ({result['bytes'] / 1e6:.2f} MB)")
    print(f"training time: {result['train_seconds']:.0f} s on {args.threads} threads")
    print(f"accuracy on {paths.relative(paths.EVAL_CSV)}: {result['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
