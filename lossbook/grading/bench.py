"""`make bench`: grading speed for one class (default 40 submissions of 01_mse).

Measured in one run, on the same submissions: plain `nbgrader autograde`, `lossbook grade
--jobs 2` right after it, then `--jobs 1` (sandbox, the trusted test-side kernel and Korean
feedback included), and where the time of one submission goes. The machine's load average is printed beside each line: on a
shared machine other processes take cores away, and a line measured under more load is slower.
Usage: python -m lossbook.grading.bench [--n 40] [--assignment 01_mse]
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from lossbook import notebooks
from lossbook.grading.cli import grade
from lossbook.maintain import run_tool


def write_submissions(folder, assignment, n):
    release = notebooks.read(notebooks.assignment_notebook(assignment))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(assignment)))
    for i in range(n):
        target = Path(folder) / f"s{i:03d}" / assignment
        target.mkdir(parents=True)
        nbformat.write(model if i % 4 else release, str(target / f"{assignment}.ipynb"))


def plain_nbgrader(base, assignment, submissions):
    course = base / "plain"
    course.mkdir()
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", course)
    shutil.copytree(notebooks.ROOT / "solutions" / assignment, course / "solutions" / assignment)
    shutil.copytree(submissions, course / "submitted")
    run_tool("nbgrader", "generate_assignment", assignment, "--log-level=ERROR", cwd=course, check=True,
             capture_output=True)
    start = time.perf_counter()
    run_tool("nbgrader", "autograde", assignment, "--log-level=ERROR", cwd=course, check=True, capture_output=True)
    return time.perf_counter() - start


def loaded(function, *args, **kwargs):
    """function's result and the 1-minute load average before and after it."""
    before = os.getloadavg()[0]
    result = function(*args, **kwargs)
    return result, (before, os.getloadavg()[0])


def timed_grade(base, name, assignment, submissions, **kwargs):
    start = time.perf_counter()
    summary = grade(assignment, submissions, out=base / name, progress=False, **kwargs)
    return time.perf_counter() - start, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--assignment", default="01_mse")
    args = parser.parse_args(argv)
    n = args.n
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lossbook-bench-") as tmp:
        base = Path(tmp)
        submissions = base / "submissions"
        write_submissions(submissions, args.assignment, n)
        # plain nbgrader and --jobs 2 (the pair the target compares) run back to back, so that a
        # change in the machine's load between them is as small as it can be
        rows = {"plain": ("nbgrader autograde (샌드박스 없음, 피드백 없음)",
                          *loaded(plain_nbgrader, base, args.assignment, submissions))}
        (two, summary2), load2 = loaded(timed_grade, base, "jobs2", args.assignment, submissions, jobs=2)
        rows["jobs2"] = ("lossbook grade --jobs 2 (샌드박스, 피드백 포함)", two, load2)
        (one, summary), load1 = loaded(timed_grade, base, "jobs1", args.assignment, submissions, jobs=1)
        rows["jobs1"] = ("lossbook grade --jobs 1 (샌드박스, 피드백 포함)", one, load1)
        rows = [rows["plain"], rows["jobs1"], rows["jobs2"]]
        few = min(4, n)
        _, bare = timed_grade(base, "nosandbox", args.assignment, submissions, jobs=1, use_sandbox=False,
                              students=[f"s{i:03d}" for i in range(few)])

    load_after = os.getloadavg()
    plain = rows[0][1]   # seconds
    print(f"\n채점 속도: {args.assignment} 제출물 {n}개 (코어 {os.cpu_count()}개, 부하 평균(1분) "
          f"시작 {load_before[0]:.2f} → 끝 {load_after[0]:.2f}: 다른 프로세스가 코어를 함께 쓰면 모든 줄이 느려집니다)\n")
    print(f"| 방법 | 전체 (초) | 제출물당 (초) | 분당 제출물 | nbgrader 대비 처리량 | 부하 평균 (시작 → 끝) |")
    print("|---|---|---|---|---|---|")
    for label, seconds, (start, end) in rows:
        print(f"| {label} | {seconds:.1f} | {seconds / n:.2f} | {60 * n / seconds:.1f} | {plain / seconds:.2f}× "
              f"| {start:.2f} → {end:.2f} |")

    def mean(results, key):
        return statistics.mean(r.timings.get(key, 0.0) for r in results)

    res = summary["results"]
    total, kernel, cells, imports, feedback, tests, test_start = (mean(res, k) for k in (
        "total", "kernel", "cells", "imports", "feedback", "test_side", "test_kernel_start"))
    sandbox = max(0.0, kernel - mean(bare["results"], "kernel"))
    print(f"\n제출물 하나의 시간 (--jobs 1, 평균 {total:.2f}초)\n")
    print("| 단계 | 초 |")
    print("|---|---|")
    print(f"| 커널 시작 (샌드박스 포함) | {kernel:.2f} |")
    print(f"|  └ 그중 샌드박스(bwrap) 추가분 (샌드박스 없는 커널 시작과의 차이) | {sandbox:.2f} |")
    print(f"| import가 있는 셀 실행 (numpy, lossbook, torch) | {imports:.2f} |")
    print(f"| 나머지 셀 실행 | {cells - imports:.2f} |")
    print(f"| 채점 쪽(신뢰하는 커널): 테스트 셀과 잠긴 셀 실행, 학생 쪽 호출 포함 | {tests:.2f} |")
    print(f"|  └ 그중 채점 쪽 커널 시작 (프로세스마다 한 번, 제출물당 평균) | {test_start:.2f} |")
    print(f"| nbgrader 기록 (gradebook, 셀 복원, 노트북 쓰기) | {total - kernel - cells - tests - feedback:.2f} |")
    print(f"| 한국어 HTML 피드백 | {feedback:.2f} |")
    wait = mean(summary2["results"], "lock_wait")
    print(f"\n--jobs 2에서 gradebook 쓰기 잠금을 기다린 시간: 제출물당 평균 {wait:.2f}초")


if __name__ == "__main__":
    main()
