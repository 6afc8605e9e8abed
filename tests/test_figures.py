"""The pictures of the arithmetic draw the right data (nbval does not compare images): each data function, checked."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tone_helpers import graphs, int8, plots  # noqa: E402


def test_the_grid_puts_zero_on_a_level_rounds_to_the_nearest_and_clips_outside():
    data = plots.grid_data(-1.0, 3.0, 0, 127, [0.0, 0.51, 2.999, 5.0, -4.0])
    scale, levels = data["scale"], data["levels"]
    assert len(levels) == 128 and levels[data["zero_point"]] == 0.0  # q = zero point is exactly 0.0
    assert levels[1] - levels[0] == pytest.approx(scale)
    assert data["codes"][0] == data["zero_point"] and data["landed"][0] == 0.0
    assert abs(data["landed"][1] - 0.51) <= scale / 2  # rounding moves a value by half a step at most
    assert data["clipped"] == [False, False, False, True, True]
    assert data["codes"][3:] == [127, 0]  # beyond the range: clamped to its ends
    plt.close(plots.int8_grid_chart(data, "test"))


def test_the_data_path_has_the_dtypes_of_a_dynamic_int8_linear_and_its_result():
    torch.manual_seed(0)
    x, layer = torch.randn(5, 16), torch.nn.Linear(16, 4)
    stages = plots.linear_path_data(x, layer.weight.detach(), layer.bias.detach())
    assert [s["dtype"] for s in stages] == ["float32", "float32", "uint8", "int8", "int32", "float32"]
    assert [s["shape"] for s in stages][2:] == [(5, 16), (4, 16), (5, 4), (5, 4)]
    assert stages[2]["values"].max() <= 127  # 7-bit activations, as the x86 engine quantizes them
    y = stages[-1]["values"]
    assert torch.allclose(y, layer(x).detach(), atol=0.05)  # int8 arithmetic, close to float
    scale, zp = int8.affine_params(x.min().item(), x.max().item(), 0, 127)
    w_scale = int8.symmetric_scale(layer.weight.detach()).item()
    assert torch.allclose(y, int8.int_linear(stages[2]["values"], zp, stages[3]["values"], scale, w_scale, layer.bias))
    plt.close(plots.linear_path_chart(stages, "test"))


def test_op_changes_keep_only_what_changed_largest_first():
    before, after = {"linear": 13, "layer_norm": 5}, {"linear": 13, "layer_norm": 5, "quantize": 26, "dequantize": 39}
    changes = graphs.changed_ops(before, after)
    assert list(changes) == ["dequantize", "quantize"] and changes["quantize"] == (0, 26)
    tied = graphs.changed_ops({}, {"quantize": 24, "dequantize": 24, "arange": 1})
    assert list(tied) == ["dequantize", "quantize", "arange"]  # a tie in name order, whatever the set's order
    plt.close(plots.op_changes_chart(changes, "before", "after", "test"))


def test_fx_op_counts_counts_call_functions_by_short_name():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    exported = torch.export.export(model, (torch.randn(2, 4),)).module()
    assert graphs.fx_op_counts(exported)["linear"] == 2


def test_the_time_split_adds_up_and_amdahl_speeds_up_the_linear_layers_only():
    shares_fp32 = {"Linear (float32)": 0.9, "GELU": 0.1}
    shares_int8 = {"Linear (int8)": 0.8, "GELU": 0.2}
    split = plots.time_split(shares_fp32, 0.1, shares_int8, 0.05, 2.0, "Linear (float32)", "Linear (int8)")
    fp32, amdahl, measured = split.values()
    assert sum(fp32.values()) == pytest.approx(100.0) and sum(measured.values()) == pytest.approx(50.0)
    assert amdahl == {"Linear layers": pytest.approx(45.0), "GELU": pytest.approx(10.0)}
    plt.close(plots.time_split_chart(split, "test"))
