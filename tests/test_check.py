"""The pre-class check: a ✓ or ✗ line per part, and for a ✗, what to do."""

import subprocess
import sys

import pytest

from tone_helpers.tools import check


def test_a_missing_extra_is_a_cross_with_the_command_that_installs_it(monkeypatch, capsys):
    real = check.importlib.util.find_spec
    monkeypatch.setattr(check.importlib.util, "find_spec", lambda name: None if name == "onnxruntime" else real(name))
    parts = {name: check.part(modules, file) for name, (modules, file) in check.PARTS.items()}
    assert check.run(parts) == 1
    out = capsys.readouterr().out
    assert (
        "✗ Part 3 (07-09: ONNX, ONNX Runtime): onnxruntime not installed\n    → pip install -r requirements-onnx.txt"
        in out
    )
    assert out.count("✓") == len(parts) - 1


def test_outside_a_virtual_environment_it_says_how_to_activate_one(monkeypatch, capsys):
    monkeypatch.setattr(check.sys, "prefix", check.sys.base_prefix)
    assert check.run({"virtual environment": check.virtual_environment}) == 1
    assert ".venv\\Scripts\\activate" in capsys.readouterr().out


def test_a_crashing_check_is_named_not_raised(capsys):
    assert check.run({"broken": lambda: 1 / 0}) == 1
    assert "✗ broken: ZeroDivisionError: division by zero" in capsys.readouterr().out


@pytest.mark.slow  # starts a notebook kernel
def test_the_whole_check_passes_here():
    done = subprocess.run(
        [sys.executable, "-m", "tone_helpers.tools.check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✗" not in done.stdout and done.stdout.strip().endswith("ready for the class")
