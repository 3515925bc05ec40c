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
