"""What every notebook shares: its one-line set-up (the process set-up of ``runtime``, the data, the machine's facts),
its extras and recorded versions, and the checks that are regression tests on our model and verdicts on yours."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import time
from pathlib import Path

import torch

from tone_helpers import paths
from tone_helpers.machine import machine_facts
from tone_helpers.runtime import prepare
from tone_helpers.synth import ensure_generated

# Parts 2 and 3 need packages that Part 1 does not: each extra is a requirements file of its own.
EXTRAS = {
    "inc": ("requirements-inc.txt", ["neural_compressor", "torchao"]),
    "onnx": ("requirements-onnx.txt", ["onnx", "onnxscript", "onnxruntime"]),
}
# The packages whose version changes what a notebook prints (their pins are the recorded versions).
RECORDED = ["torch", "transformers", "pytorch-lightning", "numpy", "onnxruntime", "neural-compressor-pt", "torchao"]


def require(*extras: str) -> None:
    """Stop here, with the command that fixes it, if an extra this notebook needs is not installed."""
    for extra in extras:
        file, modules = EXTRAS[extra]
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ModuleNotFoundError(
                f"this notebook needs the {extra!r} extra, and {', '.join(missing)} {verb} not installed: "
                f"pip install -r {file} (from the repository's folder)"
            )


def pinned_versions() -> dict[str, str]:
    """``name==version`` pins of the repository's requirements files: the versions the outputs were recorded with."""
    pins = {}
    for file in paths.REPO_ROOT.glob("requirements*.txt"):
        for line in file.read_text().splitlines():
            name, sep, version = line.split("#")[0].strip().partition("==")
            if sep:
                pins[name.strip().lower()] = version.strip()
    return pins


def version_notes() -> list[str]:
    """One line per package whose installed version differs from the one the stored outputs were recorded with."""
    pins, notes = pinned_versions(), []
    for name in RECORDED:
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if name in pins and installed.split("+")[0] != pins[name]:
            notes.append(
                f"note: the stored outputs were recorded with {name} {pins[name]}; you have {installed}, "
                "so some figures may differ"
            )
    return notes


_STARTED: list[float] = []  # when setup() ran in this kernel, for elapsed()


def setup(threads: int = 2, seed: int = 0, needs: tuple[str, ...] = ()) -> dict[str, str]:
    """Check the extras, fix threads and seed, pick the int8 engine, silence known notices, make the data."""
    _STARTED[:] = [time.perf_counter()]
    require(*needs)
    prepare(threads, seed)
    ensure_generated()
    facts = machine_facts()
    for key, value in facts.items():
        print(f"{key:>16}: {value}")
    for note in version_notes():
        print(note)
    return facts


def elapsed() -> None:
    """How long this notebook has run since its set-up cell, on this machine (a measurement, not a fact)."""
    if not _STARTED:
        print("run the set-up cell first")
        return
    seconds = time.perf_counter() - _STARTED[0]
    print(f"this notebook ran for {seconds:.0f} s on this machine ({torch.get_num_threads()} threads)")


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
