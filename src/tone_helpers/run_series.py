"""Run the whole notebook series non-interactively, in order, each on a fresh kernel.

    tone-series                 # executed copies go to data/artifacts/executed/ (the repo's notebooks untouched)
    tone-series --inplace       # maintainers: refresh the committed notebooks' outputs
    tone-series 03 04           # only the notebooks whose names start with these prefixes
    tone-series -p CHECKPOINT my.ckpt -p EVAL_CSV my/test.csv   # your model and data (papermill parameters)
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from tone_helpers.paths import ARTIFACTS_DIR, REPO_ROOT, relative

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def series(prefixes: list[str] | None = None) -> list[Path]:
    notebooks = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    return [nb for nb in notebooks if not prefixes or nb.name.startswith(tuple(prefixes))]


def execute(path: Path, out: Path, parameters: dict | None = None, smoke: bool = False, timeout: int = 1800) -> float:
    """Execute one notebook top to bottom with the kernel of this environment; returns seconds.

    ``parameters`` override the cell tagged ``parameters``, the way papermill does it.
    """
    if parameters:
        nb = parameterize_notebook(load_notebook_node(str(path)), parameters)
    else:
        nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute(env={**os.environ, "TONE_SMOKE_TEST": "1" if smoke else "0"})  # for the kernel only
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return time.perf_counter() - start


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
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a parameter of the notebooks, e.g. -p CHECKPOINT my.ckpt (repeatable)")
    args = parser.parse_args(argv)
    parameters = {name: parse_value(value) for name, value in args.parameter}
    if parameters and args.inplace:
        parser.error("--inplace keeps the notebooks' own defaults; run with parameters without --inplace")
    notebooks = series(args.prefixes)
    if not notebooks:
        parser.error(f"no notebook in {relative(NOTEBOOKS_DIR)} starts with {args.prefixes}")
    for path in notebooks:
        out = path if args.inplace else ARTIFACTS_DIR / "executed" / path.name
        try:
            seconds = execute(path, out, parameters, args.smoke)
        except CellExecutionError as error:
            raise SystemExit(f"{path.name} stopped with {error.ename}: {error.evalue}") from None
        print(f"{path.name}: {seconds:.0f} s -> {relative(out)}", flush=True)


if __name__ == "__main__":
    main()
