"""Grading with the wrong assignment id, or into another assignment's folder, loses nothing: a
student who handed in another assignment's notebook gets a row with a Korean note (not graded);
a class that is mostly another assignment, or a folder that holds another assignment's
results, stops the command before it writes anything (exit 2)."""

import csv

import nbformat
import pytest

from lossbook import notebooks
from lossbook.grading import sandbox
from lossbook.grading.cli import main

pytestmark = [pytest.mark.grading, pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")]
RIGHT, OTHER = "01_mse", "03_bce"


def submit(folder, student, chapter, nb, as_assignment):
    target = folder / student / as_assignment
    target.mkdir(parents=True)
    nbformat.write(nb, str(target / f"{chapter}.ipynb"))


def model(chapter):
    return notebooks.model_submission(notebooks.read(notebooks.assignment_notebook(chapter)),
                                      notebooks.read(notebooks.solution_notebook(chapter)))


def snapshot(out):
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("wrong")
    submit(root / "class", "s1", RIGHT, model(RIGHT), RIGHT)
    submit(root / "class", "s2", RIGHT, model(RIGHT), RIGHT)
    submit(root / "class", "s3", OTHER, model(OTHER), RIGHT)   # handed in assignment 3 for assignment 1
    assert main(["grade", RIGHT, str(root / "class"), "--out", str(root / "out"), "--quiet"]) == 0
    return root


def rows(out):
    with open(out / "grades.csv", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_a_student_with_another_assignments_notebook_gets_a_note_not_a_grade(graded):
    result = rows(graded / "out")
    assert float(result["s1"]["auto_score"]) == float(result["s1"]["max_auto_score"]) > 0
    assert float(result["s3"]["score"]) == 0
    assert f"이 과제({RIGHT})의 노트북이 아닙니다 ({OTHER}의 노트북으로 보입니다)" in result["s3"]["problems"]
    assert not (graded / "out" / "autograded" / "s3").exists(), "the other assignment's notebook was graded"


def test_a_class_of_the_wrong_assignment_stops_before_writing(graded, capsys):
    before = snapshot(graded / "out")
    for student in ("t1", "t2", "t3"):
        submit(graded / "wrong_class", student, OTHER, model(OTHER), RIGHT)
    assert main(["grade", RIGHT, str(graded / "wrong_class"), "--out", str(graded / "out"), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert f"{RIGHT}의 노트북이 아닙니다" in message and "아무것도 쓰지 않았습니다" in message
    assert snapshot(graded / "out") == before


def test_another_assignment_into_the_same_folder_is_refused(graded, capsys):
    before = snapshot(graded / "out")
    submit(graded / "other_class", "u1", OTHER, model(OTHER), OTHER)
    assert main(["grade", OTHER, str(graded / "other_class"), "--out", str(graded / "out"), "--quiet"]) == 2
    assert f"이미 {RIGHT}의 채점 결과가 있습니다" in capsys.readouterr().err
    assert snapshot(graded / "out") == before
