"""The whole book as one PDF, from the built HTML: the pages in the order of the book's table of
contents (its sidebar) are put into one document, typeset by the bundled MathJax, and printed by
Debian's chromium (Playwright, offline) with the print styles of static/print.css.

    python -m lossbook.book_pdf [_build/html]      # writes _build/html/_static/lossbook.pdf

As a Sphinx extension (_config.yml) it does the same at the end of every HTML build of the book
(about 20 s idle), so that the landing page's link to the PDF always resolves; it is skipped
when the PDF is newer than every page (and than this module and print.css), and when chromium is not installed.

One document rather than one PDF per page: page numbers run through the book, the fonts are
embedded once, links between pages become links inside the PDF, and the PDF's bookmarks are the
book's headings. Links to local files (the notebooks to download) are kept as text: a file://
link means nothing in a PDF that travels."""

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

CHROMIUM = "/usr/bin/chromium"
PDF_NAME = "_static/lossbook.pdf"  # inside the built HTML, next to the book's other static files
PRINT_CSS = Path(__file__).resolve().parent / "static" / "print.css"
# the printable width of an A4 page with print.css's margins (210 mm - 2 x 16 mm), in CSS pixels:
# the document is laid out and measured at this width before printing
COLUMN_PX = round((210 - 2 * 16) / 25.4 * 96)


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _root_page(html):
    """The landing page: index.html only redirects to it."""
    meta = _soup(html / "index.html").find("meta", attrs={"http-equiv": "Refresh"})
    return (html / meta["content"].split("url=", 1)[1]).resolve()


def table_of_contents(html):
    """[(part caption or None, page path, title, level)] in reading order, from the landing
    page's sidebar: the root page, then every toctree entry (chapters and their assignments)."""
    root = _root_page(html)
    nav = _soup(root).select_one("nav.bd-links")
    entries = [(None, root, nav.select_one(".bd-sidenav__home-link a").get_text(" ", strip=True), 0)]
    caption = None
    for element in nav.find_all(["p", "li"]):
        if element.name == "p" and "caption" in element.get("class", []):
            caption = element.get_text(" ", strip=True)
        elif element.name == "li" and "bd-sidenav__home-link" not in element.parent.get("class", []):
            link = element.find("a", recursive=False)
            level = int(next(c for c in element["class"] if c.startswith("toctree-l"))[len("toctree-l"):])
            entries.append((caption, (root.parent / link["href"]).resolve(), link.get_text(" ", strip=True), level))
            caption = None  # a caption heads the first entry of its part only
    return entries


def _slug(html, page):
    return page.relative_to(html).with_suffix("").as_posix().replace("/", "--")


def _page_article(html, page, slugs):
    """The article of one built page, with ids made unique in the book, links to other pages of
    the book turned into #anchors, images as absolute file URLs and local file links unwrapped."""
    article = _soup(page).select_one("article.bd-article")
    prefix = _slug(html, page) + "--"
    for tag in article.select("a.headerlink, script, .toggle-button, button"):
        tag.decompose()
    for tag in article.find_all("details"):
        tag["open"] = ""  # folded content (hidden cell inputs, dropdowns) is printed open
    for tag in article.find_all(id=True):
        tag["id"] = prefix + tag["id"]
    base = page.as_uri()
    for tag in article.find_all(src=True):
        tag["src"] = urljoin(base, tag["src"])
    for link in article.find_all("a", href=True):
        href = link["href"]
        if urlsplit(href).scheme in ("http", "https", "mailto"):
            continue
        target, fragment = urldefrag(urljoin(base, href))
        target_path = Path(urlsplit(target).path)
        if target_path in slugs:
            link["href"] = "#" + (f"{slugs[target_path]}--{fragment}" if fragment else slugs[target_path])
        else:
            link.unwrap()  # a download or a source file: its name stays, the file:// link goes
    return article


def _contents_page(title, entries, slugs):
    """The first sheet: the book's title and its table of contents (parts, chapters and
    assignments, linked to their pages)."""
    lines = [f'<nav class="pdf-contents"><p class="pdf-title">{title}</p><h1>차례</h1>']
    for caption, page, title, level in entries[1:]:
        if caption:
            lines.append(f'<p class="pdf-part">{caption}</p>')
        lines.append(f'<p class="pdf-entry pdf-level{level}"><a href="#{slugs[page]}">{title}</a></p>')
    lines.append("</nav>")
    return "\n".join(lines)


def combined_document(html):
    """One HTML document holding the whole book, to be opened from a file in `html`."""
    html = Path(html).resolve()
    entries = table_of_contents(html)
    slugs = {page: _slug(html, page) for _, page, _, _ in entries}
    # the head of a page with math: the book's styles and the MathJax configuration and script
    head_page = next(p for p in slugs if "mathjax/tex-chtml.js" in p.read_text(encoding="utf-8"))
    head = _soup(head_page).head
    keep = []
    for tag in head.find_all(["link", "script"]):
        if tag.name == "link" and "stylesheet" in tag.get("rel", []):
            tag["href"] = urljoin(head_page.as_uri(), tag["href"])
            keep.append(str(tag))
        elif tag.name == "script" and ("mathjax" in tag.get("src", "") or "MathJax" in tag.get_text()):
            if tag.get("src"):
                tag["src"] = urljoin(head_page.as_uri(), tag["src"])
            keep.append(str(tag))
    title = _soup(entries[0][1]).select_one(".logo__title")
    title = title.get_text(strip=True) if title else entries[0][2]
    body = [_contents_page(title, entries, slugs)]
    for _, page, _, level in entries:
        article = _page_article(html, page, slugs)
        body.append(f'<div class="pdf-page pdf-level{level}" id="{slugs[page]}">{article.decode_contents()}</div>')
    return (f'<!DOCTYPE html>\n<html lang="ko" data-theme="light" data-mode="light"><head>'
            f'<meta charset="utf-8"><title>{title}</title>{"".join(keep)}'
            f"<style>{PRINT_CSS.read_text(encoding='utf-8')}</style></head>"
            f'<body><main class="bd-main"><article class="bd-article">{"".join(body)}'
            f"</article></main></body></html>")


# After MathJax: elements still wider than the column (a long display equation, a wide table, a
# wide figure) are scaled down to fit it; returns what was scaled, for the log.
_FIT_TO_COLUMN = """(column) => {
  const scaled = [];
  const wide = 'mjx-container[display="true"], table, .cell_output img, .cell_output .output, figure img';
  for (const el of document.querySelectorAll(wide)) {
    const width = el.scrollWidth;
    if (width > column + 1) {
      el.style.zoom = (column / width).toFixed(3);
      scaled.push(`${el.tagName.toLowerCase()} ${width}px`);
    }
  }
  return scaled;
}"""
# After the scaling: what still reaches past the column (Chromium would clip it at the page's
# edge or inside a scrolling box, silently); MathJax's hidden copy for screen readers aside.
_WIDER_THAN_COLUMN = """(column) => [...document.querySelectorAll('article *')]
  .filter(e => e.getBoundingClientRect().right > column + 1 && !e.closest('mjx-assistive-mml'))
  .map(e => `${e.tagName.toLowerCase()} ${Math.round(e.getBoundingClientRect().right)}px: `
            + (e.textContent || e.getAttribute('src') || '').trim().slice(0, 60))"""


def build_pdf(html, out=None, log=print):
    """Print the built book in `html` to one PDF (default <html>/_static/lossbook.pdf); returns
    its path."""
    from playwright.sync_api import sync_playwright

    html = Path(html).resolve()
    out = Path(out) if out else html / PDF_NAME
    start = time.monotonic()
    source = html / "_static" / "lossbook-print.html"  # beside the book's files, so that they resolve
    source.write_text(combined_document(html), encoding="utf-8")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": COLUMN_PX, "height": 1200})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                       else route.abort())  # offline: nothing but the built book
            page.emulate_media(media="print")
            page.goto(source.as_uri(), wait_until="load")
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                " && (MathJax.startup.promise.then(() => { window.__typeset = true; }), window.__typeset === true)",
                timeout=300_000)
            page.evaluate("document.fonts.ready")
            scaled = page.evaluate(_FIT_TO_COLUMN, COLUMN_PX)
            wide = page.evaluate(_WIDER_THAN_COLUMN, COLUMN_PX)
            if wide:
                raise RuntimeError(f"the book's PDF: {len(wide)} elements wider than the {COLUMN_PX} px "
                                   "column (print.css should wrap them):\n" + "\n".join(wide[:20]))
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), prefer_css_page_size=True, print_background=True, tagged=False)
            browser.close()
    finally:
        source.unlink(missing_ok=True)
    log(f"PDF: {out} ({out.stat().st_size / 1e6:.1f} MB, {time.monotonic() - start:.0f} s; "
        f"scaled to the {COLUMN_PX} px column: {', '.join(scaled) or 'nothing'})")
    return out


def _pdf_is_current(html, out):
    """The PDF is newer than every page of the book and than this module and its styles."""
    sources = [p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts]
    sources += [Path(__file__), PRINT_CSS]
    return out.exists() and out.stat().st_mtime > max(p.stat().st_mtime for p in sources)


def _after_build(app, exception):
    html = Path(app.outdir)
    if exception is not None or app.builder.name != "html":
        return
    from sphinx.util import logging
    logger = logging.getLogger(__name__)
    if not Path(CHROMIUM).exists():
        logger.info(f"book PDF skipped: {CHROMIUM} is not installed")
    elif _pdf_is_current(html, html / PDF_NAME):
        logger.info(f"book PDF is up to date: {html / PDF_NAME}")
    else:
        build_pdf(html, log=logger.info)


def setup(app):
    app.connect("build-finished", _after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default="_build/html", help="the built book (default _build/html)")
    parser.add_argument("--out", help=f"the PDF (default <html>/{PDF_NAME})")
    parser.add_argument("--force", action="store_true", help="print again even if the PDF is newer than the pages")
    args = parser.parse_args(argv)
    html = Path(args.html)
    if not (html / "index.html").exists():
        sys.exit(f"{html} has no built book: run `make book` first")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is not installed (Debian package chromium)")
    out = Path(args.out) if args.out else html / PDF_NAME
    if not args.force and _pdf_is_current(html, out):
        print(f"PDF: {out.resolve()} is up to date ({out.stat().st_size / 1e6:.1f} MB)")
    else:
        build_pdf(html, out)


if __name__ == "__main__":
    main()
