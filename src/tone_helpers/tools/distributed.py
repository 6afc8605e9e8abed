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
writes its part to a folder; the caller merges them.

Several nodes run the same code: each node is launched on its own (``python -m tone_helpers.tools.distributed``,
below) with its node rank and the address and port of node 0, which Lightning's default ``LightningEnvironment``
reads from ``NODE_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``; the parts go to a folder every node can write
(``shared_folder``), each process waits at a barrier until every part is written, and then every node merges
them all. On one machine, two launches with node ranks 0 and 1, the loopback address and one folder show it
(``tests/test_two_nodes.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
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
        # Lightning has no barrier after predict. On one node the caller waits for its processes to end anyway;
        # on several, a node's caller would merge before the other nodes' parts are written.
        self.trainer.strategy.barrier("evaluation parts written")


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
    shared_folder: str | Path | None = None,
) -> torch.Tensor:
    """Logits for every clip, computed by ``processes`` CPU processes per node, in the clips' order.

    With ``num_nodes`` > 1, call it on every node with the same arguments, ``NODE_RANK`` (0 … num_nodes - 1),
    ``MASTER_ADDR`` and ``MASTER_PORT`` (node 0's) set, and a ``shared_folder`` every node can write, empty of
    an earlier run's parts; every node returns all the logits.
    """
    if num_nodes > 1 and (shared_folder is None or not {"NODE_RANK", "MASTER_PORT"} <= os.environ.keys()):
        raise ValueError("num_nodes > 1 needs NODE_RANK and MASTER_PORT set, and a shared_folder every node can write")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "features.pt"  # each node's own copy of its features
        torch.save({"features": features, "labels": labels}, data)
        parts_dir = Path(folder) / "parts" if shared_folder is None else Path(shared_folder)
        parts_dir.mkdir(parents=True, exist_ok=True)
        if any(parts_dir.glob("rank*.pt")):  # no node writes a part before every node is past this check
            raise ValueError(f"{parts_dir}: holds evaluation parts of an earlier run; give an empty folder")
        # One process per node: that process is the rank ("ddp" starts no other with devices=1), which saves
        # starting and importing a second one; several: they are spawned, the caller's script is not re-run.
        strategy = "auto" if processes * num_nodes == 1 else "ddp" if processes == 1 else "ddp_spawn"
        trainer = pl.Trainer(
            accelerator="cpu",
            devices=processes,
            num_nodes=num_nodes,
            strategy=strategy,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        loader = DataLoader(FeatureBatches(data, len(labels), batch_size), batch_size=None)
        evaluator = Evaluator(recipe, str(parts_dir), max(1, threads // processes))
        launched = {key: os.environ.get(key) for key in ("LOCAL_RANK", "WORLD_SIZE")}
        try:
            trainer.predict(evaluator, loader, return_predictions=False)
        finally:
            if strategy == "ddp":  # this process was a rank: leave it as it was, for the next evaluation
                if torch.distributed.is_initialized():
                    torch.distributed.destroy_process_group()
                for key, value in launched.items():  # Lightning's launcher sets them; LOCAL_RANK would tell the
                    os.environ.pop(key, None)  # next Trainer that its processes were started by someone else
                    if value is not None:
                        os.environ[key] = value
        return merge_parts(parts_dir, len(labels))


def digest(values: torch.Tensor) -> str:
    """A short fingerprint of a tensor's exact values, to compare two runs' printed output."""
    return "sha256:" + hashlib.sha256(values.contiguous().numpy().tobytes()).hexdigest()[:12]


def main(argv: list[str] | None = None) -> torch.Tensor:
    """One node's launch: ``python -m tone_helpers.tools.distributed --num-nodes 2 --node-rank 0 …``."""
    parser = argparse.ArgumentParser(
        prog="python -m tone_helpers.tools.distributed",
        description="Evaluate a checkpoint on a CSV on this node's share of processes; launch once per node.",
    )
    parser.add_argument("--checkpoint", required=True, help="a LightningToneClassifier checkpoint")
    parser.add_argument("--csv", required=True, help="evaluation CSV with path,label columns")
    parser.add_argument("--backend", default="PyTorch int8", help="a tone_helpers.backends name or an .onnx file")
    parser.add_argument("--num-nodes", type=int, default=1)
    parser.add_argument("--node-rank", type=int, help="this node's rank, 0 … num-nodes - 1 (needed with 2+ nodes)")
    parser.add_argument("--address", default="127.0.0.1", help="node 0's address, reachable from every node")
    parser.add_argument("--port", type=int, help="a free port on node 0, the same on every node")
    parser.add_argument("--shared-folder", help="an empty folder every node can write (needed with 2+ nodes)")
    parser.add_argument("--processes", type=int, default=1, help="processes on this node")
    parser.add_argument("--threads", type=int, default=2, help="threads on this node, shared by its processes")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", help="save {'logits', 'predictions'} of every clip here (torch.save)")
    args = parser.parse_args(argv)
    if args.num_nodes > 1:
        if args.node_rank is None or not 0 <= args.node_rank < args.num_nodes:
            parser.error(f"--node-rank: give 0 … {args.num_nodes - 1} (each node its own)")
        if args.port is None or args.shared_folder is None:
            parser.error("--port and --shared-folder are needed with 2+ nodes (the same on every node)")
    # What Lightning's default environment reads (lightning_fabric/plugins/environments/lightning.py).
    os.environ |= {"NODE_RANK": str(args.node_rank or 0), "MASTER_ADDR": args.address}
    if args.port is not None:
        os.environ["MASTER_PORT"] = str(args.port)

    from tone_helpers import LightningToneClassifier, ToneDataModule

    pl_model = LightningToneClassifier.load_from_checkpoint(args.checkpoint, map_location="cpu", weights_only=True)
    dataset = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path).get_dataset(args.csv)
    recipe = Recipe(str(Path(args.checkpoint).resolve()), args.backend)
    logits = evaluate_logits(
        recipe,
        dataset.features,
        dataset.labels,
        args.processes,
        args.threads,
        args.batch_size,
        args.num_nodes,
        args.shared_folder,
    )
    predictions = logits.argmax(-1)
    accuracy = (predictions == dataset.labels).float().mean().item()
    print(
        f"node {args.node_rank or 0} of {args.num_nodes}, {args.processes} process(es) each: {len(logits)} clips, "
        f"each evaluated once; accuracy {accuracy:.4f}; predictions {digest(predictions)}, logits {digest(logits)}"
    )
    if args.out:
        torch.save({"logits": logits, "predictions": predictions}, args.out)
    return logits


if __name__ == "__main__":
    # Run the package's module, not this file as __main__: the processes Lightning spawns unpickle the
    # Evaluator by its module's name.
    from tone_helpers.tools.distributed import main as package_main

    package_main()
