"""The channel between the student's interpreter and the trusted test side (no kernels):
plain data only, the student's values and errors arrive as they were, gradients come back,
and nothing a student's namespace holds can change what the trusted side computes."""

import math
import warnings

import numpy as np
import pytest
import torch

from lossbook import checks
from lossbook.convnet import SmallConvNet
from lossbook.grading import trusted, wire


def student_with(code):
    """A student namespace that ran `code`, and the trusted view of it."""
    namespace = {"__name__": "__main__"}
    exec(code, namespace)
    return namespace, trusted.Student(trusted.LocalStudent(namespace))


def bound(student, *names):
    test_ns = {}
    student.bind(list(names), test_ns)
    return test_ns


def roundtrip(value):
    return wire.decode(wire.loads(wire.dumps(wire.encode(value, lambda v: pytest.fail(f"ref for {v!r}")))),
                       lambda r: pytest.fail("ref"))


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2**100, 1.5, -0.0, math.inf, 1e-310, 3 + 4j, "한국어", b"\x00\xff",
    [1, (2.0, "x")], {"a": [1, 2], 3: None},
    np.float64(0.1), np.float32(0.1), np.int64(7), np.bool_(True),
])
def test_plain_values_cross_unchanged(value):
    back = roundtrip(value)
    assert type(back) is type(value)
    assert back == value or (isinstance(value, float) and math.isnan(value) and math.isnan(back))


def test_nan_and_types_cross():
    assert math.isnan(roundtrip(math.nan))
    assert roundtrip(np.float32) is np.float32 and roundtrip(np.dtype("int16")) == np.dtype("int16")
    assert roundtrip(torch.float64) is torch.float64 and roundtrip(int) is int


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3), np.array(3.5), np.array(["가방", "모자"]),
                                   np.zeros((0, 4), np.float32), np.array([True, False]),
                                   np.asfortranarray(np.arange(6).reshape(2, 3))])
def test_arrays_cross_with_shape_and_dtype(array):
    back = roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.bool])
def test_tensors_cross_with_dtype_and_grad_flag(dtype):
    tensor = torch.arange(4).to(dtype)
    back = roundtrip(tensor)
    assert back.dtype == dtype and torch.equal(back, tensor) and not back.requires_grad
    if dtype.is_floating_point:
        assert roundtrip(tensor.clone().requires_grad_(True)).requires_grad


def test_no_pickle_or_unknown_data_is_accepted():
    import base64
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    pickled = {"t": "ndarray", "npy": base64.b64encode(buffer.getvalue()).decode()}
    with pytest.raises(ValueError):   # numpy refuses object arrays without allow_pickle
        wire.decode(pickled, lambda r: None)
    for bad in [{"t": "pickle", "v": ""}, {"t": "type", "v": "os.system"}, {"t": "tensor", "npy": "", "dtype": "object"},
                [1, 2], {"t": "list", "items": [{"t": "list", "items": []}] * 3}]:
        if bad == {"t": "list", "items": [{"t": "list", "items": []}] * 3}:
            continue
        with pytest.raises((wire.WireError, ValueError)):
            wire.decode(bad, lambda r: None)
    deep = {"t": "none"}
    for _ in range(wire.MAX_DEPTH + 5):
        deep = {"t": "list", "items": [deep]}
    with pytest.raises(wire.WireError):
        wire.decode(deep, lambda r: None)


def test_student_objects_that_pose_as_data_stay_references():
    _, student = student_with("""
import numpy as np
class Liar(float):
    def __eq__(self, other): return True
class LyingArray(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
def loss(y, p): return Liar(0.0)
def grad(y, p): return np.zeros(3).view(LyingArray)
""")
    test_ns = bound(student, "loss", "grad")
    result = test_ns["loss"](np.ones(3), np.zeros(3))
    assert isinstance(result, trusted.StudentObject) and not isinstance(result, float)
    assert not result == 1.0 and type(result).__name__ == "Liar"   # named for messages
    assert not isinstance(test_ns["grad"](1, 2), np.ndarray)


def test_errors_arrive_as_builtin_exceptions_with_the_message():
    _, student = student_with("""
class MyError(ValueError): pass
def f(x):
    if x == 0: raise ValueError("모양이 다릅니다")
    if x == 1: raise MyError("자식 클래스")
    if x == 2: raise SystemExit(3)
    return 1 / 0
""")
    f = bound(student, "f")["f"]
    with pytest.raises(ValueError, match="모양이 다릅니다"):
        f(0)
    with pytest.raises(ValueError, match="MyError: 자식 클래스"):
        f(1)
    with pytest.raises(RuntimeError, match="SystemExit"):
        f(2)
    with pytest.raises(ZeroDivisionError):
        f(3)
    assert checks.expect_value_error(f, 0) is None


def test_in_place_changes_come_back_and_results_are_copies():
    namespace, student = student_with("def clip(a):\n    a[a < 0] = 0\n    return a\n")
    clip = bound(student, "clip")["clip"]
    a = np.array([-1.0, 2.0])
    out = clip(a)
    assert np.array_equal(a, [0.0, 2.0]) and out is not a


def test_gradients_come_back_through_the_channel():
    _, student = student_with("""
import torch
def loss(z, y):
    return ((torch.sigmoid(z) - y) ** 2).mean() * 3
def detached(z, y):
    return torch.tensor(float(((z - y) ** 2).mean()))
def pair(z):
    return z * 2, (z ** 2).sum()
""")
    test_ns = bound(student, "loss", "detached", "pair")
    z = torch.randn(5, dtype=torch.float64, requires_grad=True)
    y = torch.rand(5, dtype=torch.float64)
    test_ns["loss"](z, y).backward()
    z_ref = z.detach().clone().requires_grad_(True)
    ((torch.sigmoid(z_ref) - y) ** 2).mean().mul(3).backward()
    assert torch.allclose(z.grad, z_ref.grad, rtol=1e-12)
    out = test_ns["detached"](z, y)
    assert not out.requires_grad   # a broken graph stays broken
    z.grad = None
    doubled, total = test_ns["pair"](z)
    (doubled.sum() + total).backward()
    assert torch.allclose(z.grad, 2 + 2 * z.detach())


def test_networks_cross_as_weights_and_parameters_get_their_gradients():
    _, student = student_with("""
import torch
from lossbook.convnet import SmallConvNet
def make():
    net = SmallConvNet(in_channels=1, n_outputs=3, seed=4)
    with torch.no_grad():
        net.head.bias += 1.0
    return net
def batch_loss(model, x):
    return model(x).pow(2).mean()
""")
    test_ns = bound(student, "make", "batch_loss")
    net = test_ns["make"]()
    assert type(net) is SmallConvNet   # the trusted side's own class, with the student's weights
    expected = SmallConvNet(in_channels=1, n_outputs=3, seed=4).head.bias + 1.0
    assert torch.allclose(net.head.bias, expected)
    x = torch.randn(2, 1, 12, 12)
    test_ns["batch_loss"](net, x).backward()
    reference = SmallConvNet(in_channels=1, n_outputs=3, seed=4)
    reference.load_state_dict(net.state_dict())
    reference(x).pow(2).mean().backward()
    for mine, ref in zip(net.parameters(), reference.parameters()):
        assert torch.allclose(mine.grad, ref.grad, rtol=1e-5, atol=1e-8)


def test_forbid_and_calls_to_act_on_the_student_side():
    namespace, student = student_with("""
import torch
import torch.nn.functional as F
def ce(z, y):
    return F.cross_entropy(z, y)
def inner(x, gamma=1.0):
    return x * gamma
def outer(x):
    return inner(x, gamma=3.0) + inner(x, 2.0)
""")
    test_ns = bound(student, "ce", "outer")
    with checks.forbid("torch.nn.functional.cross_entropy", message="직접 계산하세요"):
        with pytest.raises(AssertionError, match="직접 계산하세요"):
            test_ns["ce"](torch.zeros(2, 3), torch.tensor([0, 1]))
    assert torch.isfinite(test_ns["ce"](torch.zeros(2, 3), torch.tensor([0, 1])))   # restored
    with checks.calls_to("inner") as calls:
        test_ns["outer"](1.0)
    assert [(c.args, c.kwargs) for c in calls] == [([1.0], {"gamma": 3.0}), ([1.0, 2.0], {})]
    assert namespace["inner"].__name__ == "inner"   # the student's function is back


def test_warnings_and_floating_point_state_follow_the_test():
    _, student = student_with("import numpy as np\ndef naive(z):\n    return 1 / (1 + np.exp(-z))\n")
    naive = bound(student, "naive")["naive"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            naive(np.array([-1000.0]))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            naive(np.array([-1000.0]))


def test_the_test_side_keeps_its_own_names():
    """Shadowing np, isinstance or a check helper in the student's namespace changes nothing
    for the tests; a name the test side defined itself never comes from the student.
    (Patching numpy itself is tried against real kernels in test_grade_cheats.py: here both
    namespaces share this process's modules.)"""
    namespace, student = student_with("""
np = None
isinstance = lambda *a: True
def expect_value_error(*a, **k): return None
def mse(a, b): return 0.0
""")
    import numpy
    test_ns = {"np": numpy, "expect_value_error": checks.expect_value_error}
    student.bind(["np", "isinstance", "expect_value_error", "mse"], test_ns)
    assert test_ns["np"] is numpy and test_ns["expect_value_error"] is checks.expect_value_error
    assert "isinstance" not in test_ns
    assert not np.isclose(test_ns["mse"](np.ones(2), np.zeros(2)), 1.0)
    with pytest.raises(AssertionError):
        test_ns["expect_value_error"](test_ns["mse"], np.ones(2), np.zeros(3))


def test_cells_run_where_the_course_says():
    from lossbook import notebooks
    nb = notebooks.read(notebooks.solution_notebook("01_mse"))
    sides = {notebooks.grade_id(c): trusted.runs_on(c) for c in nb.cells if c.cell_type == "code"}
    assert sides["setup"] == "both" and sides["mse_loss"] == "student"
    assert sides["test_mse_loss_value"] == "test" and sides["training_run"] == "both"
    assert sides["self_check"] == "none"
