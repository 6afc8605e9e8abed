"""Reading times are estimates by one stated rule (TEACHING.md): a test keeps the notebooks and the guide to it."""

import re

import nbformat
import pytest

from tone_helpers import paths

NOTEBOOKS = sorted((paths.REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WORDS_PER_MINUTE = 180  # careful technical reading, between 150 and 200
MINUTES_PER_CODE_CELL = 0.5  # read it, run it, look at its output


def reading_minutes(path) -> int:
    """The whole notebook (deep dives and exercise text included), rounded to 5 minutes, at least 5."""
    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = sum(c.cell_type == "code" for c in cells)
    return max(5, 5 * round((words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code) / 5))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_the_notebook_states_its_reading_time_by_the_rule(path):
    stated = re.search(r"about (\d+) minutes to read", nbformat.read(path, as_version=4).cells[0].source)
    assert stated and int(stated.group(1)) == reading_minutes(path)


def test_the_teachers_timings_table_uses_the_rule():
    rows = re.findall(r"^\| \[(\d\d) · [^|]*\|.*\| (\d+) min \|$", (paths.REPO_ROOT / "TEACHING.md").read_text(), re.M)
    assert {number: int(m) for number, m in rows} == {p.name[:2]: reading_minutes(p) for p in NOTEBOOKS}
