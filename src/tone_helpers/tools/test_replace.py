"""Test-only reductions kept out of the cells a reader runs: a cell's ``test_replace`` metadata.

A timing cell reads ``REPEATS = 15`` as the reader runs it; its metadata ``{"test_replace": {"REPEATS = 15":
"REPEATS = 3"}}`` says what the test suite (``conftest.py``) and ``tone-series --smoke`` run instead. Only what
ignored cells use may change this way (timing rounds, batch sizes timed, clips searched, backends built only to be
timed, AST base cut to 2 of its 12 layers where it is only timed or profiled): never what a compared output
prints. The idea is OpenVINO's notebooks' ``test_replace``.
"""

from __future__ import annotations

KEY = "test_replace"


class StaleReplacement(ValueError):
    """A ``test_replace`` whose text is no longer in its cell: the test would silently run the full cell."""


def for_test(source: str, metadata: dict, where: str = "cell") -> str:
    """The cell's source as the tests run it: each ``old`` text of its ``test_replace`` replaced by ``new``."""
    for old, new in metadata.get(KEY, {}).items():
        if old not in source:
            raise StaleReplacement(f"{where}: test_replace text {old!r} is not in the cell's source")
        source = source.replace(old, new)
    return source


def apply(nb, name: str = "notebook") -> None:
    """Apply every cell's ``test_replace`` to a notebook read with nbformat, in place."""
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = for_test(cell.source, cell.metadata, f"{name}, cell {number}")
