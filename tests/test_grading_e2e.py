"""Real nbgrader autograding in a temporary course with a real gradebook: the model
answers as a submission get full autograded points, the untouched student version gets
zero without breaking the run."""

import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import CHAPTERS
from lossbook import notebooks
from lossbook.maintain import run_tool


def nbgrader(course, *args):
    result = run_tool("nbgrader", *args, "--log-level=WARN", cwd=course, capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def submit(course, student, chapter, nb):
    folder = course / "submitted" / student / chapter
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{chapter}.ipynb"))


@pytest.mark.grading
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_autograde_model_answers_and_blank_submission(chapter, tmp_path):
    course = tmp_path
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", course)
    shutil.copytree(notebooks.ROOT / "solutions" / chapter, course / "solutions" / chapter)
    nbgrader(course, "generate_assignment", chapter)

    release = notebooks.read(notebooks.assignment_notebook(chapter, course))
    source = notebooks.read(notebooks.solution_notebook(chapter, course))
    submit(course, "model", chapter, notebooks.model_submission(release, source))
    submit(course, "blank", chapter, release)
    nbgrader(course, "autograde", chapter)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        model = gradebook.find_submission(chapter, "model")
        blank = gradebook.find_submission(chapter, "blank")
        assert model.max_code_score > 0
        assert model.code_score == model.max_code_score, \
            f"model answers got {model.code_score}/{model.max_code_score} autograded points"
        assert blank.code_score == 0, f"the blank student version got {blank.code_score} points"
        assert blank.max_code_score == model.max_code_score
        # the written answers wait for a person
        assert model.needs_manual_grade and model.max_written_score > 0
