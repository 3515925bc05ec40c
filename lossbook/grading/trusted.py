"""The trusted test side: autograded test cells run here, never in the student's interpreter.

The test side ran the assignment's locked cells itself (imports, data, helpers), so it holds
its own numpy, torch and check helpers. A name that a test reads and that only the student
defined (their functions, their trained model) is bound to a proxy: calling it sends the
arguments as plain data to the student side (`student_agent`), which calls the student's
function and sends back the result as plain data (`wire`). A tensor argument that requires
grad gets its gradient back: the result is attached to the test side's graph by
`StudentGraph`, whose backward asks the student side for the vector-Jacobian product.

Two transports: `KernelStudent` talks to the student's kernel (grading), `LocalStudent`
to a namespace in this process (the answer catalogue's tests), through the same JSON.
"""

import ast
import builtins
import functools
import os
import sys
import time
import warnings

import numpy as np

from lossbook import checks
from lossbook.grading import student_agent, wire

PREFIX = "_lossbook_"


class StudentSideError(RuntimeError):
    """The student side did not answer (its kernel died, hung or broke the channel)."""


def _builtin_exception(info):
    cls = getattr(builtins, str(info.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)) or issubclass(cls, (KeyboardInterrupt, SystemExit)):
        cls = RuntimeError
    name, msg = str(info.get("name")), str(info.get("msg"))
    try:
        error = cls(msg) if name == cls.__name__ else cls(f"{name}: {msg}")
    except Exception:   # noqa: BLE001 - a class that needs other arguments (UnicodeError...)
        error = RuntimeError(f"{name}: {msg}")
    return error


class LocalStudent:
    """The student side as a namespace in this process (tests of the graders)."""

    def __init__(self, namespace):
        self.namespace = namespace

    def request(self, message):
        return wire.loads(student_agent.handle(wire.dumps(message), self.namespace))


class KernelStudent:
    """The student side as the student's Jupyter kernel."""

    def __init__(self, connection_info, timeout, request_dir=None):
        from jupyter_client import BlockingKernelClient
        self.timeout, self.request_dir = timeout, request_dir
        self.client = BlockingKernelClient()
        # the grader's record of the ports and key, not the connection file: the student's
        # kernel can write that file
        self.client.load_connection_info(connection_info)
        self.client.start_channels()

    def request(self, message):
        text = wire.dumps(message)
        if self.request_dir and len(text) > 4096:
            # a big request as a code literal costs IPython ~0.4 s per MB to parse; a file, ~10 ms
            path = os.path.join(self.request_dir, f"request-{os.urandom(8).hex()}.json")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            code = f"__import__('lossbook.grading.student_agent', fromlist=['serve']).serve_file({path!r})"
        else:
            code = f"__import__('lossbook.grading.student_agent', fromlist=['serve']).serve({text!r})"
        client = self.client
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + self.timeout
        reply, idle = None, False
        try:
            while not idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.interrupt()
                    raise StudentSideError(f"학생 코드가 {self.timeout:.0f}초 안에 답하지 않았습니다.")
                try:
                    msg = client.get_iopub_msg(timeout=min(remaining, 1.0))
                except Exception:   # noqa: BLE001 - queue.Empty: keep waiting until the deadline
                    continue
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "display_data" and student_agent.MIME in content.get("data", {}):
                    reply = content["data"][student_agent.MIME]
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
        except KeyboardInterrupt:   # the test cell was interrupted (its timeout): stop the student too
            self.interrupt()
            raise
        if reply is None:
            raise StudentSideError("학생 커널이 답하지 않았습니다(커널이 종료되었거나 실행 환경을 바꾼 코드가 있습니다).")
        return wire.loads(reply)

    def interrupt(self):
        msg = self.client.session.msg("interrupt_request", content={})
        self.client.control_channel.send(msg)


class StudentObject:
    """An object that stays on the student side (a function, a model of their own class)."""

    def __init__(self, side, ref):
        object.__setattr__(self, "_side", side)
        object.__setattr__(self, "_ref", ref)

    def __call__(self, *args, **kwargs):
        return self._side.call(self._ref, args, kwargs)

    def __getattr__(self, name):
        if name == "__name__" and isinstance(self._ref.get("name"), str):
            return self._ref["name"]
        if name.startswith("__"):
            raise AttributeError(name)
        return self._side.value(self._side.request({"op": "getattr", "target": self._ref, "name": name}))

    def __getitem__(self, key):
        return self._side.value(self._side.request(
            {"op": "getitem", "target": self._ref, "key": self._side.encode(key)}))

    def __len__(self):
        length = self._side.request({"op": "describe", "target": self._ref}).get("len")
        if length is None:
            raise TypeError("object has no len()")
        return int(length)

    def __repr__(self):
        return str(self._side.request({"op": "describe", "target": self._ref}).get("repr"))


_PROXY_TYPES = {}


def student_object(side, ref):
    """A StudentObject whose type is named like the student's (a test's message prints
    type(x).__name__: "결과 형식: Liar", not the proxy's name)."""
    name = str(ref.get("type", "object")).rpartition(".")[2]
    if not name.isidentifier():
        name = "object"
    cls = _PROXY_TYPES.get(name)
    if cls is None:
        cls = _PROXY_TYPES[name] = type(name, (StudentObject,), {"__module__": "student"})
    return cls(side, ref)


class Student:
    """The trusted side's view of the student: name binding and calls."""

    def __init__(self, transport):
        self.transport = transport
        self.bound = {}   # name -> the value the student side gave it in the test namespace
        self.stdout_left = 100_000   # characters of the student's prints shown beside the tests

    def request(self, message):
        reply = self.transport.request(message)
        if "raise" in reply:
            raise _builtin_exception(reply["raise"])
        return reply

    def encode(self, value):
        def refs(obj):
            if isinstance(obj, StudentObject):
                return obj._ref
            raise TypeError(f"{type(obj).__name__} 값은 학생 코드에 넘길 수 없습니다(숫자, 문자열, 배열, 텐서만).")
        return wire.encode(value, refs)

    def decode(self, data):
        def refs(ref):
            if ref.get("t") == "module":
                return wire.rebuild_module(ref) or student_object(self, ref["ref"] or {})
            return student_object(self, ref)
        return wire.decode(data, refs)

    def value(self, reply):
        return self.decode(reply["ok"])

    def bind(self, names, namespace):
        """Give the test namespace the student's value for every name in `names` that the
        test side did not define itself (or that came from the student before)."""
        # a name the test side assigned itself (a locked cell ran there) is its own from then on
        for name in [n for n, v in self.bound.items() if namespace.get(n, v) is not v]:
            del self.bound[name]
        wanted = [n for n in names if not n.startswith(PREFIX) and (n not in namespace or n in self.bound)
                  and not hasattr(builtins, n)]
        if not wanted:
            return
        values = self.request({"op": "lookup", "names": wanted})["values"]
        for name in wanted:
            if name in values:
                data = values[name]
                value = student_object(self, data) if data.get("t") == "ref" else self.decode(data)
                namespace[name] = self.bound[name] = value
            elif name in self.bound:
                namespace.pop(name, None)
                del self.bound[name]

    def call(self, target, args, kwargs):
        import torch
        message = {"op": "call", "target": target, "args": [self.encode(a) for a in args],
                   "kwargs": {k: self.encode(v) for k, v in kwargs.items()},
                   "errstate": {k: v for k, v in np.geterr().items()}}
        forbidden = checks.forbidden_now()
        if forbidden:
            message["forbid"], message["forbid_message"] = forbidden
        spied = checks.spied_now()
        if spied:
            message["spy"] = sorted({name for name, _ in spied})
        reply = self.request(message)
        for record in reply.get("calls", []):
            for name, calls in spied:
                if record.get("name") == name:
                    calls.append(checks.Call(record.get("args", []), record.get("kwargs", {})))
        if reply.get("stdout") and self.stdout_left > 0:   # what the student's code printed, up to a cap
            text = str(reply["stdout"])[:self.stdout_left]
            self.stdout_left -= len(text)
            sys.stdout.write(text + ("\n[학생 코드의 출력이 너무 길어 나머지는 생략합니다]\n" if self.stdout_left <= 0 else ""))
        for category, text in reply.get("warnings", []):
            cls = getattr(builtins, str(category), None)
            warnings.warn(str(text), cls if isinstance(cls, type) and issubclass(cls, Warning) else UserWarning,
                          stacklevel=3)
        for index, data in reply.get("mutated", {}).items():
            original = args[int(index)]
            new = self.decode(data)
            if isinstance(original, np.ndarray) and isinstance(new, np.ndarray) and new.shape == original.shape:
                np.copyto(original, new, casting="unsafe")
        result = self.value(reply)
        graph = reply.get("graph")
        inputs = wire.grad_leaves(list(args) + list(kwargs.values()))
        if graph is not None and inputs and torch.is_grad_enabled():
            outputs = result if isinstance(result, tuple) else (result,)
            attached = _graph_function().apply(self, graph, len(inputs), *inputs, *outputs)
            attached = attached if isinstance(attached, tuple) else (attached,)
            result = tuple(attached) if isinstance(result, tuple) else attached[0]
        return result


@functools.cache
def _graph_function():
    """The autograd.Function class, made on first use (torch is imported only when tensors pass)."""
    import torch

    class StudentGraph(torch.autograd.Function):
        """Outputs computed on the student side, joined to the test side's graph: backward
        sends the output gradients and receives the gradients of the inputs."""

        @staticmethod
        def forward(ctx, student, graph, n_inputs, *tensors):
            ctx.student, ctx.graph, ctx.n_inputs = student, graph, n_inputs
            inputs, outputs = tensors[:n_inputs], tensors[n_inputs:]
            ctx.input_meta = [(t.shape, t.dtype) for t in inputs]
            ctx.n_outputs = len(outputs)
            results = tuple(o.detach().clone() for o in outputs)
            for original, result in zip(outputs, results):
                if not original.requires_grad:
                    ctx.mark_non_differentiable(result)
            return results if len(results) > 1 else results[0]

        @staticmethod
        def backward(ctx, *grad_outputs):
            reply = ctx.student.request({"op": "backward", "graph": ctx.graph,
                                         "grad_outputs": [ctx.student.encode(g) for g in grad_outputs]})
            grads = [ctx.student.decode(g) for g in reply["grads"]]
            checked = []
            for grad, (shape, dtype) in zip(grads, ctx.input_meta):
                if grad is not None:
                    if not isinstance(grad, torch.Tensor) or grad.shape != shape:
                        raise StudentSideError("학생 쪽에서 온 그래디언트의 모양이 입력과 다릅니다.")
                    grad = grad.to(dtype)
                checked.append(grad)
            checked += [None] * (ctx.n_inputs - len(checked))
            return (None, None, None, *checked, *([None] * ctx.n_outputs))

    return StudentGraph


def free_names(source):
    """Every name a cell reads (IPython magics aside): the candidates to bind."""
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return []
    return sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)})


# ---------------------------------------------------------------- inside the test kernel

def install(connection_info, timeout, request_dir=None, student_code=()):
    """Run in the trusted test kernel for each student: connect to that student's kernel
    (`request_dir`: a folder both kernels see, for big requests) and serve the source of the
    student's cells, as the grader read them from the submission, to `checks.not_in_source`."""
    from IPython import get_ipython
    checks.serve_student_code(student_code)
    get_ipython().user_ns[PREFIX + "student"] = Student(KernelStudent(connection_info, float(timeout), request_dir))


def uninstall():
    """Before the next student: close the channels to the previous student's kernel."""
    from IPython import get_ipython
    checks.serve_student_code(None)
    student = get_ipython().user_ns.get(PREFIX + "student")
    if isinstance(student, Student) and isinstance(student.transport, KernelStudent):
        student.transport.client.stop_channels()


def bind(source):
    """Run before each cell in the trusted test kernel."""
    from IPython import get_ipython
    namespace = get_ipython().user_ns
    try:
        namespace[PREFIX + "student"].bind(free_names(source), namespace)
    except Exception as error:   # noqa: BLE001 - unbound names fail this cell's tests, not the others
        print(f"학생 쪽의 이름을 가져오지 못했습니다: {type(error).__name__}: {error}", file=sys.stderr)


def runs_on(cell):
    """Where a code cell runs when the course grades: "test" (autograded tests: trusted side
    only), "both" (the other locked cells: set-up, data, training runs), "none" (the
    student's self-check, which would run the notebook again), or "student"."""
    from lossbook.notebooks import is_autograded_test, nbgrader_meta
    from lossbook.problems import is_self_check
    if is_autograded_test(cell):
        return "test"
    if is_self_check(cell) and nbgrader_meta(cell).get("locked"):
        return "none"
    meta = nbgrader_meta(cell)
    if meta.get("locked") and not meta.get("solution"):
        return "both"
    return "student"
