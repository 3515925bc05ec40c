"""Submissions that test the limits per student and the sandbox's environment (issue 12,
parts 2-3), for `tests/test_grade_limits.py`. Kept beside grading_cases.py (whose helpers it
uses) so that one grading run holds them all; every amount is bounded."""

from pathlib import Path

import nbformat

from lossbook import notebooks
from support.grading_cases import _answer_cells, _with_first_answer_prefix

SECRETS = {"PGPASSWORD": "pg-secret-7c1f", "LMS_TOKEN": "lms-secret-93ab", "GRADER_API_KEY": "key-secret-55d0"}


def _with_last_answer_suffix(nb, code):
    """The model answers, with `code` run at the end of the last answer cell: the tests
    before it have run, so a limit that stops the kernel costs only the tests after it."""
    nb = nbformat.from_dict(nb)
    last = _answer_cells(nb)[-1]
    last.source = last.source + "\n\n" + code
    return nb


ENV_SNOOP = """
import glob, os, subprocess
for _p in ['/proc/1/environ', '/proc/self/environ'] + sorted(glob.glob('/proc/*/environ')):
    try:
        print(_p, open(_p, 'rb').read().decode('utf-8', 'replace'))
    except Exception as _e:
        print(_p, 'BLOCKED', type(_e).__name__)
print(dict(os.environ))
for _cmd in (['unshare', '-U', '-r', 'cat', '/proc/1/environ'], ['unshare', '-U', '-r', '-m', 'true'],
             ['cat', '/proc/1/cmdline']):
    try:
        _r = subprocess.run(_cmd, capture_output=True, timeout=5)
        print(_cmd, _r.returncode, _r.stdout[:2000], _r.stderr[:300])
    except Exception as _e:
        print(_cmd, 'BLOCKED', type(_e).__name__)
try:
    os.unshare(os.CLONE_NEWUSER)
    print('UNSHARED')
except Exception as _e:
    print('unshare BLOCKED', type(_e).__name__)
"""

MEMORY_HOG = "import numpy as _np\n_big = _np.ones(2 ** 27)   # 1 GiB, touched page by page\nprint(_big.sum())"

FORK_BOMB = """
import os, time
_kids = []
try:
    for _i in range(200):   # bounded: at most 200 children, each gone after 1 s
        _pid = os.fork()
        if _pid == 0:
            time.sleep(1)
            os._exit(0)
        _kids.append(_pid)
finally:
    for _k in _kids:
        os.waitpid(_k, 0)
"""

DISK_FILL = """
import os
try:
    with open(os.path.expanduser('~/fill.bin'), 'wb') as _f:
        for _i in range(256):
            _f.write(b'0' * (1 << 20))
except OSError as _e:
    print('HOME FULL', _e)
finally:
    os.remove(os.path.expanduser('~/fill.bin'))
with open('/tmp/fill.bin', 'wb') as _f:
    for _i in range(256):   # at most 256 MB against a much smaller /tmp
        _f.write(b'0' * (1 << 20))
"""

OUTPUT_FLOOD = "for _i in range(20):\n    print('x' * (1 << 20))   # 20 MB in 20 lines"

CPU_HOG = """
import os
for _i in range(3):   # three children and the kernel burn CPU: the limit counts the whole sandbox
    if os.fork() == 0:
        while True:
            pass
while True:
    pass
"""

IGNORES_SIGINT = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)"


def _in_answer_cell(nb, index, code):
    nb = nbformat.from_dict(nb)
    cell = _answer_cells(nb)[index]
    cell.source = cell.source + "\n\n" + code
    return nb


def _slow_cells(model, seconds):
    """Every answer cell sleeps `seconds` (each below the cell timeout, all together above the budget)."""
    nb = nbformat.from_dict(model)
    for cell in _answer_cells(nb):
        cell.source = cell.source + f"\n\nimport time\ntime.sleep({seconds})"
    return nb


def write_limits_class(folder, chapter, root=notebooks.ROOT, slow_seconds=5):
    """One honest student and one student per limit; returns {student: expectation} like
    grading_cases.write_class, plus '_full' and '_last' (the points of the tests after the last
    answer cell, lost when the kernel is stopped in that cell)."""
    folder = Path(folder)
    release = notebooks.read(notebooks.assignment_notebook(chapter, root))
    source = notebooks.read(notebooks.solution_notebook(chapter, root))
    model = notebooks.model_submission(release, source)
    tests = [c for c in release.cells if notebooks.is_autograded_test(c)]
    full = sum(notebooks.points(c) for c in tests)
    last_answer = max(i for i, c in enumerate(release.cells) if notebooks.is_answer_cell(c) and c.cell_type == "code")
    last = sum(notebooks.points(c) for c in release.cells[last_answer + 1:] if notebooks.is_autograded_test(c))
    cases = {
        "honest": (model, {"score": full, "clean": True}),
        # the limits that leave the kernel running, and the secrets, in one student
        "greedy": (_with_last_answer_suffix(_in_answer_cell(_with_first_answer_prefix(model, ENV_SNOOP), 1, FORK_BOMB),
                                            DISK_FILL),
                   {"score": full, "problem": ["프로세스 수 제한", "공간의 제한"]}),
        "memhog": (_with_last_answer_suffix(model, MEMORY_HOG), {"score": full - last, "problem": "메모리 제한"}),
        "flood": (_with_first_answer_prefix(model, OUTPUT_FLOOD), {"score": full, "problem": "출력이 제한"}),
        "cpuhog": (_with_last_answer_suffix(model, CPU_HOG), {"score": full - last, "problem": "CPU 시간 제한"}),
        "nosigint": (_with_last_answer_suffix(model, IGNORES_SIGINT),
                     {"score": full - last, "problem": "중단 요청(SIGINT)에도 멈추지 않아"}),
        "slow": (_slow_cells(model, slow_seconds), {"score_below": full, "problem": "노트북 전체 실행 시간 제한"}),
    }
    expect = {}
    for student, (nb, want) in cases.items():
        target = folder / student / chapter
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target / f"{chapter}.ipynb"))
        expect[student] = want
    expect["_full"], expect["_last"] = full, last
    return expect
