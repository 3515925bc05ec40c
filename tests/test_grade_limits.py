"""Limits per student and a sandbox that holds nothing of the grader's (issue 12, parts 2-3).

One grading run of a class (one honest student and one student per attack) with small
limits: the run finishes with one row per student, each offender gets its Korean line in the
problems column and its feedback and keeps the points of the cells that ran, the honest
student gets full marks; no secret of the grader's environment and no --db password is in
any file of the output folder. All amounts are bounded (a 512 MB memory limit against a
1 GiB allocation, at most 200 short-lived processes, 16 MB of /tmp, 20 MB of output)."""

import csv
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from lossbook.grading import autograde, limits, sandbox
from lossbook.grading.cli import grade
from support.limit_cases import SECRETS, write_limits_class

CHAPTER = "01_mse"
TIMEOUT = 12          # per cell, seconds (import torch under load)
LIMITS = {"memory_limit": "512M", "process_limit": 32, "cpu_time_limit": 5,
          "tmp_size": "16M", "home_size": "16M", "shm_size": "16M"}
OUTPUT_LIMIT, TIME_BUDGET = "2M", 14
DB_PASSWORD = "db-secret-41aa"

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox.available(), reason="bubblewrap is not installed (.ci/run installs it)")]


def read_grades(out):
    with open(Path(out) / "grades.csv", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def _postgres(folder):
    """A PostgreSQL server that trusts local connections (it accepts and ignores the password
    in the URL), or None. Returns (url with password, stop)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")) if Path("/usr/lib/postgresql").exists() else []
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return None
    if not versions:
        return None
    bindir, data, sock = versions[-1].parent, folder / "data", folder / "sock"
    sock.mkdir(parents=True)
    user = "postgres" if os.geteuid() == 0 else None
    as_user = ["runuser", "-u", user, "--"] if user else []
    if user:
        shutil.chown(folder, user)
        shutil.chown(sock, user)
    port = "54331"
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader"],
                   check=True, capture_output=True)
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                              "-o", f"-k {sock} -p {port} -c listen_addresses=''", "start"], check=True, capture_output=True)
    subprocess.run(as_user + [str(bindir / "createdb"), "-h", str(sock), "-p", port, "-U", "grader", "gradebook"],
                   check=True, capture_output=True)

    def stop():
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    return f"postgresql+psycopg2://grader:{DB_PASSWORD}@/gradebook?host={sock}&port={port}", stop


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """The class graded once (--jobs 1: the small limits are set in this process's config),
    with fake secrets in the grader's environment and, when PostgreSQL is there, a --db URL
    with a password."""
    base = tmp_path_factory.mktemp("limits")
    out = base / "graded"
    expect = write_limits_class(base / "submissions", CHAPTER)
    pg_folder = Path(tempfile.mkdtemp(prefix="lossbook-pg-"))
    pg = _postgres(pg_folder)
    original = autograde.course_config

    def small_limits(*args, **kwargs):
        config = original(*args, **kwargs)
        extra = Config()
        for key, value in LIMITS.items():
            setattr(extra.SandboxKernelManager, key, value)
        extra.ExecutionLimits.output_limit = OUTPUT_LIMIT
        extra.ExecutionLimits.time_budget = TIME_BUDGET
        config.merge(extra)
        return config

    with pytest.MonkeyPatch.context() as mp:
        for key, value in SECRETS.items():
            mp.setenv(key, value)
        mp.setattr(autograde, "course_config", small_limits)
        started = time.perf_counter()
        try:
            summary = grade(CHAPTER, base / "submissions", out=out, db=pg[0] if pg else None, jobs=1,
                            timeout=TIMEOUT, progress=False)
        finally:
            if pg:
                pg[1]()
            shutil.rmtree(pg_folder, ignore_errors=True)
        seconds = time.perf_counter() - started
    print(f"limits class: {len(expect) - 2} students in {seconds:.1f} s; per student: "
          + ", ".join(f"{r.student_id} {r.timings.get('total', 0):.1f}" for r in summary["results"]))
    return out, expect, summary, bool(pg)


def _notebook_text(out, student):
    nb = nbformat.read(str(out / "autograded" / student / CHAPTER / f"{CHAPTER}.ipynb"), as_version=4)
    return "".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))


def test_every_student_gets_a_row_and_the_limit_line(limited):
    out, expect, _, _ = limited
    grades = read_grades(out)
    full = expect["_full"]
    students = [s for s in expect if not s.startswith("_")]
    assert sorted(grades) == sorted(students)
    for student in students:
        want, row = expect[student], grades[student]
        score = float(row["auto_score"])
        if "score" in want:
            assert score == want["score"], f"{student}: {score}/{full} (problems: {row['problems']})"
        if "score_below" in want:
            assert 0 < score < want["score_below"], f"{student}: {score} (problems: {row['problems']})"
        wanted = want.get("problem", [])
        html = (out / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
        for line in [wanted] if isinstance(wanted, str) else wanted:
            assert line in row["problems"], f"{student}: {row['problems']!r}"
            assert line in html, f"{student}: the feedback does not name the limit"
        if want.get("clean"):
            assert row["problems"] == "", f"{student}: {row['problems']!r}"


def test_the_attacks_ran_and_were_refused(limited):
    out, _, _, _ = limited
    snoop = _notebook_text(out, "greedy")
    assert "/proc/1/environ" in snoop and "PATH=" in snoop     # it did read bubblewrap's environment
    assert "UNSHARED" not in snoop and "unshare BLOCKED" in snoop
    assert "HOME FULL" in snoop and re.search(r"No space left|File too large", snoop)
    assert "BlockingIOError" in snoop or "Resource temporarily" in snoop


def test_no_secret_anywhere_in_the_output_folder(limited):
    out, _, summary, with_password = limited
    secrets = [v.encode() for v in SECRETS.values()] + ([DB_PASSWORD.encode()] if with_password else [])
    found = [(str(p.relative_to(out)), s.decode()) for p in out.rglob("*") if p.is_file()
             for s in secrets if s in p.read_bytes()]
    assert found == [], found
    if with_password:   # the written config keeps the user, the host and the database
        config = (out / "nbgrader_config.py").read_text(encoding="utf-8")
        assert "postgresql+psycopg2://grader@/gradebook" in config
        assert DB_PASSWORD in summary["db"]   # the run itself used the password it was given


def test_output_is_capped_in_bytes(limited):
    out, _, _, _ = limited
    cap = limits.parse_size(OUTPUT_LIMIT)
    notebook = out / "autograded" / "flood" / CHAPTER / f"{CHAPTER}.ipynb"
    feedback = out / "feedback" / "flood" / CHAPTER / f"{CHAPTER}.html"
    assert notebook.stat().st_size < 3 * cap and feedback.stat().st_size < 4 * cap


def test_no_cgroup_or_temporary_folder_left(limited):
    prefix = f"lbk-{os.getpid()}-"
    for controller in ("pids", "memory"):
        root = limits._controller_root(controller)
        if root is not None:
            assert [p.name for p in root.iterdir() if p.name.startswith(prefix)] == []


def test_sizes_parse():
    assert limits.parse_size("2G") == 2 << 30 and limits.parse_size("256M") == 256 << 20
    assert limits.parse_size("") == 0 and limits.parse_size("1048576") == 1 << 20
    with pytest.raises(ValueError):
        limits.parse_size("lots")
