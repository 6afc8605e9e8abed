import os

import pytest
import torch
from torch import nn

from tone_helpers import build_model
from tone_helpers.legacy import legacy_layout
from tone_helpers.measure import bytes_by_part, model_size_mb, parameter_breakdown, weight_errors


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return build_model("tiny").eval()


@pytest.fixture(scope="module")
def tiny_int8(tiny):
    return torch.ao.quantization.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.qint8)


def test_size_is_the_saved_state_dict_in_mib(tiny, tmp_path):
    torch.save(tiny.state_dict(), tmp_path / "temp.p")  # the tutorial's file name: it is stored in the archive
    assert model_size_mb(tiny) == os.path.getsize(tmp_path / "temp.p") / 2**20


def test_parts_add_up_to_the_file(tiny, tiny_int8):
    for model in (tiny, tiny_int8):
        assert sum(bytes_by_part(model).values()) == pytest.approx(model_size_mb(model), rel=1e-12)
    # int8 stores exactly one byte per Linear weight, float32 four
    assert bytes_by_part(tiny)["Linear weights"] == pytest.approx(4 * bytes_by_part(tiny_int8)["Linear weights"])


def test_parameter_breakdown_counts_every_parameter_once(tiny):
    counts = parameter_breakdown(tiny)
    assert sum(counts.values()) == sum(p.numel() for p in tiny.parameters())
    assert counts["Linear weights"] == sum(m.weight.numel() for m in tiny.modules() if isinstance(m, nn.Linear))
    assert counts["Conv2d (patch embedding)"] == 64 * 16 * 16 + 64


def test_weight_errors_cover_every_quantized_layer(tiny, tiny_int8):
    rows = weight_errors(tiny, tiny_int8)
    assert len(rows) == sum(isinstance(m, nn.Linear) for m in tiny.modules())
    assert all(0 < r["relative error"] < 0.05 for r in rows)


def test_legacy_layout_holds_the_same_tensors_under_old_names(tiny):
    legacy = legacy_layout(tiny).state_dict()
    assert "audio_spectrogram_transformer.encoder.layer.1.attention.attention.query.weight" in legacy
    assert "audio_spectrogram_transformer.encoder.layer.1.output.dense.weight" in legacy
    new = tiny.state_dict()
    assert len(legacy) == len(new)
    assert torch.equal(
        legacy["audio_spectrogram_transformer.encoder.layer.1.attention.attention.query.weight"],
        new["audio_spectrogram_transformer.layers.1.attention.q_proj.weight"],
    )
    assert sum(t.numel() for t in legacy.values()) == sum(t.numel() for t in new.values())


def test_predicted_ratio_bounds_the_measured_one(tiny, tiny_int8):
    from tone_helpers.measure import predicted_int8_ratio

    predicted = predicted_int8_ratio(tiny)
    assert 0.25 < predicted < 1.0
    # names, scales and zero points make the real file a little larger than the prediction
    assert predicted < model_size_mb(tiny_int8) / model_size_mb(tiny) < predicted + 0.06
