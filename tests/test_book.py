"""The book builds with warnings as errors, offline, and each chapter page has its
rendered figures and a working link to its assignment."""

import hashlib
import re

import pytest

from conftest import CHAPTERS, HTML  # build_log: the session build in conftest, shared with test_links/test_browser
from lossbook import notebooks

ROOT = notebooks.ROOT
pytestmark = pytest.mark.book


def test_build_has_no_warnings(build_log):
    warnings = [line for line in build_log.splitlines() if "WARNING" in line and "Kernel is running over TCP" not in line]
    assert not warnings, "\n".join(warnings)


def test_math_is_served_locally(build_log):
    mathjax = HTML / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.exists(), "MathJax is not copied into _static: math would need the internet"
    for page in HTML.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        scripts = re.findall(r'<script[^>]+src="([^"]+)"', text)
        remote = [s for s in scripts if s.startswith(("http:", "https:", "//"))]
        assert not remote, f"{page.relative_to(HTML)} loads scripts from the internet: {remote}"


def test_pages_are_korean(build_log):
    assert (HTML / "index.html").exists()
    assert '<html lang="ko"' in (HTML / "book" / "intro.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_figures_and_assignment_link(build_log, chapter):
    page = HTML / "book" / f"{chapter}.html"
    assert page.exists(), f"{chapter} has no page in the built book"
    text = page.read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', text)
    assert images, f"{chapter}'s page has no rendered figure"
    for src in images:
        assert (page.parent / src).resolve().exists(), f"figure {src} of {chapter} is missing"
    links = re.findall(rf'href="([^"]*_downloads/[^"]*/{chapter}\.ipynb)"', text)
    assert links, f"{chapter}'s page has no download link to its assignment"
    downloaded = (page.parent / links[0]).resolve()
    assert downloaded.exists(), f"the assignment link {links[0]} is broken"
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(downloaded) == digest(notebooks.assignment_notebook(chapter)), \
        "the book offers a different file than assignments/"
    assert "output traceback" not in text and "output stderr" not in text, \
        f"{chapter}'s page shows an error or stderr output"


def test_execution_times_table_is_in_korean(build_log):
    text = (HTML / "book" / "appendix" / "exec_times.html").read_text(encoding="utf-8")
    for header in ("페이지", "실행 방식", "실행 시간(초)", "결과"):
        assert f"<p>{header}</p>" in text, f"header {header!r} missing"
    assert not [w for w in ("Run Time", "Modified", "Method", "✅") if w in text]
