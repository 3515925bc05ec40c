"""Writing nbgrader source notebooks from Python, for maintainers who prefer a script
to nbgrader's "Create Assignment" toolbar. The notebook in solutions/ stays the source
of truth; this only produces cells with correct nbgrader metadata."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _meta(grade_id, *, grade, solution, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def instructions(grade_id, source):
    """Locked markdown the student reads."""
    cell = new_markdown_cell(source, metadata=_meta(grade_id, grade=False, solution=False, locked=True))
    cell.id = grade_id
    return cell


def locked_code(grade_id, source, tags=()):
    """Locked code the student runs but does not edit (set-up, a training run)."""
    meta = _meta(grade_id, grade=False, solution=False, locked=True)
    if tags:
        meta["tags"] = list(tags)
    cell = new_code_cell(source, metadata=meta)
    cell.id = grade_id
    return cell


def answer(grade_id, source):
    """Autograded answer: code between ### BEGIN SOLUTION / ### END SOLUTION is the model answer."""
    cell = new_code_cell(source, metadata=_meta(grade_id, grade=False, solution=True, locked=False))
    cell.id = grade_id
    return cell


def tests(grade_id, source, points):
    """Locked autograded test cell worth `points`; may hold ### BEGIN HIDDEN TESTS blocks."""
    cell = new_code_cell(source, metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    cell.id = grade_id
    return cell


def written_answer(grade_id, model_answer, points):
    """Manually graded markdown answer; the source holds the model answer and rubric."""
    cell = new_markdown_cell(model_answer, metadata=_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    cell.id = grade_id
    return cell


def write(cells, path):
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


SELF_CHECK_TEXT = """\
## 자체 점검

답을 다 쓰고 **저장한 뒤** 아래 셀을 실행하세요. 이 노트북을 새 커널에서 처음부터 실행해, 보이는 테스트의 결과를 문제별로 알려 줍니다(nbgrader의 Validate 버튼과 같은 결과). 터미널에서는 노트북이 있는 폴더에서 `python -m lossbook check {filename}`입니다. 채점할 때는 숨은 테스트가 더 실행되고, 이 셀은 실행되지 않습니다."""

SELF_CHECK_CODE = """\
### 자체 점검: 저장한 뒤 실행하세요
from lossbook.selfcheck import check

check("{filename}")"""


def self_check(chapter):
    """The two cells every assignment ends with: what the self-check does, and the cell that runs it
    (`lossbook.selfcheck.check`). nbval skips the latter: outside a notebook front end it only
    prints how to run it from a terminal."""
    from lossbook.problems import SELF_CHECK_ID
    filename = f"{chapter}.ipynb"
    return [instructions("self_check_text", SELF_CHECK_TEXT.format(filename=filename)),
            locked_code(SELF_CHECK_ID, SELF_CHECK_CODE.format(filename=filename), tags=("nbval-skip",))]


def course_end(chapter):
    """The cells every assignment ends with, after its problems: the optional question cell
    (`lossbook.questions`) and the self-check."""
    from lossbook.questions import question_cell
    return [question_cell()] + self_check(chapter)
