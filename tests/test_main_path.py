"""Every notebook has a short main path and folded depth: word budgets, and deep-dive code that nothing else needs.

The main path is the prose outside ``<details>`` blocks, counted with ``str.split()``, plus the comment words of code
cells that do not start with ``# 🔍`` (``tone_helpers.tools.timings.main_path_words``). A deep dive is a
``<details><summary>🔍 …</summary> … </details>`` block of at most 400 words; code that only a deep dive needs sits in
cells whose first line is ``# 🔍 …``, and no other cell may use a name that only such a cell defines.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tone_helpers.tools.cell_graph import cell_names
from tone_helpers.tools.timings import NOTEBOOKS, deep_dives, is_deep_dive_cell, main_path_words

SERIES = [p for p in NOTEBOOKS if p.name[:2] != "00"]  # 01-10: the quickstart has its own budget
BUDGET = {p.name[:2]: 1000 if p.name[:2] <= "05" else 1300 for p in SERIES}
TOTAL = 11_000


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name[:2])
def test_the_main_path_is_within_its_budget(path):
    words = main_path_words(path)
    assert 400 <= words <= BUDGET[path.name[:2]], f"{path.name}: {words} main-path words"


def test_the_series_main_path_is_within_its_total():
    assert sum(main_path_words(p) for p in SERIES) <= TOTAL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_each_deep_dive_is_folded_titled_and_short(path):
    for title, words in deep_dives(path):
        assert title.startswith("🔍"), f"{path.name}: a <details> block without a 🔍 title: {title!r}"
        assert words <= 400, f"{path.name}: deep dive {title!r} has {words} words"


def main_path_uses_of_deep_dive_names(cells: list) -> list[str]:
    """Names a main-path cell reads that only 🔍 cells before it have bound."""
    bound_main, bound_deep, problems = set(), set(), []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        found = cell_names(cell.source)
        bound, read = found.binds | found.imports, found.reads
        if is_deep_dive_cell(cell):
            bound_deep |= bound
        else:
            problems += [f"cell {index} reads {n!r}" for n in sorted(read & (bound_deep - bound_main - bound))]
            bound_main |= bound
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_main_path_cell_needs_a_deep_dive_cell(path):
    problems = main_path_uses_of_deep_dive_names(nbformat.read(path, as_version=4).cells)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_independence_check_catches_a_main_path_cell_that_needs_a_deep_dive():
    cell = nbformat.v4.new_code_cell
    cells = [cell("import torch\nx = 1"), cell("# 🔍 the details\nextra = x + 1"), cell("print(extra)")]
    assert main_path_uses_of_deep_dive_names(cells) == ["cell 2 reads 'extra'"]
    cells[2] = cell("extra = 2\nprint(extra)")  # a name the main path binds itself is its own
    assert main_path_uses_of_deep_dive_names(cells) == []


def test_the_counter_leaves_folded_prose_and_deep_dive_comments_out(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("one two three\n\n<details><summary>🔍 Four</summary>\n\nfive six\n\n</details>"),
        nbformat.v4.new_code_cell("x = 1  # seven eight"),
        nbformat.v4.new_code_cell("# 🔍 nine\ny = 2  # ten"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert main_path_words(path) == 5  # one two three, seven eight
    assert deep_dives(path) == [("🔍 Four", 2)]
    assert re.search(r"🔍", nb.cells[2].source)
