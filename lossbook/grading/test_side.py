"""The trusted test-side kernel of one student's grading, beside the student's own kernel.

`SafeExecute` (autograde.py) runs the student's cells in the student's sandboxed kernel and
hands every cell that `runs_on` says is the course's own to `TestSide`: a second sandboxed
kernel that never runs student code. It reaches the student's kernel (whose socket folder
is bound into its sandbox, with the ports and key the grader made) with the plain-data
requests of `trusted.py`.

Which cells are the course's is decided from the course's source notebook, never from the
submission's metadata: a cell counts only if its source is exactly that of a locked cell
of the source (nbgrader's OverwriteCells has put the locked cells back by then).
"""

import atexit
import os
import shutil
import tempfile
import time

import nbformat
from jupyter_core.utils import run_sync
from traitlets import Integer
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from lossbook.grading import trusted
from lossbook.grading.sandbox import SandboxKernelManager, temp_root
from lossbook.notebooks import nbgrader_meta


_PROCESS = {}   # this worker process's trusted kernel and the folder of its students' kernels


def student_runtimes():
    """The folder in which this process's student kernels keep their sockets: the trusted
    kernel sees it (it is bound into its sandbox), each student kernel only its own subfolder."""
    folder = _PROCESS.get("runtimes")
    if folder is None or not os.path.isdir(folder):
        folder = _PROCESS["runtimes"] = tempfile.mkdtemp(prefix="lbk-rt-", dir=temp_root())
    return folder


class TestSideKernelManager(SandboxKernelManager):
    """A sandboxed kernel that can reach this process's student kernels. It runs only the
    course's code, for one student after another: no CPU total (each cell has its timeout,
    and the notebook's time budget counts its cells too)."""

    cpu_time_limit = Integer(0)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox:   # after bwrap's tmpfs /tmp, so that the bind is not hidden by it
            at = cmd.index("--chdir")
            cmd[at:at] = ["--bind", student_runtimes(), student_runtimes()]
        return cmd


def course_cells(source_nb):
    """{grade_id: (source, side)} of the source notebook's cells that run on the trusted side."""
    cells = {}
    for cell in source_nb.cells:
        side = trusted.runs_on(cell) if cell.cell_type == "code" else "student"
        if side != "student":
            cells[nbgrader_meta(cell).get("grade_id")] = (cell.source.strip(), side)
    return cells


def side_of(cell, course):
    """Where this submitted cell runs: "test", "both", "none" or "student"."""
    known = course.get(nbgrader_meta(cell).get("grade_id"))
    if known is None or cell.source.strip() != known[0]:
        return "student"
    return known[1]


def student_code(nb, course):
    """The sources of the submission's own code cells (answers and added cells), in order: what
    the trusted side's source checks read (`lossbook.checks.not_in_source`)."""
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and side_of(cell, course) == "student"]


class TestSide:
    """The trusted side of one notebook's grading. The kernel is started on first use and kept
    for the next student of this process (imports done once): between students its namespace
    is reset and the locked cells run again; a kernel that timed out or failed is replaced."""

    def __init__(self, executor):
        self.executor = executor
        self.client = None
        self.died = False
        self.tainted = False
        self.seconds = 0.0
        self.start_seconds = 0.0   # starting a new trusted kernel (0 when the kept one was reused)

    def _connect(self):
        ex = self.executor
        kept = _PROCESS.pop("kept", None)
        same_run = kept is not None and getattr(kept, "lossbook_runtimes", None) == student_runtimes()
        if same_run and kept.km is not None and run_sync(kept.km.is_alive)():
            self.client = kept
        else:
            _shutdown(kept)
            started = time.perf_counter()
            km = TestSideKernelManager(config=ex.config, kernel_name=ex.km.kernel_name)
            self.client = NotebookClient(ex.nb, km=km, timeout=ex.timeout, allow_errors=True,
                                         interrupt_on_timeout=True, error_on_timeout=ex.error_on_timeout,
                                         kernel_name=ex.km.kernel_name, resources=ex.resources,
                                         shutdown_kernel="immediate", extra_arguments=list(ex.extra_arguments),
                                         record_timing=False)
            self.client.start_new_kernel(cwd=ex.resources.get("metadata", {}).get("path") or None)
            self.client.start_new_kernel_client()
            self.client.lossbook_runtimes = student_runtimes()
            self.start_seconds = time.perf_counter() - started
        self.client.nb, self.client.resources, self.client.timeout = ex.nb, ex.resources, ex.timeout
        timeout = max(5, int(ex.timeout or 60) - 3)   # a hung student call fails before the cell's own timeout
        self._silent("from lossbook.grading import trusted as _lossbook_trusted\n"
                     "_lossbook_trusted.uninstall()\n"
                     "get_ipython().run_line_magic('reset', '-f')\n"
                     "from lossbook.grading.trusted import bind as _lossbook_bind, install as _lossbook_install\n"
                     f"_lossbook_install({_connection_info(ex.km)!r}, {timeout}, {ex.km._runtime!r}, "
                     f"{student_code(ex.nb, ex._course(ex.resources))!r})")

    def _silent(self, source):
        """Run the course's own code in the test kernel, outside the notebook."""
        msg_id = self.client.kc.execute(source, silent=True, store_history=False, allow_stdin=False)
        reply = run_sync(self.client.async_wait_for_reply)(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            content = (reply or {}).get("content", {})
            raise RuntimeError(f"test side: {content.get('ename')}: {content.get('evalue')}")

    def run(self, cell, index):
        """Run a course cell on the trusted side; its outputs replace the cell's. The cell
        counts towards the notebook's time budget (limits.ExecutionLimits) like any other."""
        ex = self.executor
        left = ex._remaining_budget()
        if left is not None and left <= 0:
            ex._skipped.append(ex._cell_name(cell, index))
            cell.outputs = [nbformat.v4.new_output("error", ename="TimeBudget", evalue="노트북 전체 실행 시간 제한을 다 써서 실행하지 않았습니다.",
                                                   traceback=["TimeBudget: 노트북 전체 실행 시간 제한을 다 써서 실행하지 않았습니다."])]
            return
        start = time.perf_counter()
        try:
            if self.died:
                raise DeadKernelError("test side gone")
            if self.client is None:
                self._connect()
            if left is not None:
                self.client.timeout = max(1, int(min(ex.timeout or left, left) + 0.999))
            self._silent(f"_lossbook_bind({cell.source!r})")
            self.client.execute_cell(cell, index)
            if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
                self.tainted = True   # interrupted mid-test: start the next student afresh
        except Exception as error:   # noqa: BLE001 - DeadKernelError, a failed start: this cell fails, grading goes on
            self.died = self.tainted = True
            message = f"채점 쪽 커널이 종료되어 이 셀을 실행하지 못했습니다({type(error).__name__})."
            cell.outputs = [nbformat.v4.new_output("error", ename="TestSideDied", evalue=message,
                                                   traceback=[f"TestSideDied: {message}"])]
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            ex._budget_used += elapsed

    def stop(self):
        """After the notebook: keep a healthy kernel for the next student, else shut it down."""
        if self.client is not None:
            if self.tainted:
                _shutdown(self.client)
            else:
                _PROCESS["kept"] = self.client
            self.client = None


def _connection_info(km):
    """The student kernel's ports and key as the grader made them (plain Python literals)."""
    info = dict(km.get_connection_info())
    info["key"] = info["key"].decode("ascii") if isinstance(info["key"], bytes) else str(info["key"])
    return {k: v for k, v in info.items() if isinstance(v, (str, int))}


def _shutdown(client):
    if client is not None:
        try:
            client._cleanup_kernel()
        except Exception:   # noqa: BLE001 - the kernel is gone either way
            pass


@atexit.register
def end_of_run():
    """Shut down this process's kept trusted kernel (the end of a grading run in this process;
    a worker's kernels die with the worker: bubblewrap's --die-with-parent)."""
    _shutdown(_PROCESS.pop("kept", None))
    folder = _PROCESS.pop("runtimes", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
