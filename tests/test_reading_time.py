"""Reading times are estimates by one stated rule (TEACHING.md): a test keeps the notebooks and the guide to it."""

import re

import nbformat
import pytest

from tone_helpers import paths
from tone_helpers.tools.timings import NOTEBOOKS, reading_minutes, section_minutes, timings_table


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_the_notebook_states_its_reading_time_by_the_rule(path):
    stated = re.search(r"about (\d+) minutes to read", nbformat.read(path, as_version=4).cells[0].source)
    assert stated and int(stated.group(1)) == reading_minutes(path)


def test_the_teachers_timings_table_is_the_notebooks_own():
    """Reading times by the rule, run times as each notebook printed them when recorded: no typed figure."""
    assert repr(timings_table()) in (paths.REPO_ROOT / "TEACHING.md").read_text(encoding="utf-8")


PATH_ROW = re.compile(r"^\| [\d–]+ \| \[\d\d · [^\]]*\]\(notebooks/([^)]+)\) \| ([^|]*) \| (\d+) min \|", re.M)


def test_the_class_paths_reading_estimates_follow_the_rule():
    """Each row of TEACHING's 90-minute path: its sections' reading time by the rule, rounded to the minute."""
    rows = PATH_ROW.findall((paths.REPO_ROOT / "TEACHING.md").read_text(encoding="utf-8"))
    assert len(rows) >= 5
    for name, listed, minutes in rows:
        headings = [part.split(" (")[0].strip() for part in listed.split(";")]
        assert round(section_minutes(paths.REPO_ROOT / "notebooks" / name, headings)) == int(minutes), name
