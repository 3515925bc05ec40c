"""The book's PDF (lossbook.book_pdf, made by the book build itself): every page of the table of
contents is in it, in the order of the book, with Korean fonts embedded and math typeset (no raw
TeX in its text); two of its pages are rendered to _build/screenshots for maintainers to look at (docs/ keeps
copies chosen by hand, so that a test run changes no tracked file). That nothing
is wider than the page is checked as the PDF is printed: lossbook.book_pdf fails the book build
(and so every test here) if an element still reaches past the text column."""

import re
import shutil
import subprocess

import pytest

from conftest import BUILD, CHAPTERS, HTML, needs_chromium
from lossbook import book_pdf

pytestmark = [
    pytest.mark.book,
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (.ci/run installs it)"),
    pytest.mark.usefixtures("build_log"),  # the book build writes the PDF
]
PDF = HTML / book_pdf.PDF_NAME
SHOTS = BUILD / "screenshots"


def poppler(tool, *args):
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pages():
    """The text of each page of the PDF."""
    assert PDF.exists(), f"the book build made no PDF at {PDF}"
    return poppler("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")[:-1]


def squeeze(text):
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def entries():
    return book_pdf.table_of_contents(HTML)


def test_every_page_of_the_book_starts_a_page_of_the_pdf_in_order(pages, entries):
    documents = {page.relative_to(HTML).as_posix() for _, page, _, _ in entries}
    for chapter in CHAPTERS:
        if (HTML / "book" / f"{chapter}.html").exists():
            assert {f"book/{chapter}.html", f"assignments/{chapter}/{chapter}.html"} <= documents, \
                f"{chapter} or its assignment is missing from the PDF's contents"
    tops = [squeeze(page)[:200] for page in pages]
    found = []
    for _, page, title, _ in entries:
        starts = [n for n, top in enumerate(tops) if top.startswith(squeeze(title))]
        assert starts, f"no page of the PDF starts with the title {title!r} ({page.relative_to(HTML)})"
        found.append(starts[0] if not found else next((n for n in starts if n > found[-1]), starts[0]))
    assert found == sorted(found), "the PDF's pages are not in the order of the book"
    assert 4 * len(entries) <= len(pages) <= 25 * len(entries), \
        f"{len(pages)} pages for {len(entries)} pages of the book"


def test_korean_fonts_are_embedded():
    header, _, *rows = poppler("pdffonts", str(PDF)).splitlines()
    emb = header.index("emb")
    not_embedded = [row for row in rows if row[emb:emb + 3] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)
    korean = [row.split()[0] for row in rows if "Nanum" in row.split()[0]]
    assert korean, "no Korean (Nanum) font in the PDF:\n" + "\n".join(rows)


def test_math_is_typeset_and_korean_is_text(pages):
    """Raw TeX in the prose would read as `\\(`, `$$` or `$x$` in the text; code lines (string
    literals in quotes) and the assignments' instruction `$...$` may show dollars."""
    text = "\n".join(pages)
    assert len(re.findall(r"[가-힣]", text)) > 20_000, "little Korean text in the PDF (tofu or images?)"
    assert "\ufffd" not in text, "replacement characters in the PDF's text"
    raw = []
    for line in text.splitlines():
        if re.search(r"[\"']", line):
            continue
        if re.search(r"\\[()\[\]]|\$\$|\\frac|\\begin\{", line) or \
                [m for m in re.findall(r"\$[^$\s][^$]*\$", line) if m != "$...$"]:
            raw.append(line.strip())
    assert not raw, f"raw TeX in the PDF's text: {raw[:10]}"


@pytest.mark.parametrize("title,offset,name", [
    pytest.param("1. 평균 제곱 오차", 1, "pdf-page-01_mse.png", id="chapter"),  # formulas, code and a figure
    pytest.param("과제 1. 평균 제곱 오차", 0, "pdf-page-assignment-01_mse.png", id="assignment"),  # a table
])
def test_pages_rendered_for_the_screenshot_folder(pages, title, offset, name):
    start = next((n for n, page in enumerate(pages) if squeeze(page).startswith(squeeze(title))), None)
    if start is None:
        pytest.skip(f"{title} is not in the book")
    number = start + offset + 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / name
    poppler("pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(number), "-l", str(number),
            str(PDF), str(target.with_suffix("")))
    assert target.stat().st_size > 30_000, f"{target} looks empty"

