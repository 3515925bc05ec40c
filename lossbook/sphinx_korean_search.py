"""Korean full-text search for the Sphinx HTML builder (`language: ko`).

Sphinx ships no Korean search language: with `language: ko` it falls back to English, whose
index keeps every word with its particles (`함수를`, `손실은`), so a search for `함수` finds
nothing. This extension registers a `SearchLanguage` for Korean:

* index side (Python): every word is indexed as written *and* split into morphemes by the
  Kiwi analyser (`kiwipiepy`): nouns, roots and foreign words (`보정된` → `보정`,
  `손실함수를` → `손실`, `함수`); long compound nouns also get their two-syllable pieces,
  because Sphinx's own partial matching only starts at three characters.
* both sides: `stem()` removes a trailing particle (조사) from a Hangul word and Porter-stems
  a Latin word. The same rule runs in the browser (`js_stemmer_code`), so a query typed with
  a particle (`함수를`) and one without (`함수`) look up the same index term.

The search page itself (`search.html`, template in `lossbook/templates`) does not use Sphinx's
`searchtools.js`, which fetches every result page for its summary (refused from `file://`) and
ranks a page that mentions a word as high as the page about it. It runs `lossbook-search.js`
over `lossbook-searchindex.js`, written here at the end of the build: every section of every
page with its title and its text (code and display math left out, inline math made readable),
and the vocabulary of the book (Kiwi's nouns and roots, compounds such as `교통량`, `재현율`
joined). In the browser a query word is looked up as written, then without its particle, then
split into vocabulary words (`손실함수` → `손실`, `함수`); a page must contain every word, and
is ranked by how often it uses them, whether its title or a heading has them, and how often the
words stand together as the phrase typed. The snippet is the sentence around the phrase in the
best section, with the matched words highlighted. The same files work over HTTP and from files.

Enable with `sphinx: extra_extensions: [lossbook.sphinx_korean_search]` in `_config.yml`.
"""

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from docutils import nodes
from sphinx.search import SearchLanguage, languages
from sphinx.search.en import english_stopwords, js_porter_stemmer

from lossbook.glossary import rejected_variants

# Particles and copula endings, longest first; a word keeps at least two syllables.
PARTICLES = (
    "에서부터", "으로부터", "이라는", "에서는", "에서도", "에게서", "으로는", "으로도", "으로서", "으로써",
    "에서의", "이라고", "에서", "에게", "으로", "까지", "부터", "처럼", "보다", "라는", "라고", "이며",
    "이고", "에는", "에도", "에만", "로는", "로도", "로서", "로써", "과는", "와는", "이나", "만큼",
    "입니다", "이다", "과", "와", "은", "는", "이", "가", "을", "를", "의", "에", "로", "도", "만",
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Morpheme tags kept from Kiwi: common/proper/bound nouns, numerals' nouns, roots, foreign words.
KEPT_TAGS = ("NNG", "NNP", "NR", "XR", "SL", "SH")


def strip_particle(word):
    """`함수를` → `함수`; words of two syllables or less are left alone (`평가`, `결과`)."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


JS_STEMMER = (
    js_porter_stemmer.replace("var Stemmer = function", "var PorterStemmer = function")
    + """
/**
 * Korean + English stemmer (lossbook.sphinx_korean_search): a Hangul word loses one trailing
 * particle, keeping at least two syllables; any other word is Porter-stemmed.
 */
var KOREAN_PARTICLES = %s;
var Stemmer = function() {
  var porter = new PorterStemmer();
  this.stemWord = function(w) {
    if (/[\\uac00-\\ud7a3]/.test(w)) {
      for (var i = 0; i < KOREAN_PARTICLES.length; i++) {
        var p = KOREAN_PARTICLES[i];
        if (w.length - p.length >= 2 && w.slice(-p.length) === p) return w.slice(0, -p.length);
      }
      return w;
    }
    return porter.stemWord(w);
  };
};
""" % ("[" + ", ".join(f'"{p}"' for p in PARTICLES) + "]")
)


class SearchKorean(SearchLanguage):
    lang = "ko"
    language_name = "Korean"
    stopwords = english_stopwords  # Korean function words are particles, removed by stem()
    js_stemmer_code = JS_STEMMER
    _word_re = re.compile(r"\w+")

    def init(self, options):
        from kiwipiepy import Kiwi

        self.kiwi = Kiwi()
        self.porter = snowballstemmer.stemmer("porter")

    def split(self, input):
        words = self._word_re.findall(input)
        if not HANGUL.search(input):
            return words
        for token in self.kiwi.tokenize(input):
            if token.tag in KEPT_TAGS:
                words.append(token.form)
                if token.tag.startswith("NN") and len(token.form) >= 4 and HANGUL.match(token.form):
                    words.extend(token.form[i:i + 2] for i in range(len(token.form) - 1))
        return words

    def stem(self, word):
        if HANGUL.search(word):
            return strip_particle(word)
        return self.porter.stemWord(word.lower())

    def word_filter(self, word):
        """Single Hangul syllables (`값`, `합`) stay; single Latin letters and stop words go."""
        if not word or word.isdigit() or word.lower() in self.stopwords:
            return False
        return len(word) > 1 or bool(HANGUL.match(word))


@lru_cache(maxsize=1)
def kiwi():
    from kiwipiepy import Kiwi
    return Kiwi()


# --- The search page's index: sections with their text, and the book's vocabulary.
INDEX_FILE = "lossbook-searchindex.js"
SKIPPED = (nodes.literal_block, nodes.raw, nodes.comment, nodes.system_message,
           nodes.image, nodes.substitution_definition, nodes.target, nodes.title)
SKIPPED_CLASSES = {"cell_input", "cell_output", "toctree-wrapper", "assignment-download"}
TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "varphi": "φ", "psi": "ψ", "omega": "ω", "Phi": "Φ", "Sigma": "Σ",
    "Delta": "Δ", "ell": "ℓ", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "infty": "∞",
    "cdot": "·", "times": "×", "pm": "±", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "in": "∈", "to": "→", "sim": "~", "propto": "∝", "mid": "|",
    "dots": "…", "ldots": "…", "cdots": "⋯", "top": "ᵀ", "star": "*", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "lvert": "|", "rvert": "|",
}
TEX_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}


def readable_tex(tex):
    """Inline TeX as a snippet shows it: `\\varepsilon = 0.1` → `ε = 0.1`, `\\hat{y}` → `ŷ`,
    `\\frac{a}{b}` → `a/b`; no backslash, brace or delimiter is left."""
    text = tex
    def fraction(match):
        parts = [p if re.fullmatch(r"[\w.\\^]*", p) else f"({p})" for p in (match[1].strip(), match[2].strip())]
        return f" {parts[0]}/{parts[1]} "
    for _ in range(3):  # sub- and superscripts first, then fractions, innermost first
        text = re.sub(r"([_^])\{([^{}]*)\}", lambda m: m[1] + (m[2] if len(m[2]) == 1 else f"({m[2]})"), text)
        text = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", fraction, text)
    text = re.sub(r"\\(hat|bar|tilde)\{(\w)\}|\\(hat|bar|tilde)\s*(\w)",
                  lambda m: (m[2] or m[4]) + TEX_ACCENTS[m[1] or m[3]], text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: TEX_SYMBOLS.get(m[1], "" if m[1] in (
        "left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "mathrm", "mathbf", "mathbb",
        "mathcal", "text", "operatorname", "quad", "qquad", "displaystyle") else f" {m[1]} "), text)
    text = re.sub(r"\\[,;:! ]", " ", text)
    text = re.sub(r"[{}$]|\\", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return unicodedata.normalize("NFC", re.sub(r"(?<=[(\[|‖]) | (?=[)\],_^])", "", text))   # y + ̂ → ŷ


def _text(node, out):
    """The reader's text of a section body, without its subsections, code and outputs; a display
    formula stands as "[수식]"."""
    for child in node.children:
        if isinstance(child, nodes.section) or isinstance(child, SKIPPED):
            continue
        if isinstance(child, nodes.math):
            out.append(readable_tex(child.astext()))
        elif isinstance(child, nodes.math_block):
            out.append(" [수식] ")   # a display formula: too long for a snippet, but the sentence reads on
        elif isinstance(child, nodes.Text):
            out.append(child.astext())
        elif isinstance(child, nodes.Element):
            if SKIPPED_CLASSES & set(child.get("classes", [])) or child.tagname == "toctree":
                continue
            _text(child, out)
            if isinstance(child, (nodes.paragraph, nodes.list_item, nodes.entry, nodes.term,
                                  nodes.admonition, nodes.Admonition)):
                out.append(" ")


def page_sections(doctree):
    """[(anchor, title, text), ...] for every section of a page (the first has anchor "")."""
    sections = []
    for section in doctree.findall(nodes.section):
        title = next((c for c in section.children if isinstance(c, nodes.title)), None)
        title_text = []
        if title is not None:
            for node in title.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
                if isinstance(node, nodes.math):
                    title_text.append(readable_tex(node.astext()))
                elif not isinstance(node.parent, nodes.math):
                    title_text.append(node.astext())
        out = []
        _text(section, out)
        text = re.sub(r"\s+", " ", "".join(out)).strip()
        anchor = "" if not sections else (section["ids"][0] if section["ids"] else "")
        sections.append((anchor, re.sub(r"\s+", " ", "".join(title_text)).strip(), text))
    return sections


NOUN_TAGS = ("NNG", "NNP", "NR", "XR")


def vocabulary(text):
    """The words a query may be split into: Kiwi's Hangul nouns and roots, and compounds written
    together (`예측값`, `재현율`, `교통량`: nouns and noun suffixes with no space between)."""
    words, run, end = set(), "", -1
    for token in kiwi().tokenize(text):
        joined = token.tag in NOUN_TAGS or token.tag == "XSN"
        if joined and HANGUL.match(token.form):
            if token.tag in NOUN_TAGS:
                words.add(token.form)
            run = run + token.form if token.start == end and run else (token.form if token.tag != "XSN" else "")
            if len(run) > len(token.form):
                words.add(run)
        else:
            run = ""
        end = token.start + token.len
    return words


def collect_sections(app, doctree):
    """doctree-read: the page's sections and vocabulary, kept in the environment (so that pages
    read in an earlier build are still in the index)."""
    env = app.env
    sections = page_sections(doctree)
    text = " ".join(f"{title} {body}" for _, title, body in sections)
    env.lossbook_search = getattr(env, "lossbook_search", {})
    env.lossbook_search[env.docname] = {"sections": sections, "vocabulary": sorted(vocabulary(text))}


def purge_sections(app, env, docname):
    getattr(env, "lossbook_search", {}).pop(docname, None)


def merge_sections(app, env, docnames, other):
    env.lossbook_search = getattr(env, "lossbook_search", {})
    for docname in docnames:
        if docname in getattr(other, "lossbook_search", {}):
            env.lossbook_search[docname] = other.lossbook_search[docname]


def search_index(env, docnames):
    """The index the search page loads: pages (docname, title), sections (page, anchor, title,
    text) and the vocabulary."""
    pages, sections, words = [], [], set()
    for docname in docnames:
        entry = getattr(env, "lossbook_search", {}).get(docname)
        if not entry or not entry["sections"]:
            continue
        page = len(pages)
        pages.append([docname, entry["sections"][0][1]])
        sections.extend([page, anchor, title, text] for anchor, title, text in entry["sections"] if title or text)
        words.update(entry["vocabulary"])
    # a reader who types a rejected rendering (초점 손실) is looking for the book's (focal loss)
    synonyms = [[bad.lower(), good.lower()] for bad, good in rejected_variants().items()]
    return {"pages": pages, "sections": sections, "vocabulary": sorted(words), "synonyms": synonyms}


def write_search_index(app, exception):
    """build-finished: `lossbook-searchindex.js` next to search.html, a script (not JSON), so
    that the search page loads it from `file://` as well."""
    if exception is not None or app.builder.format != "html":
        return
    docnames = [d for d in app.env.found_docs if d in app.env.titles]
    order = {d: i for i, d in enumerate(app.env.toctree_includes and _reading_order(app.env) or [])}
    docnames.sort(key=lambda d: (order.get(d, len(order)), d))
    index = search_index(app.env, docnames)
    Path(app.outdir, INDEX_FILE).write_text(
        "window.LOSSBOOK_SEARCH = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n",
        encoding="utf-8")


def _reading_order(env):
    """Docnames in the order of the table of contents, from the root page."""
    seen, order = set(), []

    def visit(docname):
        if docname in seen:
            return
        seen.add(docname)
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)
    visit(env.config.root_doc)
    return order


def setup(app):
    languages["ko"] = SearchKorean
    app.connect("doctree-read", collect_sections)
    app.connect("env-purge-doc", purge_sections)
    app.connect("env-merge-info", merge_sections)
    app.connect("build-finished", write_search_index)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
