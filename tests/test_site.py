"""The series as a website (``tone-site``, docs/site.md): built from the stored outputs, read in a real browser.

The first tests check site.py's link mapping and need nothing but the package. The slow ones build the site once,
serve it on localhost and open it in Debian's Chromium through Selenium: the players load with their clips'
durations, a 🔍 deep dive opens on click, the search finds a glossary term, every internal link reaches a file
and an anchor, and no page logs an error or asks any host but localhost for anything. Without Chromium, its
driver or requirements-site.txt they skip, saying what to install; under CI=true they fail instead, so that
.ci/run cannot pass them by skipping. Nothing here downloads a browser or a driver: the paths are given, so
Selenium Manager is never asked (and a call to it fails the test).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html.parser
import http.server
import importlib.util
import json
import os
import re
import struct
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tone_helpers import paths
from tone_helpers.tools import site

ROOT = paths.REPO_ROOT
CHROMIUM = os.environ.get("TONE_CHROMIUM", "/usr/bin/chromium")  # GitHub's Ubuntu runners: Google Chrome's path
CHROMEDRIVER = os.environ.get("TONE_CHROMEDRIVER", "/usr/bin/chromedriver")
SITE_PACKAGES = ("sphinx", "myst_nb", "sphinx_book_theme", "sphinx-mathjax-offline", "selenium")
SCREENSHOTS = ROOT / "data" / "artifacts" / "site-test"
STAGED = site.pages()


# --- site.py's link mapping: no Sphinx, no browser ---


def test_a_link_to_a_notebook_or_a_page_becomes_a_link_to_its_page():
    link = functools.partial(site.site_link, staged=STAGED, repo_url=None, commit="abc1234")
    assert link("README.md", "notebooks/03_int8_by_hand.ipynb#anchor") == "notebooks/03_int8_by_hand.ipynb#anchor"
    assert link("docs/cpu.md", "../notebooks/03_int8_by_hand.ipynb#a") == "../notebooks/03_int8_by_hand.ipynb#a"
    assert link("notebooks/01_load_model.ipynb", "02_quantize_dynamic.ipynb") == "02_quantize_dynamic.ipynb"
    assert link("notebooks/01_load_model.ipynb", "../README.md#set-up") == "../index.md#set-up"  # README: home
    assert link("TEACHING.md", "solutions/solutions.py") == "solutions/solutions.md"  # a page showing the code
    assert link("solutions/README.md", "solutions.py") == "solutions.md"
    assert link("GLOSSARY.md", "#reduce_range") == "#reduce_range"
    assert link("README.md", "https://nbval.readthedocs.io") == "https://nbval.readthedocs.io"


def test_a_file_that_is_no_page_goes_to_the_repository_or_becomes_plain_text():
    on_github = functools.partial(site.site_link, staged=STAGED, repo_url="https://github.com/o/r", commit="abc1234")
    assert on_github("docs/testing.md", "../tests/test_two_nodes.py") == (
        "https://github.com/o/r/blob/abc1234/tests/test_two_nodes.py"
    )
    assert on_github("docs/cpu.md", "../benchmarks/results") == "https://github.com/o/r/tree/abc1234/benchmarks/results"
    assert site.site_link("README.md", "LICENSE", STAGED, None, "abc1234") is None  # no repository known: text
    text = "See [`solutions.py`](solutions.py), [the licence](../LICENSE) and ![a](images/x.png).\n```\n[a](b.md)\n```"
    assert site.rewrite_links(text, "solutions/README.md", STAGED, None, "abc1234") == (
        "See [`solutions.py`](solutions.md), the licence and ![a](images/x.png).\n```\n[a](b.md)\n```"
    )
    summary = "<details><summary>🔍 Why `reduce_range`</summary>\n\nWith `x`.\n</details>"
    assert (
        site.code_in_summaries(summary)
        == "<details><summary>🔍 Why <code>reduce_range</code></summary>\n\nWith `x`.\n</details>"
    )


def test_the_site_shows_code_cells_without_nbvals_markers():
    source = "# NBVAL_IGNORE_OUTPUT\nx = 1  # NBVAL is named here, not a marker\n    # NBVAL_SKIP\nprint(x)"
    assert site.without_test_markers(source) == "x = 1  # NBVAL is named here, not a marker\nprint(x)"


def test_every_page_of_the_series_is_on_the_site_notebooks_in_order_solutions_last():
    names = list(STAGED)
    notebooks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert names[0] == "README.md" and names[1 : 1 + len(notebooks)] == notebooks
    assert {"TEACHING.md", "GLOSSARY.md", *(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))} <= set(names)
    assert all(name.startswith("solutions/") for name in names[-3:])
    assert site.SITE_DIR == ROOT / "data" / "artifacts" / "site"


def test_a_folder_tone_site_did_not_write_is_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="did not write"):
        site.build(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# --- the built site, in a browser ---


def unavailable(why: str | None) -> None:
    """Skip, saying what to install; under CI=true fail instead, so that CI cannot pass by skipping."""
    if why and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, and the site cannot be tested here: {why}")
    if why:
        pytest.skip(why)


def missing_packages() -> str | None:
    absent = [name for name in SITE_PACKAGES if importlib.util.find_spec(name) is None]
    return f"{', '.join(absent)} not installed: pip install -r requirements-site.txt" if absent else None


def missing_browser() -> str | None:
    for what, path, variable in (
        ("Chromium", CHROMIUM, "TONE_CHROMIUM"),
        ("chromedriver", CHROMEDRIVER, "TONE_CHROMEDRIVER"),
    ):
        if not os.access(path, os.X_OK):
            return (
                f"no {what} at {path}: apt-get install -y chromium chromium-driver (Debian), or set {variable} to "
                "the path of an installed Chrome/Chromium and its matching chromedriver"
            )
    return None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site, built once for the module: (folder, seconds the build took, sphinx-build's warnings)."""
    unavailable(missing_packages())
    out = tmp_path_factory.mktemp("tone-site") / "site"
    return out, *site.build(out)


@contextlib.contextmanager
def serve(folder: Path):
    """``folder`` on http://127.0.0.1:<a free port>/, in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(built):
    with serve(built[0]) as url:
        yield url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # pytest shows requests only if a test fails: the logs then say it
        pass


class Browser:
    """Chromium under Selenium, keeping every console message and every request the pages made."""

    def __init__(self, driver):
        self.driver, self.console, self.requests = driver, [], []

    def open(self, url: str):
        self.driver.get(url)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")
        self.collect()

    def wait(self, condition, seconds: float = 15):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, seconds).until(condition)

    def collect(self):
        self.console += [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])


@pytest.fixture(scope="module")
def browser(served):
    unavailable(missing_browser())
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import selenium_manager

    def refuse(*args, **kwargs):
        raise AssertionError("Selenium Manager was asked for a browser or a driver: it would download one")

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # as root, in a container
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--mute-audio",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")
        patch.setattr(selenium_manager.SeleniumManager, "binary_paths", refuse)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield Browser(driver)
    driver.quit()


def wav_seconds(data: bytes) -> float:
    """A WAV file's duration from its header: the data chunk's size over the bytes per second."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    position, byte_rate = 12, None
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        if chunk == b"fmt ":
            byte_rate = struct.unpack("<I", data[position + 16 : position + 20])[0]
        if chunk == b"data":
            return size / byte_rate
        position += 8 + size + size % 2
    raise AssertionError("no data chunk")


def stored_clip_seconds(notebook: str) -> list[float]:
    """The durations of the clips a notebook's stored outputs play, in page order."""
    cells = nbformat.read(ROOT / "notebooks" / notebook, as_version=4).cells
    html_outputs = [
        o["data"]["text/html"] for c in cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})
    ]
    uris = re.findall(r"data:audio/wav;base64,([A-Za-z0-9+/=]+)", "".join(html_outputs))
    return [wav_seconds(base64.b64decode(uri)) for uri in uris]


@pytest.mark.slow
def test_the_build_warns_of_nothing_takes_under_a_minute_and_serves_the_notebooks_as_committed(built, served):
    folder, seconds, warnings = built
    assert not warnings, "sphinx-build warned (a link or anchor it could not resolve?):\n" + "\n".join(warnings)
    assert seconds <= 60, f"tone-site took {seconds:.1f} s"
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):  # the download button's file
        with urllib.request.urlopen(f"{served}_sources/notebooks/{notebook.name}") as response:
            assert response.read() == notebook.read_bytes(), notebook.name
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    footer = re.search(r"Built on (\d{4}-\d\d-\d\d) from commit (\w+)", (folder / "index.html").read_text("utf-8"))
    assert footer and footer.group(2) == (commit.stdout.strip() if commit.returncode == 0 else "unknown")


@pytest.mark.slow
def test_previous_and_next_walk_the_home_page_the_notebooks_in_order_then_the_rest_solutions_last(built):
    folder = built[0]
    walk, page = [], folder / "index.html"
    while page is not None:
        walk.append(page.relative_to(folder).as_posix())
        following = re.search(r'<link rel="next" title="[^"]*" href="([^"]+)"', page.read_text("utf-8"))
        page = (page.parent / following.group(1)).resolve() if following else None
        assert len(walk) <= len(STAGED), walk
    expected = [dest.rsplit(".", 1)[0] + ".html" for dest in STAGED.values()]
    assert walk[0] == "index.html" and sorted(walk) == sorted(expected)
    notebooks = [w for w in walk if w.startswith("notebooks/")]
    assert walk[1 : 1 + len(notebooks)] == sorted(notebooks) and all(w.startswith("solutions/") for w in walk[-3:])


def load_players(browser) -> list[list]:
    """Each <audio> of the page's [readyState, duration] once it has loaded its metadata by itself (the players say
    preload="metadata", so a reader sees each clip's length before playing it) or failed."""
    loaded = browser.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(resolve => {
            const report = () => resolve([a.readyState, a.duration]);
            if (a.readyState >= 1) return report();
            a.addEventListener('loadedmetadata', report, {once: true});
            a.addEventListener('error', report, {once: true});
        }))).then(done);"""
    )
    browser.collect()
    return loaded


@pytest.mark.slow
@pytest.mark.parametrize("notebook", ["00_quickstart.ipynb", "01_load_model.ipynb"])
def test_the_players_load_with_their_clips_durations(browser, served, notebook):
    expected = stored_clip_seconds(notebook)
    assert expected, f"{notebook} stores no <audio> clip"
    browser.open(f"{served}notebooks/{notebook.removesuffix('.ipynb')}.html")
    if notebook.startswith("00"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.driver.save_screenshot(str(SCREENSHOTS / "quickstart.png"))
    loaded = load_players(browser)
    assert len(loaded) == len(expected), f"{len(loaded)} players on the page, {len(expected)} clips in {notebook}"
    for number, ((state, duration), seconds) in enumerate(zip(loaded, expected, strict=True), 1):
        assert state >= 1 and duration == pytest.approx(seconds, abs=0.01), (
            f"{notebook}, player {number}: readyState {state}, duration {duration}; the clip lasts {seconds:.3f} s"
        )


@pytest.mark.slow
def test_a_deep_dive_is_folded_and_opens_on_click(browser, served):
    browser.open(f"{served}notebooks/01_load_model.html")
    folds = browser.driver.find_elements("css selector", "details")
    assert folds and not any(f.get_property("open") for f in folds), "every 🔍 deep dive starts folded"
    assert all(f.find_elements("css selector", ":scope > :not(summary)") for f in folds), "its text is inside the fold"
    summary = folds[0].find_element("css selector", "summary")
    assert "🔍" in summary.text
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    assert folds[0].get_property("open") is True
    assert folds[0].find_element("css selector", "p").is_displayed()  # its text, now shown
    browser.collect()


@pytest.mark.slow
def test_the_search_finds_a_glossary_term_and_leads_to_its_entry(browser, served):
    browser.open(f"{served}search.html?q=reduce_range")
    hits = browser.wait(
        lambda d: [
            a for a in d.find_elements("css selector", "#search-results a") if "GLOSSARY" in a.get_attribute("href")
        ]
    )
    target = hits[0].get_attribute("href")
    browser.open(target)
    assert urlsplit(browser.driver.current_url).path.endswith("/GLOSSARY.html")
    assert "reduce_range" in browser.driver.find_element("css selector", "main").text
    fragment = urlsplit(target).fragment
    if fragment:
        assert browser.driver.find_elements("id", fragment), f"no #{fragment} on the glossary page"


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids |= {attrs[k] for k in ("id", "name") if attrs.get(k)}
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") in ("canonical",)):
                self.targets.append(attrs[key])


def parsed(path: Path, cache: dict) -> Links:
    if path not in cache:
        cache[path] = Links()
        cache[path].feed(path.read_text(encoding="utf-8"))
    return cache[path]


def markdown_tables_printed(notebook: Path) -> int:
    """How many Markdown tables the notebook's cells print (``tone_helpers.report.Table``'s text/markdown)."""
    outputs = [o for c in nbformat.read(notebook, as_version=4).cells for o in c.get("outputs", [])]
    markdown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    return sum(bool(re.search(r"^\|[-|: ]+\|$", text, re.M)) for text in markdown)


@pytest.mark.slow
def test_every_table_a_cell_prints_is_a_table_on_its_page(built):
    folder, problems = built[0], []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        page = (folder / "notebooks" / notebook.name).with_suffix(".html").read_text("utf-8")
        text = re.sub(r"<pre.*?</pre>", "", page, flags=re.S)  # code may show a table's source
        raw = re.findall(r"\|\s*(?:---|—)[^<]{0,40}", text)  # a header rule left as text ("---" made a dash)
        if raw:
            problems.append(f"{notebook.name}: a table shown as text: {raw[0]!r}")
        if page.count("<table") < markdown_tables_printed(notebook):
            problems.append(f"{notebook.name}: {page.count('<table')} tables on the page, fewer than its cells print")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_internal_link_reaches_a_file_and_its_anchor(built):
    folder = built[0]
    cache, broken = {}, []
    pages = sorted(p for p in folder.rglob("*.html") if "_static" not in p.parts)
    for page in pages:
        for target in parsed(page, cache).targets:
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, data:, javascript: ...
                continue
            parts = urlsplit(target)
            linked = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if linked.is_dir():
                linked = linked / "index.html"
            if not linked.is_file() or folder.resolve() not in linked.parents:
                broken.append(f"{page.relative_to(folder)}: {target} (no such file on the site)")
            elif (
                parts.fragment and linked.suffix == ".html" and unquote(parts.fragment) not in parsed(linked, cache).ids
            ):
                broken.append(f"{page.relative_to(folder)}: {target} (no such anchor)")
    assert len(pages) >= len(STAGED)
    assert not broken, "\n".join(broken)


@pytest.mark.slow
def test_no_page_logs_an_error_or_asks_another_host(browser, served, built):
    for page in ["index.html", *(dest.rsplit(".", 1)[0] + ".html" for dest in STAGED.values()), "search.html?q=int8"]:
        browser.open(served + page)
        load_players(browser)  # every player on every page, as a reader's clicks would
    assert browser.requests, "the performance log recorded no request: the check would prove nothing"
    elsewhere = sorted(set(off_host(browser.requests)))
    assert not elsewhere, "requests that left the page's host:\n" + "\n".join(elsewhere)
    assert not browser.console, "\n".join(sorted({e["message"] for e in browser.console}))


def off_host(urls: list[str]) -> list[str]:
    """The requests that left localhost (data:, blob: and about: URLs stay in the page)."""
    local = ("127.0.0.1", "localhost")
    return [
        u for u in urls if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname not in local
    ]


@pytest.mark.slow
def test_math_would_render_from_the_sites_own_mathjax(browser, tmp_path):
    """No page of the series has LaTeX math today: a one-page site built with the same conf.py shows that math,
    when a page has some, is typeset by the MathJax the site serves, fonts included, and by nothing else."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.md").write_text("# Math\n\n$q = \\mathrm{round}(x / s) + z$\n\n$$\nx = s(q - z)\n$$\n")
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(site.CONF_DIR)]
    subprocess.run([*command, str(tmp_path / "src"), str(tmp_path / "html")], check=True, capture_output=True)
    with serve(tmp_path / "html") as url:
        browser.open(url + "index.html")
        typeset = browser.wait(lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length"))
        browser.collect()
    assert typeset == 2 and not browser.console and not off_host(browser.requests)
    assert any(u.startswith(url) and "/_static/mathjax/" in u for u in browser.requests), "MathJax came from elsewhere"


def test_chromium_and_the_site_packages_are_named_where_ci_installs_them():
    """.ci/run installs what the slow tests need, after the README's set-up, so that they run rather than skip."""
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v chromium" in ci_run and "apt-get install -y -qq chromium chromium-driver" in ci_run
    assert "export CI=true" in ci_run
    assert ci_run.index("pip install -r requirements-site.txt") < ci_run.index("\npytest")
    lines = (ROOT / "requirements-site.txt").read_text(encoding="utf-8").splitlines()
    names = {line.split("#")[0].split("==")[0].strip() for line in lines} - {""}
    assert "selenium" in names and not {"torch", "-e .", "-r requirements.txt"} & names  # the site needs no torch
