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


DETAILS = re.compile(r"<details>(.*?)</details>", re.S)
SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.S)


def is_deep_dive_cell(cell) -> bool:
    """A code cell that only a deep dive needs: its first line is a ``# 🔍`` comment."""
    return cell.cell_type == "code" and cell.source.lstrip().startswith("# 🔍")


def main_path_words(path: Path) -> int:
    """Markdown words outside ``<details>`` blocks, plus comment words of code cells that are not 🔍 cells."""
    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(DETAILS.sub(" ", c.source).split()) for c in cells if c.cell_type == "markdown")
    for cell in cells:
        if cell.cell_type == "code" and not is_deep_dive_cell(cell):
            words += sum(len(line.split("#", 1)[1].split()) for line in cell.source.splitlines() if "#" in line)
    return words


def deep_dives(path: Path) -> list[tuple[str, int]]:
    """(title, words) of every ``<details>`` block: its summary, and the words of the rest."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for block in DETAILS.findall(cell.source):
                summary = SUMMARY.search(block)
                title = summary.group(1).strip() if summary else ""
                found.append((title, len(SUMMARY.sub(" ", block).split())))
    return found


def sections(path: Path, main_only: bool = True) -> dict[str, tuple[int, int]]:
    """Heading text → (markdown words, code cells) from that heading (level 2 or 3) to the next one; what comes
    before the first is "introduction". ``main_only``: leave out folded prose and 🔍 code cells."""
    found: dict[str, list[int]] = {"introduction": [0, 0]}
    current = "introduction"
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            text = DETAILS.sub(" ", cell.source) if main_only else cell.source
            for line in text.splitlines():
                if re.match(r"#{2,3} ", line):
                    current = line.lstrip("#").strip()
                    found.setdefault(current, [0, 0])
                found[current][0] += len(line.split())
        elif cell.cell_type == "code" and not (main_only and is_deep_dive_cell(cell)):
            found[current][1] += 1
    return {name: (words, code) for name, (words, code) in found.items()}


def minutes(words: int, code_cells: int) -> float:
    """The series' reading rule: words at 180 a minute, plus half a minute per code cell."""
    return words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code_cells


def reading_split(path: Path) -> tuple[float, float]:
    """(main path, deep dives) in minutes by the rule: 🔍 code cells count with the deep dives."""
    cells = nbformat.read(path, as_version=4).cells
    main_words = folded_words = main_code = folded_code = 0
    for cell in cells:
        if cell.cell_type == "markdown":
            folded = sum(len(block.split()) for block in DETAILS.findall(cell.source))
            folded_words += folded
            main_words += len(cell.source.split()) - folded
        elif cell.cell_type == "code":
            folded_code += is_deep_dive_cell(cell)
            main_code += not is_deep_dive_cell(cell)
    return minutes(main_words, main_code), minutes(folded_words, folded_code)


def section_minutes(path: Path, names: list[str]) -> float:
    """Reading time by the rule of the sections whose headings start with ``names`` (each must match one)."""
    parts = sections(path)
    total = 0.0
    for name in names:
        matches = [heading for heading in parts if heading.startswith(name)]
        if len(matches) != 1:
            raise ValueError(f"{path.name}: {name!r} matches {len(matches)} headings ({', '.join(parts)})")
        words, code = parts[matches[0]]
        total += minutes(words, code)
    return total


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
    rows, totals = [], [0, 0.0, 0.0]
    for path in NOTEBOOKS:
        seconds, (main, folded) = stored_seconds(path), reading_split(path)
        link = f"[{title(path)}](notebooks/{path.name})"
        rows.append([link, f"{seconds} s" if seconds is not None else "—", f"{main:.0f} min", f"{folded:.0f} min"])
        totals = [totals[0] + (seconds or 0), totals[1] + main, totals[2] + folded]
    rows.append(["all of them", f"{totals[0]} s", f"{totals[1]:.0f} min", f"{totals[2]:.0f} min"])
    header = ["notebook", "full run, as recorded", "main path (reading estimate)", "deep dives (reading estimate)"]
    return Table(header, rows)


if __name__ == "__main__":
    print(repr(timings_table()))


# TEACHING's 90-minute class: (notebook or None, its sections as heading starts, ✎ exercises in class, fixed
# minutes for what is not reading, what students do). Each row's time: main-path reading by the rule, the
# notebook's recorded run time (students run all of it), 5 minutes per exercise, or the fixed minutes.
CLASS_MINUTES, EXERCISE_MINUTES, SLACK = 90, 5, 15  # 5: a mixed class writes code slowly
CLASS_PATH = [
    (None, ["set-up"], 0, 5, "open JupyterLab on `notebooks/` (`tone-check` ran at home)"),
    (
        "00_quickstart.ipynb",
        ["introduction", "The model, and what it hears", "Quantize: one call", "Size", "Accuracy", "Speed"],
        0,
        0,
        "hear two clips; paste the class-sheet line it prints",
    ),
    (
        "01_load_model.ipynb",
        ["Step 1", "Does it work?", "Listen to the data", "Where do the parameters live?"],
        0,
        0,
        "listen to the five tones; find where the parameters live",
    ),
    (
        "02_quantize_dynamic.ipynb",
        ["What dynamic quantization does", "Step 2", "The int8 engine", "What changed?"],
        0,
        0,
        "quantize, inspect one layer's error",
    ),
    (
        "03_int8_by_hand.ipynb",
        ["1 ·", "3 ·", "4 ·", "5 ·"],
        3,
        0,
        '✎ exercises 1–3 (the quantizer and per-channel scales), get "passed"; 4, the integer layer, at home',
    ),
    ("04_compare_size.ipynb", ["Step 3", "Reproducing the tutorial's table"], 0, 0, "reproduce the tutorial's sizes"),
    (
        "05_evaluate.ipynb",
        ["Accuracy:", "Listen to the clips the two models disagree on", "Latency, measured properly"],
        0,
        0,
        "hear the clips int8 changed; read agreement and the timing rules",
    ),
    (None, ["wrap-up"], 0, 5, "compare the class-sheet lines: CPU kinds, size ratios, speed-ups"),
]


def class_rows() -> list[tuple]:
    """(notebook path or None, sections, reading min, run s, exercise min, fixed min, total min, what students do)."""
    rows = []
    for name, headings, exercises, fixed, do in CLASS_PATH:
        path = paths.REPO_ROOT / "notebooks" / name if name else None
        reading = section_minutes(path, headings) if path else 0.0
        run = (stored_seconds(path) or 0) if path else 0
        total = reading + run / 60 + EXERCISE_MINUTES * exercises + fixed
        rows.append((path, headings, reading, run, EXERCISE_MINUTES * exercises, fixed, total, do))
    return rows


def class_path_table() -> Table:
    """TEACHING's 90-minute path, with each row's minutes computed; the last row says the slack left."""
    rows, start = [], 0.0
    for path, headings, reading, run, exercises, fixed, total, do in class_rows():
        end = start + total
        link = f"[{title(path)}](notebooks/{path.name})" if path else ""
        parts = "; ".join(headings)
        rows.append(
            [
                f"{start:.0f}–{end:.0f}",
                link,
                parts,
                f"{reading:.0f} min" if path else f"{fixed} min",
                f"{run} s" if path else "",
                f"{exercises} min" if exercises else "",
                do,
            ]
        )
        start = end
    rows.append(
        [
            f"{start:.0f}–{CLASS_MINUTES}",
            "",
            "slack",
            f"{CLASS_MINUTES - start:.0f} min",
            "",
            "",
            "questions, a slow laptop, a longer discussion",
        ]
    )
    return Table(["minutes", "notebook", "sections", "reading or set time", "run", "exercises", "students do"], rows)
