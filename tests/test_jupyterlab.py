"""The student's path in a real JupyterLab: the server starts on localhost with the nbgrader
extension, chromium opens an assignment, runs all cells and presses nbgrader's *Validate*
button. The model answers pass; the untouched student version fails, and the dialog names in
Korean what is missing: the test cells' one-line Korean docstrings and the course's Korean
assertion messages (nbgrader's own dialog text is English)."""

import re
from pathlib import Path

import nbformat
import pytest

from conftest import CHAPTERS, jupyterlab_server, needs_chromium
from lossbook import notebooks

pytestmark = [
    pytest.mark.jupyterlab,
    pytest.mark.browser,
    needs_chromium,
]
# One chapter is enough to test the path (it is the same for every chapter): the first one
# whose student version exists.
CHAPTER = next((c for c in CHAPTERS if notebooks.assignment_notebook(c).exists()), None)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on localhost serving a folder with the untouched student version
    (student/) and the student version filled in with the model answers (solved/)."""
    if CHAPTER is None:
        pytest.skip("no assignment in assignments/ yet")
    root = tmp_path_factory.mktemp("lab")
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    source = notebooks.read(notebooks.solution_notebook(CHAPTER))
    for folder, nb in (("student", release), ("solved", notebooks.model_submission(release, source))):
        (root / folder).mkdir()
        nbformat.write(nb, str(root / folder / f"{CHAPTER}.ipynb"))
    token = "lossbook-test"
    with jupyterlab_server(root, token, root / "lab.log", ["--LabApp.expose_app_in_browser=True"]) as base:
        yield base, token, root


def run_all_and_validate(browser, lab, folder):
    """Open <folder>/<chapter>.ipynb in JupyterLab, run all cells, press Validate; returns the
    Validate dialog's (CSS classes of its result, text)."""
    base, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        path = f"{folder}/{CHAPTER}.ipynb"
        # a workspace of its own per notebook, so that no tab of an earlier test is restored
        page.goto(f"{base}/lab/workspaces/{folder}/tree/{path}?reset&token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function(  # this notebook is the current tab, its kernel started and idle
            "path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.context && w.context.path === path && w.sessionContext.session"
            " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }",
            arg=path, timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(  # every queued cell has run (none shows [*]) and the kernel is idle
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " const busy = [...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));"
            " return !busy && w.sessionContext.session.kernel.status === 'idle'; }", timeout=180_000)
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(500)
        page.locator(".validate-button button, button.validate-button, .validate-button").first.click()
        kinds = ("success", "failed", "error", "changed", "type-changed")
        dialog = page.locator(", ".join(f".jp-Dialog .validation-{kind}" for kind in kinds)).first
        dialog.wait_for(timeout=150_000)  # nbgrader re-executes the notebook on the server
        result = dialog.get_attribute("class")
        return result, dialog.inner_text()
    except Exception:
        shot = Path(lab[2]) / f"failure-{folder}.png"
        page.screenshot(path=str(shot))
        raise AssertionError(f"JupyterLab step failed; screenshot {shot}, server log "
                             f"{Path(lab[2]) / 'lab.log'}") from None
    finally:
        page.close()


def test_model_answers_pass_validate(browser, lab):
    result, text = run_all_and_validate(browser, lab, "solved")
    assert "validation-success" in result, f"Validate did not pass the model answers of {CHAPTER}:\n{text[:3000]}"
    assert "Success! Your notebook passes all the tests." in text


def test_untouched_student_version_says_in_korean_what_is_missing(browser, lab):
    result, text = run_all_and_validate(browser, lab, "student")
    assert "validation-failed" in result, f"Validate accepted the untouched student version:\n{text[:2000]}"
    assert "The following cell failed" in text and "NotImplementedError" in text
    release = notebooks.read(notebooks.assignment_notebook(CHAPTER))
    docstrings = [c.source.splitlines()[0].strip('"') for c in release.cells if notebooks.is_autograded_test(c)]
    shown = [d for d in docstrings if d in text]
    assert shown, f"the dialog shows none of the test cells' Korean descriptions {docstrings[:3]}:\n{text[:2000]}"
    assert all(HANGUL.search(d) for d in shown)
    korean_lines = [line for line in text.splitlines() if HANGUL.search(line)]
    assert any("ValueError" in line or "구현" in line or "발생" in line for line in korean_lines), \
        f"no Korean assertion message from the course's visible tests in the dialog:\n{text[:2000]}"
