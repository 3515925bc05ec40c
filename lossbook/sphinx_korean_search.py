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

Enable with `sphinx: extra_extensions: [lossbook.sphinx_korean_search]` in `_config.yml`.
"""

import re

import snowballstemmer
from sphinx.search import SearchLanguage, languages
from sphinx.search.en import english_stopwords, js_porter_stemmer

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


def setup(app):
    languages["ko"] = SearchKorean
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
