"""The plumbing of notebook 09: layer groups, partial fake quantization, damage measures, notional sizes."""

import numpy as np
import pytest
import torch

from tone_helpers import build_model, int8
from tone_helpers.sensitivity import damage, linear_groups, notional_mb


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return build_model("tiny", max_length=75).eval()


def test_groups_follow_the_blocks(tiny):
    groups = linear_groups(tiny)
    assert list(groups) == [
        "block 0 · q/k/v",
        "block 0 · attention out",
        "block 0 · MLP in",
        "block 0 · MLP out",
        "block 1 · q/k/v",
        "block 1 · attention out",
        "block 1 · MLP in",
        "block 1 · MLP out",
        "classifier",
    ]
    assert sum(len(layers) for layers in groups.values()) == 13  # every Linear, once
    assert [n.rsplit(".", 1)[-1] for n in groups["block 1 · q/k/v"]] == ["q_proj", "k_proj", "v_proj"]


def test_only_the_named_layers_change(tiny):
    name = "audio_spectrogram_transformer.layers.0.mlp.fc1"
    cut = int8.fake_quantize_layers(tiny, {name: 2})
    before, after = dict(tiny.named_parameters()), dict(cut.named_parameters())
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed == {f"{name}.weight"}
    assert after[f"{name}.weight"].unique().numel() <= 3 * 256  # three levels per row at 2 bits


def test_damage_of_a_model_against_itself_is_nil():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]])
    d = damage(logits, logits, torch.tensor([0, 2]))
    assert d == {"agreement": 1.0, "accuracy": 0.5, "KL": 0.0, "mean |Δlogit|": 0.0}
    moved = damage(logits, logits + torch.tensor([[0.0, 3.0, 0.0], [0.0, 0.0, 0.0]]), torch.tensor([0, 2]))
    assert moved["agreement"] == 0.5 and moved["KL"] > 0 and moved["mean |Δlogit|"] == pytest.approx(0.5)


def test_notional_size_counts_bits(tiny):
    total = sum(p.numel() for p in tiny.parameters())
    assert notional_mb(tiny, {}) == pytest.approx(total * 4 / 2**20)
    name = "classifier.dense"
    weight = dict(tiny.named_modules())[name].weight
    saved = weight.numel() * (32 - 4) - weight.shape[0] * 32  # 4-bit weights, plus one float32 scale per row
    assert notional_mb(tiny, {name: 4}) == pytest.approx((total * 32 - saved) / 8 / 2**20)


def test_the_calibration_reader_hands_out_every_clip_once():
    pytest.importorskip("onnxruntime")
    from tone_helpers.onnx_backend import calibration_reader

    reader = calibration_reader(torch.arange(10.0).reshape(5, 2), batch_size=2)
    batches = []
    while (batch := reader.get_next()) is not None:
        batches.append(batch["input_values"])
    assert [b.shape[0] for b in batches] == [2, 2, 1]
    assert torch.equal(torch.from_numpy(np.concatenate(batches)), torch.arange(10.0).reshape(5, 2))
