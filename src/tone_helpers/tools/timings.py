"""The teacher's guide's timings table, from the notebooks themselves: reading time by one stated rule, and the
running time each notebook printed when its stored outputs were recorded.

    python -m tone_helpers.tools.timings      # prints the table TEACHING.md holds (a test keeps them equal)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tone_helpers import paths
from tone_helpers.report import Table

NOTEBOOKS = sorted((paths.REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WORDS_PER_MINUTE = 180  # careful technical reading, between 150 and 200
MINUTES_PER_CODE_CELL = 0.5  # read it, run it, look at its output
RAN_FOR = re.compile(r"this notebook ran for (\d+) s on this machine")


def reading_minutes(path: Path) -> int:
    """The whole notebook (deep dives and exercise text included), rounded to 5 minutes, at least 5."""
    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = sum(c.cell_type == "code" for c in cells)
    return max(5, 5 * round((words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code) / 5))


def sections(path: Path) -> dict[str, tuple[int, int]]:
    """Heading text → (markdown words, code cells) from that heading (level 2 or 3) to the next one; what comes
    before the first is "introduction"."""
    found: dict[str, list[int]] = {"introduction": [0, 0]}
    current = "introduction"
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"#{2,3} ", line):
                    current = line.lstrip("#").strip()
                    found.setdefault(current, [0, 0])
                found[current][0] += len(line.split())
        elif cell.cell_type == "code":
            found[current][1] += 1
    return {name: (words, code) for name, (words, code) in found.items()}


def section_minutes(path: Path, names: list[str]) -> float:
    """Reading time by the rule of the sections whose headings start with ``names`` (each must match one)."""
    parts = sections(path)
    minutes = 0.0
    for name in names:
        matches = [heading for heading in parts if heading.startswith(name)]
        if len(matches) != 1:
            raise ValueError(f"{path.name}: {name!r} matches {len(matches)} headings ({', '.join(parts)})")
        words, code = parts[matches[0]]
        minutes += words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code
    return minutes


def stored_seconds(path: Path) -> int | None:
    """What the notebook's last ``notebook.elapsed()`` printed when its outputs were recorded."""
    for cell in reversed(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            found = RAN_FOR.search(output.get("text", ""))
            if found:
                return int(found.group(1))
    return None


def title(path: Path) -> str:
    heading = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
    return heading.lstrip("# ")


def timings_table() -> Table:
    rows = []
    for path in NOTEBOOKS:
        seconds = stored_seconds(path)
        link = f"[{title(path)}](notebooks/{path.name})"
        rows.append([link, f"{seconds} s" if seconds is not None else "—", f"{reading_minutes(path)} min"])
    total = sum(s for s in map(stored_seconds, NOTEBOOKS) if s)
    rows.append(["all of them", f"{total} s", f"{sum(map(reading_minutes, NOTEBOOKS))} min"])
    return Table(["notebook", "full run, as recorded", "reading time (estimate)"], rows)


if __name__ == "__main__":
    print(repr(timings_table()))
