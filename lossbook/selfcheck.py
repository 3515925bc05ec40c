"""Checking an assignment without nbgrader, the way its Validate button does.

    python -m lossbook check 03_bce.ipynb        # in a terminal
    check("03_bce.ipynb")                        # the notebook's last cell (JupyterLab, Colab, VS Code)

The notebook runs top to bottom in a new kernel (as Validate and grading do, so nothing the
student ran by hand counts), every visible test cell is looked at, and the result is printed in
Korean per 문제: passed, or failed with the test's own message. Hidden tests are not in the
student's notebook; they run only when the course grades.
"""

import argparse
import copy
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lossbook.notebooks import grade_id, is_manual_answer
from lossbook.problems import is_self_check, problems

NESTED = "LOSSBOOK_SELF_CHECK"   # set in the checking kernel, so its own check() does nothing
CELL_TIMEOUT = 120               # seconds, as when the course grades (nbgrader_config.py)
NOT_WRITTEN = "아직 답을 쓰지 않았습니다(`raise NotImplementedError()`가 남아 있습니다)."


@dataclass
class Outcome:
    grade_id: str
    ok: bool
    message: str = ""


def execute(nb, cwd, timeout=CELL_TIMEOUT):
    """A copy of `nb` run top to bottom in a new python3 kernel started in `cwd`; errors are kept
    as outputs and the run goes on, as in nbgrader. The self-check cell is left out."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not is_self_check(cell)]
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    env[NESTED] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, store_widget_state=False,
                            resources={"metadata": {"path": str(cwd)}},
                            # the kernel's notes to the terminal (TCP without encryption) are not for students
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute(env=env)
    except DeadKernelError:
        nb.metadata["lossbook_kernel_died"] = True
    return nb


def cell_error(cell):
    """(ename, evalue) of the cell's first error output, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", ""), output.get("evalue", "")
    return None


def explain(ename, evalue, timeout=CELL_TIMEOUT):
    """What a failed cell's error means, in Korean."""
    if ename == "NotImplementedError":
        return NOT_WRITTEN
    if ename == "NameError":
        return f"정의되지 않은 이름이 있습니다({evalue}). 위의 답 셀이 오류 없이 실행되는지 확인하세요."
    if ename in ("KeyboardInterrupt", "CellTimeoutError"):
        return f"셀이 {timeout}초 안에 끝나지 않아 중단했습니다."
    if ename == "AssertionError":
        return evalue or "테스트가 실패했습니다(메시지 없음)."
    return f"{ename}: {evalue}" if evalue else ename


def outcomes(executed):
    """{grade_id: Outcome} of the executed notebook's code cells."""
    died = executed.metadata.get("lossbook_kernel_died", False)
    found = {}
    for cell in executed.cells:
        if cell.cell_type != "code" or grade_id(cell) is None:
            continue
        error = cell_error(cell)
        ran = cell.get("execution_count") is not None or bool(cell.get("outputs"))
        if error:
            found[grade_id(cell)] = Outcome(grade_id(cell), False, explain(*error))
        elif died and not ran:
            found[grade_id(cell)] = Outcome(grade_id(cell), False, "앞 셀에서 커널이 종료되어 실행하지 못했습니다.")
        else:
            found[grade_id(cell)] = Outcome(grade_id(cell), True)
    return found


@dataclass
class Report:
    name: str
    lines: list
    failures: list     # grade_ids of the failed visible tests
    tests: int         # visible tests
    changed: list      # grade_ids of the locked cells the student edited
    unwritten: list    # grade_ids of the written answers still as released

    @property
    def passed(self):
        return not (self.failures or self.changed or self.unwritten)

    def __str__(self):
        return "\n".join(self.lines)


def checksum(cell):
    """nbgrader's checksum of a cell (nbgrader.utils.compute_checksum): what the release recorded
    for every locked cell, so that an edited test is noticed as Validate notices it."""
    import hashlib
    meta = cell.metadata.get("nbgrader", {})
    digest = hashlib.md5()
    for part in (cell.source, cell.cell_type, str(bool(meta.get("grade"))), str(bool(meta.get("solution"))),
                 str(bool(meta.get("locked"))), meta.get("grade_id", "")):
        digest.update(part.encode("utf-8"))
    if meta.get("grade"):
        digest.update(str(float(meta.get("points", 0))).encode("utf-8"))
    return digest.hexdigest()


def _changed(cell):
    """The cell is not as released (no recorded checksum: not known, so taken as changed)."""
    recorded = cell.metadata.get("nbgrader", {}).get("checksum")
    return recorded is None or recorded != checksum(cell)


def changed_locked_cells(nb):
    """grade_ids of the locked cells whose content is not what the assignment released."""
    return [grade_id(c) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("locked") and "checksum" in c.metadata["nbgrader"] and _changed(c)]


def report(submitted, executed, name):
    """The Korean summary per 문제 of `executed` (the run of notebook `submitted`)."""
    results = outcomes(executed)
    # a written answer still as released gets 0 points, and Validate fails it (nbgrader's rule)
    unwritten_ids = {grade_id(c) for c in submitted.cells if is_manual_answer(c) and not _changed(c)}
    lines = [f"자체 점검: {name} (새 커널에서 처음부터 실행, 보이는 테스트만)", ""]
    failures, unwritten, total = [], [], 0
    for problem in problems(submitted):
        if problem.is_written:
            empty = [g for g in problem.written if g in unwritten_ids]
            unwritten += empty
            if empty:
                lines.append(f"✘ {problem.title}: 서술형 답을 아직 쓰지 않았습니다(강사가 채점합니다).")
            else:
                lines.append(f"✎ {problem.title}: 서술형, 작성함(강사가 채점합니다).")
            continue
        bad = [results[g] for g in problem.tests if g in results and not results[g].ok]
        # the first error in the problem's own code (an answer, a training run that calls it)
        # comes first: the tests after it fail because of it
        first = next((results[g] for g in problem.answers + problem.runs if g in results and not results[g].ok), None)
        total += len(problem.tests)
        failures += [outcome.grade_id for outcome in bad]
        if not bad:
            lines.append(f"✔ {problem.title}: 테스트 {len(problem.tests)}개 통과")
            continue
        lines.append(f"✘ {problem.title}: 테스트 {len(problem.tests)}개 중 {len(bad)}개 실패")
        shown = set()
        if first is not None:
            lines.append(f"    - 셀 {first.grade_id}: {first.message}")
            shown.add(first.message)
        for outcome in bad:
            if outcome.message not in shown:   # one blank answer fails every test the same way
                lines.append(f"    - {outcome.grade_id}: {outcome.message}")
                shown.add(outcome.message)
    changed = changed_locked_cells(submitted)
    if changed:
        lines.append("")
        lines.append(f"✘ 고치면 안 되는 잠긴 셀이 바뀌었습니다: {', '.join(changed)}. "
                     "채점할 때는 원래 셀로 되돌려 채점하므로, 과제 노트북을 새로 내려받아 답만 옮기세요.")
    lines.append("")
    if failures:
        lines.append(f"결과: 보이는 테스트 {total}개 중 {len(failures)}개가 실패했습니다. 위의 메시지를 보고 답을 고친 뒤 다시 점검하세요.")
    else:
        lines.append(f"결과: 보이는 테스트 {total}개를 모두 통과했습니다.")
    if unwritten:
        lines.append(f"서술형 답 {len(unwritten)}개를 아직 쓰지 않았습니다.")
    lines.append("채점할 때는 숨은 테스트가 더 실행되므로, 여기서 모두 통과해도 만점이 보장되지는 않습니다.")
    return Report(name, lines, failures, total, changed, unwritten)


def check_notebook(nb, cwd, name):
    return report(nb, execute(nb, cwd), name)


def check_file(path):
    path = Path(path)
    return check_notebook(nbformat.read(str(path), as_version=4), path.resolve().parent, path.name)


# ------------------------------------------------------------------ from inside the notebook

def _colab_notebook():
    """The notebook open in Colab, as its front end has it now (unsaved edits included)."""
    try:
        from google.colab import _message
    except ImportError:
        return None
    reply = _message.blocking_request("get_ipynb", request="", timeout_sec=60)
    if not reply or "ipynb" not in reply:
        return None
    return nbformat.reads(json.dumps(reply["ipynb"]), as_version=4)   # joins sources kept as lists of lines


def _open_notebook_path():
    """The path of the notebook this kernel belongs to: JupyterLab/Notebook 7 tell the kernel
    (JPY_SESSION_NAME), VS Code sets `__vsc_ipynb_file__`. None elsewhere (a grading run, nbconvert):
    there the cell must not start a second run of the notebook."""
    try:
        namespace = get_ipython().user_ns   # noqa: F821 (only inside IPython)
    except NameError:
        namespace = {}
    for candidate in (namespace.get("__vsc_ipynb_file__"), os.environ.get("JPY_SESSION_NAME")):
        if candidate and candidate.endswith(".ipynb") and Path(candidate).is_file():
            return Path(candidate)
    return None


def check(filename):
    """The self-check, from the notebook's last cell. Does nothing inside a check, nbgrader's
    Validate or a grading run."""
    if os.environ.get(NESTED) or os.environ.get("NBGRADER_EXECUTION"):
        return None
    nb = _colab_notebook()
    if nb is not None:
        name, cwd = filename, Path.cwd()
    else:
        path = _open_notebook_path()
        if path is None:
            print("이 셀은 JupyterLab, Jupyter Notebook, VS Code, Colab에서 실행할 때 노트북을 점검합니다.\n"
                  f"터미널에서는 노트북이 있는 폴더에서: python -m lossbook check {filename}")
            return None
        saved = time.strftime("%H:%M:%S", time.localtime(path.stat().st_mtime))
        print(f"저장된 파일을 점검합니다: {path} (마지막 저장 {saved}). 고친 뒤 저장하지 않았다면 먼저 저장하세요.")
        nb, name, cwd = nbformat.read(str(path), as_version=4), path.name, path.parent
    print("새 커널에서 노트북을 처음부터 실행합니다. 학습이 있는 과제는 1-2분 걸립니다.", flush=True)
    result = check_notebook(nb, cwd, name)
    print(result)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lossbook check",
        description="과제 노트북을 새 커널에서 처음부터 실행하고, 보이는 테스트의 결과를 문제별로 알려 줍니다.")
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="노트북.ipynb")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):   # a console or file that cannot show ✔/✘ gets "?" instead of a crash
        sys.stdout.reconfigure(errors="replace")
    status = 0
    for path in args.notebooks:
        if not path.is_file():
            print(f"{path}: 파일이 없습니다.", file=sys.stderr)
            status = 2
            continue
        try:
            result = check_file(path)
        except nbformat.reader.NotJSONError:
            print(f"{path}: 노트북(.ipynb) 파일이 아닙니다(JSON으로 읽을 수 없음).", file=sys.stderr)
            status = 2
            continue
        print(result)
        status = max(status, 0 if result.passed else 1)
    return status
