"""The benchmark's PyTorch backends run the operator families ``which_kernels.py`` reports, on the tiny AST.

Only what holds on every x86 CPU (AVX2 and AVX-512 VNNI alike) is asserted. Which operator a compiled torchao graph
calls depends on the CPU: torchao picks the form of its int8 product in Python while Dynamo traces (s8s8, or u8s8
on a CPU with AVX-512 VNNI and without AMX), and Inductor's patterns then rewrite what they match. The tests below
pin that choice, so that each one asserts the same graph on every CPU. How fast ``aten::_int_mm`` runs, and whether
oneDNN's int8 kernel saturates, depend on the CPU too, and are not asserted here.

Notebook 08 profiles the same builder's torchao compiled and INC compiled rows on the same model, and 06 the
per-channel INC recipe compiled, in compared checks; this file profiles the eager rows, which cost no compiling,
checks that the per-channel row is that recipe, and shows the freezing trap on two Linear layers.
"""

import sys

import pytest
import torch

from tone_helpers import backends as series
from tone_helpers import paths
from tone_helpers.profile import op_names

sys.path.insert(0, str(paths.REPO_ROOT / "benchmarks"))

import backends  # noqa: E402

pytestmark = pytest.mark.slow  # compiles the benchmark's backends


@pytest.fixture(scope="module")
def profiled():
    """name → {operator: calls per forward pass} of the eager int8 rows; name → the graph each compiled row compiles.

    The compiled rows are built, not run: compiling costs seconds per graph. What the compiled graphs call is
    checked where it is taught, in compared cells of 06 and 08.
    """
    torch.manual_seed(0)
    fp32 = backends.model_for("tiny")
    given, compiled = [], series.compiled  # the modules handed to torch.compile, in the order the rows are built

    def record(module, **options):
        given.append(module)
        return compiled(module, **options)  # lazy: nothing compiles until the first call

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(series, "compiled", record)
        built, _, _ = backends.build_backends(fp32, threads=2, skip={"onnx", "pt2e", "openvino"}, preset="tiny")
    compiled_rows = [name for name in built if name.endswith(", compiled")]
    ops = {name: op_names(built[name], batch=8) for name in PROFILED}
    n_linear = sum(isinstance(m, torch.nn.Linear) for m in fp32.modules())
    return ops, n_linear, set(built), dict(zip(compiled_rows, given, strict=True))


PROFILED = ("PyTorch int8", "torchao int8")


def test_build_backends_names_one_configuration_per_row(profiled):
    _, _, names, _ = profiled
    assert {"PyTorch int8", "torchao int8", "PyTorch float32, compiled", "torchao int8, compiled"} <= names
    assert {"INC int8, compiled", "INC int8 per-channel, compiled"} <= names


def test_quantize_dynamic_runs_int8_linears(profiled):
    ops, n_linear, _, _ = profiled
    assert ops["PyTorch int8"].get("quantized::linear_dynamic") == n_linear
    assert "aten::addmm" not in ops["PyTorch int8"]


def test_torchao_eager_calls_int_mm(profiled):
    ops, n_linear, _, _ = profiled
    assert ops["torchao int8"].get("aten::_int_mm") == n_linear


def torchao_traces(monkeypatch, form: str) -> None:
    """Make torchao trace its int8 product in ``form`` ("s8s8" or "u8s8") whatever this CPU is.

    ``torchao/kernel/intmm.py`` reads these two checks while Dynamo traces; u8s8 is what a CPU with AVX-512 VNNI and
    without AMX gets. ``_int_mm`` computes u8s8 on any CPU (as a scalar loop without VNNI), so the graph is the same.
    """
    from torchao.kernel import intmm

    monkeypatch.setattr(intmm, "_cpu_is_vnni_supported", lambda: form == "u8s8")
    monkeypatch.setattr(intmm, "_cpu_is_amx_tile_supported", lambda: False)


def test_freezing_must_be_global_for_dynamo(monkeypatch):
    """Without the global flag while Dynamo traces, torchao's compiled graph keeps ``aten::_int_mm``; with it (as
    ``series.compiled`` sets it), the same s8s8 graph runs oneDNN's int8 kernel.

    Two Linear layers stand in for the AST: the trap is in how the graph is traced, not in the model, and compiling
    the tiny AST here cost 41 s on a clean machine (cold Inductor cache) against 11 s for both graphs below.
    """
    torchao_traces(monkeypatch, "s8s8")
    torch.manual_seed(0)
    linears = torch.nn.Sequential(torch.nn.Linear(128, 256), torch.nn.GELU(), torch.nn.Linear(256, 128)).eval()
    model = series.torchao_int8(linears, reduce_range=True)
    local = op_names(torch.compile(model, dynamic=False, options={"freezing": True}), batch=8)
    assert local.get("aten::_int_mm") == 2 and "onednn::qlinear_pointwise" not in local
    frozen = op_names(series.compiled(model, freezing=True), batch=8)
    assert frozen.get("onednn::qlinear_pointwise") == 2 and "aten::_int_mm" not in frozen


class SharedInput(torch.nn.Module):
    """Three Linear layers reading one input (as an attention block's query, key and value), then a chain of two."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(128, 128) for _ in range(3))
        self.a, self.b = torch.nn.Linear(128, 256), torch.nn.Linear(256, 128)

    def forward(self, x):
        return self.b(torch.relu(self.a(self.q(x) + self.k(x) * self.v(x))))


def test_u8s8_form_is_rewritten_except_where_linears_share_an_input(monkeypatch):
    """On a CPU with AVX-512 VNNI and without AMX, torchao's product is u8s8, which Inductor's own freezing pattern
    does not match. torchao registers patterns that do when ``x86_inductor_quantizer`` is imported (INC's and PT2E's
    flows import it; so do 08 and this module's fixture): they rewrite a chain of Linears, but three Linears that
    read one input keep ``_int_mm`` (on the tiny AST: 7 rewritten, 6 not, as profiled on an AMD Zen 4 VM)."""
    import torchao.quantization.pt2e.quantizer.x86_inductor_quantizer  # noqa: F401  (registers the patterns)

    torchao_traces(monkeypatch, "u8s8")
    torch.manual_seed(0)
    model = series.torchao_int8(SharedInput().eval(), reduce_range=False)
    ops = op_names(series.compiled(model, freezing=True), batch=8)
    assert ops.get("aten::_int_mm") == 3 and ops.get("onednn::qlinear_pointwise") == 2


def test_inc_rows_quantize_weights_per_tensor_and_per_channel(profiled):
    """The per-channel row is 06's second candidate: every weight Q/DQ per channel, which Inductor's int8 rewrite
    needs (06 checks, compared, that this recipe compiled runs oneDNN's qlinear_pointwise on every Linear)."""
    _, n_linear, _, graphs = profiled

    def weight_qdq(name):
        targets = [str(n.target) for n in graphs[name].graph.nodes if n.op == "call_function"]
        return {kind: sum(f"dequantize_per_{kind}.default" in t for t in targets) for kind in ("tensor", "channel")}

    per_tensor, per_channel = weight_qdq("INC int8, compiled"), weight_qdq("INC int8 per-channel, compiled")
    assert per_tensor["channel"] == 0 and per_tensor["tensor"] >= n_linear
    assert per_channel["tensor"] == 0 and per_channel["channel"] == per_tensor["tensor"]
