"""`lossbook grade`: a whole class graded on nbgrader with untrusted student code in a
bubblewrap sandbox; parallel grading equals serial grading; bad input loses nothing;
re-running regrades only what changed; a real PostgreSQL gradebook works."""

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from lossbook import notebooks
from lossbook.grading import sandbox
from lossbook.grading.cli import GradingError, grade, main
from support.grading_cases import write_class

CHAPTER = "01_mse"
TIMEOUT = 12   # per cell, seconds: small enough for the endless loop, large enough for `import torch` under load

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox.available(), reason="bubblewrap is not installed (.ci/run installs it)")]


def read_grades(out):
    with open(Path(out) / "grades.csv", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    out = base / "graded"
    expect = write_class(base / "submissions", CHAPTER, out)
    summary = grade(CHAPTER, base / "submissions", out=out, jobs=2, timeout=TIMEOUT, progress=False)
    return base, out, expect, summary


def test_every_student_gets_a_clear_result(graded):
    base, out, expect, summary = graded
    grades = read_grades(out)
    full = expect.pop("_full") if "_full" in expect else None
    students = [s for s in expect if not s.startswith("_")]
    assert sorted(grades) == sorted(students)
    for student in students:
        want, row = expect[student], grades[student]
        score = float(row["auto_score"])
        assert float(row["max_auto_score"]) == full
        if "score" in want:
            assert score == want["score"], f"{student}: {score} (problems: {row['problems']})"
        if "score_below" in want:
            assert 0 < score < want["score_below"], f"{student}: {score}"
        if "problem" in want:
            assert want["problem"] in row["problems"], f"{student}: {row['problems']!r}"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "문제별 평균 점수" in report and "loop" in report and "badjson" in report
    assert (out / "score_histogram.png").stat().st_size > 1000


def test_sandbox_blocks_solutions_tests_other_students_and_gradebook(graded):
    base, out, _, _ = graded
    import nbformat
    nb = nbformat.read(str(out / "autograded" / "snoop" / CHAPTER / f"{CHAPTER}.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "BLOCKED" in text and "LEAKED" not in text and "WROTE" not in text, text[:3000]
    grades = read_grades(out)
    assert "hacked" not in (out / "grades.csv").read_text(encoding="utf-8")
    assert float(grades["model"]["manual_score"]) == 0 and grades["model"]["needs_manual_grade"] == "True"


def test_feedback_is_korean_html_per_student(graded):
    _, out, _, _ = graded
    html = (out / "feedback" / "model" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert "자동 채점" in html and "테스트:" in html and "학생의 답" in html
    loop = (out / "feedback" / "loop" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert "채점할 때 생긴 문제" in loop


def test_jobs_1_equals_jobs_2_and_zip_inputs(graded, tmp_path):
    """The class fixture was graded with --jobs 2 from a folder; three of its students graded
    again with --jobs 1 from a zip of that folder give the same rows. The LMS download of the
    same class (flat STUDENT_FILE names) reads as the same submissions."""
    base, out, _, _ = graded
    cases = ["model", "blank", "crash"]
    subs = base / "submissions"
    layout_zip, lms_zip = tmp_path / "class.zip", tmp_path / "lms.zip"
    with zipfile.ZipFile(layout_zip, "w") as zf, zipfile.ZipFile(lms_zip, "w") as lms:
        for path in sorted(subs.rglob("*")):
            rel = path.relative_to(subs)
            if path.is_file() and rel.parts[0] in cases:
                zf.write(path, "submitted/" + rel.as_posix())
                lms.write(path, f"{rel.parts[0]}_{path.name}")
    grade(CHAPTER, layout_zip, out=tmp_path / "one", jobs=1, timeout=TIMEOUT, progress=False)
    one, two = read_grades(tmp_path / "one"), read_grades(out)
    assert sorted(one) == sorted(cases) and one == {sid: two[sid] for sid in cases}
    from lossbook.grading.submissions import read_submissions
    as_lms = {s.student_id: s.files for s in read_submissions(lms_zip, CHAPTER)}
    as_folder = {s.student_id: s.files for s in read_submissions(subs, CHAPTER) if s.student_id in cases}
    assert as_lms == as_folder


def test_rerun_changes_only_what_changed(graded):
    base, out, _, _ = graded
    before = (out / "grades.csv").read_text(encoding="utf-8")
    again = grade(CHAPTER, base / "submissions", out=out, jobs=1, timeout=TIMEOUT, progress=False)
    assert again["graded"] == [] and (out / "grades.csv").read_text(encoding="utf-8") == before
    # the blank student hands in the model answers: only that student is graded again
    shutil.copy(base / "submissions" / "model" / CHAPTER / f"{CHAPTER}.ipynb",
                base / "submissions" / "blank" / CHAPTER / f"{CHAPTER}.ipynb")
    again = grade(CHAPTER, base / "submissions", out=out, jobs=1, timeout=TIMEOUT, progress=False)
    assert again["graded"] == ["blank"]
    after = read_grades(out)
    assert float(after["blank"]["auto_score"]) == float(after["model"]["auto_score"])
    assert len(after) == len(before.splitlines()) - 1   # no doubled rows
    # --student: that student only, graded again although nothing changed
    again = grade(CHAPTER, base / "submissions", out=out, jobs=1, timeout=TIMEOUT, progress=False, students=["model "])
    assert again["graded"] == ["model"] and read_grades(out) == after


def test_bad_input_is_refused_and_loses_nothing(graded, tmp_path):
    base, out, _, _ = graded
    before = (out / "grades.csv").read_bytes()
    db_before = (out / "gradebook.db").read_bytes()
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    for args in ([CHAPTER, str(empty)], ["99_nothing", str(base / "submissions")],
                 [CHAPTER, str(tmp_path / "missing")], [CHAPTER, str(base / "submissions" / "model" / CHAPTER / f"{CHAPTER}.ipynb")]):
        assert main(["grade", *args, "--out", str(out)]) == 2
    assert (out / "grades.csv").read_bytes() == before and (out / "gradebook.db").read_bytes() == db_before


# ------------------------------------------------------------------ PostgreSQL

PG_BIN = Path("/usr/lib/postgresql")


def _pg_bindir():
    versions = sorted(PG_BIN.glob("*/bin/initdb")) if PG_BIN.exists() else []
    return versions[-1].parent if versions else None


@pytest.fixture
def postgres_url():
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    pytest.importorskip("psycopg2")
    folder = Path(tempfile.mkdtemp(prefix="lossbook-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(folder, user)
        shutil.chown(sock, user)
    as_user = ["runuser", "-u", user, "--"] if user else []
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader"],
                   check=True, capture_output=True)
    port = "54329"
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                              "-o", f"-k {sock} -p {port} -c listen_addresses=''", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run(as_user + [str(bindir / "createdb"), "-h", str(sock), "-p", port, "-U", "grader", "gradebook"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg2://grader@/gradebook?host={sock}&port={port}"
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_postgresql_gradebook(postgres_url, tmp_path):
    write_class(tmp_path / "subs", CHAPTER, tmp_path / "out", cases=["model", "blank"])
    summary = grade(CHAPTER, tmp_path / "subs", out=tmp_path / "out", db=postgres_url, jobs=2,
                    timeout=TIMEOUT, progress=False)
    grades = read_grades(tmp_path / "out")
    assert float(grades["model"]["auto_score"]) == float(grades["model"]["max_auto_score"]) > 0
    assert float(grades["blank"]["auto_score"]) == 0
    assert not (tmp_path / "out" / "gradebook.db").exists()
    from nbgrader.api import Gradebook
    with Gradebook(postgres_url, "lossbook") as gb:
        assert sorted(s.student_id for s in gb.assignment_submissions(CHAPTER)) == ["blank", "model"]
    assert summary["db"] == postgres_url


def test_command_is_installed():
    result = subprocess.run([sys.executable, "-m", "lossbook", "grade", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--jobs" in result.stdout


# ------------------------------------------------------------------ the hub's course folder

def _course_folder(base, graded):
    """An nbgrader course folder as the hub's after `nbgrader collect`: the fixture's model
    answers handed in late with nbgrader's secret; the blank version on time with a
    submission_secret.txt the student rewrote; a copy of the model answers whose secret is
    another student's (copied), and that other student; the due date in the gradebook."""
    import secrets as random
    from datetime import datetime

    from nbgrader.api import Gradebook

    course, exchange = base / "course", base / "exchange"
    (exchange / "lbkcourse").mkdir(parents=True)
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = 'lbkcourse'\nc.Exchange.root = {str(exchange)!r}\n")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_assignment(CHAPTER, duedate=datetime(2026, 12, 24, 14, 59))   # 23:59 KST
    shared = random.token_hex(64)
    hand_ins = {"late": ("model", "2026-12-24 17:30:00.000000 UTC", random.token_hex(64)),
                "crafted": ("blank", "2026-12-24 10:00:00.000000 UTC", "../../feedback/" + "0" * 32),
                "copier": ("model", "2026-12-24 11:00:00.000000 UTC", shared),
                "victim": ("blank", "2026-12-24 12:00:00.000000 UTC", shared)}
    for student, (case, stamp, secret) in hand_ins.items():
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        if case == "model":
            shutil.copy(graded[0] / "submissions" / "model" / CHAPTER / f"{CHAPTER}.ipynb", folder)
        else:   # the released version itself: the class's "blank" hands in the model answers in test_rerun
            shutil.copy(notebooks.assignment_notebook(CHAPTER), folder / f"{CHAPTER}.ipynb")
        (folder / "timestamp.txt").write_text(stamp)
        (folder / "submission_secret.txt").write_text(secret)
    return course, exchange, hand_ins


def test_course_folder_late_submission_and_feedback_secrets(graded, tmp_path):
    """`lossbook grade` on the hub's course folder: scores as from any folder; the late
    submission marked against the gradebook's due date (no points taken); feedback released
    only to the holder of nbgrader's own secret: a rewritten or a copied secret gets nothing
    released, so no student can put a page where another student would fetch theirs."""
    from nbgrader.utils import notebook_hash

    from lossbook.grading.submissions import read_submissions

    course, exchange, hand_ins = _course_folder(tmp_path, graded)
    read = {s.student_id: s for s in read_submissions(course, CHAPTER)}
    assert sorted(read) == sorted(hand_ins)   # through submitted/, not source/ or release/
    assert set(read["late"].files) == {f"{CHAPTER}.ipynb"} and read["late"].secret == hand_ins["late"][2]
    out = tmp_path / "graded"
    summary = grade(CHAPTER, course, out=out, jobs=2, timeout=TIMEOUT, progress=False, release_feedback=True)
    grades, full = read_grades(out), float(read_grades(graded[1])["model"]["max_auto_score"])
    assert float(grades["late"]["auto_score"]) == full and float(grades["copier"]["auto_score"]) == full
    assert float(grades["crafted"]["auto_score"]) == 0
    assert sorted(summary["late"]) == ["late"] and summary["late"]["late"] == 2 * 3600 + 31 * 60   # 17:30 vs 14:59 UTC
    assert "늦은 제출" in grades["late"]["problems"] and "감점은 하지 않았습니다" in grades["late"]["problems"]
    assert "늦은 제출" not in grades["crafted"]["problems"] + grades["copier"]["problems"]
    assert "늦은 제출" in (out / "report.md").read_text(encoding="utf-8")
    # the feedback: only "late" holds an nbgrader secret of its own
    assert sorted(summary["released"]) == ["late"], summary["not_released"]
    assert "형식" in summary["not_released"]["crafted"]
    assert "같은 제출 비밀값" in summary["not_released"]["copier"] and "victim" in summary["not_released"]
    published = sorted(p.name for p in (exchange / "lbkcourse" / "feedback").iterdir())
    assert published == [notebook_hash(secret=hand_ins["late"][2], notebook_id=CHAPTER) + ".html"]
    assert not (tmp_path / "feedback").exists()
    # --duedate wins over the gradebook's; a due date that cannot be read stops before anything is written
    for unreadable in ("언젠가", "2026-12-24 23:59:00 KST", "2026-12-24 23:59:00 +0900"):
        assert main(["grade", CHAPTER, str(course), "--out", str(tmp_path / "x"), "--duedate", unreadable]) == 2
    assert not (tmp_path / "x").exists()
    from lossbook.grading.cli import late_notes, parse_duedate
    assert sorted(late_notes(read.values(), parse_duedate("2026-12-24T20:00:00+09:00"))[0]) == ["late", "victim"]
