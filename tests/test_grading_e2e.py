"""Every chapter graded for real, the way the course grades (`lossbook grade`: nbgrader's
Autograde with the student's kernel sandboxed and the tests on the trusted side): the model
answers get full autograded points, the untouched student version gets zero without
breaking the run, and the written answers wait for a person."""

import csv

import nbformat
import pytest

from conftest import CHAPTERS
from lossbook import notebooks
from lossbook.grading import sandbox
from lossbook.grading.cli import grade

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")]


def submit(folder, student, chapter, nb):
    target = folder / student / chapter
    target.mkdir(parents=True)
    nbformat.write(nb, str(target / f"{chapter}.ipynb"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_model_answers_full_marks_and_blank_zero(chapter, tmp_path):
    release = notebooks.read(notebooks.assignment_notebook(chapter))
    source = notebooks.read(notebooks.solution_notebook(chapter))
    submit(tmp_path / "in", "model", chapter, notebooks.model_submission(release, source))
    submit(tmp_path / "in", "blank", chapter, release)
    grade(chapter, tmp_path / "in", out=tmp_path / "out", jobs=1, progress=False)

    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    model, blank = rows["model"], rows["blank"]
    assert float(model["max_auto_score"]) > 0
    assert float(model["auto_score"]) == float(model["max_auto_score"]), \
        f"model answers got {model['auto_score']}/{model['max_auto_score']}: {model['problems']}"
    assert float(blank["auto_score"]) == 0, f"the blank student version got {blank['auto_score']} points"
    assert blank["max_auto_score"] == model["max_auto_score"]
    assert model["needs_manual_grade"] == "True" and float(model["max_manual_score"]) > 0
    # the self-check cell is left alone when the course grades (it would run the notebook again)
    graded = notebooks.read(tmp_path / "out" / "autograded" / "model" / chapter / f"{chapter}.ipynb")
    self_check = [c for c in graded.cells if notebooks.grade_id(c) == "self_check"]
    assert len(self_check) == 1 and self_check[0].outputs == []
