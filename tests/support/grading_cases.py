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


# ------------------------------------------------------------------ a hostile class (issue 12, parts 4 and 5)
# Students who want to break the grader rather than cheat: every case is a real submission
# written into the nbgrader folder layout; `write_hostile_class` returns {student: expectation}
# as write_class does ("score", "problem": a Korean substring of the problems column,
# "row_id": the id the row has in grades.csv when it differs from the folder name).

XSS_MARK = "lbkpwned"
XSS_SCRIPT = (f"document.title='{XSS_MARK}'; window.__{XSS_MARK}=1; "
              "fetch('/api/kernels', {method: 'POST', headers: {'Content-Type': 'application/json'}, "
              "body: '{\"name\": \"python3\"}'});")


def xss_code():
    """Answer-cell code whose outputs carry every kind of active HTML a notebook can hold."""
    return f"""
from IPython.display import display, HTML, Javascript, SVG
_js = {XSS_SCRIPT!r}
display(HTML('<b>html</b><script>' + _js + '</script><img src=x onerror="' + _js + '">'))
display(HTML('<iframe src="javascript:parent.' + 'window.__{XSS_MARK}=1"></iframe><a href="javascript:' + _js + '">a</a>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="' + _js + '"><script>' + _js + '</script></svg>'))
display(Javascript(_js))
display({{'image/png': 'AAAA', 'text/plain': 'png'}}, raw=True,
        metadata={{'image/png': {{'width': '1 onerror=' + _js.replace(' ', '')}}}})
display({{'application/vnd.jupyter.widget-view+json': {{'model_id': 'x'}}, 'text/plain': 'w'}}, raw=True)
print('<script>' + _js + '</script>')
"""


def xss_markdown():
    return (f"제 답입니다.\n\n<script>{XSS_SCRIPT}</script>\n\n<img src=x onerror=\"{XSS_SCRIPT}\">\n\n"
            f"<svg onload=\"{XSS_SCRIPT}\"></svg>\n\n<iframe src=\"https://example.com\"></iframe>\n\n"
            f"[링크](javascript:window.__{XSS_MARK}=1)\n\n<a href=\"#\" onclick=\"{XSS_SCRIPT}\">x</a>\n")


def _xss(model):
    nb = _with_first_answer_prefix(model, xss_code())
    written = [c for c in nb.cells if notebooks.is_manual_answer(c)]
    written[0].source = xss_markdown()
    return nb


def _corrupt_test_metadata(model):
    nb = nbformat.from_dict(model)
    next(c for c in nb.cells if notebooks.is_autograded_test(c)).metadata["nbgrader"] = "oops"
    return nb


def _duplicate_first_test(model):
    nb = nbformat.from_dict(model)
    index = next(i for i, c in enumerate(nb.cells) if notebooks.is_autograded_test(c))
    copy = nbformat.from_dict(nb.cells[index])
    copy["id"] = "pasted-copy"
    nb.cells.insert(index + 1, copy)
    return nb


def _odd_outputs(model):
    """Missing metadata everywhere it is optional, and outputs of unknown kinds."""
    raw = json.loads(nbformat.writes(model))
    raw.pop("metadata")
    for cell in raw["cells"]:
        if "nbgrader" not in cell.get("metadata", {}):
            cell.pop("metadata", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "weird", "data": 42}, {"output_type": "stream", "name": "x"}]
    return json.dumps(raw).encode()


def write_hostile_class(folder, chapter, root=notebooks.ROOT, slow_seconds=40):
    """A class in which each student breaks one step of grading for themselves only. To keep
    the run short, a student may carry two unrelated tricks."""
    import os
    folder = Path(folder)
    release = notebooks.read(notebooks.assignment_notebook(chapter, root))
    source = notebooks.read(notebooks.solution_notebook(chapter, root))
    model = notebooks.model_submission(release, source)
    name = f"{chapter}.ipynb"
    full = sum(notebooks.points(c) for c in release.cells if notebooks.is_autograded_test(c))
    manual = sum(notebooks.points(c) for c in release.cells if notebooks.is_manual_answer(c))
    expect = {}

    def put(student, data, filename=name):
        target = folder / student / chapter
        target.mkdir(parents=True, exist_ok=True)
        (target / filename).write_bytes(data if isinstance(data, bytes) else nbformat.writes(data).encode())
        return target

    put("honest", model)
    expect["honest"] = {"score": full, "no_problems": True}
    # a file name that is not UTF-8 (Latin-1 bytes from another machine), holding a notebook
    # whose test cell has `metadata.nbgrader` as a string
    target = folder / "nonutf8" / chapter
    target.mkdir(parents=True)
    with open(os.path.join(os.fsencode(target), b"01_mse \xe9t\xe9.ipynb"), "wb") as handle:
        handle.write(nbformat.writes(_corrupt_test_metadata(model)).encode())
    expect["nonutf8"] = {"score": full, "problem": ["UTF-8이 아니어서", "nbgrader 메타데이터가 손상", "바꿔 채점"]}
    # active HTML in outputs and markdown, in a file with a UTF-8 byte-order mark, no metadata
    # where it is optional and saved outputs of unknown kinds
    put("xss", b"\xef\xbb\xbf" + _odd_outputs(_xss(model)))
    expect["xss"] = {"score": full, "no_problems": True}
    put("bad\x07id", model)
    expect["bad\x07id"] = {"score": 0, "problem": ["제어 문자"], "row_id": "bad\\x07id"}
    put("formula", b"not json", filename="=HYPERLINK(1).ipynb")
    expect["formula"] = {"score": 0, "problem": ["'=HYPERLINK"], "csv_line": f"formula,0,{full + manual:g},0,{full:g},0,{manual:g},False,'=HYPERLINK"}
    # a copy-pasted test cell, in an nbformat 3 file
    put("pasted", nbformat.writes(nbformat.convert(nbformat.reads(nbformat.writes(_duplicate_first_test(model)), 4), 3)).encode())
    expect["pasted"] = {"score": full, "problem": ["번 있습니다", "nbformat 3"]}
    (folder / "linked").mkdir()
    os.symlink(Path(root) / "solutions" / chapter, folder / "linked" / chapter)
    expect["linked"] = {"score": 0, "problem": ["심볼릭 링크"]}
    # two folders for one student (equal once the trailing newline goes): the newer timestamp wins
    put("twice", release).joinpath("timestamp.txt").write_text("2026-01-01 09:00:00")
    put("twice\n", model).joinpath("timestamp.txt").write_text("2026-01-02 09:00:00")
    expect["twice"] = {"score": full, "problem": ["제출 시각이 가장 늦은 'twice\\x0a/", "고쳐 읽었습니다"]}
    put("notdict", b"[1, 2, 3]")
    expect["notdict"] = {"score": 0, "problem": ["JSON이지만 노트북이 아닙니다"]}
    put("slow", _with_first_answer_prefix(model, f"import time\ntime.sleep({slow_seconds})"))
    expect["slow"] = {"score": 0, "problem": ["작업 프로세스가 종료"]}
    expect["_full"] = full
    return expect


def write_hostile_zip(path, chapter, root=notebooks.ROOT):
    """A class zip whose entries lie: wrong declared sizes, a zip-bomb entry, absolute paths,
    '..', backslashes, a CP949 (Korean Windows) name without the UTF-8 flag, a symlink. The
    notebooks that can be read are `{}` (not a notebook: no kernel needed to grade them), so
    that each student's row shows that student's entry was found; returns {student: phrases}."""
    import zipfile
    from lossbook.grading import submissions
    release = notebooks.read(notebooks.assignment_notebook(chapter, root))
    source = notebooks.read(notebooks.solution_notebook(chapter, root))
    model = nbformat.writes(notebooks.model_submission(release, source)).encode()
    name = f"{chapter}.ipynb"
    del release, source
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"class/zplain/{chapter}/{name}", b"{}")
        zf.writestr(f"class\\zback\\{chapter}\\{name}", b"{}")              # Windows separators
        zf.writestr(f"/class/zabs/{chapter}/{name}", b"{}")                 # absolute path
        zf.writestr(f"class/../../escape/{chapter}/{name}", b"{}")          # outside the folder
        info = zipfile.ZipInfo(f"class/zlink/{chapter}/{name}")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")                                    # a symlink entry
        zf.writestr(f"class/zbomb/{chapter}/{name}", b"0" * (submissions.MAX_FILE + 1))
        zf.writestr(f"class/zlie/{chapter}/{name}", model)
        zf.writestr(f"class/zKRKR/{chapter}/{name}", b"{}")                 # renamed to CP949 bytes below
    # the declared size of zlie's entry: smaller than the data (a lying header)
    data = bytearray(Path(path).read_bytes())
    entry = f"class/zlie/{chapter}/{name}".encode()
    for signature, size_at, name_len_at, header in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_len = int.from_bytes(data[start + name_len_at:start + name_len_at + 2], "little")
            if bytes(data[start + header:start + header + name_len]) == entry:
                data[start + size_at:start + size_at + 4] = (100).to_bytes(4, "little")
            korean = f"class/zKRKR/{chapter}/{name}".encode()
            if bytes(data[start + header:start + header + name_len]) == korean:
                data[start + header:start + header + name_len] = f"class/z학생/{chapter}/{name}".encode("cp949")
            start += 4
    Path(path).write_bytes(bytes(data))
    return {"zplain": ["노트북이 아닙니다"], "zback": ["노트북이 아닙니다"], "z학생": ["노트북이 아닙니다"],
            "zabs": ["절대 경로"], "zlink": ["심볼릭 링크"], "zbomb": ["MB를 넘어서"], "zlie": ["손상되어"]}


# ------------------------------------------------------------------ students who cheat (issue 12, part 1)
# Each cheat is written into the answer cells of a student whose functions return constants
# (`stub`). Today's notebook graders run the tests in the student's interpreter, where every
# one of these raised the stubs' score; with the tests on the trusted side each must earn
# exactly what the stubs earn on their own.

CHEATS = {
    # an IPython input transformer that blanks every later cell, or only those with an assert
    "blank_later_cells": "get_ipython().input_transformers_post.append(lambda lines: [])",
    "blank_assert_cells": ("get_ipython().input_transformers_post.append(\n"
                           "    lambda lines: [] if any('assert' in l for l in lines) else lines)"),
    # run_code that swallows every exception, and a silent traceback
    "swallow_errors": """
_sh = get_ipython()
_run = _sh.run_code
async def _quiet(code_obj, result=None, *, async_=False):
    try:
        return await _run(code_obj, result, async_=async_)
    except BaseException:
        return False
_sh.run_code = _quiet
_sh.showtraceback = lambda *a, **k: None""",
    # every cell reported as a success, and no traceback shown
    "force_success": """
_sh = get_ipython()
_cell = _sh.run_cell
def _ok(*a, **k):
    r = _cell(*a, **k)
    r.error_in_exec = r.error_before_exec = None
    return r
_sh.run_cell = _ok
_sh.showtraceback = lambda *a, **k: None
_sh.showsyntaxerror = lambda *a, **k: None""",
    # the test's names shadowed in the notebook's namespace
    "shadow_names": """
class _Yes:
    def __getattr__(self, name):
        return lambda *a, **k: True
np = _Yes()
torch = _Yes()
isinstance = lambda *a: True
def expect_value_error(*a, **k):
    return None""",
    # the libraries the tests compare with, patched
    "patch_libraries": """
import builtins, numpy, numpy.testing, torch
numpy.isclose = numpy.allclose = torch.isclose = torch.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.ndarray.__eq__ = lambda *a, **k: True
builtins.isinstance = lambda *a: True""",
    # a cell the student marks as the course's own (locked), hoping it runs beside the tests
    "forged_course_cell": None,
    # answers that pose as data: equal to everything
    "lying_results": """
class _Equal(float):
    def __eq__(self, other): return True
    def __lt__(self, other): return True
    def __gt__(self, other): return True
_stub_return = _Equal(0.0)""",
}


def _stub(release, value="0.0"):
    """Every answer function returns a constant (the student version's NotImplementedError
    replaced); a stub training function returns a constant too and fails its test."""
    nb = nbformat.from_dict(release)
    for cell in _answer_cells(nb):
        cell.source = cell.source.replace("raise NotImplementedError()", f"return {value}")
    return nb


def write_cheating_class(folder, chapter, root=notebooks.ROOT):
    """Students `stub`, `model` and one per CHEATS entry (wrapping the stub), plus
    `model_blank_asserts` (the model answers with an assert-blanking transformer)."""
    folder = Path(folder)
    release = notebooks.read(notebooks.assignment_notebook(chapter, root))
    source = notebooks.read(notebooks.solution_notebook(chapter, root))
    model = notebooks.model_submission(release, source)
    name = f"{chapter}.ipynb"

    def put(student, nb):
        target = folder / student / chapter
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target / name))

    put("stub", _stub(release))
    put("model", model)
    put("model_blank_asserts", _with_first_answer_prefix(model, CHEATS["blank_assert_cells"]))
    for student, code in CHEATS.items():
        if student == "forged_course_cell":
            nb = _stub(release)
            forged = nbformat.v4.new_code_cell(
                "import numpy, torch\nnumpy.isclose = numpy.allclose = torch.allclose = lambda *a, **k: True",
                metadata={"nbgrader": {"grade": False, "solution": False, "locked": True,
                                       "grade_id": "setup_extra", "schema_version": 3}})
            nb.cells.insert(2, forged)
        elif student == "lying_results":
            nb = _stub(release, "_stub_return")
            _answer_cells(nb)[0].source = code + "\n\n" + _answer_cells(nb)[0].source
        else:
            nb = _with_first_answer_prefix(_stub(release), code)
        put(student, nb)
    return sorted(["stub", "model", "model_blank_asserts", *CHEATS])
