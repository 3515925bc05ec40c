"""Course pages: assignment pages under each chapter, and links to chapters that may not exist yet.

Assignment pages: each chapter's student notebook rendered as a page under its chapter.

`_toc.yml` lists `assignments/NN_name/NN_name` as a section of the chapter; this extension
turns that notebook (nbgrader's release version, not executed) into a course page: right
under the title it inserts a download button for the notebook itself and a short
"JupyterLab에서 열기" guide. Nothing here is chapter-specific, so a new chapter's assignment
page needs only its toc line.

The `chapter` role links a chapter by id where the appendices name one:
``{chapter}`5장 소프트맥스 교차 엔트로피 <05_softmax_ce>` `` is a link to `book/05_softmax_ce`
when that page is in the book (in `_toc.yml`), and plain text marked "(준비 중)" until then,
so appendices can name all eleven chapters and a new chapter needs only its toc line.

Enable with `sphinx: extra_extensions: [lossbook.sphinx_course]` in `_config.yml`.
"""

import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
ASSIGNMENT_DOC = re.compile(r"^assignments/(?P<id>[^/]+)/(?P=id)$")

GUIDE = """\
:::{{div}} assignment-download
{{download}}`⬇ 과제 노트북 내려받기 ({filename}) <./{filename}>`
:::

아래는 이 노트북을 실행하지 않은 채 보여 주는 미리 보기입니다. 답은 내려받은 노트북에 JupyterLab에서 작성합니다.

:::{{admonition}} JupyterLab에서 열기
:class: tip assignment-guide

1. 위 버튼으로 `{filename}`을 내려받아 작업할 폴더에 둡니다. 강사가 JupyterHub나 nbgrader로 배포했다면 **Assignments** 탭에서 `{id}`을 가져옵니다(fetch).
2. 강의 환경에서 JupyterLab을 엽니다: `jupyter lab` (저장소를 받았다면 `.venv/bin/jupyter lab`). 노트북은 `lossbook` 패키지를 불러오므로 `requirements.txt`로 만든 환경이 필요합니다.
3. 파일 브라우저에서 `{filename}`을 열고 **"### 이 셀을 먼저 실행하세요"** 셀부터 차례로 실행합니다.
4. `raise NotImplementedError()`가 있는 답 셀을 채우고, 바로 아래 테스트 셀을 실행해 봅니다. 틀리면 무엇이 틀렸는지 한국어 메시지가 나옵니다. 서술형 문제는 `여기에 답을 작성하세요.` 셀에 씁니다.
5. **Kernel → Restart Kernel and Run All Cells**로 처음부터 다시 실행한 뒤, 툴바의 **Validate** 버튼을 누릅니다. 통과하면 저장해서 제출합니다. 채점할 때는 숨은 테스트(hidden tests)가 더 실행됩니다.
:::
"""


def assignment_id(docname):
    match = ASSIGNMENT_DOC.match(docname)
    return match["id"] if match else None


def add_download_and_guide(app, docname, source):
    """source-read: insert the download button and the guide after the notebook's title cell,
    and switch execution off for this page (the student version only raises NotImplementedError)."""
    chapter = assignment_id(docname)
    if chapter is None or not app.env.doc2path(docname).endswith(".ipynb"):
        return
    notebook = json.loads(source[0])
    filename = f"{chapter}.ipynb"
    cell = {"cell_type": "markdown", "metadata": {},
            "source": GUIDE.format(filename=filename, id=chapter)}
    notebook["cells"].insert(1, cell)
    metadata = notebook.setdefault("metadata", {})
    metadata["mystnb"] = {"execution_mode": "off"}
    # saved ipywidgets state (e.g. a tqdm bar) would make myst-nb load require.js and the widget
    # manager from a CDN; the preview has no outputs, so it needs none of it
    metadata.pop("widgets", None)
    source[0] = json.dumps(notebook, ensure_ascii=False)


def add_static_path(app, config):
    config.html_static_path.append(str(STATIC))


def chapter_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{chapter}`제목 <NN_name>`: a doc link if book/NN_name is built, else "제목 (준비 중)"."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.util.nodes import split_explicit_title

    has_title, title, chapter = split_explicit_title(text)
    env = inliner.document.settings.env
    target = f"book/{chapter}"
    if target not in env.found_docs:
        return [nodes.inline(rawtext, f"{title} (준비 중)", classes=["chapter-pending"])], []
    ref = addnodes.pending_xref(rawtext, refdomain="std", reftype="doc", reftarget=f"/{target}",
                                refexplicit=has_title, refwarn=True, refdoc=env.docname)
    ref += nodes.inline(rawtext, title, classes=["xref", "std", "std-doc"])
    return [ref], []


DIGEST_MARKER = "# lossbook: solutions-digest"


def solutions_digest(srcdir):
    """A hash of every solution notebook and of the lossbook code that reads them: pages computed
    from the solutions (the performance appendix) carry it in their code, so jupyter-cache
    re-executes them when a solution (or that code) changes."""
    import hashlib

    digest = hashlib.sha256()
    code = [Path(__file__).with_name(name) for name in ("implementation_bench.py", "notebooks.py")]
    for path in code + sorted(Path(srcdir).glob("solutions/*/*.ipynb")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def stamp_solutions_digest(app, docname, source):
    """source-read: `# lossbook: solutions-digest` in a page becomes `... <hash>`."""
    if DIGEST_MARKER in source[0]:
        source[0] = source[0].replace(DIGEST_MARKER, f"{DIGEST_MARKER} {solutions_digest(app.srcdir)}")


def outdated_by_solutions(app, env, added, changed, removed):
    """env-get-outdated: re-read the pages that carry the digest when the solutions changed."""
    digest = solutions_digest(app.srcdir)
    if getattr(env, "lossbook_solutions_digest", None) == digest:
        return []
    env.lossbook_solutions_digest = digest
    pages = []
    for docname in env.found_docs:
        path = Path(env.doc2path(docname))
        if path.suffix == ".md" and DIGEST_MARKER in path.read_text(encoding="utf-8"):
            pages.append(docname)
    return pages


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """html-page-context: sphinx-thebe (always loaded by Jupyter Book) registers its inline
    `const THEBE_JS_URL = ...` script twice (once with filename None, once with ""), which is a
    JavaScript error on every page."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (str(getattr(script, "filename", script) or ""), repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"][:] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("source-read", stamp_solutions_digest)
    app.connect("env-get-outdated", outdated_by_solutions)
    app.add_role("chapter", chapter_role)
    app.connect("config-inited", add_static_path)
    app.add_css_file("lossbook.css")
    app.connect("source-read", add_download_and_guide)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
