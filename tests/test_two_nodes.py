"""Evaluation on 2 nodes × 1 process, on one machine: two launches with node ranks 0 and 1, the loopback address
and one shared folder; every clip evaluated once, and the same logits as 1 process."""

import os
import signal
import socket
import sys
import time
from subprocess import DEVNULL, STDOUT, Popen

import pytest
import torch

from tone_helpers import LightningToneClassifier, ToneDataModule, paths
from tone_helpers.tools.distributed import Recipe, evaluate_logits, main

CHECKPOINT = str(paths.EMBEDDED_CHECKPOINT)
CLIPS, BATCH = 37, 8  # 5 batches: 3 for node 0, 2 for node 1 (the last one short)
SESSION = {"start_new_session": True} if hasattr(os, "killpg") else {}  # to end a node with what it started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_nodes(csv, shared, out, timeout=600) -> list[str]:
    """Start both nodes as separate programs, as one would on two machines; their output, or fail and kill them."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LOCAL_RANK", "WORLD_SIZE", "NODE_RANK", "MASTER_PORT")}
    procs, logs, killed = [], [], set()
    try:
        for rank in (0, 1):
            logs.append(out / f"node{rank}.log")
            command = [sys.executable, "-m", "tone_helpers.tools.distributed", "--checkpoint", CHECKPOINT]
            command += ["--csv", str(csv), "--num-nodes", "2", "--node-rank", str(rank), "--address", "127.0.0.1"]
            command += ["--port", str(port), "--shared-folder", str(shared), "--threads", "1"]
            command += ["--batch-size", str(BATCH), "--out", str(out / f"node{rank}.pt")]
            with logs[-1].open("w") as log:  # a file, not a pipe: a node never blocks on output no one reads
                procs.append(Popen(command, stdin=DEVNULL, stdout=log, stderr=STDOUT, env=env, **SESSION))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(proc.poll() is None for proc in procs):
            if any(proc.poll() not in (None, 0) for proc in procs):
                break  # one node failed: the other would wait for it until Lightning's 30-minute timeout
            time.sleep(0.2)
    finally:
        for rank, proc in enumerate(procs):  # a node left waiting for the other (rendezvous, barrier) ends here
            if proc.poll() is None:
                killed.add(rank)
                if SESSION:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
    texts = [log.read_text() for log in logs]
    for rank, (proc, text) in enumerate(zip(procs, texts, strict=True)):
        late = " (killed: still running when the other failed or at the timeout)" if rank in killed else ""
        assert proc.returncode == 0, f"node {rank} exited with {proc.returncode}{late}:\n{text[-3000:]}"
    return texts


@pytest.mark.slow  # two programs that import Lightning: ~30 s of CPU, 15-18 s on 2 cores
def test_two_nodes_evaluate_every_clip_once_with_the_logits_of_one_process(first_clips, tmp_path):
    csv = first_clips(paths.EVAL_CSV, CLIPS, tmp_path / "mine.csv")
    shared = tmp_path / "shared"
    texts = launch_nodes(csv, shared, tmp_path)
    for rank, text in enumerate(texts):
        assert f"node {rank} of 2, 1 process(es) each: {CLIPS} clips, each evaluated once" in text

    # Both nodes did part of the work, and the parts cover every clip exactly once (checked here, not by the
    # merging code under test).
    assert sorted(p.name for p in shared.iterdir()) == ["rank0.pt", "rank1.pt"]
    parts = [torch.load(shared / f"rank{r}.pt", weights_only=True)["index"] for r in (0, 1)]
    assert all(len(part) > 0 for part in parts)
    assert torch.equal(torch.bincount(torch.cat(parts), minlength=CLIPS), torch.ones(CLIPS, dtype=torch.long))

    pl_model = LightningToneClassifier.load_from_checkpoint(CHECKPOINT, map_location="cpu", weights_only=True)
    dataset = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path).get_dataset(csv)
    one = evaluate_logits(Recipe(CHECKPOINT, "PyTorch int8"), dataset.features, dataset.labels, 1, 1, BATCH)
    for rank in (0, 1):  # every node merges all the parts
        node = torch.load(tmp_path / f"node{rank}.pt", weights_only=True)
        assert torch.equal(node["predictions"], one.argmax(-1))
        assert torch.equal(node["logits"], one)  # the same batches, so the same int8 ranges, so the same logits


def test_several_nodes_need_their_rank_port_and_a_shared_folder_without_old_parts(tmp_path, monkeypatch, capsys):
    recipe, features, labels = Recipe(CHECKPOINT, "PyTorch int8"), torch.zeros(2, 1, 1), torch.zeros(2)
    with pytest.raises(ValueError, match="shared_folder"):
        evaluate_logits(recipe, features, labels, num_nodes=2)
    monkeypatch.setenv("NODE_RANK", "0")
    monkeypatch.setenv("MASTER_PORT", str(free_port()))
    torch.save({"index": torch.tensor([0]), "logits": torch.zeros(1, 5)}, tmp_path / "rank1.pt")
    with pytest.raises(ValueError, match="parts of an earlier run"):
        evaluate_logits(recipe, features, labels, num_nodes=2, shared_folder=tmp_path)
    for missing in (["--port", "1"], ["--node-rank", "0", "--shared-folder", str(tmp_path)]):
        with pytest.raises(SystemExit):
            main(["--checkpoint", CHECKPOINT, "--csv", "x.csv", "--num-nodes", "2", *missing])
    err = capsys.readouterr().err
    assert "--node-rank: give 0 … 1" in err and "--port and --shared-folder are needed" in err
