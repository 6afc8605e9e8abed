"""Links between notebooks and pages, and every "notebook NN" in prose, match the files that exist."""

import re
from pathlib import Path

import nbformat
import pytest

from tone_helpers import paths

ROOT = paths.REPO_ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NUMBERS = [p.name[:2] for p in NOTEBOOKS]
PAGES = [ROOT / "README.md", ROOT / "GLOSSARY.md", ROOT / "TEACHING.md", ROOT / "solutions" / "README.md"]
PAGES += sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lstrip("#").strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    return {slug(line) for line in markdown_of(path).splitlines() if re.match(r"#{1,6} ", line)}


def test_the_notebooks_are_numbered_00_to_n():
    assert NUMBERS == [f"{i:02d}" for i in range(len(NOTEBOOKS))]


@pytest.mark.parametrize("source", NOTEBOOKS + PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_reaches_a_file_and_heading(source):
    broken = []
    for text, target in LINK.findall(markdown_of(source)):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ... are not ours to check offline
            continue
        file_part, _, anchor = target.partition("#")
        linked = (source.parent / file_part).resolve() if file_part else source
        if not linked.exists():
            broken.append(f"[{text}]({target}): no such file")
        elif anchor and linked.suffix in {".md", ".ipynb"} and anchor not in anchors_of(linked):
            broken.append(f"[{text}]({target}): no heading with that anchor in {linked.name}")
        number = re.match(r"(\d\d) ·", text)
        if number and not Path(file_part).name.startswith(number.group(1)):
            broken.append(f"[{text}]({target}): the text says {number.group(1)}, the file is another")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=NUMBERS)
def test_previous_and_next_point_to_the_neighbours(index):
    text = markdown_of(NOTEBOOKS[index])
    previous = set(re.findall(r"← Previous\*\* \[[^\]]*\]\(([^)]+)\)", text))
    following = set(re.findall(r"Next →\*\* \[[^\]]*\]\(([^)]+)\)", text))
    assert previous == ({NOTEBOOKS[index - 1].name} if index > 0 else set())
    assert following == ({NOTEBOOKS[index + 1].name} if index + 1 < len(NOTEBOOKS) else set())


def prose_files() -> list[Path]:
    code = [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    return [*NOTEBOOKS, *PAGES, *code, *(ROOT / "solutions").glob("*.py"), *ROOT.glob("requirements*.txt")]


def test_every_notebook_number_in_prose_exists():
    """'notebook 05', 'notebooks 06 and 08', 'Notebook 07's' ... in markdown, docstrings, comments and pages."""
    wrong = []
    for path in prose_files():
        text = path.read_text(encoding="utf-8") if path.suffix != ".ipynb" else markdown_of(path)
        for match in re.finditer(r"[Nn]otebooks? ((?:\d\d(?:, | and | or |–|-)?)+)", text):
            for number in re.findall(r"\d\d", match.group(1)):
                if number not in NUMBERS:
                    wrong.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert not wrong, "\n".join(wrong)


def test_sections_named_beside_a_notebook_link_exist():
    """A page that sends readers to "[05](notebooks/05_evaluate.ipynb) *Section title*" names a real heading."""
    missing = []
    for page in PAGES:
        for target, section in re.findall(r"\]\((notebooks/[^)#]+\.ipynb)\) \*([^*]+)\*", markdown_of(page)):
            headings = {re.sub(r"^#+ ", "", line) for line in markdown_of(ROOT / target).splitlines()}
            if section not in headings:
                missing.append(f"{page.name}: {target} has no heading {section!r}")
    assert not missing, "\n".join(missing)


def test_the_readme_table_lists_every_notebook_in_order():
    rows = re.findall(r"^\| (\d\d) \| \[[^\]]+\]\(notebooks/([^)]+)\)", (ROOT / "README.md").read_text(), re.M)
    assert rows == [(p.name[:2], p.name) for p in NOTEBOOKS]


def test_each_notebook_title_carries_its_number():
    for path in NOTEBOOKS:
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        assert title.startswith(f"# {path.name[:2]} · "), path.name


def titles() -> dict[str, set[str]]:
    """What a link to each notebook may say: its full title or its short one (the README table's), with or
    without its number, so that a reader sees which notebook a link opens and a renaming breaks the link."""
    short = dict(re.findall(r"^\| (\d\d) \| \[([^\]]+)\]\(notebooks/", (ROOT / "README.md").read_text(), re.M))
    names = {}
    for path in NOTEBOOKS:
        number = path.name[:2]
        full = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].removeprefix(f"# {number} · ")
        names[path.name] = {full, short.get(number, full)}
        names[path.name] |= {f"{number} · {title}" for title in set(names[path.name])}
    return names


@pytest.mark.parametrize("source", NOTEBOOKS + PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_link_to_a_notebook_says_which_notebook(source):
    allowed, wrong = titles(), []
    for text, target in LINK.findall(markdown_of(source)):
        name = Path(target.partition("#")[0]).name
        if name in allowed and text not in allowed[name]:
            wrong.append(f"[{text}]({target}): a link to {name} says one of {sorted(allowed[name])}")
    assert not wrong, "\n".join(wrong)


def prose_without_links_and_code(markdown: str) -> str:
    markdown = re.sub(r"```.*?```", "", markdown, flags=re.S)
    markdown = re.sub(r"`[^`\n]*`", "", markdown)
    return LINK.sub("", markdown)


@pytest.mark.parametrize("source", NOTEBOOKS + PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_prose_names_another_notebook_only_through_a_link(source):
    """'notebook 06' typed in prose goes stale when the series is renumbered; a link with the title cannot."""
    bare = re.findall(r"[Nn]otebooks? \d\d\b[^\n]{0,30}", prose_without_links_and_code(markdown_of(source)))
    assert not bare, f"{source.name}: write these as links [NN · Title](file.ipynb): {bare}"


def glossary_entries() -> dict[str, str]:
    parts = re.split(r"^### (.+)$", (ROOT / "GLOSSARY.md").read_text(encoding="utf-8"), flags=re.M)
    # an entry ends where the next entry or the next "## Part" heading starts
    return {term: re.split(r"^## ", body, flags=re.M)[0] for term, body in zip(parts[1::2], parts[2::2], strict=True)}


def notebook_text(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells).lower()


@pytest.mark.parametrize("term", list(glossary_entries()))
def test_a_glossary_entry_names_the_notebooks_that_use_the_term(term):
    body = glossary_entries()[term].strip()
    last = body.splitlines()[-1]
    assert last.startswith("Taught in: "), f"{term!r} should end with a 'Taught in: [NN · Title](…)' line"
    targets = [Path(target).name for _, target in LINK.findall(last)]
    assert targets, f"{term!r}: 'Taught in' names no notebook"
    spellings = {t.strip().lower() for t in re.split(r" / |, ", term.replace("`", ""))}
    spellings |= {s.replace("-", " ") for s in spellings} | {s.replace(" ", "-") for s in spellings}
    unused = [name for name in targets if not any(s in notebook_text(ROOT / "notebooks" / name) for s in spellings)]
    assert not unused, f"{term!r} is said to be taught in {unused}, which never use the word"


def parameters_of(path: Path) -> set[str]:
    """The names the notebook's ``parameters`` cell assigns: what ``tone-series -p NAME VALUE`` can set."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name} has {len(cells)} cells tagged 'parameters'"
    return set(re.findall(r"^([A-Z_]+) *=", cells[0].source, re.M))


def test_the_own_data_page_lists_each_notebooks_parameters():
    listed = {}
    for row in re.findall(r"^\| (\[\d\d · .*?) \| (.*) \|$", (ROOT / "docs" / "own-data.md").read_text(), re.M):
        names = set(re.findall(r"`([A-Z_]+)`", row[1]))
        for _, target in LINK.findall(row[0]):
            listed[Path(target).name] = names
    assert listed == {path.name: parameters_of(path) for path in NOTEBOOKS}


TAUGHT_IN = re.compile(r"Taught in: (\d\d) · (.+?), § (.+)\.$")


def test_helpers_name_the_notebook_and_section_that_teach_them():
    """A helper's ``Taught in: NN · Title, § Section.`` names a notebook that exists, its title and a heading of it."""
    found = 0
    for module in sorted((paths.REPO_ROOT / "src" / "tone_helpers").rglob("*.py")):
        for line in module.read_text(encoding="utf-8").splitlines():
            if "Taught in:" not in line:
                continue
            match = TAUGHT_IN.search(line.strip())
            assert match, f"{module.name}: {line.strip()!r} is not 'Taught in: NN · Title, § Section.'"
            number, title, section = match.groups()
            (notebook,) = (paths.REPO_ROOT / "notebooks").glob(f"{number}_*.ipynb")
            headings = [
                line.lstrip("#").strip()
                for cell in nbformat.read(notebook, as_version=4).cells
                if cell.cell_type == "markdown"
                for line in cell.source.splitlines()
                if line.startswith("#")
            ]
            assert headings[0].startswith(f"{number} · {title}"), f"{module.name}: {notebook.name} is not {title!r}"
            assert section in headings, f"{module.name}: {notebook.name} has no heading {section!r}"
            found += 1
    assert found >= 5
