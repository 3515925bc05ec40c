"""`lossbook grade ASSIGNMENT SUBMISSIONS [--out DIR] [--db URL] [--jobs N]`

Grades a whole class of one assignment (chapter id, e.g. 01_mse) on nbgrader: the
autograded notebooks, Korean HTML feedback per student, grades.csv, report.md and a score
histogram, all in --out (default graded/). Student code runs in a bubblewrap sandbox.
"""

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from lossbook.grading import autograde, report, sandbox
from lossbook.grading.submissions import LMS_PATTERN, SubmissionError, read_submissions
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


def _worker_init(out, db_url, assignment, timeout, use_sandbox, release):
    _quiet()
    _WORKER.update(out=out, assignment=assignment, release=release,
                   config=autograde.course_config(out, db_url, assignment, timeout, use_sandbox))


def _worker_grade(item):
    student_id, problems = item
    w = _WORKER
    return autograde.grade_student(w["out"], w["config"], w["assignment"], student_id, w["release"], problems)


def _digest(files, timestamp):
    h = hashlib.sha256((timestamp or "").encode())
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def _stage(out, assignment, student_id, files, timestamp, rejected):
    folder = Path(out) / "submitted" / student_id / assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)
    keep = Path(out) / "rejected" / student_id / assignment
    shutil.rmtree(keep, ignore_errors=True)
    for name, data in rejected.items():
        keep.mkdir(parents=True, exist_ok=True)
        (keep / name).write_bytes(data)


def grade(assignment, submissions, out="graded", db=None, jobs=1, timeout=None, pattern=LMS_PATTERN,
          students=None, force=False, use_sandbox=True, progress=None, source_root=ROOT):
    """Grade every (changed) submission; returns a summary dict. Raises GradingError on bad input."""
    available = chapter_ids(source_root)
    if assignment not in available or not list((Path(source_root) / "solutions" / assignment).glob("*.ipynb")):
        raise GradingError(f"과제 '{assignment}'이(가) solutions/에 없습니다. 있는 과제: {', '.join(available)}")
    try:
        subs = read_submissions(submissions, assignment, pattern)
    except SubmissionError as error:
        raise GradingError(str(error)) from None
    if students:
        unknown = sorted(set(students) - {s.student_id for s in subs})
        if unknown:
            raise GradingError(f"제출물에 없는 학생입니다: {', '.join(unknown)}")
        subs = [s for s in subs if s.student_id in students]
    if use_sandbox and not sandbox.available():
        raise GradingError("bubblewrap(bwrap)으로 샌드박스를 만들 수 없습니다. `apt-get install bubblewrap`으로 "
                           "설치하세요(믿을 수 있는 제출물만이라면 --no-sandbox).")
    if jobs < 1:
        raise GradingError("--jobs는 1 이상이어야 합니다.")

    started = time.perf_counter()
    if jobs > 1 and len(subs) > 1:
        _start_forkserver()   # it imports nbgrader while this process prepares the course
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    db_url = db or f"sqlite:///{out / 'gradebook.db'}"
    _quiet()
    config = autograde.course_config(out, db_url, assignment, timeout, use_sandbox)
    release = autograde.prepare_course(out, config, assignment, Path(source_root) / "solutions" / assignment)

    state_path = out / STATE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    known = state.setdefault(assignment, {})
    todo = []
    for sub in subs:
        files, problems, rejected = autograde.normalize(sub.files, release)
        digest = _digest(sub.files, sub.timestamp)
        previous = known.get(sub.student_id, {})
        if force or students or previous.get("hash") != digest or previous.get("db") != autograde.public_db_url(db_url):
            _stage(out, assignment, sub.student_id, files, sub.timestamp, rejected)
            todo.append((sub.student_id, problems, digest))

    results = []
    # progress=None: a bar only on a terminal (tqdm's disable=None); False: never
    bar = tqdm(total=len(todo), desc=f"{assignment} 채점", unit="명", disable=progress is False or None,
               file=sys.stderr)

    def done(result, digest):
        known[result.student_id] = {"hash": digest, "db": autograde.public_db_url(db_url), "problems": result.problems,
                                    "score": result.score, "max_score": result.max_score}
        autograde.save_json(state_path, state)
        results.append(result)
        bar.update(1)

    digests = {sid: digest for sid, _, digest in todo}
    if jobs == 1 or len(todo) <= 1:
        for sid, problems, digest in todo:
            done(autograde.grade_student(out, config, assignment, sid, release, problems), digest)
    else:
        ctx = _start_forkserver()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                                 initargs=(out, db_url, assignment, timeout, use_sandbox, release)) as pool:
            for result in pool.map(_worker_grade, [(sid, problems) for sid, problems, _ in todo]):
                done(result, digests[result.student_id])
    bar.close()

    problems = {sid: info.get("problems", []) for sid, info in known.items()}
    rows, questions = report.write_report(out, db_url, assignment, problems)
    return {"assignment": assignment, "out": str(out), "db": db_url, "graded": [r.student_id for r in results],
            "skipped": sorted(set(problems) - {r.student_id for r in results}), "results": results,
            "rows": rows, "questions": questions, "problems": problems,
            "seconds": time.perf_counter() - started}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lossbook", description="강의 도구 (lossbook)")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="한 과제의 제출물을 모두 채점합니다",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("assignment", help="과제(장) ID, 예: 01_mse")
    g.add_argument("submissions", help="제출물 폴더(학생ID/과제/*.ipynb), 그 zip, 또는 LMS zip")
    g.add_argument("--out", default="graded", help="결과 폴더 (기본: graded/)")
    g.add_argument("--db", default=None, help="gradebook URL (기본: OUT/gradebook.db의 SQLite; 예: postgresql://…)")
    g.add_argument("--jobs", "-j", type=int, default=1, help="동시에 채점할 학생 수")
    g.add_argument("--timeout", type=int, default=None, help="셀 하나의 시간 제한(초, 기본: nbgrader_config.py)")
    g.add_argument("--pattern", default=LMS_PATTERN, help="LMS zip 파일 이름 정규식 (student_id, file_id 그룹)")
    g.add_argument("--student", action="append", help="이 학생만 다시 채점 (여러 번 쓸 수 있음)")
    g.add_argument("--force", action="store_true", help="바뀌지 않은 제출물도 다시 채점")
    g.add_argument("--no-sandbox", action="store_true", help="샌드박스 없이 실행 (믿을 수 있는 코드만)")
    g.add_argument("--quiet", action="store_true", help="진행 막대를 숨깁니다")
    args = parser.parse_args(argv)
    try:
        summary = grade(args.assignment, args.submissions, out=args.out, db=args.db, jobs=args.jobs,
                        timeout=args.timeout, pattern=args.pattern, students=args.student, force=args.force,
                        use_sandbox=not args.no_sandbox, progress=False if args.quiet else None)
    except GradingError as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    rows = summary["rows"]
    print(f"{summary['assignment']}: 학생 {len(rows)}명, 이번에 채점 {len(summary['graded'])}명, "
          f"바뀌지 않아 건너뜀 {len(summary['skipped'])}명 ({summary['seconds']:.1f}초)")
    flagged = {k: v for k, v in summary["problems"].items() if v}
    if flagged:
        print(f"문제가 있었던 학생 {len(flagged)}명 (자세한 내용: report.md):")
        for sid, msgs in sorted(flagged.items()):
            print(f"  {sid}: {msgs[0]}" + (f" 외 {len(msgs) - 1}건" if len(msgs) > 1 else ""))
    out = Path(summary["out"])
    try:   # as the instructor typed it: relative to the current folder when inside it
        out = out.relative_to(Path.cwd().resolve())
    except ValueError:
        pass
    print(f"결과: {out / 'grades.csv'}, {out / 'report.md'}, {out / 'score_histogram.png'}, {out / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
