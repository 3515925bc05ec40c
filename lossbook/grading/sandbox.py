"""Run a student's kernel inside a bubblewrap sandbox.

The kernel sees a read-only system (/usr and a few files of /etc), the Python environment
and the `lossbook` helper package read-only, a private /tmp, and exactly one writable
folder: the student's own working copy (mounted at /home/student). The course folder,
the solutions, the gradebook, other students' submissions and the network are not there.
bubblewrap itself starts with a minimal environment (inside the sandbox `/proc/1/environ` is
bubblewrap's own process), drops all capabilities, allows no further user namespaces and
starts a new session. Memory, processes, CPU time and the sizes of /tmp, /dev/shm and the
working folder are limited per kernel (limits.py; defaults in nbgrader_config.py).

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
from traitlets import Bool, Integer, Unicode

import lossbook
from lossbook.grading import limits

BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
SANDBOX_HOME = "/home/student"
SANDBOX_DATA = "/run/assignment"   # the assignment's data files, read-only, copied into the home at start

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


_FEATURES = {}


def _supports(flag):
    """True if this bubblewrap knows `flag` (--disable-userns needs 0.8, --size 0.5)."""
    if "help" not in _FEATURES:
        try:
            _FEATURES["help"] = subprocess.run([BWRAP, "--help"], capture_output=True, text=True).stdout
        except OSError:
            _FEATURES["help"] = ""
    return flag in _FEATURES["help"]


def _sized_tmpfs(path, size):
    return (["--size", str(size)] if size and _supports("--size") else []) + ["--tmpfs", path]


def bwrap_command(workdir, runtime_dir, env, tmp_size=0, home_size=0, shm_size=0):
    """The bwrap prefix that runs a command with the student's folder writable at /home/student.
    With `home_size`, /home/student is a tmpfs of that many bytes (plus the data files), and the
    files of `workdir` are copied into it when the sandbox starts; without, `workdir` is bound."""
    cmd = [BWRAP,
           "--ro-bind", "/usr", "/usr",
           "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
           "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
           "--proc", "/proc", "--dev", "/dev", *_sized_tmpfs("/dev/shm", shm_size),
           *_sized_tmpfs("/tmp", tmp_size), "--tmpfs", "/home",
           "--dir", "/etc"]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for folder in _python_dirs():
        cmd += ["--ro-bind", str(folder), str(folder)]
    data = limits.folder_size(workdir) if home_size else 0
    copy = bool(home_size) and any(Path(workdir).iterdir())
    if home_size:
        cmd += _sized_tmpfs(SANDBOX_HOME, home_size + data + (1 << 20))
        if copy:
            cmd += ["--ro-bind", str(workdir), SANDBOX_DATA]
    else:
        cmd += ["--bind", str(workdir), SANDBOX_HOME]
    cmd += ["--bind", str(runtime_dir), str(runtime_dir),
            "--chdir", SANDBOX_HOME,
            "--unshare-all",          # no network, own pid/ipc/uts namespaces
            "--unshare-user",         # own user namespace (required, not "try")
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
            "--die-with-parent",      # the kernel and all it started die with this process
            "--cap-drop", "ALL"]
    if _supports("--disable-userns"):
        cmd += ["--disable-userns"]   # no nested user namespaces (unshare -U, user-namespace exploits)
    if _supports("--new-session"):
        cmd += ["--new-session"]      # setsid: no terminal to push input into (TIOCSTI)
    cmd += ["--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if copy:
        cmd += ["/bin/sh", "-c", f'cp -R {SANDBOX_DATA}/. {SANDBOX_HOME}/ && exec "$@"', "lbk-start"]
    return cmd


def temp_root():
    """Where kernels' runtime and working folders go: LOSSBOOK_TMPDIR (`lossbook grade` gives
    each worker its own, removed even when the worker is killed), else /tmp. Keep it short:
    Unix socket paths are at most 107 bytes."""
    return os.environ.get("LOSSBOOK_TMPDIR") or "/tmp"


def launch_env():
    """The environment bubblewrap itself starts with: nothing of the grader's (no PGPASSWORD,
    no LMS token). Inside the sandbox /proc/1/environ is bubblewrap's, whatever --clearenv does."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


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
        "MALLOC_ARENA_MAX": "2",   # fewer 64 MB malloc arenas per thread: address space closer to memory used
    }
    return env


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run inside bubblewrap and talk over IPC sockets.

    The student's working folder is a fresh copy of the folder nbclient would run the kernel in,
    without any notebook (the notebook being graded holds the hidden tests)."""

    sandbox = Bool(True, config=True, help="Run the kernel inside bubblewrap.")
    runtime_parent = Unicode("", help="Where the kernel's runtime folder (sockets, connection file) goes.")
    workdir = Unicode("", config=True, help="The folder whose data files are copied into the student's "
                      "home (made fresh if empty); bound writable instead when home_size is empty.")
    memory_limit = Unicode("2G", config=True, help="Memory of the whole sandbox (a memory cgroup: all its "
                           "processes and its tmpfs files; past it the kernel is stopped). Where cgroups cannot be "
                           "made, the address space of each process (RLIMIT_AS; allocations fail with MemoryError). "
                           "Empty: no limit.")
    process_limit = Integer(256, config=True, help="Processes and threads of the sandbox together "
                            "(a pids cgroup; RLIMIT_NPROC where cgroups cannot be made). 0: no limit.")
    cpu_time_limit = Integer(600, config=True, help="CPU seconds all processes of the sandbox may use "
                             "per notebook (counted in a cpuacct cgroup while cells run; RLIMIT_CPU of each "
                             "process where cgroups cannot be made); past it the kernel is stopped. 0: no limit.")
    tmp_size = Unicode("256M", config=True, help="Size of the sandbox's /tmp (RAM-backed tmpfs).")
    home_size = Unicode("256M", config=True, help="Bytes the student may write in the working folder "
                        "(a tmpfs at /home/student holding a copy of the assignment's data files).")
    shm_size = Unicode("64M", config=True, help="Size of the sandbox's /dev/shm.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # short: Unix socket paths <= 107 bytes; runtime_parent: a folder the trusted test side can see
        self._runtime = tempfile.mkdtemp(prefix="lbk-", dir=self.runtime_parent or temp_root())
        self._own_workdir = None
        self.limit_group = None
        if self.sandbox:
            self.transport = "ipc"
            self.ip = os.path.join(self._runtime, "k")
            self.connection_file = os.path.join(self._runtime, "kernel.json")

    async def _async_pre_start_kernel(self, **kw):
        cwd = kw.pop("cwd", None)
        if self.sandbox:
            workdir = self.workdir
            if not workdir:
                workdir = self._own_workdir = tempfile.mkdtemp(prefix="lbk-work-", dir=temp_root())
            prepare_workdir(cwd, workdir)
            self._sandbox_workdir = workdir
            if self.limit_group is not None:   # a restart: fresh groups for the new kernel
                self.limit_group.remove()
            self.limit_group = limits.SandboxGroup.create(self.process_limit, limits.parse_size(self.memory_limit),
                                                          self.cpu_time_limit)
        elif cwd:
            kw["cwd"] = cwd
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.sandbox:   # the kernel's own chatter and C-level output of student code go nowhere
            kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
            kw["env"] = launch_env()
            kw["cwd"] = "/"
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox:
            return cmd
        tmp, home, shm = (limits.parse_size(s) for s in (self.tmp_size, self.home_size, self.shm_size))
        prefix = limits.kernel_limit_prefix(limits.parse_size(self.memory_limit), self.cpu_time_limit,
                                            max(tmp, home), self.limit_group, self.process_limit)
        return prefix + bwrap_command(self._sandbox_workdir, self._runtime, sandbox_env(), tmp, home, shm) + cmd

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            if self.limit_group is not None:
                self.limit_group.remove()
                self.limit_group = None
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
