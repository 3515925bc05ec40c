"""The book as a reader meets it: what a page loads, its layout templates, a quiet build.

* Templates (`lossbook/templates`): the page layout without Font Awesome's 1.5 MB JavaScript
  (the theme's CSS and webfont draw the same icons) and without Sphinx's search tools and index
  on every page (only the search page searches: `search.html`, `lossbook.sphinx_korean_search`);
  the footer's author and copyright lines in Korean (`author.html`, `copyright.html`).
* MathJax only on pages with math: Sphinx adds it to a page when the page *or a page in its
  toctree* has math, so the landing page (whose toctree is the whole book) loaded 1.1 MB of
  MathJax for no formula. `html-page-context` drops it where the page itself has none.
* No sphinx-design or sphinx-thebe CSS/JavaScript on a page that has none of their elements.
* The book's kernels talk to Jupyter over CurveZMQ-encrypted sockets (jupyter_client's
  `transport_encryption = "auto"`: used when the kernelspec declares it, as ipykernel's does),
  so ipykernel no longer warns "Kernel is running over TCP without encryption" once per page.
* The execution-times table (`{nb-exec-table}`, myst-nb) gets Korean column headers.

Enable with `sphinx: extra_extensions: [lossbook.sphinx_reader]` in `_config.yml`.
"""

from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

TEMPLATES = Path(__file__).resolve().parent / "templates"

EXEC_TABLE_HEADERS = {"Document": "페이지", "Modified": "수정 시각", "Method": "실행 방식",
                      "Run Time (s)": "실행 시간(초)", "Status": "결과"}
# cells: the execution mode, and the status in words (the emoji ✅/❌ is a box without an emoji font)
EXEC_METHODS = {"cache": "캐시", "force": "매번 실행", "inline": "인라인", "off": "실행 안 함",
                "✅": "성공", "❌": "실패"}


def add_templates(app, config):
    config.templates_path.insert(0, str(TEMPLATES))


def mathjax_only_where_there_is_math(app, pagename, templatename, context, doctree):
    """html-page-context, after sphinx.ext.mathjax: no MathJax on a page without math of its own."""
    domain = app.env.get_domain("math")
    if domain.data["has_equations"].get(pagename, False) or "script_files" not in context:
        return
    mathjax = app.config.mathjax_path

    def is_mathjax(script):
        filename = str(getattr(script, "filename", script) or "")
        body = getattr(script, "attributes", {}).get("body", "")
        return filename.endswith(mathjax) or body.startswith("window.MathJax")
    context["script_files"][:] = [s for s in context["script_files"] if not is_mathjax(s)]


# assets of extensions Jupyter Book always loads, dropped from a page that does not use them:
# sphinx-design (53 KB of CSS; no page has a card, grid or tab) and sphinx-thebe (launch buttons
# are off, so nothing starts it)
UNUSED_ASSETS = {"sphinx-design.min.css": 'class="sd-', "design-tabs.js": 'class="sd-tab',
                 "sphinx-thebe.css": 'class="thebe', "sphinx-thebe.js": 'class="thebe'}


def drop_unused_assets(app, pagename, templatename, context, doctree):
    """html-page-context: no CSS or JavaScript of an extension the page's body does not use."""
    body = context.get("body", "")

    def unused(asset):
        name = str(getattr(asset, "filename", asset) or "").rsplit("/", 1)[-1]
        return name in UNUSED_ASSETS and UNUSED_ASSETS[name] not in body
    for key in ("css_files", "script_files"):
        if key in context:
            context[key][:] = [a for a in context[key] if not unused(a)]


class KoreanExecTable(SphinxPostTransform):
    """The `{nb-exec-table}` table (myst-nb, English headers) with Korean headers, modes and status."""

    default_priority = 20  # after myst-nb's ExecutionStatsPostTransform (8)

    def run(self, **kwargs):
        english = list(EXEC_TABLE_HEADERS)
        for table in self.document.findall(nodes.table):
            heads = [e.astext() for e in table.findall(nodes.entry) if isinstance(e.parent.parent, nodes.thead)]
            if heads != english:
                continue
            for entry in table.findall(nodes.entry):
                paragraph = entry.next_node(nodes.paragraph)
                if paragraph is None or len(paragraph.children) != 1 or not isinstance(paragraph[0], nodes.Text):
                    continue
                text = paragraph.astext()
                korean = EXEC_TABLE_HEADERS.get(text) if isinstance(entry.parent.parent, nodes.thead) \
                    else EXEC_METHODS.get(text)
                if korean:
                    paragraph.replace(paragraph[0], nodes.Text(korean))


def encrypted_kernels(app, config):
    """CurveZMQ between the build and its kernels (see the module docstring)."""
    from jupyter_client.manager import KernelManager

    KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def setup(app):
    app.connect("config-inited", add_templates)
    app.connect("config-inited", encrypted_kernels)
    app.connect("html-page-context", mathjax_only_where_there_is_math, priority=900)
    app.connect("html-page-context", drop_unused_assets, priority=900)
    app.add_post_transform(KoreanExecTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
