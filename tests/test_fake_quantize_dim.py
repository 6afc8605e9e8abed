"""int8.fake_quantized_copy / fake_quantize_layers take ``dim`` (notebook 03's exercise 7: per tensor)."""

import torch
from torch import nn

from tone_helpers import int8


def tiny() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        model[0].weight[0] *= 10  # one large row: per tensor and per row then differ
    return model


def test_fake_quantized_copy_is_per_row_by_default_and_per_tensor_with_dim_none():
    model = tiny()
    for bits in (8, 4, 2):
        per_row = int8.fake_quantized_copy(model, bits)
        per_tensor = int8.fake_quantized_copy(model, bits, dim=None)
        for i in (0, 2):
            w = model[i].weight
            assert torch.equal(per_row[i].weight, int8.fake_quantize(w, bits, dim=0))
            assert torch.equal(per_tensor[i].weight, int8.fake_quantize(w, bits, dim=None))
        assert not torch.equal(per_row[0].weight, per_tensor[0].weight)
    assert torch.equal(model[0].weight, tiny()[0].weight)  # the original is left alone


def test_fake_quantize_layers_takes_dim_and_skips_unnamed_layers():
    model = tiny()
    clone = int8.fake_quantize_layers(model, {"0": 3}, dim=None)
    assert torch.equal(clone[0].weight, int8.fake_quantize(model[0].weight, 3, dim=None))
    assert torch.equal(clone[2].weight, model[2].weight)
