"""A hostile class (issue 12, parts 4 and 5): students who try to break the grader rather
than cheat it. One shared run with `--jobs 2` (tests/support/grading_cases.py,
`write_hostile_class`) in which one worker is killed with SIGKILL while it grades a slow
student, as the OOM killer would. Required: the run finishes, every student has exactly one
row, the honest student gets full marks, each hostile student gets a Korean line in the
problems column, no temporary folder is left, nothing behind a symlink is read or copied, and
no student HTML is active in the feedback or in formgrader (opened in chromium)."""

import csv
import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BUILD, jupyterlab_server, needs_chromium
from lossbook.grading import cli, sandbox
from lossbook.grading.cli import grade
from lossbook.notebooks import ROOT
from support.grading_cases import XSS_MARK, write_hostile_class, write_hostile_zip

try:
    from bleach._vendor import html5lib
except ImportError:   # pragma: no cover
    import html5lib

CHAPTER = "01_mse"
TIMEOUT = 30   # per cell: the slow student's cell must still be running when its worker is killed

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox.available(), reason="bubblewrap is not installed (.ci/run installs it)")]


def read_rows(out):
    with open(Path(out) / "grades.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class RunTemp:
    """Records the run's temporary folder (cli makes one per run under /tmp)."""

    def __init__(self):
        self.made = []
        self._mkdtemp = tempfile.mkdtemp

    def __call__(self, *args, **kwargs):
        path = self._mkdtemp(*args, **kwargs)
        if kwargs.get("prefix", "").startswith("lbk-run-"):
            self.made.append(Path(path))
        return path


def kill_worker_of(student, seen, stop):
    """SIGKILL the worker that grades `student` once its sandboxed kernel is up (its folder
    under the run's temporary folder holds the kernel's runtime)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not stop.is_set():
        pid = next((p for p, s in list(cli.ACTIVE.items()) if s == student), None)
        if pid and seen["run_tmp"]:
            own = seen["run_tmp"][0] / f"w{pid}"
            runtimes = [p for p in own.glob("lbk-*") if (p / "kernel.json").exists()] if own.exists() else []
            if runtimes:
                time.sleep(2)   # the kernel is running the student's cells now
                seen["before_kill"] = sorted(p.name for p in own.iterdir())
                os.kill(pid, signal.SIGKILL)
                seen["killed"] = pid
                return
        time.sleep(0.1)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    out = base / "graded"
    expect = write_hostile_class(base / "submissions", CHAPTER, slow_seconds=3 * TIMEOUT // 2)
    recorder = RunTemp()
    seen = {"run_tmp": recorder.made}
    stop = threading.Event()
    killer = threading.Thread(target=kill_worker_of, args=("slow", seen, stop), daemon=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli.tempfile, "mkdtemp", recorder)
        killer.start()
        started = time.perf_counter()
        try:
            summary = grade(CHAPTER, base / "submissions", out=out, jobs=2, timeout=TIMEOUT, progress=False)
        finally:
            stop.set()
            killer.join(timeout=5)
    seen["seconds"] = time.perf_counter() - started
    return base, out, expect, summary, seen


def test_one_row_per_student_and_each_problem_in_korean(hostile):
    base, out, expect, summary, seen = hostile
    full = expect["_full"]
    rows = read_rows(out)
    ids = [r["student_id"] for r in rows]
    students = {k: v for k, v in expect.items() if not k.startswith("_")}
    wanted = sorted(v.get("row_id", k) for k, v in students.items())
    assert sorted(ids) == wanted, ids   # one row each: no student lost, none doubled
    by_id = {r["student_id"]: r for r in rows}
    for student, want in students.items():
        row = by_id[want.get("row_id", student)]
        assert float(row["auto_score"]) == want["score"], f"{student!r}: {row}"
        assert float(row["max_auto_score"]) == full or not want["score"]
        if want.get("no_problems"):
            assert row["problems"] == "", f"{student!r}: {row['problems']}"
        for phrase in want.get("problem", []):
            assert phrase in row["problems"], f"{student!r}: {phrase!r} not in {row['problems']!r}"
    assert float(by_id["honest"]["auto_score"]) == full


def test_a_killed_worker_costs_only_its_student(hostile):
    _, out, _, summary, seen = hostile
    assert seen.get("killed"), "the slow student's worker was never seen running a kernel"
    assert any(name.startswith("lbk-") for name in seen["before_kill"]), seen["before_kill"]
    row = {r["student_id"]: r for r in read_rows(out)}["slow"]
    assert "--student slow" in row["problems"]
    assert not (out / "autograded" / "slow" / CHAPTER).exists()
    # graded again next time (nothing recorded as done), and every other student was graded
    import json
    state = json.loads((out / cli.STATE).read_text(encoding="utf-8"))[CHAPTER]
    assert state["slow"]["hash"] is None and state["honest"]["hash"]
    assert "slow" in summary["graded"] and len(summary["graded"]) == len(read_rows(out)) - len(summary["ungraded"])


def test_no_temporary_folder_is_left(hostile):
    *_, seen = hostile
    assert len(seen["run_tmp"]) == 1
    assert not seen["run_tmp"][0].exists(), sorted(p.name for p in seen["run_tmp"][0].rglob("*"))


def test_nothing_behind_a_symlink_is_read_or_copied(hostile):
    _, out, _, _, _ = hostile
    solution = (ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb").read_bytes()
    assert not list((out / "submitted" / "linked").rglob("*.ipynb"))
    assert not (out / "autograded" / "linked").exists() or not list((out / "autograded" / "linked").rglob("*.ipynb"))
    for kind in ("submitted", "autograded", "feedback", "rejected"):
        for path in (out / kind).rglob("*"):
            assert not path.is_symlink(), path
            if path.is_file():
                data = path.read_bytes()
                # not the solutions' answers (autograded notebooks hold the hidden tests by
                # design, never the source's answer markers)
                assert data != solution and b"### BEGIN SOLUTION" not in data, path


def test_csv_fields_cannot_be_formulas(hostile):
    _, out, _, _, _ = hostile
    text = (out / "grades.csv").read_text(encoding="utf-8")
    assert ",'=HYPERLINK" in text and ",=HYPERLINK" not in text
    for row in read_rows(out):
        for value in row.values():
            assert not value[:1] in ("=", "+", "@") and not value.startswith("-"), row


def active_student_html(html):
    """Everything in `html` (parsed as a browser does) that could run the student's code."""
    found = []
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.split("}")[-1].lower()
        if tag in ("iframe", "object", "embed", "frame", "form", "base"):
            found.append(f"<{tag}>")
        if tag == "script" and XSS_MARK in (element.text or "") + element.attrib.get("src", ""):
            found.append("<script> " + (element.text or "")[:60])
        for name, value in element.attrib.items():
            name = str(name).lower()
            if name.startswith("on") and XSS_MARK in value.replace(" ", ""):
                found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    value.strip().lower().replace("\t", "").startswith(("javascript:", "data:text", "vbscript:")):
                found.append(f"<{tag} {name}={value[:40]}>")
    return found


def test_feedback_has_no_active_student_html(hostile):
    _, out, _, _, _ = hostile
    html = (out / "feedback" / "xss" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert XSS_MARK in html   # the student's text is there, shown as text
    assert active_student_html(html) == []
    assert "안전을 위해" in html
    honest = (out / "feedback" / "honest" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert "안전을 위해" not in honest   # honest output and markdown are left as they were


def test_the_written_config_sanitises_every_html_exporter(hostile):
    """formgrader makes `HTMLExporter(config=...)` from the nbgrader_config.py of the folder it
    runs in: with that config, nbgrader's own formgrade template renders the hostile
    submission inert too."""
    _, out, _, _, _ = hostile
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config, PyFileConfigLoader
    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config())
    resources = {"assignment_id": CHAPTER, "notebook_id": CHAPTER, "submission_id": "x", "index": 0, "total": 1,
                 "base_url": "/", "student": "xss", "last_name": None, "first_name": None, "notebook_path": "x"}
    html, _ = HTMLExporter(config=config).from_filename(
        str(out / "autograded" / "xss" / CHAPTER / f"{CHAPTER}.ipynb"), resources=resources)
    assert XSS_MARK in html and active_student_html(html) == []


def test_a_lying_zip_is_read_for_each_student_alone(hostile, tmp_path):
    """Wrong declared sizes, a zip-bomb entry, absolute paths, '..', backslashes, a CP949
    name and a symlink entry: every student has a row and a note, nothing escapes. Graded
    into a copy of the class's folder (the assignment is registered there already), whose
    rows stay as they were."""
    _, out, _, class_summary, _ = hostile
    archive, copy = tmp_path / "lms.zip", tmp_path / "out"
    shutil.copytree(out, copy)
    # an unusable id has a row for the input it was in, not in the gradebook
    before = {r["student_id"]: r for r in read_rows(copy) if r["student_id"] not in class_summary["ungraded"]}
    expect = write_hostile_zip(archive, CHAPTER)
    summary = grade(CHAPTER, archive, out=copy, jobs=1, timeout=TIMEOUT, progress=False)
    rows = {r["student_id"]: r for r in read_rows(copy)}
    assert sorted(rows) == sorted(set(expect) | set(before))
    assert {sid: rows[sid] for sid in before} == before
    for student, phrases in expect.items():
        for phrase in phrases:
            assert phrase in rows[student]["problems"], f"{student}: {rows[student]['problems']!r}"
    assert any("상위 폴더" in w for w in summary["warnings"])
    assert "상위 폴더" in (copy / "report.md").read_text(encoding="utf-8")
    assert not (tmp_path / "escape").exists() and not list(tmp_path.rglob("passwd"))


# ------------------------------------------------------------------ formgrader in chromium

@pytest.fixture(scope="module")
def formgrader(hostile):
    """JupyterLab with nbgrader's formgrader, started in the grading folder as the README says."""
    _, out, _, _, _ = hostile
    token, log_path = "lossbook-fg", out.parent / "formgrader.log"
    with jupyterlab_server(out, token, log_path) as base:
        yield base, token, out, log_path


def kernels(base, token):
    import json
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.browser
@needs_chromium
def test_student_script_does_not_run_in_formgrader(formgrader, browser):
    base, token, out, log_path = formgrader
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "lossbook") as gb:
        submission_id = gb.find_submission_notebook(CHAPTER, CHAPTER, "xss").id
    assert kernels(base, token) == []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/formgrader/submissions/{submission_id}/?token={token}", timeout=60_000)
        page.wait_for_selector("text=안전을 위해", timeout=30_000)   # the student's cells are on the page
        page.wait_for_timeout(1500)   # time for any onload/onerror/fetch to fire
        assert XSS_MARK in page.content()
        assert page.title() != XSS_MARK
        assert page.evaluate(f"typeof window.__{XSS_MARK}") == "undefined"
        assert page.evaluate(f"[...document.querySelectorAll('iframe, object, embed, svg[onload]')].length") == 0
        SHOTS = BUILD / "screenshots"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "formgrader-hostile-submission.png"), full_page=False)
    finally:
        page.close()
    assert kernels(base, token) == [], "a kernel was started from the student's page"
    assert "Traceback" not in log_path.read_text() or "StudentHTML" not in log_path.read_text()
