"""`lossbook grade ASSIGNMENT SUBMISSIONS [--out DIR] [--db URL] [--jobs N]`

Grades a whole class of one assignment (chapter id, e.g. 01_mse) on nbgrader: the
autograded notebooks, Korean HTML feedback per student, grades.csv, report.md and a score
histogram, all in --out (default graded/ASSIGNMENT). Student code runs in a bubblewrap sandbox.
SUBMISSIONS may be the course folder of the course hub after `nbgrader collect` (its
submitted/); --release-feedback then returns the feedback through the hub's exchange.
"""

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import signal
import tempfile
import time
import traceback
import warnings
from collections import deque
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from tqdm import tqdm

from lossbook.grading import autograde, exchange, report, sandbox, test_side, which_assignment
from lossbook.grading.submissions import (LMS_PATTERN, SubmissionError, is_course_folder, normalize_id,
                                          read_submissions, shown)
from lossbook.maintain import ENV_BIN
from lossbook.notebooks import ROOT, chapter_ids

STATE = ".lossbook-state.json"


class GradingError(Exception):
    """Bad input for the whole run; nothing was changed."""


def _tools_on_path():
    """nbgrader, run in this process rather than through maintain.run_tool, calls `alembic`
    from PATH: put this environment's bin folder first."""
    if not os.environ.get("PATH", "").startswith(f"{ENV_BIN}{os.pathsep}"):
        os.environ["PATH"] = f"{ENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def _quiet():
    _tools_on_path()
    debug = bool(os.environ.get("LOSSBOOK_DEBUG"))
    for name in ("traitlets", "nbgrader", "NbGraderAPI", "alembic"):
        logger = logging.getLogger(name)   # errors are kept per student (autograde._Capture), not printed
        logger.setLevel(logging.DEBUG if debug else logging.ERROR)
        if not debug:
            logger.propagate = False
            if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
                logger.addHandler(logging.NullHandler())
    if not debug:
        warnings.filterwarnings("ignore", module="nbgrader")
        warnings.filterwarnings("ignore", message=".*not in session.*")


_WORKER = {}


def _start_forkserver():
    """The workers' multiprocessing context. forkserver: one server process imports
    nbgrader/nbconvert once and forks the workers from it (spawn would import them again in
    every worker); no state of this process (gradebook connections, the progress bar's thread)
    is inherited."""
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["lossbook.grading.autograde"])
    from multiprocessing import forkserver
    forkserver.ensure_running()
    return ctx


def _worker_init(out, db_url, assignment, timeout, use_sandbox, show_hidden_tests, release):
    _quiet()
    _WORKER.update(out=out, assignment=assignment, release=release,
                   config=autograde.course_config(out, db_url, assignment, timeout, use_sandbox, show_hidden_tests))


WORKER_LOST = ("채점 중 작업 프로세스가 종료되었습니다(메모리 부족으로 운영체제가 끝냈거나 강제 종료됨). "
               "이 학생은 채점하지 못해 0점으로 두었습니다. `--student {sid}`로 다시 채점할 수 있습니다.")


def grade_one(out, config, assignment, student_id, release, problems):
    """grade_student, and any error of it is this student's alone (0 points and a note)."""
    try:
        return autograde.grade_student(out, config, assignment, student_id, release, problems)
    except Exception as error:   # noqa: BLE001 - one student never stops the class
        note = f"채점 중 예상하지 못한 오류가 났습니다({type(error).__name__}: {shown(error)[:200]}). 이 학생은 0점입니다."
        return _zero_result(out, config, assignment, student_id, list(problems) + [note])


def _zero_result(out, config, assignment, student_id, problems):
    """A student whose grading did not finish: no partial outputs, 0 points in the gradebook."""
    for kind in ("autograded", "feedback"):
        shutil.rmtree(Path(out) / kind / student_id / assignment, ignore_errors=True)
    result = autograde.StudentResult(student_id, problems=problems, graded=False)
    result.retry = True
    try:
        with autograde.gradebook_lock(out):
            autograde.zero_grades(config, assignment, student_id)
        result.score, result.max_score = autograde.submission_score(config, assignment, student_id)
    except Exception as error:   # noqa: BLE001
        result.problems.append(f"gradebook에 0점을 적지 못했습니다({type(error).__name__}).")
    return result


def _worker_main(conn, run_tmp, initargs):
    """One worker: grades the students it is sent, one at a time, until it gets None. Its
    kernels' temporary folders live in RUN_TMP/w<pid>, which the parent removes if it dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    own = Path(run_tmp) / f"w{os.getpid()}"
    own.mkdir()
    os.environ["LOSSBOOK_TMPDIR"] = str(own)
    try:
        _worker_init(*initargs)
    except Exception:   # noqa: BLE001 - reported by the parent for the whole run
        conn.send(("init_error", traceback.format_exc()))
        return
    conn.send(("ready", None))
    w = _WORKER
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        student_id, problems = item
        conn.send(("result", grade_one(w["out"], w["config"], w["assignment"], student_id, w["release"], problems)))


ACTIVE = {}   # worker pid -> the student it is grading (for monitoring; tests kill a worker with it)


class WorkerPool:
    """N worker processes, one student each at a time. A worker that dies (the OOM killer,
    SIGKILL) costs only the student it was grading: that student is marked, the worker's
    temporary folders removed, a new worker started, and the others graded as usual."""

    def __init__(self, ctx, jobs, run_tmp, initargs):
        self.ctx, self.jobs, self.run_tmp, self.initargs = ctx, jobs, run_tmp, initargs
        self.workers = []
        self.failed_starts = 0

    def _start(self):
        ours, theirs = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker_main, args=(theirs, self.run_tmp, self.initargs), daemon=True)
        process.start()
        theirs.close()
        worker = {"process": process, "conn": ours, "item": None, "ready": False}
        self.workers.append(worker)
        return worker

    def _retire(self, worker):
        self.workers.remove(worker)
        ACTIVE.pop(worker["process"].pid, None)
        worker["conn"].close()
        worker["process"].join(timeout=5)
        shutil.rmtree(Path(self.run_tmp) / f"w{worker['process'].pid}", ignore_errors=True)

    def run(self, items, lost):
        """Yields a result per item ((student_id, problems)); `lost(item)` makes the result of
        a student whose worker died."""
        queue = deque(items)
        for _ in range(min(self.jobs, len(queue))):
            self._start()
        try:
            while queue or any(w["item"] for w in self.workers):
                for worker in list(self.workers):
                    if worker["ready"] and worker["item"] is None and queue:
                        try:
                            worker["conn"].send(queue[0])
                        except OSError:   # it died while idle: the student goes to a new worker
                            self._retire(worker)
                            self._start()
                            continue
                        worker["item"] = queue.popleft()
                        ACTIVE[worker["process"].pid] = worker["item"][0]
                busy = [w for w in self.workers if w["item"] or not w["ready"]]
                if not busy:
                    break
                ready = wait([w["conn"] for w in busy] + [w["process"].sentinel for w in busy])
                for worker in busy:
                    if worker["conn"] not in ready and worker["process"].sentinel not in ready:
                        continue
                    message = None
                    try:
                        if worker["conn"].poll():
                            message = worker["conn"].recv()
                    except (EOFError, OSError):
                        message = None
                    if message is None:
                        if worker["process"].is_alive():
                            continue
                        item = worker["item"]
                        self._retire(worker)
                        if item is not None:
                            yield lost(item)
                        elif not worker["ready"]:
                            self.failed_starts += 1
                            if self.failed_starts >= 3:
                                raise GradingError(f"채점 작업 프로세스를 시작하지 못했습니다(종료 코드 "
                                                   f"{worker['process'].exitcode}).")
                        if queue and len(self.workers) < self.jobs:
                            self._start()
                        continue
                    kind, payload = message
                    if kind == "init_error":
                        raise GradingError(f"채점 작업 프로세스를 준비하지 못했습니다:\n{payload}")
                    if kind == "ready":
                        worker["ready"] = True
                    elif kind == "result":
                        worker["item"] = None
                        ACTIVE.pop(worker["process"].pid, None)
                        yield payload
        finally:
            for worker in list(self.workers):
                try:
                    worker["conn"].send(None)
                except OSError:
                    pass
            for worker in list(self.workers):
                worker["process"].join(timeout=10)
                if worker["process"].is_alive():
                    worker["process"].kill()
                self._retire(worker)


def _digest(files, timestamp):
    h = hashlib.sha256((timestamp or "").encode("utf-8", "surrogateescape"))
    for name in sorted(files):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def _stage(out, assignment, student_id, files, timestamp, rejected, secret=None):
    folder = Path(out) / "submitted" / student_id / assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")
    if secret:   # to return the feedback through the exchange (lossbook.grading.exchange)
        (folder / exchange.SECRET).write_text(secret, encoding="utf-8")
    keep = Path(out) / "rejected" / student_id / assignment
    shutil.rmtree(keep, ignore_errors=True)
    for name, data in rejected.items():
        (keep / name).parent.mkdir(parents=True, exist_ok=True)
        (keep / name).write_bytes(data)


def _prepare_student(out, assignment, sub, release):
    """normalize + stage one student; any failure is noted for that student, who is then
    graded with what could be staged (nothing: 0 points)."""
    try:
        files, problems, rejected = autograde.normalize(sub.files, release)
    except Exception as error:   # noqa: BLE001 - one student never stops the class
        files, rejected = {}, dict(sub.files)
        problems = [f"제출물을 확인하다가 오류가 났습니다({type(error).__name__}). 이 학생은 0점입니다."]
    problems = list(sub.problems) + problems
    try:
        _stage(out, assignment, sub.student_id, files, sub.timestamp, rejected, sub.secret)
    except Exception as error:   # noqa: BLE001
        problems.append(f"제출물을 채점 폴더로 옮기지 못했습니다({type(error).__name__}). 이 학생은 0점입니다.")
        shutil.rmtree(Path(out) / "submitted" / sub.student_id / assignment, ignore_errors=True)
        (Path(out) / "submitted" / sub.student_id / assignment).mkdir(parents=True, exist_ok=True)
    return problems


def _other_assignments(out, assignment):
    """The assignments other than `assignment` whose results are in folder `out`."""
    try:
        state = json.loads((Path(out) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(a for a, students in state.items() if a != assignment and students) if isinstance(state, dict) else []


def parse_duedate(text):
    """A due date as nbgrader reads one (naive UTC datetime); GradingError if unreadable."""
    from nbgrader.utils import parse_utc
    example = "(예: '2026-12-24T23:59:00+09:00', '2026-12-24 14:59:00 UTC')"
    zone = re.search(r"\s([A-Za-z]{2,5})$", str(text).strip())
    if zone and zone.group(1).upper() not in ("UTC", "GMT", "Z"):
        # dateutil drops an abbreviation such as KST without a word, and reads +0900 wrongly
        raise GradingError(f"마감 시각의 시간대 '{zone.group(1)}'은(는) 읽히지 않고 무시됩니다: {text!r}. "
                           f"+09:00처럼 UTC와의 차이로 쓰세요 {example}")
    if re.search(r"[+-]\d{4}$", str(text).strip()):
        raise GradingError(f"마감 시각의 시간대는 +09:00처럼 콜론을 넣어 쓰세요: {text!r} {example}")
    try:
        return parse_utc(text)
    except Exception:   # noqa: BLE001
        raise GradingError(f"마감 시각을 읽을 수 없습니다: {text!r} {example}") from None


def course_duedate(course_dir, assignment):
    """The assignment's due date in an nbgrader course folder's gradebook.db (`nbgrader db
    assignment add --duedate`, formgrader), read-only; None if there is none."""
    import sqlite3
    path = Path(course_dir) / "gradebook.db"
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT duedate FROM assignment WHERE name = ?", (assignment,)).fetchone()
    except sqlite3.Error:
        return None
    return parse_duedate(row[0]) if row and row[0] else None


def late_notes(subs, duedate):
    """{student: seconds late} and {student: Korean note} of the submissions whose nbgrader
    timestamp is after `duedate`. Marked only, no points taken: nbgrader's default
    (LateSubmissionPenalty, "none") records lateness and leaves the penalty to the instructor."""
    from lossbook.grading.submissions import _parse_time
    late, notes = {}, {}
    for sub in subs:
        stamp = _parse_time(sub.timestamp)
        if duedate is None or stamp is None or stamp <= duedate:
            continue
        seconds = (stamp - duedate).total_seconds()
        late[sub.student_id] = seconds
        hours, rest = divmod(int(seconds), 3600)
        notes[sub.student_id] = (f"늦은 제출: 마감({duedate:%Y-%m-%d %H:%M} UTC)보다 {hours}시간 {rest // 60}분 늦게 "
                                 f"제출했습니다(제출 시각 {stamp:%Y-%m-%d %H:%M:%S} UTC). 감점은 하지 않았습니다.")
    return late, notes


def grade(assignment, submissions, out=None, db=None, jobs=1, timeout=None, pattern=LMS_PATTERN,
          students=None, force=False, use_sandbox=True, progress=None, source_root=ROOT, show_hidden_tests=False,
          release_feedback=False, duedate=None):
    """Grade every (changed) submission; returns a summary dict. Raises GradingError on bad input.
    release_feedback: `submissions` is an nbgrader course folder (the hub's); the feedback goes to
    the students through its exchange (lossbook.grading.exchange)."""
    available = chapter_ids(source_root)
    if assignment not in available or not list((Path(source_root) / "solutions" / assignment).glob("*.ipynb")):
        raise GradingError(f"과제 '{assignment}'이(가) solutions/에 없습니다. 있는 과제: {', '.join(available)}")
    if release_feedback:
        if not is_course_folder(submissions):
            raise GradingError("--release-feedback는 nbgrader 강의 폴더(submitted/와 nbgrader_config.py가 있는 "
                               f"허브의 강의 폴더)에서 채점할 때만 쓸 수 있습니다: {submissions}")
        try:
            course_id, exchange_root = exchange.course_settings(submissions)
        except exchange.ExchangeError as error:
            raise GradingError(str(error)) from None
    try:
        subs = read_submissions(submissions, assignment, pattern)
    except SubmissionError as error:
        raise GradingError(str(error)) from None
    input_warnings = list(subs.warnings)   # about the input as a whole (before --student picks some)
    due = parse_duedate(duedate) if duedate else (
        course_duedate(submissions, assignment) if is_course_folder(submissions) else None)
    late, late_note = late_notes(subs, due)
    if students:
        students = {normalize_id(s)[0] for s in students}
        unknown = sorted(set(students) - {s.student_id for s in subs})
        if unknown:
            raise GradingError(f"제출물에 없는 학생입니다: {', '.join(unknown)}")
        subs = [s for s in subs if s.student_id in students]
    wrong = {}
    for sub in subs:
        note = which_assignment.mismatch(sub.files, assignment, source_root) if sub.gradable else None
        if note:
            wrong[sub.student_id] = note
    gradable = [s for s in subs if s.gradable]
    if gradable and len(wrong) > len(gradable) / 2:
        raise GradingError(f"제출물 {len(gradable)}개 가운데 {len(wrong)}개가 {assignment}의 노트북이 아닙니다"
                           f"(예: {next(iter(wrong.values()))}). 과제 ID를 확인하세요. 아무것도 쓰지 않았습니다.")
    for sub in subs:
        if sub.student_id in wrong:   # a row with 0 points and the note, not graded
            sub.gradable = False
            sub.problems = list(sub.problems) + [wrong[sub.student_id]]
    if use_sandbox and not sandbox.available():
        raise GradingError("bubblewrap(bwrap)으로 샌드박스를 만들 수 없습니다. `apt-get install bubblewrap`으로 "
                           "설치하세요(믿을 수 있는 제출물만이라면 --no-sandbox).")
    if jobs < 1:
        raise GradingError("--jobs는 1 이상이어야 합니다.")

    started = time.perf_counter()
    if jobs > 1 and len(subs) > 1:
        _start_forkserver()   # it imports nbgrader while this process prepares the course
    out = Path(out or Path("graded") / assignment).resolve()
    others = _other_assignments(out, assignment)
    if others:
        raise GradingError(f"{out}에는 이미 {', '.join(others)}의 채점 결과가 있습니다. grades.csv와 report.md를 "
                           f"덮어쓰지 않도록 과제마다 다른 --out을 주세요(기본값: graded/{assignment}).")
    out.mkdir(parents=True, exist_ok=True)
    db_url = db or f"sqlite:///{out / 'gradebook.db'}"
    _quiet()
    config = autograde.course_config(out, db_url, assignment, timeout, use_sandbox, show_hidden_tests)
    release = autograde.prepare_course(out, config, assignment, Path(source_root) / "solutions" / assignment)

    state_path = out / STATE
    try:
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    except ValueError:
        state = {}
    known = state.setdefault(assignment, {})
    ungraded = {s.student_id: s.problems for s in subs if not s.gradable}
    todo = []
    for sub in subs:
        if not sub.gradable:
            continue
        digest = _digest(sub.files, sub.timestamp)
        previous = known.get(sub.student_id, {})
        if force or students or previous.get("hash") != digest or previous.get("db") != autograde.public_db_url(db_url):
            problems = _prepare_student(out, assignment, sub, release)
            todo.append((sub.student_id, problems, digest))

    results = []
    # progress=None: a bar only on a terminal (tqdm's disable=None); False: never
    bar = tqdm(total=len(todo), desc=f"{assignment} 채점", unit="명", disable=progress is False or None,
               file=sys.stderr)

    def done(result, digest):
        # a student whose grading did not finish is graded again next time (no hash kept)
        known[result.student_id] = {"hash": None if getattr(result, "retry", False) else digest,
                                    "db": autograde.public_db_url(db_url), "problems": result.problems,
                                    "score": result.score, "max_score": result.max_score}
        autograde.save_json(state_path, state)
        results.append(result)
        bar.update(1)

    digests = {sid: digest for sid, _, digest in todo}
    # every kernel's runtime and working folder of this run lives under run_tmp, removed at the
    # end whatever happens (a worker killed by the OOM killer cannot clean up after itself)
    run_tmp = tempfile.mkdtemp(prefix="lbk-run-", dir="/tmp")
    saved_tmp = os.environ.get("LOSSBOOK_TMPDIR")
    try:
        if jobs == 1 or len(todo) <= 1:
            os.environ["LOSSBOOK_TMPDIR"] = run_tmp
            for sid, problems, digest in todo:
                done(grade_one(out, config, assignment, sid, release, problems), digest)
        else:
            pool = WorkerPool(_start_forkserver(), jobs, run_tmp, (out, db_url, assignment, timeout, use_sandbox, show_hidden_tests, release))

            def lost(item):
                sid, problems = item
                return _zero_result(out, config, assignment, sid, list(problems) + [WORKER_LOST.format(sid=sid)])

            for result in pool.run([(sid, problems) for sid, problems, _ in todo], lost):
                done(result, digests[result.student_id])
    finally:
        test_side.end_of_run()   # the trusted kernel kept by this process (--jobs 1) lives in run_tmp
        if saved_tmp is None:
            os.environ.pop("LOSSBOOK_TMPDIR", None)
        else:
            os.environ["LOSSBOOK_TMPDIR"] = saved_tmp
        shutil.rmtree(run_tmp, ignore_errors=True)
        bar.close()

    problems = {sid: info.get("problems", []) + ([late_note[sid]] if sid in late_note else [])
                for sid, info in known.items()}
    rows, questions = report.write_report(out, db_url, assignment, problems, ungraded=ungraded,
                                          warnings=input_warnings)
    problems.update(ungraded)
    released, left_out = {}, {}
    if release_feedback:
        try:
            released, left_out = exchange.release_feedback(out, assignment, course_id, exchange_root,
                                                           students=students or None)
        except (exchange.ExchangeError, OSError) as error:
            raise GradingError(f"채점은 끝났지만 피드백을 exchange로 돌려주지 못했습니다: {error}") from None
    return {"assignment": assignment, "out": str(out), "db": db_url, "graded": [r.student_id for r in results],
            "skipped": sorted(set(known) - {r.student_id for r in results}), "results": results,
            "rows": rows, "questions": questions, "problems": problems, "ungraded": sorted(ungraded),
            "warnings": input_warnings, "released": released, "not_released": left_out,
            "duedate": due, "late": late,
            "seconds": time.perf_counter() - started}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lossbook", description="강의 도구 (lossbook)")
    sub = parser.add_subparsers(dest="command", required=True)
    # `lossbook check` is dispatched before this parser (lossbook/__main__.py); listed for --help
    sub.add_parser("check", help="과제 노트북을 새 커널에서 실행해 보이는 테스트를 문제별로 점검합니다 (학생용)")
    g = sub.add_parser("grade", help="한 과제의 제출물을 모두 채점합니다",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("assignment", help="과제(장) ID, 예: 01_mse")
    g.add_argument("submissions", help="제출물 폴더(학생ID/과제/*.ipynb), 그 zip, 또는 LMS zip")
    g.add_argument("--out", default=None, help="결과 폴더 (기본: graded/과제ID, 과제마다 따로)")
    g.add_argument("--db", default=None, help="gradebook URL (기본: OUT/gradebook.db의 SQLite; 예: postgresql://…)")
    g.add_argument("--jobs", "-j", type=int, default=1, help="동시에 채점할 학생 수")
    g.add_argument("--timeout", type=int, default=None, help="셀 하나의 시간 제한(초, 기본: nbgrader_config.py)")
    g.add_argument("--pattern", default=LMS_PATTERN, help="LMS zip 파일 이름 정규식 (student_id, file_id 그룹)")
    g.add_argument("--student", action="append", help="이 학생만 다시 채점 (여러 번 쓸 수 있음)")
    g.add_argument("--show-hidden-tests", action="store_true",
                   help="피드백에 숨은 테스트의 코드와 traceback을 보입니다 (기본: 메시지만)")
    g.add_argument("--force", action="store_true", help="바뀌지 않은 제출물도 다시 채점")
    g.add_argument("--release-feedback", action="store_true",
                   help="허브의 강의 폴더에서 채점한 뒤 피드백을 exchange로 돌려줍니다 (nbgrader release_feedback)")
    g.add_argument("--duedate", default=None,
                   help="마감 시각, 예: '2026-12-24T23:59:00+09:00' (기본: 강의 폴더 gradebook의 과제 마감). "
                        "늦은 제출은 표시만 하고 감점하지 않습니다")
    g.add_argument("--no-sandbox", action="store_true", help="샌드박스 없이 실행 (믿을 수 있는 코드만)")
    g.add_argument("--quiet", action="store_true", help="진행 막대를 숨깁니다")
    args = parser.parse_args(argv)
    try:
        summary = grade(args.assignment, args.submissions, out=args.out, db=args.db, jobs=args.jobs,
                        timeout=args.timeout, pattern=args.pattern, students=args.student, force=args.force,
                        use_sandbox=not args.no_sandbox, progress=False if args.quiet else None,
                        show_hidden_tests=args.show_hidden_tests, release_feedback=args.release_feedback,
                        duedate=args.duedate)
    except GradingError as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    rows = summary["rows"]
    print(f"{summary['assignment']}: 학생 {len(rows)}명, 이번에 채점 {len(summary['graded'])}명, "
          f"바뀌지 않아 건너뜀 {len(summary['skipped'])}명 ({summary['seconds']:.1f}초)")
    for note in summary["warnings"]:
        print(f"주의: {note}")
    if summary["late"]:
        print(f"늦은 제출 {len(summary['late'])}명 (마감 {summary['duedate']:%Y-%m-%d %H:%M} UTC, 감점 없음): "
              + ", ".join(shown(s) for s in sorted(summary["late"])))
    flagged = {k: v for k, v in summary["problems"].items() if v}
    if flagged:
        print(f"문제가 있었던 학생 {len(flagged)}명 (자세한 내용: report.md):")
        for sid, msgs in sorted(flagged.items()):
            print(f"  {shown(sid)}: {shown(msgs[0])}" + (f" 외 {len(msgs) - 1}건" if len(msgs) > 1 else ""))
    out = Path(summary["out"])
    try:   # as the instructor typed it: relative to the current folder when inside it
        out = out.relative_to(Path.cwd().resolve())
    except ValueError:
        pass
    if args.release_feedback:
        print(f"피드백을 exchange로 돌려주었습니다: {len(summary['released'])}명 "
              "(학생은 Assignments 탭의 Fetch Feedback으로 받습니다)")
        for sid, note in sorted(summary["not_released"].items()):
            print(f"  {shown(sid)}: {note}")
    print(f"결과: {out / 'grades.csv'}, {out / 'report.md'}, {out / 'score_histogram.png'}, {out / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
