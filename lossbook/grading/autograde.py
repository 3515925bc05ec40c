"""Autograding one student on nbgrader's converters, with the kernel in the sandbox.

`LossbookAutograde` is nbgrader's `Autograde` converter with three changes:
- the notebook runs through `SafeExecute`: the kernel is `SandboxKernelManager`, and a
  kernel that dies (`os._exit`, `exit()`) fails the remaining cells instead of the run;
- every step that *writes* the gradebook (init_assignment, SaveAutoGrades,
  AssignLatePenalties) runs under one file lock, so parallel workers never write it at the
  same time (SQLite included); the steps that only read it (OverwriteKernelspec,
  OverwriteCells, GetGrades for the feedback) run without the lock, in parallel;
- it records where the time goes (kernel start, cell execution, lock waits, the rest).

The feedback is nbgrader's GenerateFeedback with the Korean template; one converter (and so
one HTML exporter with its compiled templates) is kept per process and reused per student.
"""

import contextlib
import copy
import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nbgrader
import nbgrader.api
from alembic.script import ScriptDirectory
from nbclient.exceptions import DeadKernelError
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                    Execute, IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
                                    SaveAutoGrades)
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbconvert.writers import FilesWriter
from traitlets.config import Config, PyFileConfigLoader

from lossbook.grading.limits import ExecutionLimits
from lossbook.grading import intake, safehtml
from lossbook.grading.sandbox import SandboxKernelManager
from lossbook.grading.test_side import TestSide, course_cells, side_of, student_runtimes
from lossbook.grading.submissions import shown
from lossbook.notebooks import ROOT, is_autograded_test, nbgrader_meta

KERNEL_DIED = "KernelDied"


# ---------------------------------------------------------------- the course folder

FEEDBACK_EXPORTER = "lossbook.grading.feedback.FeedbackExporter"
FEEDBACK_PREPROCESSORS = ["nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
                          "lossbook.grading.feedback.FeedbackView"]


def course_config(out, db_url, assignment, timeout=None, sandbox=True, show_hidden_tests=False):
    """nbgrader configuration for grading in `out`: the repository's nbgrader_config.py
    (stubs, per-cell timeout), with every folder inside `out`."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    c = Config()
    c.CourseDirectory.root = str(Path(out).resolve())
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "release"
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = "autograded"
    c.CourseDirectory.feedback_directory = "feedback"
    c.CourseDirectory.db_url = db_url
    c.CourseDirectory.assignment_id = assignment
    c.CourseDirectory.course_id = "lossbook"
    if timeout is not None:
        c.Execute.timeout = int(timeout)
    c.SandboxKernelManager.sandbox = bool(sandbox)
    c.Execute.shutdown_kernel = "immediate"   # the student's kernel has nothing to save
    c.GenerateFeedback.exporter_class = FEEDBACK_EXPORTER        # the Korean template
    c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS   # summary per 문제, hidden tests hidden
    c.FeedbackView.show_hidden_tests = bool(show_hidden_tests)
    for key, value in safehtml.HTML_CONFIG.items():   # student HTML inert in the feedback
        setattr(c.HTMLExporter, key, value)
    c.Application.log_level = "ERROR"
    config.merge(c)
    return config


def public_db_url(url):
    """The gradebook URL without its password, for files in the output folder (mode 0644):
    user, host and database stay; libpq then reads the password from PGPASSWORD or ~/.pgpass."""
    from sqlalchemy.engine import make_url
    try:
        parsed = make_url(url)
    except Exception:   # noqa: BLE001 - not a URL sqlalchemy reads: nbgrader could not use it either
        return url
    return parsed._replace(password=None).render_as_string(hide_password=False) if parsed.password else url


def write_course_config(out, config):
    """nbgrader_config.py in `out`, so that `nbgrader formgrader` (and any nbgrader command)
    run there use the same folders and gradebook. The gradebook URL is written without its
    password (public_db_url): formgrader there needs PGPASSWORD or ~/.pgpass."""
    cd = config.CourseDirectory
    text = (f"# Written by `lossbook grade`: the nbgrader settings of this grading folder.\n"
            f"c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {cd.course_id!r}\n"
            f"c.CourseDirectory.db_url = {public_db_url(cd.db_url)!r}\n"
            + "".join(f"c.CourseDirectory.{k}_directory = {k!r}\n"
                      for k in ("source", "release", "submitted", "autograded", "feedback"))
            + f"c.Execute.timeout = {int(config.Execute.timeout)}\n"
            + "".join(f"c.HTMLExporter.{k} = {v!r}  # student HTML inert in formgrader\n"
                      for k, v in safehtml.HTML_CONFIG.items())
            # feedback made from formgrader: the same Korean page, hidden tests hidden
            + f"c.GenerateFeedback.exporter_class = {FEEDBACK_EXPORTER!r}\n"
            + f"c.GenerateFeedback.preprocessors = {FEEDBACK_PREPROCESSORS!r}\n"
            + f"c.FeedbackView.show_hidden_tests = {bool(config.FeedbackView.show_hidden_tests)!r}\n")
    (Path(out) / "nbgrader_config.py").write_text(text, encoding="utf-8")


def coursedir_for(config):
    return CourseDirectory(config=config)


LOCK_WAIT = {"seconds": 0.0}   # time this process spent waiting for the gradebook lock


@contextlib.contextmanager
def gradebook_lock(out):
    """One writer at a time on the gradebook, across processes. Readers do not take it:
    SQLite (and PostgreSQL) serve concurrent readers, and a reader that meets a commit waits
    for it (sqlite's busy timeout); only two writers at once can fail ("database is locked")."""
    with open(Path(out) / ".gradebook.lock", "a") as handle:
        start = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        LOCK_WAIT["seconds"] += time.perf_counter() - start
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.cache
def migration_head():
    """The head revision of nbgrader's gradebook migrations, read from its own alembic scripts.
    nbgrader asks a new `alembic heads` process for it whenever it creates a gradebook (2-5 s
    of a cold interpreter each time); the answer is fixed by the installed nbgrader."""
    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


nbgrader.api.get_alembic_version = migration_head


def tree_hash(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def prepare_course(out, config, assignment, source=None):
    """Copy the chapter's source into `out`, and record it in the gradebook (nbgrader's
    generate_assignment) when it is new or changed. Returns the release notebooks {name: nb}."""
    out = Path(out)
    source = Path(source or ROOT / "solutions" / assignment)
    course_source = out / "source" / assignment
    stamp = out / ".source.sha256"
    wanted = tree_hash(source)
    in_db = False
    with gradebook_lock(out), Gradebook(config.CourseDirectory.db_url, "lossbook") as gb:
        try:
            in_db = bool(gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            pass
    if not (in_db and course_source.is_dir() and stamp.exists() and stamp.read_text() == wanted):
        if course_source.exists():
            shutil.rmtree(course_source)
        shutil.copytree(source, course_source, ignore=shutil.ignore_patterns(".*"))
        with gradebook_lock(out):
            generator = GenerateAssignment(coursedir=coursedir_for(config), config=config)
            generator.force = True
            generator.create_assignment = True
            generator.start()
        stamp.write_text(wanted)
    with gradebook_lock(out):
        # nbgrader's preprocessors open Gradebook(db_url), i.e. course "default_course", which
        # creates that course on first use: create it here, so the workers only read it.
        Gradebook(config.CourseDirectory.db_url).close()
    write_course_config(out, config)
    release = out / "release" / assignment
    return {p.name: nbformat.read(str(p), as_version=4) for p in sorted(release.glob("*.ipynb"))}


# ---------------------------------------------------------------- checking a submission

def normalize(files, release):
    """Check one student's files against the release notebooks, before grading.
    Returns (files to grade, problems in Korean, rejected files)."""
    files = dict(files)
    problems, rejected = [], {}
    parsed = {}   # intake.read_notebook: BOM, nbformat 3, broken nbgrader metadata, copied cells
    for name in [n for n in files if n.endswith(".ipynb")]:
        only = next(iter(release.values())) if len(release) == 1 else nbformat.v4.new_notebook()
        try:
            parsed[name], notes = intake.read_notebook(files[name], shown(name), release.get(name, only))
        except intake.Unreadable as error:
            rejected[name] = files.pop(name)
            problems.append(str(error))
            continue
        problems += notes
        files[name] = nbformat.writes(parsed[name]).encode("utf-8")
    expected = set(release)
    extra = sorted(n for n in files if n.endswith(".ipynb") and n not in expected)
    missing = sorted(expected - set(files))
    if len(missing) == 1 and len(extra) == 1:
        files[missing[0]] = files.pop(extra[0])
        parsed[missing[0]] = parsed.pop(extra[0])
        problems.append(f"노트북 이름이 '{shown(extra[0])}'입니다. '{missing[0]}'로 바꿔 채점했습니다.")
        missing, extra = [], []
    for name in [n for n in missing if n not in rejected]:
        problems.append(f"{name}을(를) 제출하지 않았습니다(또는 읽을 수 없습니다). 이 노트북은 0점입니다.")
    for name in extra:
        problems.append(f"과제에 없는 노트북 '{shown(name)}'은(는) 채점하지 않았습니다.")
    for name, release_nb in release.items():
        if name in parsed:
            problems += locked_cell_changes(parsed[name], release_nb, name)
    return files, problems, rejected


def locked_cell_changes(nb, release_nb, name):
    submitted = {nbgrader_meta(c).get("grade_id"): c for c in nb.cells if nbgrader_meta(c).get("grade_id")}
    notes = []
    for cell in release_nb.cells:
        meta = nbgrader_meta(cell)
        if not (meta.get("locked") or is_autograded_test(cell)) or meta.get("solution"):
            continue
        mine = submitted.get(meta["grade_id"])
        if mine is None:
            notes.append(f"{name}: 잠긴 셀 '{meta['grade_id']}'을(를) 지웠습니다. 원래 셀을 되살려 채점했습니다.")
        elif mine.source.strip() != cell.source.strip():
            notes.append(f"{name}: 잠긴 셀 '{meta['grade_id']}'을(를) 고쳤습니다. 원래 셀로 되돌려 채점했습니다.")
    return notes


class RestoreDeletedCells(OverwriteCells):
    """Put back locked cells (tests included) that the student deleted, in their original
    place, before nbgrader's OverwriteCells restores the content of edited ones."""

    def preprocess(self, nb, resources):
        release = resources.get("lossbook_release", {}).get(resources["unique_key"] + ".ipynb")
        if release is not None:
            cells, position = list(nb.cells), 0
            ids = [nbgrader_meta(c).get("grade_id") for c in cells]
            for cell in release.cells:
                gid = nbgrader_meta(cell).get("grade_id")
                if gid in ids:
                    position = ids.index(gid) + 1
                elif gid:   # deleted by the student: put it back after the cell it followed
                    cells.insert(position, nbformat.from_dict(cell))
                    ids.insert(position, gid)
                    position += 1
            nb.cells = cells
        return super().preprocess(nb, resources)


# ---------------------------------------------------------------- execution

def error_output(ename, message):
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class SafeExecute(ExecutionLimits, Execute):
    """nbgrader's Execute with the sandboxed kernel; a dead kernel fails the remaining
    cells (0 points for their tests) instead of aborting the student's grading."""

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxKernelManager
        super().__init__(*args, **kwargs)
        self.timings = {"kernel": 0.0, "cells": 0.0, "imports": 0.0}
        self.kernel_died = False
        self.timed_out = []
        self.test_side = TestSide(self)
        self._course_cells = {}

    async def async_start_new_kernel_client(self):
        start = time.perf_counter()
        try:
            return await super().async_start_new_kernel_client()
        finally:
            self.timings["kernel"] += time.perf_counter() - start

    async def async_start_new_kernel(self, **kwargs):
        start = time.perf_counter()
        try:
            return await super().async_start_new_kernel(**kwargs)
        finally:
            self.timings["kernel"] += time.perf_counter() - start

    # ExecutePreprocessor's setup_kernel calls the sync names, bound to the base class's methods
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def create_kernel_manager(self):
        """The student's kernel keeps its sockets where the trusted test kernel can reach them."""
        name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        self.kernel_name = name
        self.km = self.kernel_manager_class(kernel_name=name, config=self.config, runtime_parent=student_runtimes())
        return self.km

    def preprocess(self, nb, resources=None, km=None):
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            self.test_side.stop()
            self.timings["test_side"] = self.test_side.seconds
            self.timings["test_kernel_start"] = self.test_side.start_seconds

    def _course(self, resources):
        """The course's cells of this notebook (from its source: hidden tests included)."""
        key = resources["unique_key"]
        if key not in self._course_cells:
            source = resources.get("lossbook_source", {}).get(key + ".ipynb")
            if source is None:   # fail closed: without the course's own notebook nothing is trusted
                raise RuntimeError(f"no source notebook for {key}")
            self._course_cells[key] = course_cells(source)
        return self._course_cells[key]

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self.kernel_died:
            cell.outputs = [error_output(KERNEL_DIED, "앞 셀에서 커널이 종료되어 이 셀은 실행하지 않았습니다.")]
            return cell, resources
        side = side_of(cell, self._course(resources))
        if side == "none":   # the course's own self-check cell, exactly as released
            return cell, resources
        if side == "test":   # autograded tests: only on the trusted side
            self.test_side.run(cell, index)
            return cell, resources
        # the student's cells, and the course's other locked cells (set-up, data, training
        # runs) first in the student's kernel; the latter then again on the trusted side
        student_cell = copy.deepcopy(cell) if side == "both" else cell
        start = time.perf_counter()
        try:
            super().preprocess_cell(student_cell, resources, index)
        except DeadKernelError:
            self.kernel_died = True
            student_cell.outputs.append(error_output(
                KERNEL_DIED, "이 셀을 실행하다가 커널이 종료되었습니다(os._exit, exit() 등). 이후 셀은 실행하지 않았습니다."))
        elapsed = time.perf_counter() - start
        self.timings["cells"] += elapsed
        if "import " in cell.source:
            self.timings["imports"] += elapsed
        if any(o.get("ename") == "CellTimeoutError" for o in student_cell.outputs):
            self.timed_out.append(nbgrader_meta(cell).get("grade_id") or f"셀 {index + 1}")
        if side == "both" and not self.kernel_died:
            self.test_side.run(cell, index)
        elif side == "both":
            cell.outputs = student_cell.outputs
        return cell, resources


def _locked(cls, out):
    """A copy of preprocessor class `cls` whose preprocess() holds the gradebook lock."""
    def preprocess(self, nb, resources):
        with gradebook_lock(out):
            return cls.preprocess(self, nb, resources)
    return type(cls.__name__, (cls,), {"preprocess": preprocess})


class LossbookAutograde(Autograde):
    def __init__(self, *args, out, release, **kwargs):
        super().__init__(*args, **kwargs)
        self._out, self._release, self._sources = out, release, None
        lock = lambda cls: _locked(cls, out)  # noqa: E731
        # OverwriteKernelspec and OverwriteCells only read the gradebook: no lock
        self.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                       RestoreDeletedCells, CheckCellMetadata]
        self.autograde_preprocessors = [SafeExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                        lock(SaveAutoGrades), lock(AssignLatePenalties), CheckCellMetadata]
        self.executor = None

    def init_assignment(self, assignment_id, student_id):
        with gradebook_lock(self._out):
            super().init_assignment(assignment_id, student_id)

    def init_single_notebook_resources(self, notebook_filename):
        resources = super().init_single_notebook_resources(notebook_filename)
        resources["lossbook_release"] = self._release
        if self._sources is None:   # the course's own notebooks, as nbgrader's gradebook has them
            folder = Path(self.coursedir.root) / self.coursedir.source_directory / self.coursedir.assignment_id
            self._sources = {p.name: nbformat.read(str(p), as_version=4) for p in folder.glob("*.ipynb")}
        resources["lossbook_source"] = self._sources
        return resources

    def _init_preprocessors(self):
        super()._init_preprocessors()
        for pp in self.exporter._preprocessors:
            if isinstance(pp, SafeExecute):
                self.executor = pp


# ---------------------------------------------------------------- one student, end to end

@dataclass
class StudentResult:
    student_id: str
    score: float = 0.0
    max_score: float = 0.0
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    graded: bool = True


class _Capture(logging.Handler):
    """Keeps nbgrader's error log of one student's run."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def first_error(self):
        for record in self.records:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                return f"{type(error).__name__}: {error}"
            if text and "see the" not in text:
                return text.strip().splitlines()[-1]
        return None


def zero_grades(config, assignment, student_id, timestamp=None):
    """A student with nothing gradable: a submission in the gradebook with 0 points."""
    with Gradebook(config.CourseDirectory.db_url, "lossbook") as gb:
        gb.update_or_create_student(student_id)
        kwargs = {"timestamp": timestamp} if timestamp else {}
        submission = gb.update_or_create_submission(assignment, student_id, **kwargs)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.manual_score = None
                grade.needs_manual_grade = False
        gb.db.commit()


def submission_score(config, assignment, student_id):
    with Gradebook(config.CourseDirectory.db_url, "lossbook") as gb:
        sub = gb.find_submission(assignment, student_id)
        return float(sub.score), float(sub.max_score)


def grade_student(out, config, assignment, student_id, release, problems):
    """Autograde one student already staged in submitted/, then write the feedback."""
    out = Path(out)
    started = time.perf_counter()
    result = StudentResult(student_id, problems=list(problems))
    submitted = out / "submitted" / student_id / assignment
    has_notebook = any(submitted.glob("*.ipynb"))
    for folder in (out / "autograded" / student_id / assignment, out / "feedback" / student_id / assignment):
        shutil.rmtree(folder, ignore_errors=True)
    timings = {"kernel": 0.0, "cells": 0.0, "imports": 0.0}
    waited = LOCK_WAIT["seconds"]
    if has_notebook:
        coursedir = coursedir_for(config)
        coursedir.student_id = student_id
        coursedir.assignment_id = assignment
        converter = LossbookAutograde(coursedir=coursedir, config=config, out=out, release=release)
        converter.force = True
        captured = _Capture()
        converter.log.addHandler(captured)
        try:
            converter.start()
        except Exception as error:   # noqa: BLE001 - recorded for this student, others go on
            detail = captured.first_error() or f"{type(error).__name__}: {error}"
            result.problems.append(f"자동 채점 중 오류가 났습니다: {detail[:400]}")
        finally:
            converter.log.removeHandler(captured)
        executor = converter.executor
        if executor is not None:
            timings.update(executor.timings)
            if executor.timed_out:
                result.problems.append(
                    f"셀이 {executor.timeout}초 안에 끝나지 않아 중단했습니다(무한 루프?): {', '.join(executor.timed_out)}")
            result.problems += [p for p in executor.limit_problems if p not in result.problems]
            if executor.kernel_died and not executor.limit_killed:
                result.problems.append("실행 중에 커널이 종료되었습니다(os._exit, exit() 등). 그 뒤의 셀은 0점입니다.")
    if not has_notebook or not (out / "autograded" / student_id / assignment).is_dir():
        with gradebook_lock(out):
            zero_grades(config, assignment, student_id)
        result.graded = has_notebook
    result.score, result.max_score = submission_score(config, assignment, student_id)
    feedback_start = time.perf_counter()
    if (out / "autograded" / student_id / assignment).is_dir():
        write_feedback(out, config, assignment, student_id, result.problems)
    timings["feedback"] = time.perf_counter() - feedback_start
    timings["lock_wait"] = LOCK_WAIT["seconds"] - waited
    timings["total"] = time.perf_counter() - started
    result.timings = timings
    return result


class ReusableFeedback(GenerateFeedback):
    """nbgrader's GenerateFeedback whose HTML exporter (the Korean template, compiled once by
    Jinja) is made on the first start() and reused for every later student of this process."""

    def start(self):
        if getattr(self, "_kept_exporter", None) is None:
            self._kept_exporter = self.exporter_class(parent=self, config=self.config)
            for pp in self.preprocessors:
                self._kept_exporter.register_preprocessor(pp)
        self.init_notebooks()
        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self._kept_exporter
        currdir = os.getcwd()
        os.chdir(self.coursedir.root)
        try:
            self.convert_notebooks()
        finally:
            os.chdir(currdir)


_FEEDBACK = {}


def write_feedback(out, config, assignment, student_id, problems):
    """The student's HTML feedback (nbgrader GenerateFeedback: GetGrades reads the scores and
    comments from the gradebook). Reading needs no lock."""
    kept = _FEEDBACK.get("kept")
    if kept is None or kept[0] is not config or kept[1] != assignment:   # one per grading run
        feedback = ReusableFeedback(coursedir=coursedir_for(config), config=config)
        feedback.coursedir.assignment_id = assignment
        feedback.force = True
        _FEEDBACK["kept"] = (config, assignment, feedback)
    feedback = _FEEDBACK["kept"][2]
    feedback.coursedir.student_id = student_id
    feedback.start()
    if problems:
        notice = "".join(f"<li>{_html(p)}</li>" for p in problems)
        block = (f'<div class="alert alert-warning" role="alert"><b>채점할 때 생긴 문제</b><ul>{notice}</ul></div>')
        for html in (out / "feedback" / student_id / assignment).glob("*.html"):
            text = html.read_text(encoding="utf-8")
            html.write_text(text.replace('<div class="container">', '<div class="container">' + block, 1),
                            encoding="utf-8")


def _html(text):
    import html
    return html.escape(text)


def save_json(path, data):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
