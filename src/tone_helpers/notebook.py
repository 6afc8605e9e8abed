"""The one-line set-up every notebook starts with: threads, seed, quantized engine, quiet warnings, data."""

from __future__ import annotations

import logging
import os
import platform
import warnings
from pathlib import Path

import torch

from tone_helpers import paths
from tone_helpers.bench import machine_facts
from tone_helpers.synth import ensure_generated

# Set by the test suite (tests/conftest.py): the same notebooks with fewer timing repeats, so nbval
# stays fast. Measurements of size and accuracy never depend on it.
SMOKE_TEST = os.environ.get("TONE_SMOKE_TEST") == "1"

# Known notices that say nothing about the reader's code. Each is explained once, in notebook 02.
KNOWN_WARNINGS = [
    (DeprecationWarning, r"torch\.ao\.quantization is deprecated"),
    (UserWarning, r"torch\.quantize_per_tensor, torch\.quantize_per_channel"),
    (UserWarning, r"At least one mel filter has all zero values"),
    (UserWarning, r"TypedStorage is deprecated"),  # torch.load of quantized tensors, inside torch
    (FutureWarning, r"`isinstance\(treespec, LeafSpec\)"),  # torch.export internals (ONNX export, INC)
    (UserWarning, r"While compiling, we found certain side effects"),  # transformers' output hooks, torch.export
]


def quiet_known_warnings() -> None:
    for category, message in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)
    # The ONNX exporter logs that torchvision's operators are skipped when torchvision is absent.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)


def choose_quantized_engine() -> str:
    """x86 (fbgemm + oneDNN) on Intel/AMD, qnnpack on ARM and Apple Silicon; the int8 kernels differ."""
    supported = torch.backends.quantized.supported_engines
    arm = platform.machine().lower() in ("arm64", "aarch64") or platform.machine().lower().startswith("arm")
    for engine in (["qnnpack"] if arm else ["x86", "fbgemm", "qnnpack"]):
        if engine in supported:
            torch.backends.quantized.engine = engine
            return engine
    raise RuntimeError(f"no int8 engine for {platform.machine()} in this torch build (has {supported})")


def setup(threads: int = 2, seed: int = 0) -> dict[str, str]:
    """Fix threads and seed, pick the int8 engine, silence known notices, make the data if missing."""
    quiet_known_warnings()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    choose_quantized_engine()
    ensure_generated()
    facts = machine_facts()
    for key, value in facts.items():
        print(f"{key:>16}: {value}")
    return facts


# The reader's own files named in this kernel's parameters cell. While it is empty, the notebook runs on
# the embedded model and data, and its regression checks are asserts; otherwise they are printed verdicts.
USER_INPUTS: dict[str, Path] = {}


def resolve(path: str | Path | None, default: Path, what: str) -> Path:
    """A user's path from the parameters cell, or our embedded default; fail early if it is missing."""
    if path:
        USER_INPUTS[what] = Path(path).expanduser()
    path = Path(path).expanduser() if path else default
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def check(ok, claim: str, otherwise: str = "") -> None:
    """Print one line, ``✓ claim`` or ``✗ claim — otherwise``.

    On the embedded model and data a failed check stops the notebook (it is a regression test); on the
    reader's own checkpoint or data it is a verdict about their model, printed, and the notebook goes on.
    """
    ok = bool(ok)
    if not ok and not USER_INPUTS:
        raise AssertionError(f"{claim}: not so on the embedded model and data")
    print(f"✓ {claim}" if ok else f"✗ {claim}" + (f" — {otherwise}" if otherwise else ""))


def checkpoint_path(path: str | Path | None = None) -> Path:
    return resolve(path, paths.EMBEDDED_CHECKPOINT, "checkpoint")


def eval_csv_path(path: str | Path | None = None) -> Path:
    return resolve(path, paths.EVAL_CSV, "evaluation CSV")
