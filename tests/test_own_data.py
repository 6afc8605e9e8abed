"""A reader's own checkpoint and data run the evaluation notebook to the end (README: "Use your own ...")."""

import nbformat
import pytest
import torch

from tone_helpers import LightningToneClassifier, paths
from tone_helpers.guards import int8_guards
from tone_helpers.tools import run_series

pytestmark = pytest.mark.slow  # runs notebook 05 on a reader's files


def test_evaluation_notebook_runs_to_the_end_on_a_readers_checkpoint_and_data(tmp_path, save_checkpoint, first_clips):
    torch.manual_seed(1)  # another reader's model: same architecture, other (untrained) weights
    parameters = {
        "CHECKPOINT": str(save_checkpoint(LightningToneClassifier("tiny"), tmp_path / "mine.ckpt")),
        "EVAL_CSV": str(first_clips(paths.EVAL_CSV, 130, tmp_path / "mine.csv")),
    }  # 130 clips: not a multiple of 128
    out = tmp_path / "05_evaluate.ipynb"
    _, error = run_series.execute(run_series.NOTEBOOKS_DIR / "05_evaluate.ipynb", out, parameters, smoke=True)
    assert error is None, f"{error.ename}: {error.evalue}"
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert "130 clips" in text
    # the reader's model comes first: accuracy, agreement, paired test, printed whichever way they went (the
    # small preset's section after them runs on the embedded files)
    verdicts = [line for line in text.splitlines() if line[:2] in ("✓ ", "✗ ")]
    claims = [v[2:].split(" — ")[0] for v in verdicts]
    assert claims[0] == "no clip is within 1e-4 of a tie in float32: its predictions are the same on every CPU"
    assert claims[1:4] == [claim for _, claim, _ in int8_guards(*[torch.zeros(1)] * 3)]
    # an untrained model's logits are nearly tied, so int8 flips several % of them (6.9 % here): a failed
    # check, printed as a verdict, and the notebook still ran to its last cell
    assert any(v.startswith("✗ int8 and float32 predict the same class") for v in verdicts)
