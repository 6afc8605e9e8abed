"""Which int8 path each library takes (machine.int8_paths), AVX-VNNI detected, and what notebook 10 promises."""

import nbformat
import pytest

from tone_helpers import machine, paths
from tone_helpers.machine import cpu_int8_features, int8_paths

NB10 = paths.REPO_ROOT / "notebooks" / "10_why_int8_is_fast.ipynb"


@pytest.mark.parametrize(
    "features, expected",
    [
        (["avx2"], {"fbgemm": "AVX2", "oneDNN": "AVX2", "ONNX Runtime": "AVX2"}),
        # an AVX-VNNI laptop: fbgemm (quantize_dynamic) has no AVX-VNNI kernel, the other two do
        (["avx2", "avx_vnni"], {"fbgemm": "AVX2", "oneDNN": "AVX-VNNI", "ONNX Runtime": "AVX-VNNI"}),
        (["avx2", "avx512f", "avx512_vnni"], dict.fromkeys(machine.INT8_LIBRARIES, "AVX-512 VNNI")),
        # an AMX Xeon: fbgemm stops at AVX-512 VNNI
        (
            ["avx2", "avx_vnni", "avx512f", "avx512_vnni", "amx_int8"],
            {"fbgemm": "AVX-512 VNNI", "oneDNN": "AMX", "ONNX Runtime": "AMX"},
        ),
        (["asimddp"], dict.fromkeys(machine.INT8_LIBRARIES, "no x86 int8 SIMD path")),
    ],
)
def test_each_library_takes_its_own_best_path(features, expected):
    assert int8_paths(features, environ={}) == expected


def test_an_isa_switch_caps_only_its_own_library():
    vnni = ["avx2", "avx512f", "avx512_vnni"]
    forced = {"FBGEMM_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "avx2_vnni"}
    assert int8_paths(vnni, environ=forced) == {"fbgemm": "AVX2", "oneDNN": "AVX2", "ONNX Runtime": "AVX-512 VNNI"}


def test_avx_vnni_is_read_from_cpuinfo_only_on_a_cpu_of_its_generation(monkeypatch):
    import numpy._core._multiarray_umath as umath

    monkeypatch.setattr(machine, "_proc_cpuinfo_flags", lambda: {"avx2", "avx_vnni"})
    monkeypatch.setattr(umath, "__cpu_features__", {"AVX2": True, "GFNI": True})
    assert cpu_int8_features() == ["avx2", "avx_vnni"]
    # an emulated Haswell on an AVX-VNNI host: CPUID says no GFNI, so the host's flag is not believed
    monkeypatch.setattr(umath, "__cpu_features__", {"AVX2": True})
    assert cpu_int8_features() == ["avx2"]


def test_the_facts_name_the_path_of_each_library():
    facts = machine.machine_facts()
    if "avx2" in facts["int8 features"]:
        assert all(library in facts["int8 paths"] for library in machine.INT8_LIBRARIES)


def test_notebook_10_has_a_parameters_cell_and_prints_its_verdicts():
    cells = nbformat.read(NB10, as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"] and code[0].source.startswith("THREADS =")
    sources = "\n".join(c.source for c in code)
    assert "gains more" in sources  # the batch verdict is computed, per shape
    assert "with_rest" in sources and "amdahl" in sources  # both predictions beside the measurement
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "batch 1 often gains more" not in prose and "at best" not in prose
