"""One style everywhere, notebooks included: ruff's lint and format, configured in pyproject.toml."""

import subprocess
import sys

import pytest

from tone_helpers import paths


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_finds_nothing(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
