"""The student's self-check (`lossbook.selfcheck`): the problems it names, the same verdict as
nbgrader's Validate, and its last cell in JupyterLab, Colab and a grading run."""

import json
import re
import sys
import types

import nbformat
import pytest

from conftest import CHAPTERS, chapter_data
from lossbook import authoring, notebooks, selfcheck
from lossbook.problems import problems

FAST = "01_mse"
POINTS_IN_HEADING = re.compile(r"\((\d+)점")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_problems_match_their_headings(chapter):
    """Each problem's points from nbgrader's metadata equal the points its heading promises,
    the problems are numbered 1, 2, ... and every graded cell belongs to one."""
    nb = notebooks.read(notebooks.solution_notebook(chapter))
    found = problems(nb)
    assert [p.number for p in found] == list(range(1, len(found) + 1))
    headings = {int(m[1]): m[0] for c in nb.cells if c.cell_type == "markdown"
                for m in re.finditer(r"^## 문제 (\d+)\..*$", c.source, re.MULTILINE)}
    for problem in found:
        assert problem.points == float(POINTS_IN_HEADING.search(headings[problem.number])[1]), problem.title
    graded = [notebooks.grade_id(c) for c in nb.cells if notebooks.is_autograded_test(c) or notebooks.is_manual_answer(c)]
    assert sorted(graded) == sorted(g for p in found for g in p.tests + p.written)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_assignment_ends_with_the_question_and_the_self_check(chapter):
    wanted = [(c.cell_type, c.source) for c in authoring.course_end(chapter)]
    for path in (notebooks.solution_notebook(chapter), notebooks.assignment_notebook(chapter)):
        nb = notebooks.read(path)
        assert [(c.cell_type, c.source) for c in nb.cells[-len(wanted):]] == wanted, path


# ---------------------------------------------------------------- the same verdict as Validate

def _wrong_answer(chapter):
    """The chapter catalogue's first wrong answer that its data says some visible test catches."""
    return next(a for a in chapter_data(chapter).wrong_answers if a.caught_by)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """01_mse as a student could hand it in: model answers, blank, one wrong answer, and the
    model answers with a test cell edited to pass."""
    folder = tmp_path_factory.mktemp("selfcheck")
    release = notebooks.read(notebooks.assignment_notebook(FAST))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(FAST)))
    wrong = nbformat.from_dict(model)
    answer = _wrong_answer(FAST)
    for cell in wrong.cells:
        if notebooks.grade_id(cell) in answer.cells:
            cell.source = answer.cells[notebooks.grade_id(cell)]
    edited = nbformat.from_dict(wrong)
    for cell in edited.cells:
        if notebooks.grade_id(cell) in answer.caught_by:
            cell.source = "pass"
    paths = {}
    for name, nb in {"model": model, "blank": release, "wrong": wrong, "edited": edited}.items():
        paths[name] = folder / name / f"{FAST}.ipynb"
        paths[name].parent.mkdir()
        nbformat.write(nb, str(paths[name]))
    return paths, answer


def _validate(path):
    """nbgrader's Validate on `path`: (sources of the failed cells, sources of the changed cells)."""
    from nbgrader.validator import Validator
    result = Validator().validate(str(path))
    return ({c["source"] for c in result.get("failed", [])}, {c["source"] for c in result.get("changed", [])})


@pytest.mark.grading
@pytest.mark.parametrize("name", ["model", "blank", "wrong", "edited"])
def test_the_self_check_agrees_with_nbgrader_validate(submissions, name):
    paths, answer = submissions
    path = paths[name]
    nb = notebooks.read(path)
    by_id = {notebooks.grade_id(c): c.source.strip() for c in nb.cells}
    report = selfcheck.check_file(path)
    failed, changed = _validate(path)
    if changed:   # Validate reports edited locked cells instead of failures
        assert set(report.changed) and {by_id[g] for g in report.changed} == changed
        assert not report.passed
        return
    ours = {by_id[g] for g in report.failures + report.unwritten}
    assert ours == failed
    assert report.passed == (not failed)
    if name == "wrong":
        assert failed and {by_id[g] for g in answer.caught_by} <= failed


# ---------------------------------------------------------------- the notebook's last cell

def test_the_last_cell_does_nothing_inside_a_check_or_nbgrader(monkeypatch, capsys):
    monkeypatch.setenv(selfcheck.NESTED, "1")
    assert selfcheck.check(f"{FAST}.ipynb") is None
    monkeypatch.delenv(selfcheck.NESTED)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert selfcheck.check(f"{FAST}.ipynb") is None
    assert capsys.readouterr().out == ""


def test_the_last_cell_without_a_front_end_says_how_to_check(monkeypatch, capsys):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert selfcheck.check(f"{FAST}.ipynb") is None
    assert f"python -m lossbook check {FAST}.ipynb" in capsys.readouterr().out


@pytest.mark.grading
def test_the_last_cell_in_jupyterlab_checks_the_saved_notebook(submissions, monkeypatch, capsys):
    paths, _ = submissions
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", str(paths["blank"]))   # what jupyter_server gives the kernel
    report = selfcheck.check(f"{FAST}.ipynb")
    out = capsys.readouterr().out
    assert report is not None and not report.passed and str(paths["blank"]) in out
    assert "✘ 문제 1." in out


@pytest.mark.grading
def test_the_last_cell_in_colab_checks_what_the_front_end_has(submissions, monkeypatch, capsys):
    """Colab's kernel asks its front end for the notebook (`_message.blocking_request("get_ipynb")`);
    stood in for by a module that answers with the model notebook, unsaved as in Colab."""
    paths, _ = submissions
    model = json.loads(nbformat.writes(nbformat.read(str(paths["model"]), as_version=4)))   # sources as lists of lines
    asked = []

    def blocking_request(kind, request="", timeout_sec=None):
        asked.append(kind)
        return {"ipynb": model}

    colab = types.ModuleType("google.colab")
    colab._message = types.SimpleNamespace(blocking_request=blocking_request)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.chdir(paths["model"].parent)
    report = selfcheck.check(f"{FAST}.ipynb")
    assert asked == ["get_ipynb"] and report.passed, str(report)
    assert "모두 통과했습니다" in capsys.readouterr().out
