"""Untrusted submissions for `lossbook grade` tests: each case is one student's folder.

`write_class(folder, chapter, root)` writes the nbgrader layout `folder/STUDENT/CHAPTER/...`
and returns {student_id: what the test expects}. Every attack is written as real student
code in the answer cells of the real student notebook."""

import json
from pathlib import Path

import nbformat

from lossbook import notebooks


def _answer_cells(nb):
    return [c for c in nb.cells if notebooks.is_answer_cell(c) and c.cell_type == "code"]


def _with_first_answer_prefix(nb, code):
    """The model answers, with `code` run at the end of the first answer cell (after the
    function is defined, so the attack alone decides whether points are lost)."""
    nb = nbformat.from_dict(nb)
    first = _answer_cells(nb)[0]
    first.source = first.source + "\n\n" + code
    return nb


def snoop_code(paths, write_paths):
    """Tries to read every path in `paths` and to write every path in `write_paths`;
    prints LEAKED/WROTE when it succeeds and BLOCKED when it does not."""
    return f"""
import os, glob
for _p in {[str(p) for p in paths]!r}:
    try:
        if os.path.isdir(_p):
            _found = [f for f in glob.glob(_p + '/**', recursive=True) if os.path.isfile(f)]
            print('LEAKED' if _found else 'BLOCKED', _p, len(_found))
        else:
            open(_p, 'rb').read(10)
            print('LEAKED', _p)
    except Exception as _e:
        print('BLOCKED', _p, type(_e).__name__)
for _p in {[str(p) for p in write_paths]!r}:
    try:
        with open(_p, 'a') as _f:
            _f.write('hacked,100,100')
        print('WROTE', _p)
    except Exception as _e:
        print('BLOCKED', _p, type(_e).__name__)
try:
    import sqlite3
    _db = sqlite3.connect({str(write_paths[0])!r})
    _db.execute("UPDATE grade SET manual_score = 100")
    _db.commit()
    print('WROTE sqlite')
except Exception as _e:
    print('BLOCKED sqlite', type(_e).__name__)
"""


def write_class(folder, chapter, out, root=notebooks.ROOT, cases=None):
    """Write the submissions; `out` is the grading output folder (for the write attacks)."""
    folder, out = Path(folder), Path(out)
    release = notebooks.read(notebooks.assignment_notebook(chapter, root))
    source = notebooks.read(notebooks.solution_notebook(chapter, root))
    model = notebooks.model_submission(release, source)
    name = f"{chapter}.ipynb"
    tests = [c for c in release.cells if notebooks.is_autograded_test(c)]
    full = sum(notebooks.points(c) for c in tests)

    def put(student, nb=None, raw=None, filename=name):
        target = folder / student / chapter
        target.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            (target / filename).write_bytes(raw)
        elif nb is not None:
            nbformat.write(nb, str(target / filename))

    expect = {}
    all_cases = {
        "model": lambda: (put("model", model), {"score": full}),
        "blank": lambda: (put("blank", release), {"score": 0}),
        "loop": lambda: (put("loop", _with_first_answer_prefix(model, "while True:\n    pass")),
                         {"score": full, "problem": "초 안에 끝나지 않아"}),
        "crash": lambda: (put("crash", _crash(model)), {"score_below": full, "problem": "커널이 종료"}),
        "spam": lambda: (put("spam", _with_first_answer_prefix(model, "for _i in range(60000):\n    print('x' * 100)")),
                         {"score": full}),
        "sysexit": lambda: (put("sysexit", _with_first_answer_prefix(model, "import sys\nsys.exit(3)")),
                            {"score": full}),
        "edited": lambda: (put("edited", _edit_tests(model)), {"score": full, "problem": "고쳤습니다"}),
        "deleted": lambda: (put("deleted", _delete_test(model)), {"score": full, "problem": "지웠습니다"}),
        "missing": lambda: (put("missing", raw=b"just notes", filename="notes.txt"),
                            {"score": 0, "problem": "제출하지 않았습니다"}),
        "misnamed": lambda: (put("misnamed", model, filename=f"{chapter} (1).ipynb"),
                             {"score": full, "problem": "바꿔 채점했습니다"}),
        "badjson": lambda: (put("badjson", raw=b'{"cells": [ this is not json'),
                            {"score": 0, "problem": "JSON"}),
        "snoop": lambda: (put("snoop", _with_first_answer_prefix(model, snoop_code(
            [root / "solutions", root / "solutions" / chapter / name, out / "source",
             out / "release", out / "submitted" / "model", folder / "model", out / "autograded",
             out / "gradebook.db", Path("/root"), Path.home()],
            [out / "gradebook.db", out / "grades.csv", out / "autograded" / "model" / chapter / name]))),
            {"score": full, "no_leak": True}),
    }
    for student in cases or all_cases:
        _, expect[student] = all_cases[student]()
    expect["_full"] = full
    return expect


def _crash(model):
    """The model answers, but the third answer cell kills its own kernel."""
    nb = nbformat.from_dict(model)
    _answer_cells(nb)[2].source = "import os\nos._exit(1)"
    return nb


def _edit_tests(model):
    """Every locked test cell replaced by `pass` (a student trying to make tests always pass)."""
    nb = nbformat.from_dict(model)
    for cell in nb.cells:
        if notebooks.is_autograded_test(cell):
            cell.source = "pass"
    return nb


def _delete_test(model):
    nb = nbformat.from_dict(model)
    tests = [c for c in nb.cells if notebooks.is_autograded_test(c)]
    nb.cells = [c for c in nb.cells if c is not tests[-1]]
    return nb


def dump(nb):
    return json.dumps(nb)
