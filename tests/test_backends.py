"""One builder for every backend of the series: names, sizes and files, on the tiny AST (random weights)."""

import pytest
import torch

from tone_helpers import backends, build_model


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return build_model("tiny", max_length=75).eval()


def test_an_unknown_name_lists_the_known_ones(tiny):
    with pytest.raises(ValueError, match="unknown backend 'pytorch int8'; choose from PyTorch float32, PyTorch int8"):
        backends.build(["PyTorch float32", "pytorch int8"], tiny)


def test_pytorch_int8_is_quantize_dynamic_and_under_half_the_size(tiny):
    built = backends.build(["PyTorch float32", "PyTorch int8"], tiny)
    assert list(built) == ["PyTorch float32", "PyTorch int8"]
    int8 = built["PyTorch int8"]
    linear = [m for m in int8.model.modules() if type(m).__name__ == "Linear" and "dynamic" in type(m).__module__]
    assert len(linear) == 13
    assert (int8.precision, int8.own_float32) == ("int8", "PyTorch float32")
    assert int8.size_mb < 0.5 * built["PyTorch float32"].size_mb


@pytest.mark.slow
def test_onnx_backends_share_one_export_and_name_their_own_float32(tiny, tmp_path):
    built = backends.build(["ONNX Runtime float32", "ONNX Runtime int8"], tiny, folder=tmp_path, stem="t")
    assert {"t_fp32.onnx", "t_int8.onnx"} <= {p.name for p in tmp_path.iterdir()}  # in the folder asked for
    assert built["ONNX Runtime int8"].own_float32 == "ONNX Runtime float32"
    x = torch.randn(2, 75, 128)
    with torch.inference_mode():
        difference = (built["ONNX Runtime float32"].model(x).logits - tiny(x).logits).abs().max().item()
    assert difference < 1e-4  # the exported float32 graph computes what the model does
