"""``tone-site``: the series as a website, from the committed, executed notebooks (nothing is run: seconds).

It copies the pages (README, the notebooks, TEACHING, GLOSSARY, docs/, the solutions) into a temporary folder,
turning the links a reader follows on GitHub into links between the site's pages, runs sphinx-build with
``site/conf.py`` (MyST-NB reads the stored outputs, sphinx-book-theme lays out the pages) into
``data/artifacts/site/``, puts the original notebooks where each page's download button points, and prints how
to open the site. docs/site.md is the reader's page. Nothing here imports torch or Sphinx: the site's venv
needs only requirements-site.txt and ``pip install --no-deps -e .``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tone_helpers import paths

ROOT = paths.REPO_ROOT
SITE = "data/artifacts/site"  # relative to the repository (git-ignored); the Pages workflow uploads this folder
SITE_DIR = ROOT / SITE
CONF_DIR = ROOT / "site"  # site/conf.py
MARKER = ".tone-site"  # in SITE_DIR: the folder is tone-site's to empty; a folder without it is not touched
LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]+)\)")  # [text](target), as tests/test_links.py reads them
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.S)


def pages(root: Path = ROOT) -> dict[str, str]:
    """Each page of the site, in navigation order: the repository file it comes from -> its file in the
    Sphinx source folder. The README is the home page; a solutions ``.py`` becomes a page showing its code."""
    staged = {"README.md": "index.md"}
    staged |= {f"notebooks/{p.name}": f"notebooks/{p.name}" for p in sorted(root.glob("notebooks/[0-9][0-9]_*.ipynb"))}
    staged |= {name: name for name in ("TEACHING.md", "GLOSSARY.md")}
    staged |= {f"docs/{p.name}": f"docs/{p.name}" for p in sorted(root.glob("docs/*.md"))}
    staged["solutions/README.md"] = "solutions/README.md"
    staged |= {f"solutions/{name}.py": f"solutions/{name}.md" for name in ("solutions", "answers")}
    return staged


def repository_url() -> str | None:
    """The repository's web address, for links to files that are no page: ``TONE_SITE_REPO`` if set, else the
    GitHub Actions repository, else an ``origin`` remote on GitHub. None when none is known (plain text then)."""
    if os.environ.get("TONE_SITE_REPO"):
        return os.environ["TONE_SITE_REPO"].rstrip("/")
    if os.environ.get("GITHUB_REPOSITORY"):
        return f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{os.environ['GITHUB_REPOSITORY']}"
    origin = git("remote", "get-url", "origin")
    match = re.match(r"(?:https://|git@)github\.com[/:]([\w.-]+/[\w.-]+?)(?:\.git)?$", origin or "")
    return f"https://github.com/{match.group(1)}" if match else None


def site_link(source: str, target: str, staged: dict[str, str], repo_url: str | None, commit: str) -> str | None:
    """Where a link in the page ``source`` (its repository path) to ``target`` leads on the site.

    A page (``notebooks/03_int8_by_hand.ipynb#anchor``, ``../README.md``) becomes the relative path of that
    page's staged source, which Sphinx turns into the page's URL and checks; a URL or a same-page anchor stays;
    any other file of the repository (``src/…py``, a results folder) goes to the repository's web page for it at
    the commit built, or, with no repository URL known, becomes plain text (None).
    """
    if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
        return target
    file_part, hash_, anchor = target.partition("#")
    path = posixpath.normpath(posixpath.join(posixpath.dirname(source), file_part))
    if path in staged:
        here = posixpath.dirname(staged[source]) or "."
        return posixpath.relpath(staged[path], here) + hash_ + anchor
    if repo_url is None or path.startswith("../"):
        return None
    kind = "tree" if (ROOT / path).is_dir() else "blob"
    return f"{repo_url}/{kind}/{commit if commit != 'unknown' else 'HEAD'}/{path}{hash_}{anchor}"


def rewrite_links(markdown: str, source: str, staged: dict[str, str], repo_url: str | None, commit: str) -> str:
    """The markdown with every link (not images, not fenced code) sent where ``site_link`` says."""

    def one(match: re.Match) -> str:
        bang, text, target = match.groups()
        if bang:
            return match.group(0)
        new = site_link(source, target, staged, repo_url, commit)
        return text if new is None else f"[{text}]({new})"

    parts, last = [], 0
    for fence in FENCE.finditer(markdown):
        parts += [LINK.sub(one, markdown[last : fence.start()]), fence.group(0)]
        last = fence.end()
    return "".join(parts) + LINK.sub(one, markdown[last:])


def code_in_summaries(markdown: str) -> str:
    """`code` in a deep dive's ``<summary>`` line shown as code: markdown is not read inside an HTML line."""
    return SUMMARY.sub(
        lambda m: "<summary>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", m.group(1)) + "</summary>", markdown
    )


def without_test_markers(source: str) -> str:
    """A code cell without nbval's ``# NBVAL_…`` comment lines: they instruct the tests, not the reader of a page
    (the download button serves the notebook with them)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("# NBVAL_"))


def git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def build_facts() -> dict[str, str]:
    """What the footer says: the date (UTC) and the commit the site was built from, "unknown" without git,
    and whether the pages differ from that commit."""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = commit != "unknown" and bool(git("status", "--porcelain", "--", *pages()))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "commit": commit + (" with uncommitted changes to its pages" if changed else ""),
        "repo_url": repository_url() or "",
    }


def stage(source_dir: Path, facts: dict[str, str]) -> None:
    """Copy the pages into ``source_dir`` with their links rewritten, plus the images they show."""
    import nbformat  # the notebooks' format library (core requirement, and MyST-NB's)

    staged = pages()
    repo_url, commit = facts["repo_url"] or None, facts["commit"].split()[0]
    for source, dest in staged.items():
        out = source_dir / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        if source.endswith(".ipynb"):
            notebook = nbformat.read(ROOT / source, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.source = without_test_markers(cell.source)
                if cell.cell_type == "markdown":
                    cell.source = code_in_summaries(rewrite_links(cell.source, source, staged, repo_url, commit))
                for output in cell.get("outputs", []):
                    if "text/markdown" in output.get("data", {}):
                        markdown = output["data"]["text/markdown"]
                        output["data"]["text/markdown"] = rewrite_links(markdown, source, staged, repo_url, commit)
            nbformat.write(notebook, out)
        elif source.endswith(".py"):  # a page that shows the file's code
            shutil.copy2(ROOT / source, out.with_suffix(".py"))
            name = Path(source).name
            out.write_text(f"# `{source}`\n\n```{{literalinclude}} {name}\n:language: python\n```\n", encoding="utf-8")
        else:
            text = (ROOT / source).read_text(encoding="utf-8")
            out.write_text(code_in_summaries(rewrite_links(text, source, staged, repo_url, commit)), encoding="utf-8")
    shutil.copytree(ROOT / "docs" / "images", source_dir / "docs" / "images")
    (source_dir / "index.md").write_text(
        (source_dir / "index.md").read_text(encoding="utf-8") + navigation(staged), encoding="utf-8"
    )


def navigation(staged: dict[str, str]) -> str:
    """The hidden tables of contents the theme's sidebar and previous/next links follow; solutions last."""
    groups = {"The notebooks": "notebooks/", "For readers and teachers": "", "More": "docs/", "Solutions": "solutions/"}
    text = ""
    for caption, folder in groups.items():
        docs = [
            dest.rsplit(".", 1)[0]
            for dest in staged.values()
            if dest != "index.md" and (dest.startswith(folder) if folder else "/" not in dest)
        ]
        text += f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + "\n".join(docs) + "\n```\n"
    return text


def build(out: Path = SITE_DIR, quiet: bool = True) -> tuple[float, list[str]]:
    """Build the site into ``out``; return the seconds it took and sphinx-build's warnings (also printed)."""
    start = time.perf_counter()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out} holds files tone-site did not write (no {MARKER} file): move them, then retry")
    facts = build_facts()
    with tempfile.TemporaryDirectory(prefix="tone-site-") as tmp:
        source_dir, html = Path(tmp) / "source", Path(tmp) / "html"  # MyST-NB writes beside html/: keep it in tmp
        stage(source_dir, facts)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONF_DIR), "-d", str(Path(tmp) / "doctrees")]
        command += ["-q"] if quiet else []
        env = {**os.environ, **{f"TONE_SITE_{key.upper()}": value for key, value in facts.items()}}
        done = subprocess.run([*command, str(source_dir), str(html)], env=env, capture_output=True, text=True)
        print(done.stdout, end="")
        messages = done.stderr.replace(f"{source_dir}{os.sep}", "")  # warnings name the repository's paths
        print(messages, end="", file=sys.stderr)
        if done.returncode != 0:
            raise SystemExit(f"sphinx-build failed (exit {done.returncode}); its messages are above")
        for source in pages():  # the download button serves the notebook as committed, not the staged copy
            if source.endswith(".ipynb"):
                shutil.copy2(ROOT / source, html / "_sources" / source)
        (html / MARKER).write_text("written by tone-site, which empties this folder at each build\n", encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(html, out)
    return time.perf_counter() - start, [line for line in messages.splitlines() if "WARNING" in line]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="show sphinx-build's progress, not only warnings")
    args = parser.parse_args(argv)
    seconds, warnings = build(quiet=not args.verbose)
    print(f"The site: {SITE}/index.html, {len(pages())} pages built in {seconds:.1f} s", end="")
    print(f", with {len(warnings)} warnings (above)." if warnings else ".")
    print(
        f"Open that file in a browser, or serve the folder: python -m http.server -d {SITE}, then http://localhost:8000"
    )


if __name__ == "__main__":
    main()
