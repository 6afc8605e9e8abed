import platform

import pytest
import torch

from tone_helpers import machine, notebook


@pytest.fixture
def own_inputs(monkeypatch):
    monkeypatch.setattr(notebook, "USER_INPUTS", {})
    return notebook.USER_INPUTS


def test_a_check_is_an_assert_on_the_embedded_model(own_inputs, capsys):
    notebook.check(True, "holds")
    assert capsys.readouterr().out == "✓ holds\n"
    with pytest.raises(AssertionError, match="fails"):
        notebook.check(False, "fails", "why")


def test_a_check_is_a_verdict_on_the_readers_own_files(own_inputs, tmp_path, capsys):
    mine = tmp_path / "mine.ckpt"
    mine.write_bytes(b"")
    assert notebook.checkpoint_path(str(mine)) == mine
    notebook.check(False, "int8 agrees on 99 %", "it agrees on 97.0 % of your clips")
    assert capsys.readouterr().out == "✗ int8 agrees on 99 % — it agrees on 97.0 % of your clips\n"


def test_the_default_paths_are_not_the_readers(own_inputs):
    notebook.checkpoint_path(None)
    assert own_inputs == {}


def test_a_missing_file_is_named(own_inputs, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.ckpt"):
        notebook.checkpoint_path(tmp_path / "nope.ckpt")


@pytest.mark.parametrize(
    "cpu, supported, engine",
    [
        ("x86_64", ["qnnpack", "onednn", "x86", "fbgemm"], "x86"),  # this series' pinned x86 build
        ("AMD64", ["fbgemm", "qnnpack"], "fbgemm"),  # an older build without the x86 engine
        ("aarch64", ["qnnpack", "onednn"], "qnnpack"),  # Linux on ARM
        ("arm64", ["qnnpack"], "qnnpack"),  # Apple Silicon
    ],
)
def test_the_int8_engine_fits_the_machine(cpu, supported, engine):
    assert machine.pick_engine(cpu, supported) == engine


def test_no_usable_engine_is_said_plainly():
    with pytest.raises(RuntimeError, match="no int8 engine for aarch64 in this torch build"):
        machine.pick_engine("aarch64", ["fbgemm"])


@pytest.fixture
def engine_restored():
    before = torch.backends.quantized.engine
    yield
    torch.backends.quantized.engine = before


def test_the_engine_switch_picks_qnnpack_on_x86(monkeypatch, engine_restored):
    monkeypatch.setenv(machine.ENGINE_VARIABLE, "qnnpack")
    assert machine.choose_quantized_engine() == "qnnpack"
    assert torch.backends.quantized.engine == "qnnpack"


def test_an_unknown_engine_is_named(monkeypatch, engine_restored):
    monkeypatch.setenv(machine.ENGINE_VARIABLE, "neon")
    with pytest.raises(ValueError, match=r"TONE_QUANTIZED_ENGINE='neon' is not an int8 engine.*qnnpack"):
        machine.choose_quantized_engine()


def test_without_the_switch_the_machine_decides(monkeypatch, engine_restored):
    monkeypatch.delenv(machine.ENGINE_VARIABLE, raising=False)
    expected = machine.pick_engine(platform.machine(), torch.backends.quantized.supported_engines)
    assert machine.choose_quantized_engine() == expected


def test_a_missing_extra_stops_with_the_command_that_installs_it(monkeypatch):
    monkeypatch.setitem(notebook.EXTRAS, "onnx", ("requirements-onnx.txt", ["onnx", "no_such_module_here"]))
    with pytest.raises(
        ModuleNotFoundError, match=r"'onnx' extra.*no_such_module_here.*pip install -r requirements-onnx.txt"
    ):
        notebook.require("onnx")
    monkeypatch.setitem(notebook.EXTRAS, "stdlib", ("requirements-stdlib.txt", ["json", "csv"]))
    notebook.require("stdlib")  # everything installed: no complaint


def test_the_recorded_versions_are_the_pins():
    pins = notebook.pinned_versions()
    assert pins["torch"] == "2.13.0" and "onnxruntime" in pins and "neural-compressor-pt" in pins


def test_the_readme_environment_has_the_recorded_versions():
    """In the README's full install every recorded package is at its pin; the "keep your torch" install differs."""
    import importlib.metadata

    if importlib.metadata.version("torch").split("+")[0] != notebook.pinned_versions()["torch"]:
        pytest.skip("torch is not the pinned one: the README's 'keep your torch' install, whose notes are expected")
    assert notebook.version_notes() == []


def test_another_version_is_noted(monkeypatch):
    monkeypatch.setattr(notebook.importlib.metadata, "version", lambda name: "0.0.1")
    notes = notebook.version_notes()
    assert notes and notes[0].startswith("note: the stored outputs were recorded with torch 2.13.0; you have 0.0.1")
