"""What notebooks 01 and 02 say about quantize_dynamic's weights, and weight_errors for every dtype it takes."""

import math

import pytest
import torch
from torch import nn

from tone_helpers import build_model
from tone_helpers.measure import stored_weight, weight_errors

qd = torch.ao.quantization


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return build_model("tiny").eval()


def test_qint8_scale_puts_the_largest_weight_half_way_and_no_weight_moves_more_than_half_a_step(tiny):
    """02 says: scale = max|w| / 127.5, and rounding moves a weight by at most scale / 2 (exercise 1)."""
    for row in weight_errors(tiny, qd.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.qint8)):
        assert row["dtype"] == "qint8"
        assert row["max |w|"] / row["scale"] == pytest.approx(127.5, rel=1e-5)
    layer = qd.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.qint8).audio_spectrogram_transformer.layers[0]
    stored, scale = stored_weight(layer.attention.q_proj)
    worst = (stored - tiny.audio_spectrogram_transformer.layers[0].attention.q_proj.weight).abs().max().item()
    assert worst <= scale / 2 * (1 + 1e-5)


def test_float16_weights_have_no_scale_and_float16_rounding_error(tiny):
    if torch.backends.quantized.engine not in ("x86", "fbgemm"):
        pytest.skip("quantize_dynamic(dtype=torch.float16) packs with fbgemm only (qnnpack and onednn refuse it)")
    rows = weight_errors(tiny, qd.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.float16))
    assert len(rows) == sum(isinstance(m, nn.Linear) for m in tiny.modules())
    assert all(r["dtype"] == "float16" and math.isnan(r["scale"]) for r in rows)
    assert all(0 < r["relative error"] <= 2**-11 for r in rows)  # float16 keeps 11 significant bits
    assert f"{rows[0]['scale']:.5f}" == "nan"  # 02's table code still formats it


def test_per_channel_weights_report_their_coarsest_step(tiny):
    per_tensor = weight_errors(tiny, qd.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.qint8))
    per_channel = weight_errors(tiny, qd.quantize_dynamic(tiny, {nn.Linear: qd.per_channel_dynamic_qconfig}))
    for t, c in zip(per_tensor, per_channel, strict=True):
        assert c["scale"] == pytest.approx(t["scale"], rel=1e-6)  # the row holding max|w| sets the same step
        assert c["relative error"] < t["relative error"]


def test_swapped_arguments_are_named_not_a_traceback_deep_inside(tiny):
    quantized = qd.quantize_dynamic(tiny, {nn.Linear}, dtype=torch.qint8)
    with pytest.raises(ValueError, match=r"weight_errors\(float_model, quantized_model\)"):
        weight_errors(quantized, tiny)
    with pytest.raises(ValueError, match=r"weight_errors\(float_model, quantized_model\)"):
        weight_errors(quantized, quantized)
