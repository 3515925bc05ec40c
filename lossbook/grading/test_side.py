"""The trusted test-side kernel of one student's grading, beside the student's own kernel.

`SafeExecute` (autograde.py) runs the student's cells in the student's sandboxed kernel and
hands every cell that `runs_on` says is the course's own to `TestSide`: a second sandboxed
kernel that never runs student code. It reaches the student's kernel through its
connection file (bound into its sandbox) with the plain-data requests of `trusted.py`.

Which cells are the course's is decided from the course's source notebook, never from the
submission's metadata: a cell counts only if its source is exactly that of a locked cell
of the source (nbgrader's OverwriteCells has put the locked cells back by then).
"""

import os
import time

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets import Integer, Unicode

from lossbook.grading import trusted
from lossbook.grading.sandbox import SandboxKernelManager
from lossbook.notebooks import nbgrader_meta


class TestSideKernelManager(SandboxKernelManager):
    """A sandboxed kernel that can reach one student kernel (its runtime folder is bound in)."""

    student_runtime = Unicode("")
    student_connection = Unicode("")
    call_timeout = Integer(60)

    def _reach(self):
        return {"LOSSBOOK_STUDENT_KERNEL": self.student_connection, "LOSSBOOK_CALL_TIMEOUT": str(self.call_timeout)}

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox:   # bind after bwrap's tmpfs /tmp; setenv after its --clearenv
            at = cmd.index("--chdir")
            cmd[at:at] = ["--bind", self.student_runtime, self.student_runtime]
            at = cmd.index("--clearenv") + 1
            cmd[at:at] = [arg for key, value in self._reach().items() for arg in ("--setenv", key, value)]
        return cmd

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if not self.sandbox:
            kw["env"] = {**(kw.get("env") or os.environ), **self._reach()}
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def course_cells(source_nb):
    """{grade_id: (source, side)} of the source notebook's cells that run on the trusted side."""
    cells = {}
    for cell in source_nb.cells:
        side = trusted.runs_on(cell) if cell.cell_type == "code" else "student"
        if side != "student":
            cells[nbgrader_meta(cell).get("grade_id")] = (cell.source.strip(), side)
    return cells


def side_of(cell, course):
    """Where this submitted cell runs: "test", "both" or "student"."""
    known = course.get(nbgrader_meta(cell).get("grade_id"))
    if known is None or cell.source.strip() != known[0]:
        return "student"
    return known[1]


class TestSide:
    """The trusted kernel of one notebook's grading, started on first use."""

    def __init__(self, executor):
        self.executor = executor
        self.client = None
        self.died = False
        self.seconds = 0.0

    def _start(self):
        ex = self.executor
        student_km = ex.km
        km = TestSideKernelManager(config=ex.config, kernel_name=student_km.kernel_name,
                                   student_runtime=student_km._runtime,
                                   student_connection=student_km.connection_file,
                                   call_timeout=max(5, int(ex.timeout or 60) - 3))
        self.client = NotebookClient(ex.nb, km=km, timeout=ex.timeout, allow_errors=True,
                                     interrupt_on_timeout=True, error_on_timeout=ex.error_on_timeout,
                                     kernel_name=student_km.kernel_name, resources=ex.resources,
                                     shutdown_kernel="immediate", extra_arguments=list(ex.extra_arguments),
                                     record_timing=False)
        self.client.start_new_kernel(cwd=ex.resources.get("metadata", {}).get("path") or None)
        self.client.start_new_kernel_client()
        self._silent("from lossbook.grading.trusted import install as _lossbook_install, "
                     "bind as _lossbook_bind\n_lossbook_install()")

    def _silent(self, source):
        """Run the course's own code in the test kernel, outside the notebook."""
        msg_id = self.client.kc.execute(source, silent=True, store_history=False, allow_stdin=False)
        reply = run_sync(self.client.async_wait_for_reply)(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            content = (reply or {}).get("content", {})
            raise RuntimeError(f"test side: {content.get('ename')}: {content.get('evalue')}")

    def run(self, cell, index):
        """Run a course cell on the trusted side; its outputs replace the cell's."""
        start = time.perf_counter()
        try:
            if self.died:
                raise DeadKernelError("test side gone")
            if self.client is None:
                self._start()
            self._silent(f"_lossbook_bind({cell.source!r})")
            self.client.execute_cell(cell, index)
        except Exception as error:   # noqa: BLE001 - DeadKernelError, a failed start: this cell fails, grading goes on
            self.died = True
            message = f"채점 쪽 커널이 종료되어 이 셀을 실행하지 못했습니다({type(error).__name__})."
            cell.outputs = [nbformat.v4.new_output("error", ename="TestSideDied", evalue=message,
                                                   traceback=[f"TestSideDied: {message}"])]
        finally:
            self.seconds += time.perf_counter() - start

    def stop(self):
        if self.client is not None:
            try:
                self.client._cleanup_kernel()
            except Exception:   # noqa: BLE001 - the kernel is gone either way
                pass
            self.client = None
