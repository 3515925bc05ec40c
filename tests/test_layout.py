"""Every chapter is complete: solution, student version, book page in the ToC, test data."""

import re

import pytest
import yaml

from conftest import CHAPTERS, TESTS
from lossbook import notebooks

ROOT = notebooks.ROOT


def test_there_are_chapters():
    assert CHAPTERS, "solutions/ holds no chapter"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_all_its_parts(chapter):
    missing = [str(p.relative_to(ROOT)) for p in (
        notebooks.solution_notebook(chapter),
        notebooks.assignment_notebook(chapter),
        ROOT / "book" / f"{chapter}.md",
        TESTS / "chapters" / f"{chapter}.py",
    ) if not p.exists()]
    assert not missing, f"{chapter} is missing {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_is_in_the_toc_and_links_its_assignment(chapter):
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert f"book/{chapter}" in toc, f"_toc.yml does not list book/{chapter}"
    page = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    assert re.search(rf"\{{download\}}`[^`]*<\.\./assignments/{chapter}/{chapter}\.ipynb>`", page), \
        f"book/{chapter}.md has no {{download}} link to its assignment"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_assignment_has_answers_tests_and_written_questions(chapter):
    nb = notebooks.read(notebooks.solution_notebook(chapter))
    tests = [c for c in nb.cells if notebooks.is_autograded_test(c)]
    written = [c for c in nb.cells if notebooks.is_manual_answer(c)]
    hidden = [c for c in tests if "### BEGIN HIDDEN TESTS" in c.source]
    assert tests and all(notebooks.points(c) > 0 for c in tests), "every test cell needs points"
    assert hidden, "no test cell has hidden tests"
    assert len(written) >= 2, "the 공식 and 선택 이유 answers are manually graded markdown cells"
    ids = [notebooks.grade_id(c) for c in nb.cells if notebooks.nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"


def test_toc_lists_only_existing_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part["chapters"]]
    missing = [f for f in files if not (ROOT / f"{f}.md").exists()]
    assert not missing, f"_toc.yml lists missing pages: {missing}"
