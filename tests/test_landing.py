"""The README is a landing page and the quickstart a first success: short, running first, every page reachable."""

import base64
import re

import nbformat

from tone_helpers import paths

ROOT = paths.REPO_ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICKSTART = nbformat.read(ROOT / "notebooks" / "00_quickstart.ipynb", as_version=4)


def test_the_readme_is_short_and_reaches_jupyter_lab_early_after_the_set_up():
    assert len(README.split()) <= 1500
    set_up_block = README.index("```bash", README.index("## Set up"))
    jupyter = README.index("jupyter lab")
    assert set_up_block < jupyter and len(README[:jupyter].split()) <= 350


def test_every_docs_page_is_linked_from_the_readme():
    for page in (ROOT / "docs").glob("*.md"):
        assert f"](docs/{page.name})" in README, page.name


def test_the_quickstart_is_short():
    markdown = " ".join(c.source for c in QUICKSTART.cells if c.cell_type == "markdown")
    assert len(markdown.split()) <= 600
    assert sum(c.cell_type == "code" for c in QUICKSTART.cells) <= 12


def test_the_quickstart_shows_the_quantization_call_and_its_measurements_in_the_open():
    code = "\n".join(c.source for c in QUICKSTART.cells if c.cell_type == "code")
    assert "torch.ao.quantization.quantize_dynamic(" in code
    assert "torch.save(m.state_dict(), buffer)" in code  # the size, computed where the reader sees it
    assert re.search(r"agreement = \(fp32_says == int8_says\)", code)


def test_the_readme_picture_is_the_figure_notebook_01_draws():
    """The landing page's picture is 01's stored clip gallery, byte for byte: re-recording 01 must update it."""
    stored = [
        base64.b64decode(o["data"]["image/png"])
        for c in nbformat.read(ROOT / "notebooks" / "01_load_model.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {}) and "clip_gallery" in c.source
    ]
    assert (ROOT / "docs" / "images" / "five-tones.png").read_bytes() in stored
