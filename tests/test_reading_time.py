"""Reading times are estimates by one stated rule (TEACHING.md): a test keeps the notebooks and the guide to it."""

import re

import nbformat
import pytest

from tone_helpers import paths
from tone_helpers.tools.timings import NOTEBOOKS, reading_minutes, timings_table


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_the_notebook_states_its_reading_time_by_the_rule(path):
    stated = re.search(r"about (\d+) minutes to read", nbformat.read(path, as_version=4).cells[0].source)
    assert stated and int(stated.group(1)) == reading_minutes(path)


def test_the_teachers_timings_table_is_the_notebooks_own():
    """Reading times by the rule, run times as each notebook printed them when recorded: no typed figure."""
    assert repr(timings_table()) in (paths.REPO_ROOT / "TEACHING.md").read_text(encoding="utf-8")


def test_the_class_path_is_computed_and_leaves_slack():
    """TEACHING's 90-minute path: each row's time by the rule (main-path reading, the recorded run, 5 minutes per
    exercise), and at least 15 minutes left over."""
    from tone_helpers.tools.timings import CLASS_MINUTES, SLACK, class_path_table, class_rows

    assert repr(class_path_table()) in (paths.REPO_ROOT / "TEACHING.md").read_text(encoding="utf-8")
    assert CLASS_MINUTES - sum(row[6] for row in class_rows()) >= SLACK
