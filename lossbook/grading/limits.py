"""Limits on what one student's notebook may take: memory, processes, disk, CPU, output, time.

Two halves:
- the kernel side (`SandboxKernelManager` in sandbox.py uses `kernel_limit_prefix`): the
  sandbox is started as `sh` (joins a fresh pids cgroup) → `prlimit` (address space, CPU
  seconds, file size, no core files) → `bwrap` (sized tmpfs for /tmp, /dev/shm and the
  working folder). Every process of the sandbox inherits these, the kernel's children too.
- the executor side (`ExecutionLimits`, a mixin of `autograde.SafeExecute`): an output byte
  cap counted as the messages arrive, a total time budget per notebook, and a timed-out cell
  whose kernel ignores the interrupt stops that cell and the later ones, not the notebook.

Every limit that is hit leaves one Korean line in `ExecutionLimits.limit_problems`, which
`grade_student` puts into the problems column and the feedback. Defaults and how to change
them: nbgrader_config.py ("Limits per student").
"""

import asyncio
import atexit
import os
import re
import signal
import time
import uuid
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def parse_size(text):
    """'2G', '256M', '512K', '1048576' → bytes; '', '0' or None → 0 (no limit)."""
    if text is None or not str(text).strip():
        return 0
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"크기를 읽을 수 없습니다: {text!r} (예: '2G', '256M')")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def human(size):
    for unit in ("G", "M", "K"):
        if size >= _UNITS[unit] and size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]}{unit}B"
    return f"{size / _UNITS['M']:.1f}MB" if size >= _UNITS["M"] else f"{size}B"


# ---------------------------------------------------------------- cgroups: processes and memory

def _controller_root(name):
    """The folder where this process may make cgroups with controller `name` (cgroup v1:
    /sys/fs/cgroup/NAME below this process's own group; v2: the unified tree), or None."""
    v1 = Path("/sys/fs/cgroup") / name
    if v1.is_dir() and (v1 / "cgroup.procs").exists():
        own = ""
        try:
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                _, controllers, path = line.split(":", 2)
                if name in controllers.split(","):
                    own = path.lstrip("/")
        except (OSError, ValueError):
            pass
        root = v1 / own if (v1 / own).is_dir() else v1
        return root if os.access(root, os.W_OK) else None
    unified = Path("/sys/fs/cgroup")
    controllers = unified / "cgroup.subtree_control"
    if controllers.exists() and name in controllers.read_text().split() and os.access(unified, os.W_OK):
        return unified
    return None


_LIVE = set()      # groups of this process, removed at exit if a kernel was never shut down
_SWEPT = set()     # controller roots already swept for groups of processes that are gone


def _sweep(root):
    """Remove the empty groups left by grading processes that died (a killed worker)."""
    if root in _SWEPT:
        return
    _SWEPT.add(root)
    for path in root.glob("lbk-*-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _rmdir(path)


@atexit.register
def _remove_live():
    for group in list(_LIVE):
        group.remove()


class SandboxGroup:
    """The cgroups of one sandbox: `pids.max` (processes and threads together) and the memory
    limit (all its processes' memory and its tmpfs files together). Either may be missing when
    cgroups cannot be made here; then rlimits stand in (see kernel_limit_prefix)."""

    def __init__(self):
        self.paths = {}    # controller -> folder
        self.limits = {}

    @classmethod
    def create(cls, pids=0, memory=0, cpu=0):
        group = cls()
        name = f"lbk-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        wanted = {"pids": (pids, [("pids.max", pids)]),
                  "memory": (memory, [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory),
                                      ("memory.max", memory), ("memory.swap.max", 0)]),
                  "cpuacct": (cpu, [])}   # only counts; ExecutionLimits stops the kernel past the limit
        for controller, (limit, files) in wanted.items():
            root = _controller_root(controller) if limit else None
            if root is None and controller == "cpuacct" and limit:
                root = _controller_root("cpu")   # cgroup v2: cpu.stat
            if root is None:
                continue
            _sweep(root)
            path = root / name
            try:
                path.mkdir(exist_ok=True)
                written = not files
                for filename, value in files:
                    if (path / filename).exists():
                        try:
                            (path / filename).write_text(str(value))
                            written = written or value == limit
                        except OSError:
                            pass
                if not written:
                    raise OSError(f"no {controller} limit in {path}")
            except OSError:
                _rmdir(path)
                continue
            group.paths[controller] = path
            group.limits[controller] = limit
        if group.paths:
            _LIVE.add(group)
            return group
        return None

    def has(self, controller):
        return controller in self.paths

    def procs_files(self):
        return sorted({str(p / "cgroup.procs") for p in self.paths.values()})

    def _event(self, controller, files, key):
        path = self.paths.get(controller)
        for filename in files if path else ():
            try:
                for line in (path / filename).read_text().splitlines():
                    k, _, value = line.partition(" ")
                    if k == key:
                        return int(value)
            except (OSError, ValueError):
                continue
        return 0

    def refused_forks(self):
        """How many forks (processes or threads) the pids limit refused so far."""
        return self._event("pids", ["pids.events"], "max")

    def cpu_seconds(self):
        """CPU seconds used by all processes of the sandbox so far (None: not counted)."""
        path = self.paths.get("cpuacct")
        if path is None:
            return None
        try:
            if (path / "cpuacct.usage").exists():
                return int((path / "cpuacct.usage").read_text()) / 1e9
            return self._event("cpuacct", ["cpu.stat"], "usage_usec") / 1e6
        except (OSError, ValueError):
            return None

    def oom_kills(self):
        """How many processes the memory limit's OOM killer stopped so far."""
        return self._event("memory", ["memory.oom_control", "memory.events"], "oom_kill")

    def kill_all(self):
        for path in self.paths.values():
            try:
                pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                continue
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def remove(self):
        _LIVE.discard(self)
        for path in self.paths.values():
            for _ in range(40):   # the killed processes take a moment to leave
                if _rmdir(path):
                    break
                self.kill_all()
                time.sleep(0.05)


def _rmdir(path):
    try:
        path.rmdir()
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def kernel_limit_prefix(memory, cpu_seconds, file_size, group, nproc):
    """The command that starts the sandbox with its limits: join the cgroups (the shell joins
    before it execs, so every later process is in them), then set the rlimits with prlimit.
    Without a memory cgroup the memory limit is RLIMIT_AS of each process; without a pids
    cgroup RLIMIT_NPROC stands in (which Linux does not enforce for processes that map to
    root, as bwrap's do when the grader runs as root)."""
    prefix = []
    if group is not None:
        joins = " && ".join(f'echo $$ > "${i + 1}"' for i in range(len(group.procs_files())))
        shift = len(group.procs_files())
        prefix += ["/bin/sh", "-c", f'{joins} && shift {shift} && exec "$@"', "lbk-limits", *group.procs_files()]
    limits = ["--core=0"]
    if memory and not (group is not None and group.has("memory")):
        limits.append(f"--as={memory}")
    if cpu_seconds and not (group is not None and group.has("cpuacct")):
        # SIGXCPU at the soft limit, SIGKILL 5 s later if the student catches it
        limits.append(f"--cpu={int(cpu_seconds)}:{int(cpu_seconds) + 5}")
    if file_size:
        limits.append(f"--fsize={file_size}")
    if nproc and not (group is not None and group.has("pids")):
        limits.append(f"--nproc={int(nproc)}")
    return prefix + ["/usr/bin/prlimit", *limits, "--"]


def folder_size(path, cap_entries=10000):
    """Bytes in `path` (not following links), stopping after `cap_entries` entries."""
    total, seen, stack = 0, 0, [str(path)]
    while stack and seen < cap_entries:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    seen += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        pass
        except OSError:
            pass
    return total if seen < cap_entries else max(total, 1 << 40)


# ---------------------------------------------------------------- the executor side

LIMIT_ERROR = "LimitExceeded"
_MEMORY = re.compile(r"MemoryError|can't allocate memory|Cannot allocate memory|std::bad_alloc", re.IGNORECASE)
_DISK = re.compile(r"No space left on device|Errno 28\]|File too large|Errno 27\]|Disk quota exceeded")
_FORK = re.compile(r"Resource temporarily unavailable|Errno 11\]|can't start new thread|fork failed")


def _limit_output(message):
    return NotebookNode(output_type="error", ename=LIMIT_ERROR, evalue=message, traceback=[f"{LIMIT_ERROR}: {message}"])


def _error_text(cell):
    return " ".join(f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in cell.get("outputs", [])
                    if o.get("output_type") == "error")


class ExecutionLimits(LoggingConfigurable):
    """Mixin for nbclient's executor (SafeExecute): limits per notebook and their Korean notes.

    `limit_problems` holds one Korean line per limit that was hit (for the problems column);
    `limit_killed` is True when a limit stopped the kernel (the later cells were not run)."""

    output_limit = Unicode("4M", config=True, help="Bytes of output a notebook may send (text, images, "
                           "errors); past it the rest is dropped and the cell interrupted, past twice it the kernel is stopped.")
    time_budget = Integer(600, config=True, help="Seconds all cells of one notebook may run in total; "
                          "the cells after it are not run. 0: no budget.")
    runtime_limit = Unicode("1M", config=True, help="Bytes the kernel may put in its connection folder "
                            "(the one folder shared with the grader's disk, for the sockets).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_problems = []
        self.limit_killed = False
        self._reset_notebook()

    def _reset_notebook(self):
        self._out_bytes = 0
        self._reset_cell()
        self._budget_used = 0.0
        self._budget_stop = None   # the cell the budget ran out in
        self._skipped = []
        self._refused = 0
        self._ooms = 0
        self._cpu_base = None   # the sandbox's CPU seconds when this notebook started

    def _reset_cell(self):
        self._cell_bytes = 0
        self._out_dropped = False
        self._out_interrupted = False
        self._out_killed = False

    def _note(self, text):
        if text not in self.limit_problems:
            self.limit_problems.append(text)

    def preprocess(self, nb, resources=None, km=None):
        self._reset_notebook()
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self._skipped or self._budget_stop:
                where = f"{self._budget_stop}에서 중단했고, " if self._budget_stop else ""
                self._note(f"노트북 전체 실행 시간 제한({self.time_budget}초)을 다 써서 {where}나머지 셀 "
                           f"{len(self._skipped)}개는 실행하지 않았습니다(0점)"
                           + (f": {', '.join(self._skipped[:8])}" if self._skipped else "")
                           + (" 외" if len(self._skipped) > 8 else ""))

    # -- the time budget: a cell's timeout is at most what is left of it
    def _remaining_budget(self):
        return None if not self.time_budget else self.time_budget - self._budget_used

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = self._remaining_budget()
        if left is not None:
            left = max(1, int(left + 0.999))
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def _kill_kernel(self):
        """SIGKILL the sandbox now: its process group (bwrap outside) and every process of
        its cgroup; bwrap's --die-with-parent takes the rest."""
        km = self.km
        provisioner = getattr(km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            try:
                os.killpg(os.getpgid(process.pid), signal.SIGKILL)
            except OSError:
                try:
                    process.kill()
                except OSError:
                    pass
        group = getattr(km, "limit_group", None)
        if group is not None:
            group.kill_all()
        self.limit_killed = True

    def _cell_name(self, cell, index):
        meta = cell.get("metadata", {}).get("nbgrader")
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        return gid or f"셀 {index + 1}"

    def _cpu_used(self):
        group = getattr(self.km, "limit_group", None)
        now = group.cpu_seconds() if group is not None else None
        if now is None:
            return None
        if self._cpu_base is None:
            self._cpu_base = now
        return now - self._cpu_base

    def _cpu_exceeded(self, name):
        limit = getattr(self.km, "cpu_time_limit", 0)
        used = self._cpu_used() if limit else None
        if used is None or used <= limit:
            return False
        self._note(f"{name}: CPU 시간 제한({limit}초, 샌드박스의 모든 프로세스 합)을 넘어 커널을 멈췄습니다. "
                   "그 뒤의 셀은 실행하지 않았습니다(0점).")
        self._kill_kernel()
        return True

    async def _watch(self, cell, index):
        """While a cell runs: the connection folder stays small and the CPU time within its limit."""
        limit = parse_size(self.runtime_limit)
        runtime = getattr(self.km, "_runtime", None)
        name = self._cell_name(cell, index)
        while True:
            await asyncio.sleep(0.5)
            if limit and runtime and folder_size(runtime) > limit:
                self._note(f"{name}: 커널의 연결 폴더에 파일을 쓰려고 해서 커널을 멈췄습니다. "
                           "그 뒤의 셀은 실행하지 않았습니다.")
                self._kill_kernel()
                return
            if self._cpu_exceeded(name):
                return

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        name = self._cell_name(cell, cell_index)
        left = self._remaining_budget()
        if left is not None and left <= 0:
            self._skipped.append(name)
            cell.outputs = [_limit_output(f"노트북 전체 실행 시간 제한({self.time_budget}초)을 넘어 이 셀은 실행하지 않았습니다.")]
            return cell
        if self._cpu_exceeded(name):   # used up between cells (a background thread or process)
            raise DeadKernelError("CPU time limit")
        start = time.monotonic()
        self._reset_cell()
        watcher = asyncio.ensure_future(self._watch(cell, cell_index))
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            # the kernel did not stop when interrupted (a loop that ignores SIGINT): stop it,
            # so that this cell and the later ones fail, not the whole notebook
            self._kill_kernel()
            timeout = self._get_timeout(cell)
            cell.outputs.append(_limit_output(f"{timeout}초 시간 제한에 걸린 뒤 중단 요청에도 멈추지 않아 커널을 강제로 종료했습니다."))
            self._note(f"{name}: {timeout}초 시간 제한에 걸린 뒤 중단 요청(SIGINT)에도 멈추지 않아 커널을 강제로 "
                       "종료했습니다. 그 뒤의 셀은 실행하지 않았습니다(0점).")
            raise DeadKernelError("Kernel killed after an ignored interrupt") from None
        except DeadKernelError:
            self._explain_death(name)
            raise
        finally:
            watcher.cancel()
            self._budget_used += time.monotonic() - start
            self._check_cell(cell, name)
        return result

    # ExecutePreprocessor.preprocess_cell calls the sync name, bound to the base class's method
    execute_cell = run_sync(async_execute_cell)

    def _explain_death(self, name):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        cpu = getattr(self.km, "cpu_time_limit", 0)
        group = getattr(self.km, "limit_group", None)
        if group is not None and group.oom_kills() > self._ooms:
            self._note(f"{name}: 메모리 제한({getattr(self.km, 'memory_limit', '')})을 넘어 커널이 멈췄습니다. "
                       "그 뒤의 셀은 실행하지 않았습니다(0점).")
            self.limit_killed = True
        elif cpu and code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
            self._note(f"{name}: CPU 시간 제한({cpu}초)을 넘어 커널이 멈췄습니다. 그 뒤의 셀은 실행하지 않았습니다(0점).")
            self.limit_killed = True

    def _check_cell(self, cell, name):
        errors = _error_text(cell)
        km = self.km
        memory = getattr(km, "memory_limit", "")
        if memory and _MEMORY.search(errors):
            self._note(f"{name}: 메모리 제한({memory})을 넘는 할당이 실패했습니다(MemoryError).")
        if _DISK.search(errors):
            self._note(f"{name}: 쓸 수 있는 공간의 제한(/tmp {getattr(km, 'tmp_size', '')}, "
                       f"작업 폴더 {getattr(km, 'home_size', '')})을 넘어 파일을 쓰지 못했습니다.")
        group = getattr(km, "limit_group", None)
        refused = group.refused_forks() if group is not None else 0
        if refused > self._refused or ((group is None or not group.has("pids")) and _FORK.search(errors)):
            self._note(f"{name}: 프로세스 수 제한({getattr(km, 'process_limit', '')}개, 스레드 포함)에 걸려 "
                       "새 프로세스나 스레드를 만들지 못했습니다.")
        self._refused = refused
        ooms = group.oom_kills() if group is not None else 0
        if ooms > self._ooms and not self.limit_killed:   # a process of the student's, not the kernel
            self._note(f"{name}: 메모리 제한({memory})을 넘은 프로세스를 멈췄습니다.")
        self._ooms = ooms
        if (self.time_budget and self._budget_stop is None and self._budget_used >= self.time_budget - 0.5
                and any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))):
            self._budget_stop = name
            for output in cell.outputs:   # the budget stopped it, not the cell's own timeout
                if output.get("ename") == "CellTimeoutError":
                    output.update(_limit_output(f"노트북 전체 실행 시간 제한({self.time_budget}초)을 다 써서 이 셀을 중단했습니다."))

    # -- the output cap, counted as the messages arrive
    def output(self, outs, msg, display_id, cell_index):
        """Past `output_limit` bytes in the notebook, outputs are dropped (errors and stderr are
        kept, shortened: nbgrader scores a test cell by them); a cell that alone sends more is
        interrupted, and stopped with its kernel when it sends twice as much."""
        limit = parse_size(self.output_limit)
        if not limit:
            return super().output(outs, msg, display_id, cell_index)
        size = _message_bytes(msg)
        self._out_bytes += size
        self._cell_bytes += size
        if self._out_bytes <= limit:
            return super().output(outs, msg, display_id, cell_index)
        if not self._out_dropped:
            self._out_dropped = True
            # a note, not an error: a test cell after a flood keeps the score of what it checked
            outs.append(NotebookNode(output_type="stream", name="stdout",
                                     text=f"\n[출력이 노트북의 제한 {human(limit)}를 넘어 이 셀의 나머지 출력은 버렸습니다.]\n"))
        if self._cell_bytes > limit and not self._out_interrupted:
            self._out_interrupted = True
            self._note(f"셀 {cell_index + 1}: 출력이 제한({human(limit)})을 넘어 나머지 출력은 버리고 셀을 중단했습니다.")
            asyncio.ensure_future(self.km.interrupt_kernel())
        elif self._cell_bytes > 2 * limit and not self._out_killed:
            self._out_killed = True
            self._note(f"셀 {cell_index + 1}: 중단한 뒤에도 출력이 계속되어 커널을 멈췄습니다. "
                       "그 뒤의 셀은 실행하지 않았습니다(0점).")
            self._kill_kernel()
        kind = msg.get("msg_type")
        content = msg.get("content", {})
        if kind == "error":
            short = dict(msg, content=dict(content, evalue=str(content.get("evalue", ""))[:2000],
                                           traceback=[str(t)[:2000] for t in (content.get("traceback") or [])[-3:]]))
            return super().output(outs, short, display_id, cell_index)
        if kind == "stream" and content.get("name") == "stderr" and not any(
                o.get("name") == "stderr" and o.get("text", "").endswith("[잘림]\n") for o in outs):
            short = dict(msg, content=dict(content, text=str(content.get("text", ""))[:2000] + " [잘림]\n"))
            return super().output(outs, short, display_id, cell_index)
        return None


def _message_bytes(msg):
    """The size of an output message's payload (text, data of every MIME type, traceback)."""
    content = msg.get("content", {})
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, (str, bytes)) else len(str(value))
    for line in content.get("traceback") or []:
        size += len(line)
    size += len(content.get("evalue", "") or "")
    return size + sum(len(b) for b in msg.get("buffers") or [])
