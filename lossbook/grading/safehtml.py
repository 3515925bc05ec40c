"""Student HTML made inert before anyone sees it: the Korean feedback and nbgrader's
formgrader (which renders a submission in the instructor's logged-in Jupyter session).

`StudentHTML` is an nbconvert preprocessor registered on every `HTMLExporter` of a grading
folder (`HTML_CONFIG`: course_config for the feedback, the written nbgrader_config.py for
formgrader and any nbgrader command run there), next to `HTMLExporter.sanitize_html = True`.
It does not rely on the templates: nbgrader's formgrade template and our feedback template
render markdown cells without nbconvert's `clean_html`, and the classic template writes image
width/height unquoted and lets `javascript:` links through markdown. So, on the copy of the
notebook that is rendered:
- markdown (and raw) cells: rendered to HTML exactly as the templates do and parsed as a
  browser would (html5lib); if that HTML has any tag, attribute or URL outside a small
  allowlist (scripts, event handlers, iframes, forms, styles, `javascript:`/`data:` links...),
  the cell is shown as literal text instead, with a Korean note; honest markdown is untouched;
- outputs: only text, HTML and markdown (cleaned by bleach, then checked the same way),
  LaTeX, PNG/JPEG (base64 only) and SVG without scripts are kept; JavaScript, widgets and
  unknown types become a Korean note; output metadata keeps only numeric width/height;
- attachments: only PNG/JPEG/GIF images; notebook metadata: no widget state.
"""

import re

from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode

try:
    from bleach._vendor import html5lib   # the browser's HTML parsing algorithm (bleach's own copy)
except ImportError:   # pragma: no cover
    import html5lib

HTML_CONFIG = {"sanitize_html": True, "preprocessors": ["lossbook.grading.safehtml.StudentHTML"]}

TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s", "del", "ins",
        "code", "pre", "kbd", "samp", "var", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "img",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "span", "div",
        "sup", "sub", "small", "abbr", "mark", "q", "cite", "figure", "figcaption", "details", "summary",
        "html", "head", "body"}
ATTRIBUTES = {"href", "src", "alt", "title", "id", "class", "align", "colspan", "rowspan", "width", "height",
              "start", "border", "valign", "scope", "open"}
URL_ATTRIBUTES = {"href", "src"}
SAFE_STYLE = re.compile(r"^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.I)
SAFE_SCHEMES = {"http", "https", "mailto", "attachment"}
SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif);base64,[a-z0-9+/=\s]*$", re.I)
BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
SVG_DANGER = re.compile(r"<\s*(script|foreignobject|iframe|object|embed|use|handler|animate|set)\b|\bon[a-z]+\s*="
                        r"|javascript\s*:|href\s*=\s*['\"]?\s*(?!#|data:image/)[a-z]", re.I)
KEEP_OUTPUT = {"text/plain", "text/latex", "image/png", "image/jpeg"}
CLEANED_OUTPUT = {"text/html", "text/markdown"}
HIDDEN = "(안전을 위해 보여 주지 않는 학생 출력입니다: {kinds})"
LITERAL = "*(이 셀에는 스크립트나 이벤트 처리기 같은 HTML이 있어, 안전을 위해 글자 그대로 보여 줍니다.)*"


def _scheme(url):
    url = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    if url.startswith("data:"):
        return "data"
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", url)
    return match.group(1) if match else None


def unsafe(html):
    """Why this HTML could run something in a browser (a short reason), or None."""
    tree = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):   # comments and the like
            continue
        if tag == "DOCUMENT_FRAGMENT":
            continue
        name = tag.split("}")[-1].lower()
        if name not in TAGS:
            return f"<{name}>"
        for attribute, value in element.attrib.items():
            attribute = str(attribute).split("}")[-1].lower()
            if attribute == "style" and SAFE_STYLE.match(value or ""):
                continue
            if attribute not in ATTRIBUTES:
                return f"{attribute}="
            if attribute in URL_ATTRIBUTES:
                scheme = _scheme(value or "")
                if scheme == "data" and attribute == "src" and SAFE_DATA.match(re.sub(r"\s", "", value)):
                    continue
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    return f"{attribute}={scheme}:"
    return None


def _literal(text):
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{LITERAL}\n\n{fence}text\n{text}\n{fence}\n"


class StudentHTML(Preprocessor):
    """See the module docstring."""

    def preprocess(self, nb, resources):
        widgets = nb.get("metadata", {}).pop("widgets", None)
        del widgets
        self._bleach = SanitizeHTML(parent=self)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            cell.metadata["tags"] = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        if cell.cell_type in ("markdown", "raw"):
            self._clean_attachments(cell)
            source = cell.source if isinstance(cell.source, str) else ""
            if cell.cell_type == "raw":
                cell.metadata.pop("raw_mimetype", None)
                cell.metadata.pop("format", None)
            if unsafe(markdown2html_mistune(source)) or (cell.cell_type == "raw" and unsafe(source)):
                if cell.cell_type == "raw":
                    cell.source = self._bleach.sanitize_html_tags(source)
                else:
                    cell.source = _literal(source)
        elif cell.cell_type == "code":
            cell.outputs = [self._clean_output(o) for o in cell.get("outputs", [])]
        return cell, resources

    def _clean_attachments(self, cell):
        attachments = cell.get("attachments")
        if not attachments:
            return
        kept = {}
        for name, bundle in (attachments.items() if isinstance(attachments, dict) else []):
            if not isinstance(bundle, dict):
                continue
            good = {k: v for k, v in bundle.items()
                    if k in ("image/png", "image/jpeg", "image/gif") and isinstance(v, str) and BASE64.match(v)}
            if good and re.match(r"^[\w.\- ]+$", str(name)):
                kept[name] = good
        cell.attachments = kept

    def _clean_output(self, output):
        kind = output.get("output_type")
        if kind == "stream":
            output.text = output.get("text") if isinstance(output.get("text"), str) else ""
            return output
        if kind == "error":
            output.ename = str(output.get("ename", ""))
            output.evalue = str(output.get("evalue", ""))
            output.traceback = [str(t) for t in output.get("traceback", []) if isinstance(t, str)]
            return output
        if kind not in ("display_data", "execute_result"):
            return NotebookNode(output_type="stream", name="stdout", text=HIDDEN.format(kinds=str(kind)[:40]) + "\n")
        data, dropped = {}, []
        for mime, value in dict(output.get("data", {})).items():
            if isinstance(value, list):
                value = "".join(v for v in value if isinstance(v, str))
            if not isinstance(value, str):
                dropped.append(mime)
            elif mime in KEEP_OUTPUT:
                if mime.startswith("image/") and not BASE64.match(value):
                    dropped.append(mime)
                else:
                    data[mime] = value
            elif mime in CLEANED_OUTPUT:
                cleaned = self._bleach.sanitize_html_tags(value)
                rendered = cleaned if mime == "text/html" else markdown2html_mistune(cleaned)
                if unsafe(rendered):
                    dropped.append(mime)
                else:
                    data[mime] = cleaned
            elif mime == "image/svg+xml" and not SVG_DANGER.search(value):
                data[mime] = value
            else:
                dropped.append(mime)
        if dropped:
            note = HIDDEN.format(kinds=", ".join(str(m)[:40] for m in dropped))
            data["text/plain"] = (data["text/plain"] + "\n" + note) if "text/plain" in data else note
        metadata = {}
        for mime, meta in dict(output.get("metadata", {})).items():
            if mime in data and isinstance(meta, dict):
                size = {k: int(v) for k, v in meta.items()
                        if k in ("width", "height") and re.match(r"^\d{1,5}$", str(v))}
                if size:
                    metadata[mime] = size
        output.data = data
        output.metadata = metadata
        return output

