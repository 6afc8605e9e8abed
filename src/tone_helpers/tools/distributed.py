"""Evaluate a classifier on several CPU processes (or nodes) with Lightning, counting every clip exactly once.

Two traps of multi-process evaluation, and how this module avoids them:

* ``DistributedSampler`` pads the data set by repeating clips so that every process gets as many; metrics
  then count those clips twice. We evaluate with ``Trainer.predict``, for which Lightning shards with its
  ``UnrepeatedDistributedSampler`` (no padding: ranks may get one batch more or less), every clip carries
  its index, and the parts are merged by index with a check that each clip came back exactly once.
* DDP refuses to wrap a model with no trainable parameters (a quantized model, an ONNX Runtime session).
  ``predict`` does not wrap the model in DDP at all (Lightning does so only when fitting), so nothing needs
  gradients.

Models are not sent to the processes: a dynamic int8 model's packed weights cannot be shared with a spawned
process (unpickling fails inside PyTorch), and an ONNX Runtime session cannot be pickled at all. Each process
builds its model from a ``Recipe`` (checkpoint file + backend) and reads the features from a file. Each
writes its part to a folder; the caller merges them. With a shared folder this works across nodes too
(``num_nodes``), by the same code.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

# Lightning's start-up notices (accelerator, tips, process registration) and a known warning, in this
# process and in every spawned one (which imports this module): noise around an evaluation's own output.
logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)
logging.getLogger("lightning.fabric").setLevel(logging.WARNING)
logging.getLogger("lightning_fabric").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")  # Lightning 2.6 on torch 2.13


@dataclass(frozen=True)
class Recipe:
    """How each process builds the model it evaluates: a checkpoint and a backend."""

    checkpoint: str
    backend: str  # a name of tone_helpers.backends ("PyTorch float32", "PyTorch int8", …) or an .onnx file's path

    def build(self, threads: int):
        if self.backend.endswith(".onnx"):
            from tone_helpers.onnx_backend import OrtClassifier

            return OrtClassifier(self.backend, threads)
        from tone_helpers import backends
        from tone_helpers.model import LightningToneClassifier

        model = LightningToneClassifier.load_from_checkpoint(self.checkpoint, map_location="cpu", weights_only=True)
        return backends.build([self.backend], model.model.eval(), threads=threads)[self.backend].model


class FeatureBatches(Dataset):
    """Fixed batches of clips from a ``torch.save``d file, one batch per item, read by each process on first use.

    Sharding whole batches, not clips, keeps every batch the same whatever the number of processes: dynamic
    int8 measures each batch's range, so a batch made of other clips would give other logits.
    """

    def __init__(self, path: str | Path, size: int, batch_size: int):
        self.path, self.size, self.batch_size, self.data = str(path), size, batch_size, None

    def __len__(self) -> int:
        return -(-self.size // self.batch_size)

    def __getitem__(self, b: int) -> dict:
        if self.data is None:
            self.data = torch.load(self.path, weights_only=True)
        index = torch.arange(b * self.batch_size, min((b + 1) * self.batch_size, self.size))
        return {"input_values": self.data["features"][index], "labels": self.data["labels"][index], "index": index}


class Evaluator(pl.LightningModule):
    """Builds the recipe's model in its process, and saves the logits it gives, by clip index."""

    def __init__(self, recipe: Recipe, parts_dir: str, threads: int):
        super().__init__()
        self.recipe, self.parts_dir, self.threads = recipe, parts_dir, threads
        self.indices, self.logits = [], []

    def on_predict_start(self) -> None:
        from tone_helpers.runtime import prepare

        prepare(self.threads)  # a spawned process starts with torch's defaults
        self.classifier = self.recipe.build(self.threads)

    def predict_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        with torch.inference_mode():
            self.logits.append(self.classifier(batch["input_values"]).logits.float())
        self.indices.append(batch["index"])
        return batch["index"]  # the results go to a file; returning None would make Lightning warn

    def on_predict_end(self) -> None:
        part = {"index": torch.cat(self.indices), "logits": torch.cat(self.logits)}
        torch.save(part, Path(self.parts_dir) / f"rank{self.global_rank}.pt")


def merge_parts(parts_dir: str | Path, size: int) -> torch.Tensor:
    """Logits of every clip in data set order; fails loudly if a clip is missing or came back twice."""
    parts = [torch.load(p, weights_only=True) for p in sorted(Path(parts_dir).glob("rank*.pt"))]
    index = torch.cat([p["index"] for p in parts])
    counts = torch.bincount(index, minlength=size)
    if index.numel() != size or not torch.all(counts == 1):
        missing, repeated = (counts == 0).nonzero().flatten().tolist(), (counts > 1).nonzero().flatten().tolist()
        raise RuntimeError(f"evaluation parts do not cover the data once: missing {missing[:5]}, twice {repeated[:5]}")
    logits = torch.cat([p["logits"] for p in parts])
    return logits[torch.argsort(index)]


def evaluate_logits(
    recipe: Recipe,
    features: torch.Tensor,
    labels: torch.Tensor,
    processes: int = 1,
    threads: int = 2,
    batch_size: int = 64,
    num_nodes: int = 1,
) -> torch.Tensor:
    """Logits for every clip, computed by ``processes`` CPU processes per node, in the clips' order."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "features.pt"
        torch.save({"features": features, "labels": labels}, data)
        parts_dir = Path(folder) / "parts"
        parts_dir.mkdir()
        trainer = pl.Trainer(
            accelerator="cpu",
            devices=processes,
            num_nodes=num_nodes,
            strategy="ddp_spawn" if processes * num_nodes > 1 else "auto",
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        loader = DataLoader(FeatureBatches(data, len(labels), batch_size), batch_size=None)
        evaluator = Evaluator(recipe, str(parts_dir), max(1, threads // processes))
        trainer.predict(evaluator, loader, return_predictions=False)
        return merge_parts(parts_dir, len(labels))
