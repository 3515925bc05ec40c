"""Chapter 1 (MSE): contract references and the wrong/right answer catalogue."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad, torch_loss
from support.strategies import finite_floats, same_shape_pair

CHECKED_LOSS = '''
def mse_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return float(np.mean((y_pred - y_true) ** 2))
'''


def _grad_answer(body):
    """An mse_grad answer with a correct shape check and the given return expression."""
    return f'''
def mse_grad(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return {body}
'''


def _fd_grad(y_true, y_pred):
    return central_difference(lambda p: float(np.mean((p - y_true) ** 2)), y_pred)


# ------------------------------------------------------------------ gaussian_nll_loss (문제 5)
# The parts of one gaussian_nll_loss answer; a wrong answer replaces one of them.
NLL_PARTS = {
    "dtype": "np.float64",
    "checks": """
    if y_true.shape != mean.shape or mean.size == 0:
        raise ValueError("y_true와 mean의 모양")""",
    "var_shapes": """
    if var.ndim and var.shape == mean.shape[:-1]:
        var = var[..., None]
    elif var.ndim and (var.ndim != mean.ndim
                       or any(v != m and v != 1 for v, m in zip(var.shape, mean.shape))
                       or sum(v != m for v, m in zip(var.shape, mean.shape)) > 1):
        raise ValueError("var의 모양")""",
    "negative": """
    if np.any(var < 0):
        raise ValueError("음수 분산")""",
    "clip": """
    var = np.maximum(var, eps)""",
    "terms": "0.5 * (np.log(var) + (y_true - mean) ** 2 / var)",
    "constant": "0.5 * np.log(2 * np.pi) if full else 0.0",
    "reduce": "float(np.mean(per_element))",
}


def _nll_answer(**changed):
    """A gaussian_nll_loss answer built from NLL_PARTS with some parts replaced."""
    p = {**NLL_PARTS, **changed}
    return f'''
def gaussian_nll_loss(y_true, mean, var, full=False, eps=1e-6):
    y_true = np.asarray(y_true, dtype={p["dtype"]})
    mean = np.asarray(mean, dtype={p["dtype"]})
    var = np.asarray(var, dtype={p["dtype"]}){p["checks"]}{p["var_shapes"]}{p["negative"]}{p["clip"]}
    per_element = {p["terms"]} + ({p["constant"]})
    return {p["reduce"]}
'''


def _torch_nll(y_true, mean, var, full=False, eps=1e-6):
    """PyTorch's built-in (input=mean, target=y_true); a 0-d variance goes in as a float, as torch wants."""
    as_tensor = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    var = float(var) if np.ndim(var) == 0 else as_tensor(var)
    return F.gaussian_nll_loss(as_tensor(mean), as_tensor(y_true), var, full=full, eps=eps).item()


@st.composite
def _nll_inputs(draw):
    """(y_true, mean, var, full, eps) with var in one of the four shapes the problem accepts,
    variances from 0 (clipped) to 1e3."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    axis = draw(st.integers(0, len(shape) - 1))
    var_shape = draw(st.sampled_from([shape, (), shape[:-1], shape[:axis] + (1,) + shape[axis + 1:]]))
    variances = st.floats(0.0, 1e3) | st.sampled_from([0.0, 1e-9, 5e-7, 1e-6, 2e-6])
    var = draw(hnp.arrays(np.float64, var_shape, elements=variances))
    if var_shape == () and draw(st.booleans()):
        var = float(var)
    y_true = draw(hnp.arrays(np.float64, shape, elements=finite_floats(1e3)))
    mean = draw(hnp.arrays(np.float64, shape, elements=finite_floats(1e3)))
    return y_true, mean, var, draw(st.booleans()), draw(st.sampled_from([1e-6, 1e-3, 0.5]))


HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


CHAPTER = Chapter(
    agrees=[
        Agrees("mse_loss", torch_loss(F.mse_loss), same_shape_pair(), name="torch mse_loss"),
        Agrees("mse_grad", torch_grad(F.mse_loss), same_shape_pair(), name="torch autograd"),
        Agrees("mse_grad", _fd_grad, same_shape_pair(bound=10.0, max_side=4), rtol=1e-5, atol=1e-6,
               name="finite differences"),
        Agrees("gaussian_nll_loss", _torch_nll, _nll_inputs(), name="torch gaussian_nll_loss"),
    ],
    exact=[
        Exact("mse_loss", (np.zeros(4), np.full(4, 1e150)), 1e300, name="huge but finite residuals"),
        Exact("mse_loss", (np.array([1.0, 2.0]), np.array([1.0, 2.0])), 0.0, name="perfect prediction"),
        Exact("mse_loss", (np.array([0.0], dtype=np.float32), np.array([1e-3], dtype=np.float32)),
              float(np.float64(np.float32(1e-3)) ** 2), rtol=1e-12, name="float32 input computed in float64"),
        Exact("mse_grad", (np.zeros((2, 2)), np.ones((2, 2))), np.full((2, 2), 0.5), name="n counts all elements"),
        Exact("mse_loss", (np.arange(5), np.arange(5) + 2), 4.0, name="integer input"),
        Exact("gaussian_nll_loss", (np.zeros(4), np.arange(4.0), np.ones(4)), 0.5 * (0 + 1 + 4 + 9) / 4,
              name="unit variance, full=False: half the MSE"),
        Exact("gaussian_nll_loss", (np.array([2.0]), np.array([2.0]), 1.0, True), HALF_LOG_2PI,
              name="full=True adds half log 2 pi"),
        Exact("gaussian_nll_loss", (np.array([1.0, 0.0]), np.zeros(2), np.array([0.0, 0.25]), False, 0.5),
              (0.5 * (math.log(0.5) + 2.0) + 0.5 * math.log(0.5)) / 2, name="variances below eps clipped to eps"),
        Exact("gaussian_nll_loss", (np.zeros(3), np.zeros(3), np.zeros(3)), 0.5 * math.log(1e-6),
              name="zero variance is the default eps"),
        Exact("gaussian_nll_loss", (np.zeros(2), np.array([1e6, -1e6]), np.full(2, 1e12)),
              0.5 * (math.log(1e12) + 1.0), name="huge residuals and variances"),
        Exact("gaussian_nll_loss", (np.zeros((2, 2)), np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([1.0, 4.0])),
              (0.5 + 0.5 * (math.log(4.0) + 1.0)) / 2, name="var (n,) is one variance per row"),
        Exact("gaussian_nll_loss", (np.zeros(2, dtype=np.float32), np.full(2, 1e-3, dtype=np.float32),
                                    np.full(2, 3.0, dtype=np.float32)),
              0.5 * (math.log(float(np.float32(3.0))) + float(np.float32(1e-3)) ** 2 / 3.0), rtol=1e-12,
              name="float32 input computed in float64"),
    ],
    raises=[
        Raises("mse_loss", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mse_loss", (np.zeros(3), np.zeros((3, 1))), name="(n,) vs (n,1)"),
        Raises("mse_loss", (np.zeros(4), np.zeros(3)), name="different lengths"),
        Raises("mse_loss", (np.array([]), np.array([])), name="empty"),
        Raises("mse_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mse_grad", (np.array([]), np.array([])), name="empty"),
        Raises("gaussian_nll_loss", (np.zeros(3), np.zeros(3), np.array([1.0, -1e-12, 1.0])), name="negative variance"),
        Raises("gaussian_nll_loss", (np.zeros((2, 2)), np.zeros((2, 2)), -1.0), name="negative scalar variance"),
        Raises("gaussian_nll_loss", (np.zeros((3, 1)), np.zeros(3), np.ones(3)), name="y_true (n,1) vs mean (n,)"),
        Raises("gaussian_nll_loss", (np.zeros(4), np.zeros(4), np.ones((4, 1))), name="var (n,1) for mean (n,)"),
        Raises("gaussian_nll_loss", (np.zeros((4, 3)), np.zeros((4, 3)), np.ones(3)), name="var (d,) for mean (n,d)"),
        Raises("gaussian_nll_loss", (np.zeros((4, 3)), np.zeros((4, 3)), np.ones((1, 1))), name="var differs in two axes"),
        Raises("gaussian_nll_loss", (np.zeros((4, 3)), np.zeros((4, 3)), np.ones((4, 2))), name="var axis neither equal nor 1"),
        Raises("gaussian_nll_loss", (np.array([]), np.array([]), np.array([])), name="empty"),
    ],
    wrong_answers=[
        Answer("sum instead of mean", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.sum((y_pred - y_true) ** 2))
'''}, caught_by=("test_mse_loss_value", "test_mse_loss_reference")),
        Answer("RMSE instead of MSE", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
'''}, caught_by=("test_mse_loss_value",)),
        Answer("silent (N,1)-vs-(N,) broadcast", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    return float(np.mean((np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)) ** 2))
'''}, caught_by=("test_mse_loss_errors",)),
        Answer("returns an array, not a float", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return np.mean((y_pred - y_true) ** 2, keepdims=True)
'''}, caught_by=("test_mse_loss_value",)),
        Answer("float32 arithmetic", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.mean((y_pred - y_true) ** 2))
'''}, caught_by=("test_mse_loss_reference",)),
        Answer("gradient missing the factor 2", {"mse_grad": _grad_answer("(y_pred - y_true) / y_true.size")},
               caught_by=("test_mse_grad_value", "test_mse_grad_reference")),
        Answer("gradient sign flipped", {"mse_grad": _grad_answer("2.0 * (y_true - y_pred) / y_true.size")},
               caught_by=("test_mse_grad_value", "test_training_reaches_least_squares")),
        Answer("gradient divides by rows, not elements", {"mse_grad": _grad_answer("2.0 * (y_pred - y_true) / len(y_true)")},
               caught_by=("test_mse_grad_value", "test_mse_grad_reference")),
        Answer("gradient without the 1/n", {"mse_grad": _grad_answer("2.0 * (y_pred - y_true)")},
               caught_by=("test_mse_grad_value", "test_linear_regression_grads")),
        Answer("bias gradient forgotten", {"linear_regression_grads": '''
def linear_regression_grads(X, y, w, b):
    g = mse_grad(y, X @ w + b)
    return X.T @ g, 0.0
'''}, caught_by=("test_linear_regression_grads", "test_training_reaches_least_squares")),
        Answer("training jumps to the least-squares solution", {"train_linear_regression": '''
def train_linear_regression(X, y, lr=0.1, n_steps=500):
    A = np.column_stack([X, np.ones(len(X))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], float(theta[-1])
'''}, caught_by=("test_training_reaches_least_squares",)),
        Answer("gradient without the empty-array check", {"mse_grad": '''
def mse_grad(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError("모양이 다릅니다")
    return 2.0 * (y_pred - y_true) / max(y_true.size, 1)
'''}, why="an empty batch silently gives an empty gradient", caught_by=("test_mse_grad_errors",)),
        Answer("loss reshapes the prediction when the sizes match", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.size != y_pred.size or y_true.size == 0:
        raise ValueError("크기가 다릅니다")
    return float(np.mean((y_pred.reshape(y_true.shape) - y_true) ** 2))
'''}, why="a 'friendly' reshape hides the (n,1)-vs-(n,) bug the check is there to catch",
               caught_by=("test_mse_loss_errors",)),
        Answer("training updates b with the gradient at the new w", {"train_linear_regression": '''
def train_linear_regression(X, y, lr=0.1, n_steps=500):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        grad_w, _ = linear_regression_grads(X, y, w, b)
        w = w - lr * grad_w
        _, grad_b = linear_regression_grads(X, y, w, b)
        b = b - lr * grad_b
    return w, b
'''}, why="it still converges to least squares, but it is not the gradient step the task defines",
               caught_by=("test_training_reaches_least_squares",)),
        Answer("training ascends the gradient", {"train_linear_regression": '''
def train_linear_regression(X, y, lr=0.1, n_steps=500):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        grad_w, grad_b = linear_regression_grads(X, y, w, b)
        w, b = w + lr * grad_w, b + lr * grad_b
    return w, b
'''}, caught_by=("test_training_reaches_least_squares",)),
        Answer("NLL: variance not clipped", {"gaussian_nll_loss": _nll_answer(clip="")},
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: eps added to the variance", {"gaussian_nll_loss": _nll_answer(clip="""
    var = var + eps""")}, why="what the docstring of F.gaussian_nll_loss says; its code clamps",
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: clipped only inside the log", {"gaussian_nll_loss": _nll_answer(
            clip="", terms="0.5 * (np.log(np.maximum(var, eps)) + (y_true - mean) ** 2 / var)")},
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: the standard deviation clipped instead of the variance", {"gaussian_nll_loss": _nll_answer(
            clip="""
    var = np.maximum(np.sqrt(var), eps) ** 2""")}, why="sigma >= eps is var >= eps**2",
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: clipped before the negative check", {"gaussian_nll_loss": _nll_answer(
            negative=NLL_PARTS["clip"], clip=NLL_PARTS["negative"])},
               why="a negative variance becomes eps and passes", caught_by=("test_gaussian_nll_errors",)),
        Answer("NLL: negative variance accepted", {"gaussian_nll_loss": _nll_answer(negative="")},
               caught_by=("test_gaussian_nll_errors",)),
        Answer("NLL: a variance of 0 rejected", {"gaussian_nll_loss": _nll_answer(negative="""
    if np.any(var <= 0):
        raise ValueError("분산은 양수")""")}, why="torch clips 0 to eps",
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: constant added although full=False", {"gaussian_nll_loss": _nll_answer(
            constant="0.5 * np.log(2 * np.pi)")},
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: log 2 pi without the half", {"gaussian_nll_loss": _nll_answer(
            constant="np.log(2 * np.pi) if full else 0.0")},
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: sum instead of mean", {"gaussian_nll_loss": _nll_answer(reduce="float(np.sum(per_element))")},
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_reference")),
        Answer("NLL: an array, not a float", {"gaussian_nll_loss": _nll_answer(
            reduce="np.mean(per_element, keepdims=True)")}, caught_by=("test_gaussian_nll_value",)),
        Answer("NLL: float32 arithmetic", {"gaussian_nll_loss": _nll_answer(dtype="None")},
               caught_by=("test_gaussian_nll_reference",)),
        Answer("NLL: y_true and mean not compared", {"gaussian_nll_loss": _nll_answer(checks="""
    if mean.size == 0:
        raise ValueError("빈 배열")""")}, caught_by=("test_gaussian_nll_errors",)),
        Answer("NLL: var broadcast by NumPy's rules", {"gaussian_nll_loss": _nll_answer(var_shapes="")},
               why="(n,) with var (n,1) silently becomes (n,n); var (n,) meets the last axis",
               caught_by=("test_gaussian_nll_errors", "test_gaussian_nll_reference")),
        Answer("NLL: var must have the shape of mean", {"gaussian_nll_loss": _nll_answer(var_shapes="""
    if var.ndim and var.shape != mean.shape:
        raise ValueError("var의 모양")""")}, why="the shared-variance shapes torch accepts are refused",
               caught_by=("test_gaussian_nll_reference",)),
        Answer("NLL: PyTorch's built-in behind the course's checks", {"gaussian_nll_loss": '''
def gaussian_nll_loss(y_true, mean, var, full=False, eps=1e-6):
    y_true = np.asarray(y_true, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    if y_true.shape != mean.shape or mean.size == 0:
        raise ValueError("y_true와 mean의 모양")
    var = float(var) if np.ndim(var) == 0 else torch.as_tensor(np.asarray(var, dtype=np.float64))
    return torch.nn.functional.gaussian_nll_loss(torch.as_tensor(mean), torch.as_tensor(y_true), var,
                                                 full=full, eps=eps).item()
'''}, why="the problem asks for the formula; the tests block the built-in",
               caught_by=("test_gaussian_nll_value", "test_gaussian_nll_errors", "test_gaussian_nll_reference")),
        # ---- added for issue 14: inputs modified in place, mean over the wrong axis, float32 gradient
        Answer("loss writes the residual into y_pred (out=y_pred)", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return float(np.mean(np.subtract(y_pred, y_true, out=y_pred) ** 2))
'''}, why="np.asarray does not copy a float64 array: the caller's predictions become residuals",
            caught_by=("test_mse_loss_value",)),
        Answer("loss averages over axis 0 only", {"mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return float(np.mean((y_pred - y_true) ** 2, axis=0))
'''}, why="a 2-D input leaves one number per column that float() cannot take",
            caught_by=("test_mse_loss_reference",)),
        Answer("gradient subtracts in place (y_pred -= y_true)", {"mse_grad": _grad_answer(
            "2.0 * np.subtract(y_pred, y_true, out=y_pred) / y_true.size")},
            why="the caller's predictions become residuals", caught_by=("test_mse_grad_value",)),
        Answer("gradient computed in the input's float32", {"mse_grad": '''
def mse_grad(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return 2 * (y_pred - y_true) / y_true.size
'''}, caught_by=("test_mse_grad_reference",)),
        Answer("NLL: variance clipped in place (np.maximum(var, eps, out=var))", {"gaussian_nll_loss": _nll_answer(
            clip="""
    np.maximum(var, eps, out=var)""")}, why="the caller's variance array is overwritten with the clipped one",
            caught_by=("test_gaussian_nll_value",)),
    ],
    right_answers=[
        Answer("NLL clips its own copy of var in place (np.array copies)", {"gaussian_nll_loss": _nll_answer(
            clip="""
    var = np.array(var, dtype=np.float64)        # a copy: the in-place clip below leaves the caller's array alone
    np.maximum(var, eps, out=var)""")}),
        Answer("explicit loops", {
            "mse_loss": '''
def mse_loss(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("모양이 다릅니다")
    if a.size == 0:
        raise ValueError("빈 배열")
    total = 0.0
    for t, p in zip(a.ravel(), b.ravel()):
        total += (p - t) ** 2
    return total / a.size
''',
            "mse_grad": '''
def mse_grad(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("모양이 다릅니다")
    out = np.empty_like(b)
    for i in np.ndindex(b.shape):
        out[i] = 2.0 * (b[i] - a[i]) / a.size
    return out
'''}),
        Answer("PyTorch with autograd", {
            "mse_loss": '''
import torch
def mse_loss(y_true, y_pred):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(y_pred, dtype=np.float64))
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    return torch.nn.functional.mse_loss(p, t).item()
''',
            "mse_grad": '''
def mse_grad(y_true, y_pred):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.tensor(np.asarray(y_pred, dtype=np.float64), requires_grad=True)
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    torch.nn.functional.mse_loss(p, t).backward()
    return p.grad.numpy()
'''}),
        Answer("float32 inputs cast explicitly, gradient by formula in training", {
            "mse_loss": '''
def mse_loss(y_true, y_pred):
    y_true = np.array(y_true).astype(np.float64)
    y_pred = np.array(y_pred).astype(np.float64)
    if np.shape(y_true) != np.shape(y_pred):
        raise ValueError(f"shape mismatch {np.shape(y_true)} {np.shape(y_pred)}")
    if not y_true.size:
        raise ValueError("empty")
    diff = y_pred - y_true
    return float(diff.ravel() @ diff.ravel() / diff.size)
''',
            "train_linear_regression": '''
def train_linear_regression(X, y, lr=0.1, n_steps=500):
    n, d = X.shape
    theta = np.zeros(d + 1)
    A = np.hstack([X, np.ones((n, 1))])
    for step in range(n_steps):
        theta -= lr * A.T @ (2.0 / n * (A @ theta - y))
    return theta[:d], theta[d]
'''}),
        Answer("NLL from scipy's normal log-density", {"gaussian_nll_loss": '''
from scipy.stats import norm

def gaussian_nll_loss(y_true, mean, var, full=False, eps=1e-6):
    y, mu, v = (np.array(a, dtype=float) for a in (y_true, mean, var))
    if y.shape != mu.shape:
        raise ValueError("shape")
    if y.size == 0:
        raise ValueError("empty")
    if (v < 0).any():
        raise ValueError("negative variance")
    if v.ndim > 0 and v.shape == mu.shape[:-1]:
        v = v.reshape(v.shape + (1,))
    if v.ndim > 0:
        mismatched = [i for i in range(v.ndim) if v.ndim != mu.ndim or v.shape[i] != mu.shape[i]]
        if v.ndim != mu.ndim or len(mismatched) > 1 or any(v.shape[i] != 1 for i in mismatched):
            raise ValueError("var shape")
    sigma = np.sqrt(np.maximum(np.broadcast_to(v, mu.shape), eps))
    nll = -norm.logpdf(y, loc=mu, scale=sigma)
    if not full:
        nll -= 0.5 * np.log(2 * np.pi)
    return float(nll.mean())
'''}),
        Answer("NLL with torch.distributions.Normal", {"gaussian_nll_loss": '''
import math
import torch

def gaussian_nll_loss(y_true, mean, var, full=False, eps=1e-6):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    mu = torch.as_tensor(np.asarray(mean, dtype=np.float64))
    v = torch.as_tensor(np.asarray(var, dtype=np.float64))
    if y.shape != mu.shape or mu.numel() == 0:
        raise ValueError("y_true와 mean의 모양이 다르거나 비었습니다")
    if v.dim() > 0 and v.shape != mu.shape:
        if v.shape == mu.shape[:-1]:
            v = v.unsqueeze(-1)
        elif v.dim() != mu.dim() or [a == b or a == 1 for a, b in zip(v.shape, mu.shape)].count(False) \
                or [a != b for a, b in zip(v.shape, mu.shape)].count(True) != 1:
            raise ValueError("var의 모양이 맞지 않습니다")
    if bool((v < 0).any()):
        raise ValueError("음수 분산")
    nll = -torch.distributions.Normal(mu, v.clamp(min=eps).sqrt()).log_prob(y)
    if not full:
        nll = nll - 0.5 * math.log(2 * math.pi)
    return nll.mean().item()
'''}),
        Answer("NLL by an explicit loop over elements", {"gaussian_nll_loss": '''
import math

def gaussian_nll_loss(y_true, mean, var, full=False, eps=1e-6):
    y, mu, v = np.asarray(y_true, dtype=np.float64), np.asarray(mean, dtype=np.float64), np.asarray(var, dtype=np.float64)
    if y.shape != mu.shape or not y.size:
        raise ValueError("모양")
    if np.min(v) < 0:
        raise ValueError("음수 분산")
    if v.ndim == 0:
        pick = lambda idx: v[()]
    elif v.shape == mu.shape[:-1]:
        pick = lambda idx: v[idx[:-1]]
    elif v.ndim == mu.ndim and all(a in (b, 1) for a, b in zip(v.shape, mu.shape)) \
            and sum(a != b for a, b in zip(v.shape, mu.shape)) <= 1:
        pick = lambda idx: v[tuple(0 if a == 1 else i for i, a in zip(idx, v.shape))]
    else:
        raise ValueError("var의 모양")
    total = 0.0
    for idx in np.ndindex(mu.shape):
        s2 = max(float(pick(idx)), eps)
        total += 0.5 * (math.log(s2) + (y[idx] - mu[idx]) ** 2 / s2) + (0.5 * math.log(2 * math.pi) if full else 0.0)
    return total / mu.size
'''}),
    ],
)
