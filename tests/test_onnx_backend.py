import pytest
import torch

from tone_helpers import LightningToneClassifier, paths


@pytest.mark.slow
def test_export_quantize_and_run_round_trip_on_the_embedded_model(tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx extra (requirements-onnx.txt) is not installed")
    from tone_helpers.onnx_backend import OrtClassifier, export_onnx, op_counts, quantize_onnx

    model = LightningToneClassifier.load_checkpoint(paths.EMBEDDED_CHECKPOINT).model.eval()
    fp32 = export_onnx(model, tmp_path / "tiny_fp32.onnx")
    int8 = quantize_onnx(fp32, tmp_path / "tiny_int8.onnx")
    x = torch.randn(3, 75, 128, generator=torch.Generator().manual_seed(0))  # a batch size the export never saw
    with torch.inference_mode():
        expected = model(x).logits
    torch.testing.assert_close(OrtClassifier(fp32, threads=1)(x).logits, expected, atol=1e-4, rtol=1e-4)
    int8_logits = OrtClassifier(int8, threads=1)(x).logits
    assert int8_logits.shape == (3, 5) and (int8_logits - expected).abs().max() < 0.5
    ops = op_counts(int8)
    assert ops["MatMulInteger"] == 13 and "ConvInteger" not in ops  # every Linear, never the patch Conv
    assert int8.stat().st_size < 0.5 * fp32.stat().st_size
