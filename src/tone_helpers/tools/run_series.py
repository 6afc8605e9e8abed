"""Run the whole notebook series non-interactively, in order, each on a fresh kernel.

tone-series                 # executed copies go to data/artifacts/executed/ (the repo's notebooks untouched)
tone-series --inplace       # maintainers: refresh the committed notebooks' outputs
tone-series 04 05           # only the notebooks whose names start with these prefixes
tone-series -p CHECKPOINT my.ckpt -p EVAL_CSV my/test.csv   # your model and data (papermill parameters)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from tone_helpers.paths import ARTIFACTS_DIR, REPO_ROOT, relative
from tone_helpers.timing import NOISY_MARK
from tone_helpers.tools import test_replace

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def series(prefixes: list[str] | None = None) -> list[Path]:
    notebooks = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    return [nb for nb in notebooks if not prefixes or nb.name.startswith(tuple(prefixes))]


class EncryptedKernelManager(AsyncKernelManager):
    """Kernel sockets encrypted with CurveZMQ, which the ipykernel spec supports. Without it ipykernel warns
    on the console that code and outputs travel over TCP in plain text (on this machine's loopback)."""

    def __init__(self, **kwargs):
        import zmq

        # a pyzmq built without libsodium has no CurveZMQ: then the kernel runs as before, and warns
        super().__init__(transport_encryption="auto" if zmq.has("curve") else "disabled", **kwargs)


def execute(
    path: Path, out: Path, parameters: dict | None = None, smoke: bool = False, timeout: int = 1800
) -> tuple[float, CellExecutionError | None]:
    """Execute one notebook top to bottom on a fresh kernel of this environment and write it to ``out``.

    Returns the seconds it took and the error that stopped it, if any: the executed copy is written
    either way, so a reader can open it and see where and why it stopped. ``parameters`` override the
    cell tagged ``parameters``, the way papermill does it; ``smoke`` runs the cells as the tests do.
    """
    if parameters:
        nb = parameterize_notebook(load_notebook_node(str(path)), parameters)
    else:
        nb = nbformat.read(path, as_version=4)
    if smoke:
        test_replace.apply(nb, path.name)  # the cells as the tests run them: fewer timing rounds
    # record_timing=False: no per-cell timestamps in the notebook, which would change at every run.
    client = NotebookClient(
        nb,
        kernel_manager_class=EncryptedKernelManager,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    start, error = time.perf_counter(), None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = exc
    tidy_streams(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps from an earlier recording
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return time.perf_counter() - start, error


def tidy_streams(nb) -> None:
    """Store what a reader would see: consecutive stream chunks joined, progress-bar redraws resolved.

    A progress bar redraws itself with carriage returns; stored chunk by chunk, GitHub shows every redraw.
    """
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if (
                output.output_type == "stream"
                and outputs
                and outputs[-1].output_type == "stream"
                and outputs[-1].name == output.name
            ):
                outputs[-1].text += output.text
            else:
                outputs.append(output)
        for output in outputs:
            if output.output_type == "stream":
                output.text = "\n".join(last_redraw(line) for line in output.text.split("\n"))
        if "outputs" in cell:
            cell.outputs = outputs


def last_redraw(line: str) -> str:
    """What a terminal shows of a line that was redrawn with carriage returns: its last drawing."""
    drawings = [d for d in line.split("\r") if d]
    return drawings[-1] if drawings else ""


def noisy_cells(nb) -> list[int]:
    """Indices of code cells whose outputs carry a timing flagged as noisy."""
    return [
        i for i, cell in enumerate(nb.cells) if NOISY_MARK in json.dumps(cell.get("outputs", []), ensure_ascii=False)
    ]


def parse_value(text: str):
    """Numbers become numbers; paths and names stay strings."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return str(Path(text).expanduser().resolve()) if Path(text).expanduser().exists() else text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the notebook series non-interactively.")
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose names start with these")
    parser.add_argument("--inplace", action="store_true", help="overwrite the notebooks in notebooks/ (maintainers)")
    parser.add_argument("--smoke", action="store_true", help="fewer timing repeats, as the tests run them")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter of the notebooks, e.g. -p CHECKPOINT my.ckpt (repeatable)",
    )
    args = parser.parse_args(argv)
    parameters = {name: parse_value(value) for name, value in args.parameter}
    if parameters and args.inplace:
        parser.error("--inplace keeps the notebooks' own defaults; run with parameters without --inplace")
    if args.inplace and args.smoke:
        parser.error("--inplace stores full measurements; a --smoke run has too few timing repeats")
    notebooks = series(args.prefixes)
    if not notebooks:
        parser.error(f"no notebook in {relative(NOTEBOOKS_DIR)} starts with {args.prefixes}")
    for path in notebooks:
        out = ARTIFACTS_DIR / "executed" / path.name
        seconds, error = execute(path, out, parameters, args.smoke)
        if error is not None:
            raise SystemExit(
                f"{path.name} stopped with {error.ename}: {error.evalue}\n"
                f"the executed copy, error included: {relative(out)}"
            )
        if args.inplace:
            noisy = noisy_cells(nbformat.read(out, as_version=4))
            if noisy:
                raise SystemExit(
                    f"{path.name}: timings in cells {noisy} are flagged {NOISY_MARK!r} (the machine was "
                    f"busy); not stored. Re-run on a quiet machine. This run: {relative(out)}"
                )
            path.write_bytes(out.read_bytes())
            out = path
        print(f"{path.name}: {seconds:.0f} s -> {relative(out)}", flush=True)


if __name__ == "__main__":
    main()
