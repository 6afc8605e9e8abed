"""Profiles by part of the model: shares that add up, the Linear layers found, nothing on stderr."""

import re

import pytest
import torch

from tone_helpers import build_model
from tone_helpers.profile import CATEGORIES, linear_shapes, op_names, profile_shares


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return build_model("tiny", max_length=75).eval()


def test_every_part_of_the_model_is_recognised(tiny, capfd):
    """Each pattern of CATEGORIES finds its operators: a renamed operator would land in "everything else"."""
    shares = profile_shares(tiny, 2)
    parts = {"Linear (float32)", "attention matmuls and softmax", "LayerNorm", "GELU", "patch-embedding Conv"}
    assert all(shares.get(part, 0) > 0 for part in parts), shares
    # what is left over is glue (views, copies, the Python-side calls), never a layer's own operator
    left_over = [op for op in op_names(tiny, 2) if not any(re.search(pattern, op) for pattern, _ in CATEGORIES)]
    layer_ops = ("addmm", "linear", "layer_norm", "gelu", "conv", "softmax", "bmm", "matmul", "scaled_dot")
    assert not [op for op in left_over if any(kind in op for kind in layer_ops)], left_over
    int8 = torch.ao.quantization.quantize_dynamic(tiny, {torch.nn.Linear}, dtype=torch.qint8)
    assert profile_shares(int8, 2)["Linear (int8, incl. quantizing inputs)"] > 0
    assert "profiler_start" not in capfd.readouterr().err  # kineto's line is kept off the reader's screen


def test_linear_shapes_follow_the_blocks(tiny):
    shapes = linear_shapes(tiny)
    assert len(shapes) == 13 and shapes[:6] == [(64, 64)] * 4 + [(64, 256), (256, 64)]
