"""Train an embedded AST preset on the synthetic train split and write its checkpoint.

    tone-train --overwrite                   # rebuilds data/tiny_ast_tones.ckpt (about a minute)
    tone-train --preset small --overwrite    # rebuilds data/small_ast_tones.ckpt (about 13 minutes on 2 cores)

Generates the synthetic data first if it is missing. Same seed, same machine type: same weights. The small
preset's weights are stored in float16 to keep the file small; they load into a float32 model, which *is*
those weights (every float32 weight is a float16 value), so nothing else changes.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch

from tone_helpers import paths
from tone_helpers.data import ToneDataModule
from tone_helpers.evaluate import accuracy_on
from tone_helpers.model import LightningToneClassifier
from tone_helpers.synth import ensure_generated


@dataclass(frozen=True)
class TrainingRecipe:
    """How one preset is trained and stored."""

    out: Path
    epochs: int
    batch_size: int
    learning_rate: float
    float16: bool  # store the weights in float16 (half the file; loaded as float32)


RECIPES = {
    "tiny": TrainingRecipe(paths.EMBEDDED_CHECKPOINT, epochs=12, batch_size=32, learning_rate=1e-3, float16=False),
    "small": TrainingRecipe(paths.SMALL_CHECKPOINT, epochs=10, batch_size=32, learning_rate=5e-4, float16=True),
}


def store_float16(path: Path) -> None:
    """Rewrite a checkpoint with its floating-point weights in float16 (``load_state_dict`` copies them back)."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    checkpoint["state_dict"] = {
        k: v.half() if v.is_floating_point() else v for k, v in checkpoint["state_dict"].items()
    }
    torch.save(checkpoint, path)


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
    preset: str = "tiny",
    float16: bool = False,
) -> dict:
    """Train a preset and save it to ``out``; ``max_steps`` stops early (the tests take one step)."""
    ensure_generated()
    torch.set_num_threads(threads)
    pl.seed_everything(seed, verbose=False)
    datamodule = ToneDataModule(train_csv, val_csv, preset, batch_size=batch_size, seed=seed)
    module = LightningToneClassifier(preset, learning_rate=learning_rate)
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
    if float16:
        store_float16(out)
    eval_set = ToneDataModule(model_name_or_path=preset).get_dataset(eval_csv)
    restored = LightningToneClassifier.load_checkpoint(out).model.eval()
    return {"train_seconds": seconds, "eval_accuracy": accuracy_on(restored, eval_set), "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train an embedded AST tone classifier preset.")
    parser.add_argument("--preset", choices=sorted(RECIPES), default="tiny")
    parser.add_argument("--out", type=Path, help="default: the preset's embedded checkpoint")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint at --out")
    parser.add_argument("--epochs", type=int, help="default: the preset's")
    parser.add_argument("--batch-size", type=int, help="default: the preset's")
    parser.add_argument("--learning-rate", type=float, help="default: the preset's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    recipe = RECIPES[args.preset]
    args.out = args.out or recipe.out
    if args.out.exists() and not args.overwrite:
        parser.error(f"{args.out} exists; pass --overwrite to replace it")
    result = train(
        args.out,
        args.epochs or recipe.epochs,
        args.batch_size or recipe.batch_size,
        args.learning_rate or recipe.learning_rate,
        args.seed,
        args.threads,
        preset=args.preset,
        float16=recipe.float16,
    )
    print(f"checkpoint: {paths.relative(args.out)} ({result['bytes'] / 1e6:.2f} MB)")
    print(f"training time: {result['train_seconds']:.0f} s on {args.threads} threads")
    print(f"accuracy on {paths.relative(paths.EVAL_CSV)}: {result['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
