/*
 * The book's search page (lossbook.sphinx_korean_search): searches window.LOSSBOOK_SEARCH, the
 * sections of every page with their text, written at build time as lossbook-searchindex.js.
 * Nothing is fetched, so the page works from file:// as over HTTP.
 *
 * A query word is found as written, or without its particle (Stemmer of language_data.js:
 * `함수를` → `함수`, `losses` → `loss`), or split into the book's vocabulary (`손실함수` →
 * `손실`, `함수`, found together). A page must contain every word; it ranks higher the more it uses them, when
 * its title or a heading has them, and when they stand together as typed (a phrase). The
 * snippet comes from the best section's text, the matched words highlighted.
 */
(function () {
  "use strict";
  const HANGUL = /[\uac00-\ud7a3]/;
  const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const SNIPPET = 180; // characters around the match

  function prepare(index) {
    const sections = index.sections.map(([page, anchor, title, text]) => ({
      page, anchor, title, text, lowerTitle: title.toLowerCase(), lowerText: text.toLowerCase(),
    }));
    const pages = index.pages.map(([docname, title]) => ({ docname, title, lowerTitle: title.toLowerCase(), sections: [] }));
    sections.forEach((s) => pages[s.page].sections.push(s));
    const all = sections.map((s) => s.lowerTitle + "\n" + s.lowerText).join("\n");
    return { pages, all, vocabulary: new Set(index.vocabulary) };
  }

  /* The words to look for: one pattern per query word (or per piece of a split word). */
  function queryTerms(query, book) {
    const stemmer = typeof Stemmer === "undefined" ? null : new Stemmer();
    const stop = typeof stopwords === "undefined" ? [] : stopwords;
    const terms = [];
    for (const word of query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean)) {
      if (!HANGUL.test(word)) {
        if (stop.indexOf(word) !== -1) continue;
        const stem = stemmer ? stemmer.stemWord(word) : word;
        const form = book.all.includes(word) || !stem ? word : stem;
        terms.push({ form, pattern: "(?<![a-z0-9])" + escapeRegExp(form) });
        continue;
      }
      const stem = stemmer ? stemmer.stemWord(word) : word;
      if (book.all.includes(word)) terms.push({ form: word });
      else if (stem !== word && book.all.includes(stem)) terms.push({ form: stem });
      else {
        // a compound the text writes apart or together (`확률값`: `확률 값`, `확률값`); if the
        // book has neither, its pieces anywhere on the page
        const pieces = split(word, book.vocabulary) || [word];
        const together = pieces.map(escapeRegExp).join("\\s?");
        if (pieces.length > 1 && new RegExp(together).test(book.all)) terms.push({ form: pieces.join(" "), pattern: together });
        else pieces.forEach((form) => terms.push({ form }));
      }
    }
    terms.forEach((t) => { t.pattern = t.pattern || escapeRegExp(t.form); });
    return terms;
  }

  /* `손실함수` → [`손실`, `함수`]: longest vocabulary words from the left; what is left at the
     end (an ending such as `하는`) is dropped. null if the word does not start with one. */
  function split(word, vocabulary) {
    const pieces = [];
    let i = 0;
    while (i < word.length) {
      let j = word.length;
      while (j > i && !vocabulary.has(word.slice(i, j))) j--;
      if (j === i) break;
      pieces.push(word.slice(i, j));
      i = j;
    }
    return pieces.length ? pieces : null;
  }

  const count = (regex, text) => (text.match(regex) || []).length;

  function search(query, book) {
    const terms = queryTerms(query, book);
    if (!terms.length) return { terms, results: [] };
    terms.forEach((t) => { t.regex = new RegExp(t.pattern, "g"); t.test = new RegExp(t.pattern); });
    const phrase = terms.length > 1
      ? new RegExp(terms.map((t) => t.pattern).join("[^\\s.,;:!?()]{0,4}\\s*"), "g") : null;
    const df = terms.map((t) => book.pages.filter((p) => p.sections.some(
      (s) => t.test.test(s.lowerText) || t.test.test(s.lowerTitle))).length);
    const idf = df.map((d) => Math.log(1 + book.pages.length / Math.max(d, 1)));
    const weight = idf.reduce((a, b) => a + b, 0);
    const results = [];
    for (const page of book.pages) {
      const tf = terms.map(() => 0), inHeading = terms.map(() => false);
      let phrases = 0, best = null, bestScore = -1;
      for (const s of page.sections) {
        // the section to show: the phrase, then all the words, then the rarer words, counted
        let sectionScore = 0, present = 0;
        terms.forEach((t, k) => {
          const n = count(t.regex, s.lowerText), h = count(t.regex, s.lowerTitle);
          tf[k] += n + 3 * h;
          inHeading[k] = inHeading[k] || h > 0;
          if (n + h) { present++; sectionScore += idf[k] * (1 + Math.log(n + 3 * h)); }
        });
        if (present === terms.length) sectionScore += 2 * weight;
        if (phrase) {
          const p = count(phrase, s.lowerText) + 3 * count(phrase, s.lowerTitle);
          phrases += p;
          if (p) sectionScore += 4 * weight * (1 + Math.log(p));
        }
        if (sectionScore > bestScore && s.text) { best = s; bestScore = sectionScore; }
      }
      if (tf.some((n) => n === 0)) continue;
      let score = 0;
      terms.forEach((t, k) => {
        score += idf[k] * (1 + Math.log(tf[k]));
        if (t.test.test(page.lowerTitle)) score += 3 * idf[k];
        if (inHeading[k]) score += idf[k];
      });
      if (phrases) score += 2 * weight * (1 + Math.log(phrases));
      if (phrase && count(phrase, page.lowerTitle)) score += 2 * weight;
      results.push({ page, section: best || page.sections[0], score });
    }
    results.sort((a, b) => b.score - a.score || a.page.title.localeCompare(b.page.title));
    return { terms, phrase, results };
  }

  /* The sentence around the phrase (or the rarest word) in the section's text, highlighted. */
  function snippet(section, terms, phrase) {
    const text = section.text, lower = section.lowerText;
    let at = -1;
    for (const regex of [phrase, ...terms.map((t) => t.regex)]) {
      if (!regex) continue;
      regex.lastIndex = 0;
      const match = regex.exec(lower);
      regex.lastIndex = 0;
      if (match) { at = match.index; break; }
    }
    let start = Math.max(0, at - SNIPPET / 3);
    const sentence = text.lastIndexOf(". ", at);
    if (at > 0 && sentence >= 0 && sentence >= start - 40 && sentence < at) start = sentence + 2;
    else if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    let piece = text.slice(start, start + SNIPPET);
    const cut = piece.lastIndexOf(" ");
    if (start + SNIPPET < text.length && cut > SNIPPET * 0.7) piece = piece.slice(0, cut);
    const highlight = new RegExp(terms.map((t) => t.pattern).join("|"), "gi");
    let html = "", last = 0;
    for (const m of piece.matchAll(highlight)) {
      html += escapeHtml(piece.slice(last, m.index)) + '<span class="highlighted">' + escapeHtml(m[0]) + "</span>";
      last = m.index + m[0].length;
    }
    html += escapeHtml(piece.slice(last));
    return (start > 0 ? "… " : "") + html + (start + piece.length < text.length ? " …" : "");
  }

  /* 과/와, 은/는, 으로/로 after a word: by its last syllable's final consonant; both forms after a
   * word that does not end in Hangul (MSE와(과)). */
  function josa(word, withFinal, without, both) {
    const c = word.charCodeAt(word.length - 1) - 0xac00;
    if (c < 0 || c > 11171) return both;
    const final = c % 28;
    return final === 0 || (withFinal === "으로" && final === 8) ? without : withFinal;
  }

  /* A rendering the book does not use (the glossary's "쓰지 않는 표기": 초점 손실) is looked up
   * as the one it uses (focal loss). */
  function bookWords(query, synonyms) {
    let text = query.toLowerCase();
    const replaced = [];
    for (const [bad, good] of synonyms || []) {
      if (text.includes(bad)) { text = text.split(bad).join(good); replaced.push([bad, good]); }
    }
    return { text, replaced };
  }

  function show(query) {
    const out = document.getElementById("search-results");
    if (!out) return;
    out.innerHTML = "";
    if (!window.LOSSBOOK_SEARCH) {
      out.textContent = "검색 색인(lossbook-searchindex.js)을 읽지 못했습니다.";
      return;
    }
    const book = prepare(window.LOSSBOOK_SEARCH);
    const { text, replaced } = bookWords(query, window.LOSSBOOK_SEARCH.synonyms);
    const { terms, phrase, results } = search(text, book);
    const root = document.documentElement.dataset.content_root || "";
    const heading = out.appendChild(document.createElement("h2"));
    heading.textContent = "검색 결과";
    const summary = out.appendChild(document.createElement("p"));
    summary.className = "search-summary";
    const looked = replaced.length ? text : query;
    const particle = josa(looked, "과", "와", "와(과)");
    summary.textContent = results.length
      ? `‘${looked}’${particle} 일치하는 페이지 ${results.length}개를 찾았습니다.`
      : `‘${looked}’${particle} 일치하는 페이지가 없습니다. 다른 낱말이나 더 짧은 낱말로 찾아보세요.`;
    if (replaced.length) {
      const note = out.insertBefore(document.createElement("p"), summary);
      note.className = "search-synonym";
      note.textContent = replaced.map(([bad, good]) =>
        `이 책의 표기는 ‘${good}’입니다(‘${bad}’${josa(bad, "은", "는", "은(는)")} 쓰지 않습니다).`).join(" ");
    }
    const list = out.appendChild(document.createElement("ul"));
    list.className = "search";
    for (const { page, section } of results) {
      const item = list.appendChild(document.createElement("li"));
      const link = item.appendChild(document.createElement("a"));
      link.href = root + page.docname + ".html" + (section.anchor ? "#" + section.anchor : "");
      link.textContent = section.anchor && section.title ? `${page.title} › ${section.title}` : page.title;
      const context = item.appendChild(document.createElement("p"));
      context.className = "context";
      context.innerHTML = snippet(section, terms, phrase);
    }
    // the page opened from a result highlights the same words (sphinx_highlight.js reads them once)
    list.addEventListener("click", (event) => {
      if (!event.target.closest("a")) return;
      try { localStorage.setItem("sphinx_highlight_terms", terms.map((t) => t.form).join(" ")); } catch (e) { /* private mode */ }
    });
    out.dataset.state = "done";
  }

  window.LossbookSearch = { prepare, queryTerms, search, snippet, bookWords, josa };
  document.addEventListener("DOMContentLoaded", () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    document.querySelectorAll('input[name="q"]').forEach((el) => { el.value = query; });
    if (query.trim()) show(query.trim());
  });
})();
