"""The graders against known answers: every catalogued wrong answer loses points in the
test cells that should catch it; every alternative correct answer gets full points.
Runs the source notebook's cells in-process (see support/cells.py)."""

from functools import lru_cache

import pytest

from conftest import CHAPTERS, chapter_data, chapter_params
from lossbook import notebooks
from support.cells import score_notebook


@lru_cache(maxsize=None)
def source(chapter):
    return notebooks.read(notebooks.solution_notebook(chapter))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_earns_full_points(chapter):
    score = score_notebook(source(chapter))
    assert score.possible > 0
    assert score.full, f"the solution itself fails: {score.failures}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_catalogue_is_big_enough(chapter):
    data = chapter_data(chapter)
    assert len(data.wrong_answers) >= 5, "at least five catalogued wrong answers per chapter"
    assert len(data.right_answers) >= 3, "at least three alternative correct answers per chapter"


@pytest.mark.parametrize("chapter, answer", chapter_params("wrong_answers"))
def test_wrong_answer_loses_points(chapter, answer):
    assert answer.caught_by, f"wrong answer {answer.name!r} names no test that must catch it"
    score = score_notebook(source(chapter), answer.cells, until=answer.caught_by)
    assert score.earned < score.possible, f"wrong answer {answer.name!r} got full points"
    uncaught = [t for t in answer.caught_by if t not in score.failures]
    assert not uncaught, f"{answer.name!r} should fail {uncaught}; failed only {sorted(score.failures)}"


@pytest.mark.parametrize("chapter, answer", chapter_params("right_answers"))
def test_alternative_correct_answer_gets_full_points(chapter, answer):
    score = score_notebook(source(chapter), answer.cells)
    assert score.full, f"correct answer {answer.name!r} lost points: {score.failures}"
