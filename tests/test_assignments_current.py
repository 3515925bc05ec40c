"""assignments/ is exactly what nbgrader generates from solutions/ now: a stale or
hand-edited student version fails (fix: `make assignments`)."""

import difflib

import nbformat
import pytest

from conftest import CHAPTERS
from lossbook import notebooks
from lossbook.maintain import generate_assignment_copy


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_is_generated_from_solution(chapter, tmp_path):
    generated = nbformat.writes(notebooks.read(generate_assignment_copy(chapter, tmp_path)))
    committed = nbformat.writes(notebooks.read(notebooks.assignment_notebook(chapter)))
    if generated != committed:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(True), generated.splitlines(True), "committed", "generated"))[:40])
        pytest.fail(f"assignments/{chapter} differs from nbgrader's output; run `make assignments`.\n{diff}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_hides_solutions_and_hidden_tests(chapter):
    text = notebooks.assignment_notebook(chapter).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "모범 답안", "채점 기준"):
        assert marker not in text, f"the student version of {chapter} contains {marker!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_execution_timing_is_committed(chapter):
    """Timing metadata changes on every run: a diff of noise in every commit that touches a chapter."""
    for path in (notebooks.solution_notebook(chapter), notebooks.assignment_notebook(chapter)):
        timed = [i for i, cell in enumerate(notebooks.read(path).cells) if "execution" in cell.metadata]
        assert not timed, f"{path.name}: cells {timed} carry execution timing; strip it (maintain.execute_solution does)"
