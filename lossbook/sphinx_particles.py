"""Korean particles after numbers computed at build: "0.894가", "0.860이", "16으로".

A Korean particle depends on how the word before it ends (이/가, 은/는, 을/를, 과/와, 으로/로),
and a number reads as its last digit: 영, 일, 이, 삼, 사, 오, 육, 칠, 팔, 구. The chapters glue
numbers computed at build time (`{glue:text}`), so the right particle is only known then. This
transform fixes the particle that follows each glued number to the number the page shows; the
text may write either form. Enable with `sphinx: extra_extensions: [lossbook.sphinx_particles]`.
"""

import re

from docutils import nodes

# the last sound of a number's reading: "" (vowel), "l" (ㄹ), "c" (another consonant)
DIGIT_ENDING = {"0": "c", "1": "l", "2": "", "3": "c", "4": "", "5": "", "6": "c", "7": "l", "8": "l", "9": ""}
SYMBOL_ENDING = {"%": ""}   # 퍼센트
PAIRS = [("으로", "로"), ("이", "가"), ("은", "는"), ("을", "를"), ("과", "와")]   # (after a consonant, after a vowel)
PARTICLE = re.compile(r"^(으로|로|이|가|은|는|을|를|과|와)(?![\uac00-\ud7a3])")


def ending(text):
    """How `text` ends when read aloud: "", "l", "c", or None (unknown: leave the particle alone)."""
    text = text.rstrip()
    if not text:
        return None
    last = text[-1]
    if last in DIGIT_ENDING:
        return DIGIT_ENDING[last]
    if last in SYMBOL_ENDING:
        return SYMBOL_ENDING[last]
    if "\uac00" <= last <= "\ud7a3":
        final = (ord(last) - 0xAC00) % 28
        return "" if final == 0 else "l" if final == 8 else "c"
    return None


def particle_after(text, particle):
    """`particle` in the form that fits after `text` (unchanged when `text`'s ending is unknown)."""
    sound = ending(text)
    if sound is None:
        return particle
    for consonant, vowel in PAIRS:
        if particle in (consonant, vowel):
            if (consonant, vowel) == ("으로", "로"):
                return vowel if sound in ("", "l") else consonant   # ㄹ takes 로: 일로, 칠로
            return vowel if sound == "" else consonant
    return particle


def fix_particles(app, doctree, docname=None):
    """doctree-read / doctree-resolved: the particle right after every glued number."""
    for pasted in list(doctree.findall(nodes.inline)):
        if "pasted-text" not in pasted.get("classes", []):
            continue
        parent = pasted.parent
        index = parent.index(pasted)
        if index + 1 >= len(parent) or not isinstance(parent[index + 1], nodes.Text):
            continue
        following = parent[index + 1]
        match = PARTICLE.match(str(following))
        if not match:
            continue
        fixed = particle_after(pasted.astext(), match[1])
        if fixed != match[1]:
            parent.replace(following, nodes.Text(fixed + str(following)[len(match[1]):]))


def setup(app):
    app.connect("doctree-read", fix_particles)        # glue from the same page is pasted while parsing
    app.connect("doctree-resolved", fix_particles)    # glue pasted from other pages
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
