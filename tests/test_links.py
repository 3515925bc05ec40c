"""Every internal link of the built book resolves (file and #anchor), nothing is fetched from the
internet, and every chapter's assignment page offers the current student notebook for download."""

import hashlib
import re
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

from conftest import CHAPTERS, HTML
from lossbook import notebooks

pytestmark = pytest.mark.book


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append((tag, key, attrs[key]))


@lru_cache(maxsize=None)
def parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages():
    """The book's pages (not the theme's Jinja macro files that it copies into _static)."""
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)


def test_internal_links_and_anchors_resolve(build_log):
    broken = []
    for page in pages():
        for tag, key, url in parse(page).links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto", "data", "javascript") or url.startswith("//"):
                continue
            if not parts.path:  # same-page anchor
                target = page
            else:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
            where = f"{page.relative_to(HTML)}: <{tag} {key}={url!r}>"
            if not target.exists():
                broken.append(f"{where} -> missing {target}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{where} -> no id {parts.fragment!r} in {target.relative_to(HTML)}")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


def test_nothing_is_loaded_from_the_internet(build_log):
    """Links to the web are fine (references); scripts, styles, images and fonts must be local."""
    remote = []
    for page in pages():
        for tag, key, url in parse(page).links:
            if (tag, key) != ("a", "href") and re.match(r"^(https?:)?//", url):
                remote.append(f"{page.relative_to(HTML)}: <{tag} {key}={url}>")
    assert not remote, "pages load resources from the internet:\n" + "\n".join(remote[:20])


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_assignment_page_offers_the_student_notebook(build_log, chapter):
    if not (HTML / "book" / f"{chapter}.html").exists():
        pytest.skip(f"{chapter} is not in _toc.yml yet")
    page = HTML / "assignments" / chapter / f"{chapter}.html"
    assert page.exists(), f"{chapter} has no assignment page: add `- file: assignments/{chapter}/{chapter}` " \
                          f"as a section of book/{chapter} in _toc.yml"
    text = page.read_text(encoding="utf-8")
    assert "환경 준비" in text and "자체 점검" in text, f"the assignment page of {chapter} has no install and check guide"
    assert "NotImplementedError" in text, f"the assignment page of {chapter} does not show the student version"
    assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, \
        f"the assignment page of {chapter} shows solutions or hidden tests"
    assert 'class="output' not in text, f"the assignment page of {chapter} was executed (it has outputs)"
    links = re.findall(rf'class="reference download internal"[^>]*href="([^"]*/{chapter}\.ipynb)"', text)
    assert links, f"the assignment page of {chapter} has no download link"
    downloaded = (page.parent / links[0]).resolve()
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert downloaded.exists() and digest(downloaded) == digest(notebooks.assignment_notebook(chapter)), \
        f"the download {links[0]} is not assignments/{chapter}/{chapter}.ipynb"
    chapter_page = (HTML / "book" / f"{chapter}.html").read_text(encoding="utf-8")
    assert f"assignments/{chapter}/{chapter}.html" in chapter_page, \
        f"book/{chapter} does not link its assignment page (toc section)"
