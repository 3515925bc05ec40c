"""Plain data across the channel between the student's kernel and the trusted test side.

Everything is JSON with tagged values; arrays and tensors travel as `.npy` bytes that are
read back with `allow_pickle=False`. Nothing the student side sends is ever unpickled,
evaluated or imported: a value is data (numbers, strings, containers, arrays, tensors, the
weights of a lossbook network) or a numbered reference to an object that stays on the
student side. Both sides import this module; it needs only numpy (torch when tensors pass).
"""

import base64
import io
import json
import math

import numpy as np

MAX_DEPTH = 40
MAX_ITEMS = 1_000_000
# networks whose weights may cross as data: the trusted side rebuilds its own copy
TRUSTED_MODULES = {"lossbook.convnet.SmallConvNet"}
_TORCH_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
                 "uint8", "bool", "complex64", "complex128")


class WireError(ValueError):
    """A message that is not well-formed plain data."""


def _torch():
    import torch
    return torch


def is_tensor(value):
    torch = __import__("sys").modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, order="C"), allow_pickle=False)   # ascontiguousarray makes 0-d 1-d
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _from_npy(text):
    array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    if array.dtype.hasobject:
        raise WireError("object arrays are not plain data")
    return array


def _float(x):
    return {"t": "float", "v": float.hex(float(x))}


def encode(value, refs, depth=0):
    """`value` as tagged JSON. `refs(obj)` gives the reference of an object that is not data
    (on the student side: keep it and number it; on the trusted side: a proxy's own number,
    or an error for anything else)."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return {"t": "npscalar", "npy": _npy(np.asarray(value))}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return _float(value)
    if type(value) is complex:
        return {"t": "complex", "re": float.hex(value.real), "im": float.hex(value.imag)}
    if type(value) is str:
        return {"t": "str", "v": value}
    if type(value) is bytes:
        return {"t": "bytes", "v": base64.b64encode(value).decode("ascii")}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "items": [encode(v, refs, depth + 1) for v in value]}
    if type(value) is dict:
        return {"t": "dict", "items": [[encode(k, refs, depth + 1), encode(v, refs, depth + 1)]
                                       for k, v in value.items()]}
    kind = _type_name(value)
    if kind is not None:
        return {"t": "type", "v": kind}
    if type(value) is np.ndarray and not value.dtype.hasobject:
        return {"t": "ndarray", "npy": _npy(value)}
    if is_tensor(value) and str(value.dtype).removeprefix("torch.") in _TORCH_DTYPES and value.layout == _torch().strided:
        torch = _torch()
        data = value.detach().cpu()
        if data.dtype == torch.bfloat16:
            data = data.float()
        return {"t": "tensor", "npy": _npy(data.resolve_conj().numpy()),
                "dtype": str(value.dtype).removeprefix("torch."), "requires_grad": bool(value.requires_grad)}
    if _is_module(value):
        return encode_module(value, refs)
    return refs(value)


_BUILTIN_TYPES = {"int": int, "float": float, "bool": bool, "complex": complex, "str": str}


def _type_name(value):
    """A dtype or a number type as a name ("np.float32", "np.dtype:float32", "torch.float64", "int")."""
    if isinstance(value, np.dtype) and not value.hasobject:
        return f"np.dtype:{value.str}"
    if isinstance(value, type) and issubclass(value, np.generic) and value is not np.object_:
        return f"np:{np.dtype(value).str}"
    if isinstance(value, type) and _BUILTIN_TYPES.get(value.__name__) is value:
        return value.__name__
    torch = __import__("sys").modules.get("torch")
    if torch is not None and isinstance(value, torch.dtype) and str(value).removeprefix("torch.") in _TORCH_DTYPES:
        return str(value)
    return None


def _named_type(name):
    if name in _BUILTIN_TYPES:
        return _BUILTIN_TYPES[name]
    if name.startswith("np.dtype:") or name.startswith("np:"):
        dtype = np.dtype(name.partition(":")[2])
        if dtype.hasobject:
            raise WireError("object dtype")
        return dtype if name.startswith("np.dtype:") else dtype.type
    if name.startswith("torch.") and name.removeprefix("torch.") in _TORCH_DTYPES:
        return getattr(_torch(), name.removeprefix("torch."))
    raise WireError(f"unknown type {name!r}")


def encode_module(module, refs):
    """A lossbook network as data (its constructor arguments and weights), so that the other
    side rebuilds its own copy; anything else (or a network that does not fit) as a reference."""
    config = getattr(module, "config", None)
    cls = f"{type(module).__module__}.{type(module).__qualname__}"
    if cls not in TRUSTED_MODULES or type(config) is not dict or not all(
            type(k) is str and type(v) in (int, float, bool) for k, v in config.items()):
        return refs(module)
    state = {str(k): _npy(v.detach().cpu().numpy()) for k, v in module.state_dict().items()}
    grads = [bool(p.requires_grad) for p in module.parameters()]
    try:
        ref = refs(module)
    except TypeError:   # the trusted side sends its own networks as data only
        ref = None
    return {"t": "module", "cls": cls, "config": encode(dict(config), refs), "state": state,
            "requires_grad": grads, "training": bool(module.training), "ref": ref}


def _is_module(value):
    torch = __import__("sys").modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def decode(data, refs, depth=0, counter=None):
    """The value of tagged JSON `data`; `refs(ref_dict)` turns a reference into an object."""
    counter = counter if counter is not None else [0]
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_ITEMS:
        raise WireError("message too large or nested too deeply")
    if type(data) is not dict or type(data.get("t")) is not str:
        raise WireError("not a tagged value")
    tag = data["t"]
    if tag == "none":
        return None
    if tag == "bool":
        return bool(data["v"])
    if tag == "int":
        return int(str(data["v"]))
    if tag == "float":
        return float.fromhex(str(data["v"]))
    if tag == "complex":
        return complex(float.fromhex(str(data["re"])), float.fromhex(str(data["im"])))
    if tag == "str":
        return str(data["v"])
    if tag == "bytes":
        return base64.b64decode(str(data["v"]), validate=True)
    if tag in ("list", "tuple"):
        items = [decode(v, refs, depth + 1, counter) for v in data["items"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {decode(k, refs, depth + 1, counter): decode(v, refs, depth + 1, counter) for k, v in data["items"]}
    if tag == "npscalar":
        array = _from_npy(data["npy"])
        if array.shape != ():
            raise WireError("a scalar must have shape ()")
        return array[()]
    if tag == "ndarray":
        return _from_npy(data["npy"])
    if tag == "tensor":
        torch = _torch()
        name = str(data["dtype"])
        if name not in _TORCH_DTYPES:
            raise WireError(f"unknown tensor dtype {name!r}")
        tensor = torch.from_numpy(_from_npy(data["npy"]).copy()).to(getattr(torch, name))
        if data.get("requires_grad") and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor
    if tag == "type":
        return _named_type(str(data["v"]))
    if tag == "module":
        return refs(data)
    if tag == "ref":
        return refs(data)
    raise WireError(f"unknown tag {tag!r}")


def rebuild_module(data):
    """The trusted copy of a lossbook network sent as data, or None when it does not fit
    (another architecture under the same name, odd constructor arguments)."""
    import importlib
    if data.get("cls") not in TRUSTED_MODULES or data.get("config") is None:
        return None
    module_name, _, cls_name = data["cls"].rpartition(".")
    cls = getattr(importlib.import_module(module_name), cls_name)
    torch = _torch()
    try:
        config = decode(data["config"], lambda ref: None)
        model = cls(**{str(k): v for k, v in config.items()})
        state = {k: torch.from_numpy(_from_npy(v).copy()) for k, v in data["state"].items()}
        model.load_state_dict(state, strict=True)
    except Exception:   # noqa: BLE001 - not our network: the trusted side uses the reference
        return None
    model.train(bool(data.get("training")))
    flags = data.get("requires_grad")
    if isinstance(flags, list) and len(flags) == len(list(model.parameters())):
        for parameter, flag in zip(model.parameters(), flags):
            parameter.requires_grad_(bool(flag))
    return model


def grad_leaves(values):
    """The tensors whose gradient a call must send back, in an order both sides agree on:
    each argument that requires grad, and the parameters (requiring grad) of each network."""
    leaves = []
    for value in values:
        if is_tensor(value) and value.requires_grad:
            leaves.append(value)
        elif _is_module(value):
            leaves += [p for p in value.parameters() if p.requires_grad]
    return leaves


def dumps(message):
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def loads(text, limit=512 * 2**20):
    if not isinstance(text, str) or len(text) > limit:
        raise WireError("reply missing or too large")
    return json.loads(text, parse_constant=lambda c: math.nan)
