"""The optional question cell ("질문 (선택)") from the student's notebook to the instructor's
report.md, through real `lossbook grade`: grouped by the 문제 a question names, never part of a
score, and an untouched cell adds nothing."""

import csv

import nbformat
import pytest

from lossbook import notebooks, questions
from lossbook.grading import sandbox
from lossbook.grading.cli import grade
from lossbook.problems import problems

CHAPTER = "02_mae"


def with_question(nb, text):
    """The notebook with `text` typed under the question cell's `질문:` line, as a student would."""
    nb = nbformat.from_dict(nb)
    cell = next(c for c in nb.cells if questions.is_question_cell(c))
    cell.source = cell.source.rstrip("\n") + "\n" + text
    return nb


def test_what_a_student_wrote_is_read_back_and_the_released_cell_is_empty():
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    assert questions.asked(release) == ""
    nb = with_question(release, "문제 2에서 tie일 때 그래디언트가 왜 0인가요?\n\n`mae_grad`를 보세요.")
    assert questions.asked(nb) == "문제 2에서 tie일 때 그래디언트가 왜 0인가요?\n\n`mae_grad`를 보세요."
    assert questions.problems_named(questions.asked(nb)) == [2]
    inline = nbformat.from_dict(release)
    cell = next(c for c in inline.cells if questions.is_question_cell(c))
    cell.source = cell.source.replace("질문:", "질문: 문제3과 문제 1이 헷갈립니다")
    assert questions.problems_named(questions.asked(inline)) == [3, 1]


@pytest.mark.grading
@pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")
def test_questions_reach_the_report_grouped_by_problem_and_never_score(tmp_path):
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(CHAPTER)))
    class_ = {
        "s01": with_question(model, "문제 2: 중앙값이 여러 개일 때 어느 것을 돌려줘야 하나요? <script>x</script>"),
        "s02": with_question(release, "문제 2의 테스트 메시지가 이해되지 않습니다."),
        "s03": model,                                       # untouched question cell
        "s04": with_question(release, "전체적으로 어디서부터 시작해야 할지 모르겠습니다."),
    }
    for sid, nb in class_.items():
        target = tmp_path / "in" / sid / CHAPTER
        target.mkdir(parents=True)
        nbformat.write(nb, str(target / f"{CHAPTER}.ipynb"))
    grade(CHAPTER, tmp_path / "in", out=tmp_path / "out", jobs=1, progress=False)

    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["s01"]["auto_score"] == rows["s03"]["auto_score"] == rows["s03"]["max_auto_score"]
    assert float(rows["s02"]["auto_score"]) == float(rows["s04"]["auto_score"]) == 0
    assert rows["s01"]["needs_manual_grade"] == rows["s03"]["needs_manual_grade"]

    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    section = report[report.index("## 학생 질문"):].split("\n## ")[0]
    title = next(p.title for p in problems(release) if p.number == 2)
    assert f"| {title} | 2명 | s01, s02 |" in section
    assert "| 문제를 적지 않은 질문 | 1명 | s04 |" in section
    assert "s03" not in section
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert "> 문제 2의 테스트 메시지가 이해되지 않습니다." in section
