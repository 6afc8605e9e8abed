"""How the package behaves as installed: light imports, and a clear word when it is not in its repository."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import tone_helpers

PACKAGE = Path(tone_helpers.__file__).parent


def run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_making_data_does_not_import_lightning_or_transformers():
    result = run(
        "import sys, tone_helpers.synth; "
        "print(sorted({'torch', 'transformers', 'pytorch_lightning'} & set(sys.modules)))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_public_name_resolves_to_the_object_its_module_defines():
    """``__all__`` is generated from the lazy-import table: each entry must name a real object of its module."""
    import importlib

    for name in tone_helpers.__all__:
        home = importlib.import_module(f"tone_helpers.{tone_helpers._HOME[name]}")
        assert getattr(tone_helpers, name) is getattr(home, name), name
    assert tone_helpers.LABELS[4] == "neutral"


def test_a_copy_outside_the_repository_says_where_the_data_should_come_from(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "site" / "tone_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(tmp_path / "site"), "TONE_DATA_DIR": ""}
    result = run("import tone_helpers.paths", **env)
    assert result.returncode != 0 and "installed outside its repository" in result.stderr
    assert "TONE_DATA_DIR" in result.stderr
    mine = run(
        "import tone_helpers.paths as p; print(p.EMBEDDED_CHECKPOINT)", **{**env, "TONE_DATA_DIR": str(tmp_path)}
    )
    assert mine.returncode == 0 and mine.stdout.strip() == str(tmp_path / "tiny_ast_tones.ckpt")


def requirement_names(file: str) -> set[str]:
    lines = (tone_helpers.paths.REPO_ROOT / file).read_text().splitlines()
    return {line.split("==")[0].strip().lower() for line in lines if "==" in line.split("#")[0]}


def test_the_core_installs_over_an_existing_torch_and_everything_is_the_sum_of_its_parts():
    parts = ("core", "inc", "onnx", "test")
    core, inc, onnx, test = (requirement_names(f"requirements-{part}.txt") for part in parts)
    assert "torch" not in core | inc | onnx | test  # a reader's own torch is never replaced
    assert not {"onnx", "onnxruntime", "neural-compressor-pt", "torchao"} & core  # Part 1 needs no extra
    assert not {"pytest", "nbval", "ruff", "hypothesis"} & core  # nor the test tools: a class installs less
    text = (tone_helpers.paths.REPO_ROOT / "requirements.txt").read_text()
    assert "torch==2.13.0" in text and all(f"-r requirements-{p}.txt" in text for p in parts)
