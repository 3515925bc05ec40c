"""Run a source notebook's cells in this process, with some answer cells replaced,
and score its autograded test cells the way the course grades (a cell that raises earns
nothing, one that runs earns its points). As in `lossbook grade`, the test cells run in a
trusted namespace of their own that reaches the student's namespace only through the
plain-data channel (`lossbook.grading.trusted`, here without kernels). Cheap enough to try
many catalogued answers per chapter without a kernel per answer."""

import contextlib
import io
import warnings
from dataclasses import dataclass, field

import matplotlib
import matplotlib.pyplot as plt
from IPython.core.inputtransformer2 import TransformerManager

from lossbook import checks, notebooks
from lossbook.grading import trusted


_transform = TransformerManager().transform_cell


@dataclass
class Score:
    earned: float = 0.0
    possible: float = 0.0
    failures: dict = field(default_factory=dict)  # grade_id -> error text, for test cells that failed

    @property
    def full(self):
        return self.earned == self.possible


def run_cell(source, namespace):
    """Execute one cell's source; returns None or the exception's text."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a wrong answer's overflow warnings are not the result
            exec(compile(_transform(source), "<cell>", "exec"), namespace)
    except Exception as exc:  # a student's error is a result, not a crash
        return f"{type(exc).__name__}: {exc}"
    return None


def score_notebook(nb, replacements=None, until=()):
    """Run every code cell of `nb` in order, using replacements[grade_id] as the source of
    those answer cells, and score the autograded test cells. With `until` (test cells' grade
    ids), stop once all of them have run: what a wrong answer must fail is known by then, and
    the later cells (often a training run) cannot change it."""
    replacements = dict(replacements or {})
    pending = set(until)
    answer_ids = {notebooks.grade_id(c) for c in nb.cells if notebooks.is_answer_cell(c)}
    unknown = set(replacements) - answer_ids
    if unknown:
        raise KeyError(f"no answer cell with grade_id {sorted(unknown)}; answer cells: {sorted(answer_ids)}")
    student_ns, test_ns = {"__name__": "__main__"}, {"__name__": "__main__"}
    student = trusted.Student(trusted.LocalStudent(student_ns))
    # as in grading (test_side.student_code): the test side reads the submission's own cells
    checks.serve_student_code([replacements.get(notebooks.grade_id(c), c.source) for c in nb.cells
                               if c.cell_type == "code" and trusted.runs_on(c) == "student"])
    score = Score()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = replacements.get(notebooks.grade_id(cell), cell.source)
        side = trusted.runs_on(cell)
        if side in ("student", "both"):
            error = run_cell(source, student_ns)
        if side in ("test", "both"):
            student.bind(trusted.free_names(source), test_ns)
            error = run_cell(source, test_ns)
        if notebooks.is_autograded_test(cell):
            score.possible += notebooks.points(cell)
            if error is None:
                score.earned += notebooks.points(cell)
            else:
                score.failures[notebooks.grade_id(cell)] = error
        pending.discard(notebooks.grade_id(cell))
        if until and not pending:
            break
    plt.close("all")
    checks.serve_student_code(None)
    return score


def solution_namespace(nb):
    """The names a solution notebook defines, from running its non-test code cells."""
    namespace = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type == "code" and not notebooks.is_autograded_test(cell):
            error = run_cell(cell.source, namespace)
            if error:
                raise RuntimeError(f"solution cell {notebooks.grade_id(cell)!r} failed: {error}")
    return namespace
