"""The student's feedback HTML from real grading (`lossbook grade`), opened in Chromium with the
network refused: a summary per 문제 on top with the failing test's Korean message, no hidden test
code anywhere, math typeset by the inlined MathJax, written answers "채점 전"."""

import csv
import html
from pathlib import Path

import nbformat
import pytest

from conftest import BUILD, needs_chromium
from lossbook import notebooks
from lossbook.grading import autograde, sandbox
from lossbook.grading.cli import grade
from lossbook.grading.feedback import BEGIN, END
from lossbook.problems import problems

pytestmark = [pytest.mark.grading, pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")]
CHAPTER = "03_bce"


def hidden_test_lines(chapter):
    """The non-trivial lines of every hidden block of the chapter's source notebook."""
    lines = []
    for cell in notebooks.read(notebooks.solution_notebook(chapter)).cells:
        inside = False
        for line in cell.source.splitlines():
            if line.strip() == BEGIN:
                inside = True
            elif line.strip() == END:
                inside = False
            elif inside and len(line.strip()) > 25:
                lines.append(line.strip())
    return lines


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """03_bce graded for two students: the model answers, and `bce_loss` without clipping with
    one written answer left empty. Returns the output folder."""
    root = tmp_path_factory.mktemp("feedback")
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(CHAPTER)))
    wrong = nbformat.from_dict(model)
    for cell in wrong.cells:
        if notebooks.grade_id(cell) == "bce_loss":
            assert "p = np.clip(p_pred, eps, 1 - eps)" in cell.source
            cell.source = cell.source.replace("p = np.clip(p_pred, eps, 1 - eps)", "p = p_pred")
        if notebooks.grade_id(cell) == "answer_formula":
            cell.source = "여기에 답을 작성하세요."
        if notebooks.grade_id(cell) == "answer_choice":   # typeset by MathJax, which must not make it a link
            cell.source += "\n\n$\\href{javascript:alert(1)}{x}$"
    for sid, nb in {"model": model, "wrong": wrong}.items():
        target = root / "in" / sid / CHAPTER
        target.mkdir(parents=True)
        nbformat.write(nb, str(target / f"{CHAPTER}.ipynb"))
    grade(CHAPTER, root / "in", out=root / "out", jobs=1, progress=False)
    return root / "out"


def feedback(out, student):
    return out / "feedback" / student / CHAPTER / f"{CHAPTER}.html"


def test_no_hidden_test_code_in_any_feedback(graded):
    lines = hidden_test_lines(CHAPTER)
    assert len(lines) > 10
    for student in ("model", "wrong"):
        text = html.unescape(feedback(graded, student).read_text(encoding="utf-8"))
        shown = [line for line in lines if line in text]
        assert not shown, f"{student}: hidden test code in the feedback: {shown[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text
        assert "Cell In[" not in text and "most recent call last" not in text, "a traceback shows test code"


def test_the_instructor_can_ask_for_the_hidden_tests(graded):
    config = autograde.course_config(graded, f"sqlite:///{graded / 'gradebook.db'}", CHAPTER, show_hidden_tests=True)
    autograde.write_feedback(Path(graded), config, CHAPTER, "wrong", [])
    text = html.unescape(feedback(graded, "wrong").read_text(encoding="utf-8"))
    assert sum(line in text for line in hidden_test_lines(CHAPTER)) > 10
    autograde.write_feedback(Path(graded), autograde.course_config(graded, f"sqlite:///{graded / 'gradebook.db'}", CHAPTER),
                             CHAPTER, "wrong", [])   # back to what the student gets


@needs_chromium
def test_feedback_in_a_browser(graded, browser):
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    blocked, errors = [], []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(feedback(graded, "wrong").as_uri())
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
    summary = page.locator("table.lossbook-summary")
    for problem in problems(release):
        number = f"문제 {problem.number}."
        assert summary.get_by_text(number).count() >= 1, f"{number} is not in the summary"
    failing = summary.locator("tr.lossbook-failed", has_text="bce_loss")
    message = failing.get_by_text("p = 0, y = 1에서 손실이 inf입니다")
    assert message.count() == 1 and message.bounding_box()["y"] + message.bounding_box()["height"] < 900, \
        "the failing test's message must be above the fold"
    assert summary.locator("tr.lossbook-pending").get_by_text("채점 전").count() >= 1
    with open(graded / "grades.csv", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["student_id"] == "wrong")
    assert f"자동 채점 {row['auto_score']} / {row['max_auto_score']}" in page.locator("h4").first.inner_text()
    prose = page.evaluate("() => { const b = document.body.cloneNode(true);"
                          " b.querySelectorAll('pre, code, .input_area').forEach(e => e.remove()); return b.innerText; }")
    assert "$$" not in prose, "raw TeX left in the feedback"
    assert "In [" not in prose and "Out[" not in prose, "English prompts in the feedback"
    assert page.locator('a[href^="javascript"], [href^="javascript"]').count() == 0
    shots = BUILD / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "feedback-03_bce.png"))
    context.close()
    assert not blocked and not errors, (blocked[:3], errors[:3])


def test_report_means_per_problem_match_the_gradebook(graded):
    """report.md's mean per 문제, against the grades nbgrader's gradebook holds for its cells."""
    from nbgrader.api import Gradebook
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    report = (graded / "report.md").read_text(encoding="utf-8")
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        for problem in problems(release):
            if problem.written:
                continue
            totals = []
            for student in ("model", "wrong"):
                nb = gb.find_submission_notebook(CHAPTER, CHAPTER, student)
                totals.append(sum(g.score for g in nb.grades if g.cell.name in problem.tests))
            row = next(line for line in report.splitlines() if line.startswith(f"| {problem.title} |"))
            assert row.split("|")[3].strip() == f"{sum(totals) / len(totals):.2f}", row
    assert "p = 0, y = 1에서 손실이 inf입니다" in next(
        line for line in report.splitlines() if "`bce_loss`" in line and line.startswith("| 문제"))
    with open(graded / "grades.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:9] == ["student_id", "score", "max_score", "auto_score", "max_auto_score", "manual_score",
                          "max_manual_score", "needs_manual_grade", "problems"]   # the LMS columns stay first
    assert header[9:] == [f"문제 {p.number}" for p in problems(release)]


def test_feedback_made_by_nbgrader_in_the_folder_hides_the_tests_too(graded):
    """formgrader's "generate feedback" (= `nbgrader generate_feedback` in the grading folder, which
    reads the nbgrader_config.py lossbook grade wrote) gives the same Korean page."""
    from lossbook.maintain import run_tool
    target = feedback(graded, "wrong")
    target.unlink()
    run_tool("nbgrader", "generate_feedback", CHAPTER, "--student", "wrong", "--force", cwd=graded, check=True,
             capture_output=True)
    text = html.unescape(target.read_text(encoding="utf-8"))
    assert "자동 채점" in text and not [line for line in hidden_test_lines(CHAPTER) if line in text]
