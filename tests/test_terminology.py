"""One rendering per term across the book: the glossary's table "쓰지 않는 표기" lists the
rejected variants, and none of them appears in a chapter, an appendix, a solution or a
student notebook (the glossary's own table aside)."""

import re

from lossbook.glossary import GLOSSARY, REJECTED_HEADING, rejected_variants
from lossbook.notebooks import ROOT


def course_texts():
    for path in sorted([*(ROOT / "book").rglob("*.md"), *(ROOT / "solutions").glob("*/*.ipynb"),
                        *(ROOT / "assignments").glob("*/*.ipynb"), ROOT / "_toc.yml"]):
        text = path.read_text(encoding="utf-8")
        if path == GLOSSARY:
            text = text.split(REJECTED_HEADING, 1)[0]
        yield path.relative_to(ROOT), text


def test_the_glossary_lists_rejected_variants():
    variants = rejected_variants()
    assert len(variants) >= 5 and variants["크로스 엔트로피"] == "교차 엔트로피"


def test_no_rejected_variant_anywhere():
    variants = rejected_variants()
    found = []
    for path, text in course_texts():
        for bad, good in variants.items():
            for match in re.finditer(re.escape(bad), text):
                found.append(f"{path}: '{bad}' → '{good}' ({text[max(0, match.start() - 20):match.end() + 20]!r})")
    assert not found, "rejected terminology:\n" + "\n".join(found[:40])
