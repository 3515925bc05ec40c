"""The glossary's table "쓰지 않는 표기" (book/appendix/glossary.md): each rejected rendering
and the one the book writes instead. tests/test_terminology.py checks that no rejected one
appears in the course; the search page looks up the book's word when a reader types a
rejected one (lossbook.sphinx_korean_search)."""

from lossbook.notebooks import ROOT

GLOSSARY = ROOT / "book" / "appendix" / "glossary.md"
REJECTED_HEADING = "## 쓰지 않는 표기"


def rejected_variants(path=GLOSSARY):
    """{rejected: used} in the table's order."""
    table = path.read_text(encoding="utf-8").split(REJECTED_HEADING, 1)[1]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return {bad.strip(): good.strip() for bad, good in rows[1:]}   # rows[0]: the header
