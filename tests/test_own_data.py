"""A reader's own checkpoint and data run the evaluation notebook to the end (README: "Use your own ...").

The test runs the cells the reader's files reach (``tone_helpers.tools.cell_graph``) and the cells they need, to
the last: the sections that read only the embedded files (AST base, the small preset) run as nbval runs them, on
the same files, so running them again here would test nothing new.
"""

import nbformat
import pytest
import torch
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from tone_helpers import LightningToneClassifier, paths
from tone_helpers.guards import int8_guards
from tone_helpers.tools import cell_graph, run_series, test_replace

pytestmark = pytest.mark.slow  # runs notebook 05 on a reader's files


def test_evaluation_notebook_runs_to_the_end_on_a_readers_checkpoint_and_data(tmp_path, save_checkpoint, first_clips):
    torch.manual_seed(1)  # another reader's model: same architecture, other (untrained) weights
    parameters = {
        "CHECKPOINT": str(save_checkpoint(LightningToneClassifier("tiny"), tmp_path / "mine.ckpt")),
        "EVAL_CSV": str(first_clips(paths.EVAL_CSV, 130, tmp_path / "mine.csv")),
    }  # 130 clips: not a multiple of 128
    nb = parameterize_notebook(load_notebook_node(str(run_series.NOTEBOOKS_DIR / "05_evaluate.ipynb")), parameters)
    test_replace.apply(nb, "05_evaluate.ipynb")  # the cells as the tests run them
    dropped = readers_slice(nb, set(parameters))
    assert dropped, "the slice should leave out the sections on the embedded files"
    sliced, out = tmp_path / "sliced.ipynb", tmp_path / "05_evaluate.ipynb"
    nbformat.write(nb, sliced)
    _, error = run_series.execute(sliced, out)
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


def readers_slice(nb, parameters: set[str]) -> list[str]:
    """Keep the code cells the reader's files reach, the cells they need and the last; return the first lines of
    the others, which are dropped."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    sources = [cell.source for cell in code]
    keep = cell_graph.needed(sources, cell_graph.depends_on(sources, parameters) | {len(code) - 1})
    dropped = [code[i] for i in range(len(code)) if i not in keep]
    nb.cells = [cell for cell in nb.cells if not any(cell is d for d in dropped)]
    return [cell.source.splitlines()[0] for cell in dropped]
