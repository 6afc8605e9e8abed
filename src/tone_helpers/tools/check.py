"""The pre-class check: one command a student runs a week before the class, a ✓ or ✗ line per part, and what to do.

    tone-check          # from the repository's folder, in the virtual environment of the set-up

It checks the Python version, the virtual environment, the torch build, the data, each extra, that a notebook
kernel starts and can import the series, and that an audio player can be written (it writes one, with a test
tone, for the student to open and hear). It exits 1 if any line is a ✗. It needs no network and takes seconds.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tone_helpers.notebook import EXTRAS

PYTHON = (3, 10)
TORCH = "2.13.0"
# each part of the set-up: (its modules, the file that installs it); Parts 2 and 3 as the notebooks require them
PARTS = {
    "Part 1 (notebooks 00-05, 10)": (
        [
            "pytorch_lightning",
            "transformers",
            "torchmetrics",
            "matplotlib",
            "soundfile",
            "scipy",
            "jupyterlab",
            "ipykernel",
            "papermill",
        ],
        "requirements-core.txt",
    ),
    "Part 2 (06, 08: Intel Neural Compressor, torchao)": EXTRAS["inc"][::-1],
    "Part 3 (07-09: ONNX, ONNX Runtime)": EXTRAS["onnx"][::-1],
    "the tests (pytest, nbval)": (["pytest", "nbval", "xdist"], "requirements-test.txt"),
}


class Failed(Exception):
    """A ✗ line: what is wrong, and what to do about it."""

    def __init__(self, what: str, todo: str):
        super().__init__(what)
        self.todo = todo


def python_version() -> str:
    if sys.version_info[:2] < PYTHON:
        raise Failed(f"Python {sys.version.split()[0]}", "install Python 3.10 or newer, then redo the set-up")
    return f"Python {sys.version.split()[0]}"


def virtual_environment() -> str:
    if sys.prefix == sys.base_prefix and not (Path(sys.prefix) / "conda-meta").is_dir():
        raise Failed(
            f"not in a virtual environment ({sys.prefix})",
            "activate the set-up's venv first: . .venv/bin/activate (Windows: .venv\\Scripts\\activate)",
        )
    return f"virtual environment {sys.prefix}"


def torch_build() -> str:
    if importlib.util.find_spec("torch") is None:
        raise Failed("torch is not installed", "follow the README's set-up for your system")
    import torch

    version = torch.__version__.split("+")[0]
    build = "CPU build" if torch.version.cuda is None else f"CUDA {torch.version.cuda} build (works, but large)"
    if version != TORCH:
        raise Failed(
            f"torch {torch.__version__}: the stored outputs were recorded with {TORCH}",
            f"pip install torch=={TORCH} (Intel Macs have no such wheel: use Colab or a Linux machine)",
        )
    return f"torch {torch.__version__}, {build}, int8 engine {torch.backends.quantized.engine}"


def data() -> str:
    from tone_helpers import paths
    from tone_helpers.synth import ensure_generated

    missing = [p.name for p in (paths.EMBEDDED_CHECKPOINT, paths.SMALL_CHECKPOINT) if not p.is_file()]
    if missing:
        raise Failed(f"{', '.join(missing)} missing from data/", "clone the repository again (git clone ...)")
    ensure_generated()
    clips = sum(1 for _ in (paths.REPO_ROOT / "data" / "generated").rglob("*.wav"))
    return f"the embedded checkpoints, and {clips} synthetic clips in data/generated/"


def part(modules: list[str], file: str) -> Callable[[], str]:
    def check() -> str:
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        if missing:
            raise Failed(f"{', '.join(missing)} not installed", f"pip install -r {file}")
        return "installed"

    return check


def kernel() -> str:
    """Start a notebook kernel as JupyterLab would, and import the series in it, with this venv's Python."""
    import subprocess

    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    said: list[str] = []

    def hook(message: dict) -> None:
        if message["msg_type"] == "stream":
            said.append(message["content"]["text"])

    try:
        reply = client.execute_interactive("import sys, tone_helpers; print(sys.prefix)", timeout=60, output_hook=hook)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    if reply["content"]["status"] != "ok":
        raise Failed(
            f"the kernel could not import the series: {reply['content'].get('evalue')}",
            "in this venv: pip install -r requirements-core.txt, then python -m ipykernel install --user",
        )
    kernel_prefix = "".join(said).strip()
    if Path(kernel_prefix).resolve() != Path(sys.prefix).resolve():
        raise Failed(
            f"the python3 kernel runs another environment ({kernel_prefix}), not this one ({sys.prefix})",
            "start jupyter lab from this venv, or: python -m ipykernel install --user --name tone --display-name tone",
        )
    return "a python3 kernel starts in this environment and imports the series"


def audio() -> str:
    """Write a page with a 440 Hz player, as the notebooks embed theirs, for the student to open and hear."""
    import numpy as np
    import soundfile

    from tone_helpers import listen, paths

    folder = paths.ARTIFACTS_DIR / "check"
    folder.mkdir(parents=True, exist_ok=True)
    rate = 16_000
    t = np.arange(rate) / rate
    soundfile.write(folder / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * t) * np.minimum(1, 10 * (1 - t)), rate)
    page = folder / "listen.html"
    page.write_text(f"<p>A one-second tone at 440 Hz:</p>{listen.player(folder / 'tone.wav')}\n", encoding="utf-8")
    return f"a player written: open {page} in a browser and listen (bring headphones to class)"


def checks() -> dict[str, Callable[[], str]]:
    found = {
        "Python": python_version,
        "virtual environment": virtual_environment,
        "torch": torch_build,
        "data": data,
    }
    found.update({name: part(modules, file) for name, (modules, file) in PARTS.items()})
    found.update({"notebook kernel": kernel, "audio": audio})
    return found


def run(selected: dict[str, Callable[[], str]]) -> int:
    """Print one line per check; return how many failed."""
    failed = 0
    for name, check in selected.items():
        start = time.perf_counter()
        try:
            said = check()
            print(f"✓ {name}: {said}")
        except Failed as failure:
            failed += 1
            print(f"✗ {name}: {failure}\n    → {failure.todo}")
        except Exception as error:  # a check that crashed is a ✗ too, named, without a traceback
            failed += 1
            print(f"✗ {name}: {type(error).__name__}: {error}\n    → run it again; if it persists, ask for help")
        if time.perf_counter() - start > 30:
            print(f"  ({name} took {time.perf_counter() - start:.0f} s)")
    return failed


def main() -> None:
    failed = run(checks())
    version = importlib.metadata.version("tone-helpers")
    print(f"series {version}: " + ("ready for the class" if not failed else f"{failed} to fix, see the → lines"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
