"""The built book in a real browser (Debian's chromium driven by Playwright), with the network
cut off: math is typeset by the bundled MathJax, figures load, navigation works, the Korean
search finds words inside inflected forms, and screenshots are saved for maintainers."""

import re
import shutil
from urllib.parse import quote

import pytest

from conftest import BUILD, CHAPTERS, HTML, needs_chromium

pytestmark = [
    pytest.mark.book,
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.usefixtures("build_log"),  # the pages must be built before the browser opens them
]
SCREENSHOTS = BUILD / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}

# (query, chapter page expected among the results). Korean queries are mostly words that the text
# only uses with a particle or inside a compound; a chapter that is not in the book yet is skipped.
SEARCHES = [
    ("함수", "book/intro"),   # on every page; the pages about loss functions in general come first
    ("최소 제곱", "book/01_mse"),
    ("조건부 평균", "book/01_mse"),
    ("주택", "book/01_mse"),
    ("least squares", "book/01_mse"),
    ("중앙값", "book/02_mae"),
    ("배달", "book/02_mae"),
    ("median", "book/02_mae"),
    ("스팸", "book/03_bce"),
    ("시그모이드를", "book/03_bce"),
    ("베르누이", "book/03_bce"),
    ("sigmoid", "book/03_bce"),
    ("힌지", "book/04_hinge"),
    ("불량", "book/04_hinge"),
    ("마진", "book/04_hinge"),
    ("hinge", "book/04_hinge"),
    ("교통량", "book/07_huber"),
    ("후버", "book/07_huber"),
    ("이상치", "book/07_huber"),
    ("Huber", "book/07_huber"),
    ("에너지", "book/09_msle"),
    ("상대 오차", "book/09_msle"),
    ("과소 예측", "book/09_msle"),
    ("RMSLE", "book/09_msle"),
    ("용어집", "book/appendix/glossary"),
    ("backpropagation", "book/appendix/glossary"),
    ("라이브러리 대응", "book/appendix/overview"),
    ("수치 안정성", "book/appendix/performance"),
    ("보정", "book/06_log_loss"),
    ("클릭", "book/06_log_loss"),
    ("CTR", "book/06_log_loss"),
    ("소프트맥스", "book/05_softmax_ce"),
    ("진단", "book/05_softmax_ce"),
    ("softmax", "book/05_softmax_ce"),
    ("불균형", "book/08_focal"),
    ("focal", "book/08_focal"),
    ("레이블 스무딩", "book/10_categorical_ce"),
    ("음식 사진", "book/10_categorical_ce"),
    ("label smoothing", "book/10_categorical_ce"),
    ("유사 상품", "book/11_contrastive"),
    ("샴", "book/11_contrastive"),
    ("contrastive", "book/11_contrastive"),
    # compounds: noun + -율, -값, -량 as the text writes them, with a particle, or written together
    ("재현율", "book/08_focal"),
    ("예측값을", "book/appendix/overview"),
    ("기댓값", "book/01_mse"),
    ("확률값", "book/06_log_loss"),
    ("사용량", "book/09_msle"),
    ("손실함수를", "book/intro"),
]
TOP = 5  # the expected page must be among the first TOP results
# phrases: the page about the phrase comes first, above the pages that only mention it
RANKED = [
    ("레이블 스무딩", "book/10_categorical_ce"),
    ("힌지 손실", "book/04_hinge"),
    ("최소 제곱", "book/01_mse"),
    ("초점 손실", "book/08_focal"),   # the glossary's rejected rendering: looked up as focal loss
]


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ko-KR")
    blocked = []

    def offline(route):  # the book must not need the network: anything not file:// is refused
        if route.request.url.startswith("file://"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # console errors too: the theme's "Got invalid theme mode", a search page's CORS refusals
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not blocked, f"the page tried to load from the network: {blocked[:5]}"
    assert not errors, f"JavaScript errors on the page: {errors[:5]}"


def url(docname, query=""):
    return (HTML / f"{docname}.html").as_uri() + query


def open_typeset(page, docname):
    """Open a page and wait until MathJax has typeset it."""
    page.goto(url(docname))
    page.wait_for_function(
        "() => window.MathJax === undefined || (window.MathJax.startup && window.MathJax.startup.promise"
        " && (window.MathJax.startup.promise.then(() => { window.__typeset = true; }), window.__typeset === true))",
        timeout=30_000)


def chapter_pages():
    return [pytest.param(f"book/{c}", id=c) for c in CHAPTERS]


def require_built(docname):
    if not (HTML / f"{docname}.html").exists():
        pytest.skip(f"{docname} is not in the book yet (_toc.yml)")


@pytest.fixture(scope="module")
def screenshot_dir():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def page_params():
    return ([pytest.param("book/intro", id="intro")] + chapter_pages()
            + [pytest.param("book/appendix/overview", id="overview")])


@pytest.mark.parametrize("docname", page_params())
def test_page_renders_offline_and_is_screenshot(page, screenshot_dir, docname):
    """Math typeset by the bundled MathJax (no raw TeX in the prose), every figure loaded, and a
    desktop and a mobile screenshot in _build/screenshots/ (landing page and chapters)."""
    require_built(docname)
    open_typeset(page, docname)
    if docname != "book/intro":
        assert page.locator("mjx-container").count() > 0, f"{docname}: no math was typeset (MathJax missing?)"
    text = page.evaluate("""() => {  // the prose and math, without code blocks and cell outputs
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('pre, code, .cell_output, .highlight').forEach(e => e.remove());
        return main.innerText; }""")
    raw = [m for m in ("$$", "\\[", "\\frac", "\\begin{") if m in text]
    assert not raw, f"{docname}: raw TeX left on the page: {raw}"
    if re.match(r"book/\d\d_", docname):
        sizes = page.eval_on_selector_all(
            "main img", "imgs => imgs.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
        figures = [s for s in sizes if s[0].endswith(".png")]
        assert figures, f"{docname}: no figure"
        broken = [s for s in figures if not (s[1] and s[2] > 0)]
        assert not broken, f"{docname}: figures that did not load: {broken}"
    if docname == "book/appendix/overview":
        return
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)  # let the theme re-layout for the new width
        target = screenshot_dir / f"{docname.split('/')[-1]}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, f"{target} looks empty"
        if name == "mobile":  # on a phone the sidebar is hidden behind the menu button
            assert not page.locator("nav.bd-links").first.is_visible(), f"{docname}: sidebar visible on mobile"


APPENDICES = ["choose", "overview", "performance", "glossary", "asking", "exec_times"]


@pytest.mark.parametrize("docname", [p for p in page_params() if p.values[0] != "book/appendix/overview"]
                         + [pytest.param(f"book/appendix/{a}", id=a) for a in APPENDICES])
def test_no_table_is_wider_than_the_text_column_on_a_desktop(page, docname):
    """A reader at 1280 px sees whole rows: no table needs a sideways scroll."""
    require_built(docname)
    open_typeset(page, docname)
    widths = page.evaluate("""() => [...document.querySelectorAll('article table')].map(t => {
        const column = t.closest('.pst-scrollable-table-container') || t.parentElement;
        return [t.scrollWidth, column.clientWidth, (t.innerText || '').slice(0, 60)]; })""")
    wide = [w for w in widths if w[0] > w[1] + 1]
    assert not wide, f"{docname}: tables wider than the column (table px, column px, start): {wide}"


def test_navigation_from_the_landing_page(page):
    page.goto((HTML / "index.html").as_uri())
    page.wait_for_url(re.compile(r"book/intro\.html"))
    sidebar = page.locator("nav.bd-links")
    for chapter in CHAPTERS:
        if (HTML / "book" / f"{chapter}.html").exists():
            assert sidebar.locator(f'a[href$="{chapter}.html"]').count() >= 1, f"{chapter} is not in the sidebar"
    for appendix in APPENDICES:
        assert sidebar.locator(f'a[href$="appendix/{appendix}.html"]').count() == 1, f"appendix {appendix} missing"
    first = sorted(c for c in CHAPTERS if (HTML / "book" / f"{c}.html").exists())[0]
    page.locator("a.right-next").click()   # the opening page (one lens over the losses) comes first
    page.wait_for_url(re.compile(r"book/likelihood\.html"))
    page.locator("a.right-next").click()
    page.wait_for_url(re.compile(rf"book/{first}\.html"))
    assert page.title().startswith(page.locator("main h1").first.inner_text().strip("#").strip()[:10])
    page.locator("a.right-next").click()  # the next page of a chapter is its assignment
    page.wait_for_url(re.compile(rf"assignments/{first}/{first}\.html"))
    assert page.get_by_text("환경 준비 (처음 한 번)").count() >= 1
    page.locator("a.left-prev").click()
    page.wait_for_url(re.compile(rf"book/{first}\.html"))


def search(page, query, base=None):
    """Run a query on the search page (from files, or under `base` over HTTP); returns the result
    pages in order and their snippets (HTML)."""
    page.goto((f"{base}/search.html" if base else url("search")) + "?q=" + quote(query))
    page.wait_for_selector("#search-results[data-state=done]", timeout=20_000)
    results = page.eval_on_selector_all(
        "#search-results ul.search li",
        "items => items.map(i => [i.querySelector('a').getAttribute('href'), i.querySelector('p.context').innerHTML])")
    found = []
    for href, _ in results:
        path = href.split("#")[0].split("?")[0].removeprefix("./")
        if path.endswith(".html") and path[:-5] not in found:
            found.append(path[:-5])
    return found, [snippet for _, snippet in results]


@pytest.mark.parametrize("query,docname", SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_chapter(page, query, docname):
    require_built(docname)
    found, _ = search(page, query)
    assert docname in found[:TOP], f"search {query!r}: expected {docname} in the first {TOP}, got {found[:10]}"


@pytest.mark.parametrize("query,docname", RANKED, ids=[q for q, _ in RANKED])
def test_search_ranks_the_page_about_a_phrase_first(page, query, docname):
    require_built(docname)
    found, _ = search(page, query)
    assert found and found[0] == docname, f"search {query!r}: expected {docname} first, got {found[:5]}"


TEX = ("\\(", "\\)", "\\[", "\\]", "$", "\\frac", "\\varepsilon")


def check_snippets(snippets, morpheme):
    assert snippets, "no result"
    assert f'<span class="highlighted">{morpheme}</span>' in snippets[0], \
        f"the first snippet does not highlight {morpheme!r}: {snippets[0]}"
    raw = [s for s in snippets if any(t in s for t in TEX)]
    assert not raw, f"TeX in the snippets: {raw[:2]}"


def test_search_snippet_from_files_highlights_the_morpheme(page):
    """From file:// (no fetch, so no CORS error): the snippet comes from the section's text in
    the index, has the query's words highlighted (손실함수 as the book's 손실 함수) and no TeX."""
    _, snippets = search(page, "손실함수")   # split into the book's words, highlighted as the phrase
    check_snippets(snippets, "손실 함수")
    _, snippets = search(page, "초점 손실")   # the book's word for it: focal loss
    check_snippets(snippets, "focal")
    _, snippets = search(page, "그래디언트 유도")   # sections full of formulas: none left raw
    check_snippets(snippets, "그래디언트")


def test_search_a_rejected_rendering_finds_the_books_word(page):
    """A reader who types a rendering the book does not use (the glossary's 쓰지 않는 표기:
    초점 손실) gets the chapter that uses the book's word (focal loss), and is told so; the
    summary's particle follows the word (교차 엔트로피와, 손실과, focal loss와(과))."""
    require_built("book/08_focal")
    found, _ = search(page, "초점 손실")
    assert found and found[0] == "book/08_focal", f"search '초점 손실': got {found[:5]}"
    note = page.locator("p.search-synonym").inner_text()
    assert note == "이 책의 표기는 ‘focal loss’입니다(‘초점 손실’은 쓰지 않습니다).", note
    assert "‘focal loss’와(과) 일치하는" in page.locator("p.search-summary").inner_text()
    for query, particle in (("교차 엔트로피", "와"), ("손실", "과")):
        search(page, query)
        assert f"‘{query}’{particle} 일치하는" in page.locator("p.search-summary").inner_text()
        assert page.locator("p.search-synonym").count() == 0


@pytest.fixture(scope="module")
def http_book():
    """The built book over `python -m http.server` on localhost (the module's own server)."""
    import subprocess
    import sys
    import time
    import urllib.request
    from conftest import free_port
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=HTML, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/search.html", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture()
def http_page(browser, http_book):
    """A page that may load from the local server only; records every response's size."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ko-KR")
    blocked, errors, loaded = [], [], []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(http_book)
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("requestfinished", lambda request: loaded.append(
        (request.resource_type, request.url, len(request.response().body()))))
    page.loaded = loaded
    yield page
    context.close()
    assert not blocked, f"the page tried to load from the network: {blocked[:5]}"
    assert not errors, f"console errors: {errors[:5]}"


def test_search_snippet_over_http_highlights_the_morpheme(http_page, http_book):
    require_built("book/appendix/glossary")
    _, snippets = search(http_page, "손실함수", base=http_book)
    check_snippets(snippets, "손실 함수")


# Page weight (bytes of JavaScript a page loads, measured over HTTP): a chapter page loads
# MathJax (1.1 MB, the bulk) and the theme's scripts; a page without math loads no MathJax.
# No page loads Font Awesome's JavaScript (1.5 MB) or the search index (only the search page).
JS_BUDGET = {"book/05_softmax_ce": 1400 * 1024, "book/appendix/asking": 200 * 1024}


@pytest.mark.parametrize("docname", list(JS_BUDGET))
def test_javascript_a_page_loads_is_within_its_budget(http_page, http_book, docname):
    require_built(docname)
    http_page.goto(f"{http_book}/{docname}.html", wait_until="load")
    http_page.wait_for_timeout(500)
    scripts = [(u, n) for kind, u, n in http_page.loaded if kind == "script"]
    total = sum(n for _, n in scripts)
    assert not [u for u, _ in scripts if "fontawesome" in u or "searchindex" in u], scripts
    assert total <= JS_BUDGET[docname], \
        f"{docname} loads {total / 1024:.0f} KB of JavaScript (budget {JS_BUDGET[docname] / 1024:.0f} KB): " \
        + ", ".join(f"{u.rsplit('/', 1)[-1]} {n / 1024:.0f} KB" for u, n in sorted(scripts, key=lambda s: -s[1])[:5])


def every_page():
    pages = sorted(str(p.relative_to(HTML).with_suffix("")) for p in HTML.glob("**/*.html")
                   if not p.relative_to(HTML).parts[0].startswith("_") and p.name != "index.html") \
        if HTML.exists() else []
    return pages or ["book/intro"]


@pytest.mark.parametrize("docname", every_page())
def test_no_page_scrolls_sideways_on_a_phone(page, docname):
    """At 390 px nothing is wider than the screen: long inline code wraps, a wide display
    equation scrolls inside its own box."""
    require_built(docname)
    page.set_viewport_size(VIEWPORTS["mobile"])
    open_typeset(page, docname)
    widths = page.evaluate("""() => { const W = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('article *')].filter(e => {
            const r = e.getBoundingClientRect(); if (r.right <= W + 1 || !r.width) return false;
            for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= W + 1) return false; }
            return true; }).slice(0, 3).map(e => [e.tagName, Math.round(e.getBoundingClientRect().right), (e.textContent || '').slice(0, 50)]);
        return [document.documentElement.scrollWidth, W, wide]; }""")
    assert widths[0] <= widths[1] and not widths[2], \
        f"{docname}: the page is {widths[0]} px wide on a {widths[1]} px phone; too wide: {widths[2]}"


SEARCH_BOXES = "form.bd-search, button.search-button-field, button.search-button"


@pytest.mark.parametrize("docname", ["book/05_softmax_ce", "search"])
def test_one_search_box_per_layout(page, docname):
    """Desktop: the sidebar's box (or the search page's own field); phone: the magnifier at the
    top right (or, on the search page, its field). Never a second one in a header strip."""
    require_built("book/05_softmax_ce")
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(url(docname))
        page.wait_for_timeout(300)
        visible = [b for b in page.locator(SEARCH_BOXES).all() if b.is_visible()]
        assert len(visible) == 1, f"{docname} ({name}): {len(visible)} search boxes visible"


def test_footer_names_the_authors_in_korean(page):
    page.goto(url("book/intro"))
    footer = page.locator(".bd-footer-content").first.inner_text()
    assert "손실 함수 강의 팀 지음" in footer and "으로" not in footer, footer
    assert "© 2026" in footer and "Copyright" not in footer, footer
