"""What the student's feedback HTML shows: a summary per 문제 on top, no hidden test code, math
typeset offline.

`FeedbackView` is a preprocessor of nbgrader's GenerateFeedback (after GetGrades, which put each
grade cell's score into its metadata). On the copy of the notebook that is rendered:
- every autograded test cell loses its `### BEGIN HIDDEN TESTS` block (a line says that hidden
  tests ran there), and an error output keeps only its Korean message: a traceback would print
  the hidden test's lines. A failure raised inside the hidden block is labelled 숨은 테스트;
- resources["lossbook"] gets the rows of the summary (`lossbook.problems` reads the problems
  from the notebook), the totals, and the MathJax the template inlines.
`--show-hidden-tests` (`FeedbackView.show_hidden_tests`) keeps the tests as they are.
"""

import html
import re
from functools import cache
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, List, Unicode

from lossbook.notebooks import grade_id, is_autograded_test
from lossbook.problems import problems
from lossbook.selfcheck import explain

TEMPLATES = Path(__file__).resolve().parent / "templates"
NBGRADER_TEMPLATES = Path(__import__("nbgrader").__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_NOTE = "# (숨은 테스트: 채점할 때만 실행되고, 내용은 공개하지 않습니다)"
CODE = re.compile(r"`([^`]+)`")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>|<cell line: \d+>)[^\n]*?line (\d+)")


def _fmt(x):
    return f"{x:g}"


def hidden_lines(source):
    """The 1-based line numbers of the cell's hidden block (markers included)."""
    lines, inside, found = source.splitlines(), False, set()
    for number, line in enumerate(lines, start=1):
        if line.strip() == BEGIN:
            inside = True
        if inside:
            found.add(number)
        if line.strip() == END:
            inside = False
    return found


def without_hidden(source):
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
            kept.append(HIDDEN_NOTE)
        elif line.strip() == END:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def failed_line(output):
    """The line of the test cell at which its error was raised (first frame in the cell), or None."""
    text = ANSI.sub("", "\n".join(output.get("traceback", [])))
    match = CELL_LINE.search(text)
    return int(match[1]) if match else None


@cache
def mathjax_svg():
    """MathJax 3's TeX-to-SVG bundle from sphinx-mathjax-offline (the copy the book ships): inlined,
    it typesets with no network and no font files."""
    from importlib.metadata import files
    path = next(f for f in files("sphinx-mathjax-offline") if str(f).endswith("mathjax/tex-svg.js"))
    return Path(path.locate()).read_text(encoding="utf-8")


class FeedbackView(Preprocessor):
    enabled = Bool(True)   # registered by GenerateFeedback like GetGrades, which is on by default
    show_hidden_tests = Bool(False, help="Show hidden test code and tracebacks (for instructors).").tag(config=True)

    def preprocess(self, nb, resources):
        grades = self._manual_grades(resources)
        failures = {}
        for cell in nb.cells:
            if cell.cell_type == "code" and is_autograded_test(cell):
                failures[grade_id(cell)] = self._test_cell(cell)
        rows, auto, auto_max, written_max, written_got, waiting = [], 0.0, 0.0, 0.0, 0.0, 0
        scores = {grade_id(c): c.metadata.get("nbgrader", {}) for c in nb.cells}
        for problem in problems(nb):
            got = sum(float(scores[g].get("score") or 0) for g in problem.tests)
            possible = sum(float(scores[g].get("points") or 0) for g in problem.tests)
            messages = [failures[g] for g in problem.tests if failures.get(g)]
            row = {"title": problem.title, "got": got, "possible": possible, "messages": messages,
                   "anchor": (messages[0]["grade_id"] if messages else (problem.tests or problem.written)[0])}
            auto, auto_max = auto + got, auto_max + possible
            if problem.written:
                points = sum(float(scores[g].get("points") or 0) for g in problem.written)
                pending = any(grades.get(g, True) for g in problem.written)
                written_max += points
                if pending:
                    waiting += 1
                    row.update(status="pending", possible=possible + points)
                else:
                    score = sum(float(scores[g].get("score") or 0) for g in problem.written)
                    written_got += score
                    row.update(got=got + score, possible=possible + points)
            if "status" not in row:
                row["status"] = "ok" if row["got"] >= row["possible"] else "failed"
            row["title_html"] = CODE.sub(r"<code>\1</code>", html.escape(problem.title))
            row["score"] = f"{_fmt(row['got'])} / {_fmt(row['possible'])}"
            rows.append(row)
        written = ("" if not written_max else f", 서술형 채점 전 ({_fmt(written_max)}점)" if waiting
                   else f", 서술형 {_fmt(written_got)} / {_fmt(written_max)}")
        resources["lossbook"] = {"rows": rows, "headline": f"자동 채점 {_fmt(auto)} / {_fmt(auto_max)}{written}",
                                 "mathjax": mathjax_svg()}
        return nb, resources

    def _test_cell(self, cell):
        """Hide the cell's hidden tests; returns its failure ({grade_id, message, hidden}) or None."""
        hidden = hidden_lines(cell.source)
        failure = None
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            in_hidden = failed_line(output) in hidden
            failure = {"grade_id": grade_id(cell), "message": explain(output.get("ename", ""), output.get("evalue", "")),
                       "hidden": in_hidden}
            if not self.show_hidden_tests:
                output["traceback"] = [f"{output.get('ename', '')}: {output.get('evalue', '')}"
                                       + ("  (숨은 테스트)" if in_hidden else "")]
        if hidden and not self.show_hidden_tests:
            cell.source = without_hidden(cell.source)
        return failure

    @staticmethod
    def _manual_grades(resources):
        """{grade_id: waits for a person} of the written answers, from the gradebook."""
        from nbgrader.api import Gradebook, MissingEntry
        info = resources.get("nbgrader", {})
        pending = {}
        try:
            with Gradebook(info["db_url"]) as gb:
                nb = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
                for grade in nb.grades:
                    if grade.cell.cell_type == "markdown":
                        pending[grade.cell.name] = grade.manual_score is None and grade.auto_score is None
        except (KeyError, MissingEntry):
            pass
        return pending



class FeedbackExporter(HTMLExporter):
    """The HTML exporter of the feedback (GenerateFeedback.exporter_class): the Korean template.
    Its template traits are not configurable on purpose: nbgrader's GenerateFeedback writes
    HTMLExporter.template_name = "feedback" into its config, and formgrader's own pages in the
    same folder must keep their templates, so nothing is set on HTMLExporter itself."""
    template_name = Unicode("feedback_ko")
    extra_template_basedirs = List([str(TEMPLATES), str(NBGRADER_TEMPLATES)])
    exclude_input_prompt = Bool(True)    # "In [20]:" is neither Korean nor of use to the student
    exclude_output_prompt = Bool(True)
