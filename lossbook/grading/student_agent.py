"""The student side of the channel: runs in the student's own interpreter.

The trusted test side sends requests (look up names, call a function, read an attribute,
ask for a vector-Jacobian product); this module answers them with plain data (`wire`).
It is untrusted by construction: the student's code may have changed anything here, and
that can only change the data the trusted side receives, which is the student's answer.
"""

import builtins
import contextlib
import io
import os
import warnings

import numpy as np

from lossbook import checks
from lossbook.grading import wire

MIME = "text/x-lossbook-reply"


class _State:
    def __init__(self):
        self.objects = {}      # reference number -> object kept for the trusted side
        self.numbers = {}      # id(object) -> reference number
        self.graphs = {}       # call number -> (input tensors, output tensors) for backward
        self.next_call = 0


_STATE = _State()


def _ref(value):
    key = id(value)
    number = _STATE.numbers.get(key)
    if number is None or _STATE.objects.get(number) is not value:
        number = len(_STATE.objects) + 1
        _STATE.objects[number] = value
        _STATE.numbers[key] = number
    ref = {"t": "ref", "id": number, "type": f"{type(value).__module__}.{type(value).__qualname__}",
           "callable": callable(value)}
    if isinstance(getattr(value, "__name__", None), str):
        ref["name"] = value.__name__[:200]
    return ref


def _deref(data):
    if data.get("t") == "module":   # a network of the trusted side, sent as its weights
        model = wire.rebuild_module(data)
        if model is None:
            raise wire.WireError("cannot rebuild the network")
        return model
    if data.get("t") != "ref" or data.get("id") not in _STATE.objects:
        raise wire.WireError("unknown reference")
    return _STATE.objects[data["id"]]


def _exception(error):
    """The error as data: the nearest built-in exception class and the message."""
    builtin = next((c.__name__ for c in type(error).__mro__
                    if getattr(builtins, c.__name__, None) is c and issubclass(c, BaseException)), "Exception")
    return {"raise": {"type": builtin, "name": type(error).__name__, "msg": str(error)[:4000]}}


def _lookup(request, namespace):
    values = {}
    for name in request["names"]:
        if name in namespace:
            try:
                values[name] = wire.encode(namespace[name], _ref)
            except wire.WireError:   # e.g. nested too deeply: it stays here, reachable by reference
                values[name] = _ref(namespace[name])
    return {"values": values}


def _call(request, namespace):
    func = _deref(request["target"])
    args = [wire.decode(a, _deref) for a in request["args"]]
    kwargs = {k: wire.decode(v, _deref) for k, v in request["kwargs"].items()}
    before = {i: a.copy() for i, a in enumerate(args) if type(a) is np.ndarray}
    out = io.StringIO()
    with contextlib.ExitStack() as stack:
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        stack.enter_context(np.errstate(**request.get("errstate", {})))
        if request.get("forbid"):
            stack.enter_context(checks.forbid(*request["forbid"], message=str(request.get("forbid_message", ""))))
        spies = [(name, stack.enter_context(checks.calls_to(name, namespace))) for name in request.get("spy", [])]
        stack.enter_context(contextlib.redirect_stdout(out))
        result = func(*args, **kwargs)
    records = [{"name": name, "args": c.args, "kwargs": c.kwargs} for name, calls in spies for c in calls]
    reply = {"ok": wire.encode(result, _ref), "calls": records, "stdout": out.getvalue()[-20000:],
             "warnings": [[w.category.__name__, str(w.message)[:2000]] for w in caught[:20]],
             "mutated": {str(i): wire.encode(a, _ref) for i, a in enumerate(args)
                         if i in before and _changed(a, before[i])}}
    grad_inputs = wire.grad_leaves(list(args) + list(kwargs.values()))
    outputs = result if isinstance(result, tuple) else (result,)
    if grad_inputs and all(wire.is_tensor(o) for o in outputs) and any(o.requires_grad for o in outputs):
        _STATE.next_call += 1
        _STATE.graphs[_STATE.next_call] = (grad_inputs, outputs)
        reply["graph"] = _STATE.next_call
    return reply


def _changed(array, before):
    if type(array) is not np.ndarray or array.shape != before.shape or array.dtype != before.dtype:
        return True
    return not np.array_equal(array, before, equal_nan=array.dtype.kind in "fc")


def _backward(request, namespace):
    import torch
    inputs, outputs = _STATE.graphs.pop(request["graph"])
    grads_out = [wire.decode(g, _deref) for g in request["grad_outputs"]]
    pairs = [(o, g) for o, g in zip(outputs, grads_out) if o.requires_grad and g is not None]
    grads = torch.autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs], allow_unused=True)
    return {"grads": [wire.encode(g, _ref) for g in grads]}


def _getattr(request, namespace):
    return {"ok": wire.encode(getattr(_deref(request["target"]), request["name"]), _ref)}


def _getitem(request, namespace):
    return {"ok": wire.encode(_deref(request["target"])[wire.decode(request["key"], _deref)], _ref)}


def _describe(request, namespace):
    obj = _deref(request["target"])
    text = repr(obj)[:2000]
    try:
        length = len(obj)
    except Exception:   # noqa: BLE001 - no length is an answer
        length = None
    return {"repr": text, "len": length}


HANDLERS = {"lookup": _lookup, "call": _call, "backward": _backward, "getattr": _getattr,
            "getitem": _getitem, "describe": _describe}


def handle(text, namespace):
    """One request (JSON text) against the student's `namespace`; the reply as JSON text."""
    try:
        request = wire.loads(text)
        reply = HANDLERS[request["op"]](request, namespace)
    except BaseException as error:   # noqa: BLE001 - a student's error is an answer, sent as data
        if isinstance(error, KeyboardInterrupt):
            raise
        reply = _exception(error)
    try:
        return wire.dumps(reply)
    except BaseException as error:   # noqa: BLE001 - e.g. a float nan in a message
        return wire.dumps(_exception(error))


def serve(text):
    """Called by the trusted side's request code in the student's kernel."""
    from IPython import get_ipython
    from IPython.display import publish_display_data
    publish_display_data({MIME: handle(text, get_ipython().user_ns)})


def serve_file(path):
    """A big request, written by the trusted side into this kernel's runtime folder."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    os.unlink(path)
    serve(text)
