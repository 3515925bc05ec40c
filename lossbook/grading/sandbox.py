"""Run a student's kernel inside a bubblewrap sandbox.

The kernel sees a read-only system (/usr and a few files of /etc), the Python environment
and the `lossbook` helper package read-only, a private /tmp, and exactly one writable
folder: the student's own working copy (mounted at /home/student). The course folder,
the solutions, the gradebook, other students' submissions and the network are not there.

jupyter_client talks to the kernel over ZeroMQ IPC sockets (Unix socket files) that live,
with the connection file, in a small runtime folder bound into the sandbox at the same path.
"""

import os
import shutil
import subprocess
import site
import sys
import sysconfig
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Unicode

import lossbook

BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
SANDBOX_HOME = "/home/student"

# Small /etc files a Python process may read; secrets (/etc/shadow, ssh keys, ...) stay out.
_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
        "nsswitch.conf", "fonts", "alternatives", "mime.types", "os-release", "ssl/certs"]


def available():
    """True if bubblewrap is installed and can create a sandbox here."""
    if not os.path.exists(BWRAP):
        return False
    probe = subprocess.run([BWRAP, "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
                            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                            "--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent",
                            "/usr/bin/true"], capture_output=True)
    return probe.returncode == 0


def _python_dirs():
    """Folders the kernel's Python needs to read: the environment, its base, the lossbook package."""
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(lossbook.__file__).resolve().parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(Path(sysconfig.get_path(key)))
    dirs.update(Path(p) for p in site.getsitepackages())
    real = {Path(os.path.realpath(d)) for d in dirs if Path(d).exists()}
    # /usr is bound as a whole; drop anything under it and anything inside another entry
    keep = sorted(d for d in real if not str(d).startswith("/usr/") and str(d) != "/usr")
    out = []
    for d in keep:
        if not any(d != o and d.is_relative_to(o) for o in keep):
            out.append(d)
    return out


def bwrap_command(workdir, runtime_dir, env):
    """The bwrap prefix that runs a command with `workdir` writable at /home/student."""
    cmd = [BWRAP,
           "--ro-bind", "/usr", "/usr",
           "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
           "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home",
           "--dir", "/etc"]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for folder in _python_dirs():
        cmd += ["--ro-bind", str(folder), str(folder)]
    cmd += ["--bind", str(workdir), SANDBOX_HOME,
            "--bind", str(runtime_dir), str(runtime_dir),
            "--chdir", SANDBOX_HOME,
            "--unshare-all",          # no network, own pid/ipc/uts namespaces, own user namespace
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
            "--die-with-parent",      # the kernel and all it started die with this process
            "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return cmd


def sandbox_env():
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        "NBGRADER_EXECUTION": "autograde",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    return env


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run inside bubblewrap and talk over IPC sockets.

    The student's working folder is a fresh copy of the folder nbclient would run the kernel in,
    without any notebook (the notebook being graded holds the hidden tests)."""

    sandbox = Bool(True, config=True, help="Run the kernel inside bubblewrap.")
    workdir = Unicode("", config=True, help="The student's writable folder (made fresh if empty).")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._runtime = tempfile.mkdtemp(prefix="lbk-", dir="/tmp")   # short: Unix socket paths <= 107 bytes
        self._own_workdir = None
        if self.sandbox:
            self.transport = "ipc"
            self.ip = os.path.join(self._runtime, "k")
            self.connection_file = os.path.join(self._runtime, "kernel.json")

    async def _async_pre_start_kernel(self, **kw):
        cwd = kw.pop("cwd", None)
        if self.sandbox:
            workdir = self.workdir
            if not workdir:
                workdir = self._own_workdir = tempfile.mkdtemp(prefix="lbk-work-", dir="/tmp")
            prepare_workdir(cwd, workdir)
            self._sandbox_workdir = workdir
        elif cwd:
            kw["cwd"] = cwd
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.sandbox:   # the kernel's own chatter and C-level output of student code go nowhere
            kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox:
            return cmd
        return bwrap_command(self._sandbox_workdir, self._runtime, sandbox_env()) + cmd

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._runtime, ignore_errors=True)
            if self._own_workdir:
                shutil.rmtree(self._own_workdir, ignore_errors=True)

    async def interrupt_kernel(self):
        """Interrupt by message: ipykernel then signals only itself. A SIGINT to the process
        group (the default) would also reach bubblewrap's init inside the sandbox."""
        if not self.sandbox:
            return await super().interrupt_kernel()
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    async def cleanup_resources(self, restart=False):
        await self._async_cleanup_resources(restart=restart)


def prepare_workdir(source, workdir):
    """Copy the assignment's data files (never notebooks, never symlinks) from `source`."""
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    if not source:
        return
    for path in Path(source).rglob("*"):
        rel = path.relative_to(source)
        if path.is_symlink() or path.suffix == ".ipynb" or any(p.startswith(".") for p in rel.parts):
            continue
        if path.is_dir():
            (workdir / rel).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, workdir / rel)
