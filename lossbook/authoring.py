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
