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
    ("함수", "book/01_mse"),
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
]
TOP = 5  # the expected page must be among the first TOP results


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
    # Sphinx's search page fetches each result page for a summary, which file:// refuses
    # ("Failed to fetch"); the results themselves do not depend on it.
    page.on("pageerror", lambda error: errors.append(str(error))
            if not ("search.html" in page.url and "Failed to fetch" in str(error)) else None)
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


@pytest.mark.parametrize("query,docname", SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_chapter(page, query, docname):
    require_built(docname)
    page.goto(url("search", "?q=" + quote(query)))
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results'); "
        "return s && s.querySelector('p.search-summary') && "
        "!s.querySelector('p.search-summary').textContent.includes('…') || "
        "(s && s.querySelectorAll('ul.search li').length > 0 && !document.querySelector('#search-progress')?.textContent); }",
        timeout=20_000)
    page.wait_for_timeout(300)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        path = href.split("#")[0].split("?")[0]
        if path.endswith(".html") and path[:-5] not in found:
            found.append(path[:-5])
    assert docname in found[:TOP], f"search {query!r}: expected {docname} in the first {TOP}, got {found[:10]}"
