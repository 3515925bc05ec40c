"""Reading nbgrader notebooks: which cell is what, and where the chapters live."""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"


def chapter_ids(root=ROOT):
    """Assignment ids (= chapter ids) in course order: every folder of solutions/."""
    return sorted(p.name for p in (Path(root) / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))


def solution_notebook(chapter, root=ROOT):
    return Path(root) / "solutions" / chapter / f"{chapter}.ipynb"


def assignment_notebook(chapter, root=ROOT):
    return Path(root) / "assignments" / chapter / f"{chapter}.ipynb"


def read(path):
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer_cell(cell):
    """A cell the student writes in (nbgrader 'solution' cell)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_autograded_test(cell):
    """A locked code cell whose passing earns points (nbgrader 'grade' cell, not an answer)."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_manual_answer(cell):
    """A graded answer cell a person scores (the Korean 공식/선택 이유 answers)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution")) and cell.cell_type == "markdown"


def points(cell):
    return float(nbgrader_meta(cell).get("points", 0) or 0)


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def model_submission(release_nb, source_nb):
    """The student version with every answer cell filled in from the solution, the way a
    student who wrote the model answers would hand it in (solution markers removed)."""
    answers = {grade_id(c): c.source for c in source_nb.cells if is_answer_cell(c)}
    filled = nbformat.from_dict(release_nb)
    for cell in filled.cells:
        if is_answer_cell(cell):
            lines = answers[grade_id(cell)].splitlines()
            cell.source = "\n".join(
                line for line in lines if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return filled


def load_answer_functions(chapter, root=ROOT):
    """Run a solution notebook's setup cells (the code cells before its first answer cell) and
    its code answer cells, and return the namespace: the chapter's graded functions, ready to
    call (`load_answer_functions("01_mse")["mse_loss"]`). Tests and training runs are skipped."""
    nb = read(solution_notebook(chapter, root))
    namespace = {"__name__": f"solution_{chapter}"}
    seen_answer = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        seen_answer = seen_answer or is_answer_cell(cell)
        if is_answer_cell(cell) or (not seen_answer and not is_autograded_test(cell)):
            exec(compile(cell.source, f"<{chapter}:{grade_id(cell) or 'cell'}>", "exec"), namespace)
    return namespace
