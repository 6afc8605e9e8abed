"""Every figure typed in prose is held to a measurement: a number with a unit must be printed, stored or sourced.

The rule. A *typed figure* is a number followed by a unit or ratio sign, found by ``FIGURE``::

    (?<![\\w.])(\\d[\\d,]*(?:\\.\\d+)?)(?:\\s?[–-]\\s?(\\d[\\d,]*(?:\\.\\d+)?))?
        (?:\\s?(ms|s|min|MB|MiB|GB|%|GMAC/s|points?|clips?)(?!\\w)|(×)(?!\\d))

(a range such as ``273–297 s`` types both ends; ``×`` is a ratio only right after its number, ``3.3×``: with a
space or a number after it, ``768 × 3072``, ``16×16``, it multiplies). It is looked for in the markdown of every
notebook, in the string literals of their code cells (what a cell prints as prose), and in README, TEACHING,
GLOSSARY, the solutions and every ``docs/`` page, fenced code blocks (a tool's output shown as an example of its
format) left out. Each one must be

1. **measured**: equal, rounded to the decimals typed, to a number printed with the same unit by the same
   notebook's stored outputs (for a page: by any notebook's), or to a value of that unit in a committed result
   file (``benchmarks/results/**.json``; ``solutions/answers.json``, which a test recomputes) or in a table a test
   keeps equal to its sources (TEACHING's timings and class path). ``3.3×`` matches a stored ``3.31×``, not
   ``3.36×``. A ``%`` or ``points`` figure typed with decimals also matches a stored fraction (``97.3 %`` ↔
   ``0.973``), and an ``MB`` figure any number of an output that names MB (a table headed "size (MB)"); or
2. **sourced** in the same sentence: the path of a data or code file (``benchmarks/results/x.json``; a size typed
   beside a repository file must be that file's size), a URL, or "the tutorial"; a link to a notebook or a page is
   not a source; or
3. **a bound or a definition**: written right after ``≤ ≥ < >`` or "at most", "at least", "more than", "less than",
   "under", "below", "over", "within", "every" (a target, a threshold, a rule: ``≤ 60 s``, "every 10 ms"), or
   listed in ``DEFINITIONS`` with a few words of its sentence and why it needs no measurement.

A sentence is the text between two sentence ends (``. ``, ``? ``, ``! ``, a blank line, a table row's end).
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

from tone_helpers import paths
from tone_helpers.measure import MB  # the series' MB: bytes / 2**20, as the tutorial divides

ROOT = paths.REPO_ROOT
NUMBER = r"\d[\d,]*(?:\.\d+)?"
UNITS = r"ms|s|min|MB|MiB|GB|%|×|GMAC/s|points?|clips?"
# "×" right after a number is a ratio (3.3×); with a space, or a number after it, it multiplies (768 × 3072, 16×16)
FIGURE = re.compile(rf"(?<![\w.])({NUMBER})(?:\s?[–-]\s?({NUMBER}))?(?:\s?({UNITS.replace('|×', '')})(?!\w)|(×)(?!\d))")
STORED = re.compile(rf"(?<![\w.])(-?{NUMBER})\s?({UNITS})?(?!\w)")
BOUND = re.compile(
    r"(≤|≥|<|>|\bat most|\bat least|\bmore than|\bless than|\bunder|\bbelow|\bover|\bwithin|\bevery)\s*$", re.I
)
# a data or code file of the repository (a link to a notebook or a page is no source of a figure), a URL, the tutorial
SOURCED = re.compile(r"\b[\w.-]+/[\w./-]+\.(?:json|py|txt|cfg|toml|csv|ckpt)\b|https?://|\bthe tutorial\b", re.I)
FILE = re.compile(r"\b[\w.-]+/[\w./-]+\.[a-z]+\b")
DEFINITIONS = [  # (figure, unit, words of its sentence): why it needs no measurement. Reviewed one by one.
    ("0.765", "s", "the model hears the first"),  # 75 frames: 74 hops of 10 ms plus one 25 ms window, arithmetic
    ("128", "clips", "batches of 128 clips"),  # the evaluation's batch size, a setting of the code it names
    ("64", "clips", "it really receives for 64 clips"),  # how many clips the cell feeds, a setting
    ("1", "%", "guideline"),  # the series' agreement guideline (tone_helpers.guards), a rule
    ("95", "%", "95 % interval"),  # a confidence level, a convention
    ("100,000", "clips", "nightly batch"),  # an exercise's scenario
    ("500", "clips", "validation"),  # the validation split's size, set by tone-data (tone_helpers.synth)
    ("0.001", "%", "Percentile"),  # ONNX Runtime's Percentile calibration setting (percentile=99.999), a setting
    ("0.24", "MB", "half of"),  # half of the printed 0.48 MB: a prediction made by arithmetic, then measured
    ("2", "GB", "protobuf"),  # protobuf's message size limit, a library constant
    ("1.5", "GB", "exporter switches"),  # torch.onnx's external-data threshold, a library constant
    ("3", "min", "about 3 min each"),  # the time TEACHING's class plan gives an exercise, a plan
    ("4", "×", "Not quite 4× smaller"),  # 4 bytes of float32 against 1 of int8: a definition
]
PAGES = [ROOT / "README.md", ROOT / "TEACHING.md", ROOT / "GLOSSARY.md", ROOT / "solutions" / "README.md"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUTPUT_BREAK = "\n\x00\n"  # between two outputs: a unit named in one says nothing of the other's numbers
UNIT_OF_KEY = {
    "_ms": "ms",
    "_s": "s",
    "_mb": "MB",
    "_pct": "%",
    "vs_": "×",
    "over_limit": "×",
    "float32": "GMAC/s",
    "int8": "GMAC/s",
}
RESULT_FILES = [*sorted((ROOT / "benchmarks" / "results").rglob("*.json")), ROOT / "solutions" / "answers.json"]


def canonical(unit: str) -> str:
    return {"point": "points", "clip": "clips"}.get(unit, unit)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def decimals(text: str) -> int:
    return len(text.partition(".")[2])


def sentences(text: str) -> list[str]:
    """Prose split into sentences; a table row or a list item is one sentence at most; fenced code left out."""
    text = re.sub(r"^```.*?^```", " ", text, flags=re.M | re.S)  # a tool's output shown as an example
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags
    parts = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[|*-] |\s*\d+\. )", text):
        parts += re.split(r"(?<=[.?!])\s+(?=[A-Z(*`\[])|\|\s*\n", block)
    return [" ".join(p.split()) for p in parts if p.strip()]


def named_file_size_wrong(sentence: str, figure: str, unit: str) -> bool:
    """A size typed beside a repository file's path must be that file's size (MB and MiB: bytes / 2**20)."""
    files = [ROOT / f for f in FILE.findall(sentence) if (ROOT / f).is_file()]
    if unit not in ("MB", "MiB") or not files:
        return False
    places = decimals(figure)
    return all(round(f.stat().st_size / MB, places) != number(figure) for f in files)


def typed_figures(text: str) -> list[tuple[str, str, str]]:
    """(figure as typed, its unit, its sentence) for every typed figure of ``text`` that is not a bound or sourced."""
    found = []
    for sentence in sentences(text):
        if SOURCED.search(sentence):
            found += [
                (value, canonical(m.group(3) or m.group(4)), sentence)
                for m in FIGURE.finditer(sentence)
                for value in filter(None, m.group(1, 2))
                if named_file_size_wrong(sentence, value, m.group(3) or "")
            ]
            continue
        for match in FIGURE.finditer(sentence):
            if BOUND.search(sentence[: match.start()]):
                continue
            for value in filter(None, match.group(1, 2)):
                found.append((value, canonical(match.group(3) or match.group(4)), sentence))
    return found


def stored_values(text: str) -> dict[str, set[float]]:
    """unit → the numbers ``text`` prints with that unit; "" → every number it prints; every number of an output
    whose text names MB (a table headed "size (MB)") counts as MB too."""
    values: dict[str, set[float]] = {"": set()}
    for chunk in text.split(OUTPUT_BREAK):
        for match in STORED.finditer(chunk):
            value = number(match.group(1))
            values[""].add(value)
            if match.group(2):
                values.setdefault(canonical(match.group(2)), set()).add(value)
            if "MB" in chunk:
                values.setdefault("MB", set()).add(value)
    return values


def result_values() -> dict[str, set[float]]:
    """unit → every number of the committed result files whose key names that unit."""
    values: dict[str, set[float]] = {}

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            for marker, unit in UNIT_OF_KEY.items():
                if marker in key:
                    values.setdefault(unit, set()).add(float(node))

    for path in RESULT_FILES:
        walk(json.loads(path.read_text(encoding="utf-8")))
    return values


def merge(*tables: dict[str, set[float]]) -> dict[str, set[float]]:
    merged: dict[str, set[float]] = {}
    for table in tables:
        for unit, values in table.items():
            merged.setdefault(unit, set()).update(values)
    return merged


def candidates(figure: str, unit: str, values: dict[str, set[float]]) -> set[float]:
    """The stored numbers a figure of ``unit`` may be compared with; a stored fraction stands for a percentage
    typed with decimals (97.3 % ↔ 0.973), not for a round one (3 points would match any 0.03)."""
    found = set(values.get(unit, ()))
    if unit in ("%", "points"):
        found |= values.get("%", set()) | values.get("points", set())
        if decimals(figure):
            found |= {100 * v for v in values.get("", ()) if abs(v) <= 1}
    if unit in ("MB", "MiB"):
        found |= values.get("MB", set()) | values.get("MiB", set())
    return found


def measured(figure: str, unit: str, values: dict[str, set[float]]) -> bool:
    typed, places = number(figure), decimals(figure)
    return any(abs(round(v, places) - typed) < 1e-9 for v in candidates(figure, unit, values))


def notebook_prose(path: Path) -> tuple[str, str]:
    """(markdown and printed strings, stored outputs) of a notebook."""
    prose, outputs = [], []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            prose.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        prose += string_literals(cell.source)
        for output in cell.get("outputs", []):
            outputs.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
            outputs.append(str(output.get("data", {}).get("text/markdown", "")))
    return "\n\n".join(prose), OUTPUT_BREAK.join(outputs)


def string_literals(source: str) -> list[str]:
    """The string literals of a code cell (with f-strings' replacement fields left out), or none if it won't parse."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    literals = []
    for token in tokens:
        if token.type == tokenize.STRING:
            literals.append(re.sub(r"\{[^{}]*\}", " ", token.string))
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            literals.append(token.string)
    return literals


def unsupported(prose: str, values: dict[str, set[float]], where: str) -> list[str]:
    """One line per typed figure of ``prose`` that ``values`` does not hold and no rule exempts."""
    return [
        f"{where}: {figure} {unit} in “{sentence[:160]}”"
        for figure, unit, sentence in typed_figures(prose)
        if not measured(figure, unit, values) and not defined(figure, unit, sentence)
    ]


def defined(figure: str, unit: str, sentence: str) -> bool:
    return any((figure, unit) == (f, u) and words in sentence for f, u, words in DEFINITIONS)


def derived_values() -> dict[str, set[float]]:
    """Figures of tables that a test keeps equal to what they are drawn from (TEACHING's timings and class path)."""
    from tone_helpers.tools.timings import class_path_table, timings_table

    return stored_values(repr(timings_table()) + "\n" + repr(class_path_table()))


RESULTS = merge(result_values(), derived_values())
ALL_OUTPUTS = merge(*(stored_values(notebook_prose(p)[1]) for p in NOTEBOOKS))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_typed_figure_of_a_notebook_is_measured_sourced_or_a_bound(path):
    prose, outputs = notebook_prose(path)
    assert not unsupported(prose, merge(stored_values(outputs), RESULTS), path.name), "\n".join(
        unsupported(prose, merge(stored_values(outputs), RESULTS), path.name)
    )


@pytest.mark.parametrize(
    "path", PAGES + sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_every_typed_figure_of_a_page_is_measured_sourced_or_a_bound(path):
    problems = unsupported(
        path.read_text(encoding="utf-8"), merge(ALL_OUTPUTS, RESULTS), path.relative_to(ROOT).as_posix()
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "prose, caught",
    [
        ("On this CPU int8 ran 7.77× faster than float32.", ["7.77"]),  # planted: printed nowhere
        ("int8 ran 3.3× faster, 0.974 of the clips agreed.", []),  # 3.31× is stored below: 3.3 matches
        ("int8 ran 3.4× faster.", ["3.4"]),  # 3.31× rounds to 3.3, not 3.4
        ("The suite should stay ≤ 330 s on 2 cores.", []),  # a bound
        ("A frame starts every 10 ms.", []),  # a rule
        ("It took 273–297 s.", ["273", "297"]),  # a range types both ends
        ("Layers of 768 × 3072 weights in 16×16 patches.", []),  # products, not ratios
        ("The file `benchmarks/results/x.json` says 9.99×.", []),  # sourced
        ("Its interval is ±3 points wide.", ["3"]),  # a round percentage needs a printed one, not any 0.03
    ],
)
def test_a_planted_figure_is_caught_and_a_supported_one_is_not(prose, caught):
    stored = stored_values("int8 is 3.31× float32\nagreement 0.974\nmargin 0.03")
    assert [figure for figure, unit, _ in typed_figures(prose) if not measured(figure, unit, stored)] == caught


def test_a_size_typed_beside_a_repository_file_must_be_its_size():
    """README once said the small checkpoint was 6.5 MB; in the series' MB (bytes / 2**20) it is 6.22."""
    wrong = "Its checkpoint, `data/small_ast_tones.ckpt` (6.5 MB), stores the weights in float16."
    right = wrong.replace("6.5 MB", "6.22 MB")
    assert [f for f, _, _ in typed_figures(wrong)] == ["6.5"] and typed_figures(right) == []
