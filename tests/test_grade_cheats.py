"""Students who cheat from an answer cell, graded for real (`lossbook grade`, sandboxed
kernels): the tests run on the trusted side, so every cheat earns exactly what the code it
wraps earns honestly, and the model answers keep full marks."""

import csv

import pytest

from lossbook.grading import sandbox
from lossbook.grading.cli import grade
from support.grading_cases import CHEATS, write_cheating_class

CHAPTER = "01_mse"
pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")]


@pytest.fixture(scope="module")
def cheats_graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("cheats")
    students = write_cheating_class(base / "submitted", CHAPTER)
    grade(CHAPTER, base / "submitted", out=base / "graded", jobs=2, progress=False)
    with open(base / "graded" / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == students
    return rows


def auto(row):
    return float(row["auto_score"])


def test_model_answers_keep_full_marks(cheats_graded):
    full = float(cheats_graded["model"]["max_auto_score"])
    assert auto(cheats_graded["model"]) == full
    assert auto(cheats_graded["model_blank_asserts"]) == full


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_a_cheat_earns_what_the_code_it_wraps_earns(cheats_graded, cheat):
    stub = auto(cheats_graded["stub"])
    assert stub < float(cheats_graded["stub"]["max_auto_score"]) / 2, "the stubs must fail most tests"
    assert auto(cheats_graded[cheat]) == stub, \
        f"{cheat}: {auto(cheats_graded[cheat])} points, the stubs alone earn {stub}"


# ch5's "no built-in loss" rule is checked in the source the grader read from the submission:
# a student who captures F.cross_entropy and rewrites the kernel's history and `inspect` loses it
BUILTIN_CAPTURE = '''ip = get_ipython()
_ce = F.cross_entropy
ip.history_manager.input_hist_parsed[:] = ["def softmax_cross_entropy_torch(logits, labels):\\n    return 0"]
import inspect
inspect.getsource = lambda *a, **k: "def softmax_cross_entropy_torch(logits, labels):\\n    return 0"


def softmax_cross_entropy_torch(logits, labels):
    return _ce(logits, labels)
'''


def test_ch5_builtin_ban_reads_the_submitted_source(tmp_path):
    import nbformat
    from lossbook import notebooks
    chapter = "05_softmax_ce"
    release = notebooks.read(notebooks.assignment_notebook(chapter))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(chapter)))
    cheat = nbformat.from_dict(model)
    next(c for c in cheat.cells if notebooks.grade_id(c) == "softmax_cross_entropy_torch").source = BUILTIN_CAPTURE
    for student, nb in (("model", model), ("capture", cheat)):
        (tmp_path / "submitted" / student / chapter).mkdir(parents=True)
        nbformat.write(nb, str(tmp_path / "submitted" / student / chapter / f"{chapter}.ipynb"))
    grade(chapter, tmp_path / "submitted", out=tmp_path / "graded", jobs=2, progress=False)
    with open(tmp_path / "graded" / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert auto(rows["model"]) == float(rows["model"]["max_auto_score"])
    assert float(rows["capture"]["문제 5"]) == 0 and float(rows["model"]["문제 5"]) == 3
    assert auto(rows["capture"]) == auto(rows["model"]) - 3, "only the ban's points are lost"
    graded = nbformat.read(str(tmp_path / "graded" / "autograded" / "capture" / chapter / f"{chapter}.ipynb"), 4)
    cell = next(c for c in graded.cells if notebooks.grade_id(c) == "test_softmax_cross_entropy_torch")
    assert "_ce = F.cross_entropy" in "".join(o.get("evalue", "") for o in cell.outputs)
