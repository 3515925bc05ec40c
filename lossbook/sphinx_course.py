"""Course pages: assignment pages under each chapter, and links to chapters that may not exist yet.

Assignment pages: each chapter's student notebook rendered as a page under its chapter.

`_toc.yml` lists `assignments/NN_name/NN_name` as a section of the chapter; this extension
turns that notebook (nbgrader's release version, not executed) into a course page: right
under the title it inserts download buttons for the notebook and for the course package's
wheel (built into the book by `ship_wheel`), the install commands of `lossbook.student_install`
(own machine, Colab, JupyterHub) and how to solve and self-check the notebook. Nothing here is chapter-specific, so a new chapter's assignment
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

from lossbook import student_install

STATIC = Path(__file__).resolve().parent / "static"
ASSIGNMENT_DOC = re.compile(r"^assignments/(?P<id>[^/]+)/(?P=id)$")

GUIDE = """\
:::{{div}} assignment-download
{{download}}`과제 노트북 내려받기 ({filename}) <./{filename}>`
<a class="reference download internal" href="{wheel_href}" download>강의 패키지 내려받기 ({wheel})</a>
:::

아래는 이 노트북을 실행하지 않은 채 보여 주는 미리 보기입니다. 답은 내려받은 노트북에 씁니다.

:::{{admonition}} 환경 준비 (처음 한 번)
:class: tip assignment-guide

과제 노트북은 강의 도우미 패키지 `lossbook`(데이터 생성기, 작은 CNN과 학습 루프, 확인 함수, 자체 점검)을 불러옵니다. 위의 두 파일을 같은 폴더에 내려받으세요.

**내 컴퓨터**(Python 3.11 이상, 가상 환경 권장): 그 폴더의 터미널에서

```{{code-block}} bash
:class: student-install
{own_machine}
```

numpy, SciPy, scikit-learn, PyTorch, JupyterLab 가운데 없거나 너무 오래된 것만 설치하고, 이미 있는 버전이 맞으면 그대로 씁니다. PyTorch가 아직 없다면 먼저 CPU 빌드를 설치하세요. Linux와 Windows에서 그냥 설치하면 수 GB의 CUDA 빌드를 받습니다: `{torch_cpu}` (macOS는 `pip install torch`).

**Colab**: 노트북을 올리고(파일 → 노트북 업로드), 왼쪽 파일 패널에 `{wheel}`을 올린 뒤, 맨 위에 새 코드 셀을 만들어 실행합니다. Colab에 이미 있는 numpy, PyTorch, scikit-learn은 그대로 씁니다. 런타임을 새로 시작하면 다시 실행합니다.

```{{code-block}} bash
:class: colab-install
{colab}
```

**강의 JupyterHub**: 강사가 환경을 준비해 두었으므로 설치할 것이 없습니다. **Assignments** 탭에서 `{id}`을 가져옵니다(fetch).
:::

:::{{admonition}} 풀고 점검하기
:class: tip assignment-guide

1. JupyterLab을 엽니다(`jupyter lab`). `{filename}`을 열고 **"### 이 셀을 먼저 실행하세요"** 셀부터 차례로 실행합니다.
2. `raise NotImplementedError()`가 있는 답 셀을 채우고, 바로 아래 테스트 셀을 실행해 봅니다. 틀리면 무엇이 틀렸는지 한국어 메시지가 나옵니다. 서술형 문제는 `여기에 답을 작성하세요.` 셀에 씁니다.
3. 저장한 뒤 노트북의 마지막 셀(**자체 점검**)을 실행합니다. 터미널에서는 `python -m lossbook check {filename}`입니다. 노트북을 새 커널에서 처음부터 실행해, 보이는 테스트의 결과를 문제별로 알려 줍니다(통과, 또는 실패와 그 메시지). nbgrader가 있는 JupyterLab의 **Validate** 버튼과 같은 결과입니다.
4. 모두 통과하면 제출합니다. 채점할 때는 숨은 테스트(hidden tests)가 더 실행됩니다.

모르는 것은 노트북 맨 끝의 **질문 (선택, 채점하지 않음)** 셀에 씁니다. 점수와 상관없고 강사가 문제별로 모아 읽습니다. 쓰는 순서는 {{doc}}`질문하는 법 </book/appendix/asking>`에 있습니다.
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
    depth = "../" * docname.count("/")
    # an id, as nbformat 4.5 wants of every cell (without one nbformat warns MissingIDFieldWarning)
    cell = {"cell_type": "markdown", "id": "lossbook-assignment-guide", "metadata": {},
            "source": GUIDE.format(filename=filename, id=chapter, wheel=student_install.WHEEL,
                                   wheel_href=f"{depth}{student_install.WHEEL_FOLDER}/{student_install.WHEEL}",
                                   own_machine=student_install.OWN_MACHINE, colab=student_install.COLAB,
                                   torch_cpu=student_install.TORCH_CPU)}
    notebook["cells"].insert(1, cell)
    metadata = notebook.setdefault("metadata", {})
    metadata["mystnb"] = {"execution_mode": "off"}
    # saved ipywidgets state (e.g. a tqdm bar) would make myst-nb load require.js and the widget
    # manager from a CDN; the preview has no outputs, so it needs none of it
    metadata.pop("widgets", None)
    source[0] = json.dumps(notebook, ensure_ascii=False)


def ship_wheel(app, exception):
    """build-finished: the helper package's wheel, which the assignment pages link and tell
    students to install, built from this very checkout into the book's static folder."""
    if exception is None and app.builder.format == "html":
        student_install.build_wheel(Path(app.outdir) / student_install.WHEEL_FOLDER)


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
    app.connect("build-finished", ship_wheel)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
