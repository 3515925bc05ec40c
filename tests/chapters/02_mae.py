"""Chapter 2 (MAE): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import mean_absolute_error, mean_pinball_loss

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad, torch_loss
from support.strategies import finite_floats, same_shape_pair


def _away_from_zero_pair(max_side=4):
    """(y_true, y_pred) whose residuals are all at least 0.1 from zero, where |r| is differentiable."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=max_side)

    def pair(shape):
        y = hnp.arrays(np.float64, shape, elements=finite_floats(100.0))
        gap = hnp.arrays(np.float64, shape, elements=st.floats(0.1, 50.0))
        sign = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
        return st.tuples(y, gap, sign).map(lambda t: (t[0], t[0] + t[1] * t[2]))

    return shapes.flatmap(pair)


def _with_ties(pairs):
    """Pairs where about half of the predictions equal the truth exactly (residual 0)."""
    return pairs.map(lambda t: (t[0], np.where(np.arange(t[0].size).reshape(t[0].shape) % 2 == 0, t[0], t[1])))


def _pinball_cases():
    shapes = hnp.array_shapes(min_dims=1, max_dims=1, min_side=1, max_side=20)
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=finite_floats(1e4)),
        hnp.arrays(np.float64, shape, elements=finite_floats(1e4)),
        st.floats(0.01, 0.99),
    ))


def _fd_grad(y_true, y_pred):
    return central_difference(lambda p: float(np.mean(np.abs(p - y_true))), y_pred)


def _sk_pinball(y_true, y_pred, quantile):
    return float(mean_pinball_loss(y_true, y_pred, alpha=quantile))


CHECKED_LOSS = '''
def mae_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return float(np.mean(np.abs(y_pred - y_true)))
'''


def _loss_answer(body, check="y_true.shape != y_pred.shape or y_true.size == 0", dtype="np.float64"):
    """An mae_loss answer with the given return expression of r = ŷ − y and (possibly wrong) input check."""
    return f'''
def mae_loss(y_true, y_pred):
    y_true = np.asarray(y_true, dtype={dtype})
    y_pred = np.asarray(y_pred, dtype={dtype})
    if {check}:
        raise ValueError("모양이 다릅니다")
    r = y_pred - y_true
    return {body}
'''

def _grad_answer(body):
    """An mae_grad answer with a correct shape check and the given return expression of r = ŷ − y."""
    return f'''
def mae_grad(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    r = y_pred - y_true
    return {body}
'''


def _pinball_answer(body, check=True):
    guard = '''    if not 0.0 < quantile < 1.0:
        raise ValueError("quantile")
''' if check else ""
    return f'''
def pinball_loss(y_true, y_pred, quantile=0.5):
{guard}    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    diff = y_true - y_pred
    return {body}
'''


def _train_answer(step, bias_update="b - step * float(np.sum(g))"):
    return f'''
def train_median_regression(X, y, lr0=5.0, n_steps=2000):
    w, b = np.zeros(X.shape[1]), 0.0
    for t in range(n_steps):
        g = mae_grad(y, X @ w + b)
        step = {step}
        w, b = w - step * (X.T @ g), {bias_update}
    return w, b
'''


CHAPTER = Chapter(
    agrees=[
        Agrees("mae_loss", torch_loss(F.l1_loss), same_shape_pair(), name="torch l1_loss"),
        Agrees("mae_loss", mean_absolute_error, same_shape_pair(max_dims=2), name="sklearn mean_absolute_error"),
        Agrees("mae_grad", torch_grad(F.l1_loss), same_shape_pair(), name="torch autograd"),
        Agrees("mae_grad", torch_grad(F.l1_loss), _with_ties(same_shape_pair(bound=1e3)),
               name="torch autograd with exact ties (0 at residual 0)"),
        Agrees("mae_grad", _fd_grad, _away_from_zero_pair(), rtol=1e-6, atol=1e-8,
               name="finite differences away from 0"),
        Agrees("pinball_loss", _sk_pinball, _pinball_cases(), name="sklearn mean_pinball_loss"),
    ],
    exact=[
        Exact("mae_loss", (np.zeros(4), np.full(4, 1e300)), 1e300, name="huge but finite residuals"),
        Exact("mae_loss", (np.array([1.0, 2.0]), np.array([1.0, 2.0])), 0.0, name="perfect prediction"),
        Exact("mae_loss", (np.array([0.0], dtype=np.float32), np.array([1e-3], dtype=np.float32)),
              float(np.float64(np.float32(1e-3))), rtol=1e-12, name="float32 input computed in float64"),
        Exact("mae_loss", (np.arange(5), np.arange(5) - 3), 3.0, name="integer input"),
        Exact("mae_grad", (np.zeros((2, 2)), np.array([[1.0, -2.0], [0.0, 5.0]])),
              np.array([[0.25, -0.25], [0.0, 0.25]]), name="n counts all elements; 0 at a tie"),
        Exact("mae_grad", (np.arange(3), np.arange(3)), np.zeros(3), name="all residuals zero"),
        Exact("mae_grad", (np.zeros(2), np.array([1e-300, -1e-300])), np.array([0.5, -0.5]),
              name="tiny nonzero residuals keep their sign"),
        Exact("pinball_loss", (np.array([40.0, 20.0]), np.array([30.0, 30.0]), 0.9), 5.0,
              name="q=0.9: under-prediction costs 0.9, over-prediction 0.1"),
        Exact("pinball_loss", (np.array([0.0, 0.0]), np.array([-3.0, 1.0]), 0.5), 1.0, name="q=0.5 is half the MAE"),
    ],
    raises=[
        Raises("mae_loss", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mae_loss", (np.zeros(3), np.zeros((3, 1))), name="(n,) vs (n,1)"),
        Raises("mae_loss", (np.zeros(4), np.zeros(3)), name="different lengths"),
        Raises("mae_loss", (np.array([]), np.array([])), name="empty"),
        Raises("mae_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mae_grad", (np.array([]), np.array([])), name="empty"),
        Raises("pinball_loss", (np.zeros(3), np.zeros(3), 0.0), name="quantile 0"),
        Raises("pinball_loss", (np.zeros(3), np.zeros(3), 1.0), name="quantile 1"),
        Raises("pinball_loss", (np.zeros(3), np.zeros(3), -0.2), name="negative quantile"),
        Raises("pinball_loss", (np.zeros((3, 1)), np.zeros(3), 0.5), name="(n,1) vs (n,)"),
    ],
    wrong_answers=[
        Answer("sum instead of mean", {"mae_loss": '''
def mae_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.sum(np.abs(y_pred - y_true)))
'''}, caught_by=("test_mae_loss_value", "test_mae_loss_reference")),
        Answer("silent (N,1)-vs-(N,) broadcast", {"mae_loss": '''
def mae_loss(y_true, y_pred):
    return float(np.mean(np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))))
'''}, caught_by=("test_mae_loss_errors",)),
        Answer("float32 arithmetic", {"mae_loss": '''
def mae_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.mean(np.abs(y_pred - y_true)))
'''}, caught_by=("test_mae_loss_reference",)),
        Answer("gradient sign flipped", {"mae_grad": _grad_answer("np.sign(-r) / r.size")},
               caught_by=("test_mae_grad_value", "test_mae_grad_reference", "test_training_reaches_lad")),
        Answer("gradient 1 at zero: np.where(r >= 0, 1, -1)", {"mae_grad": _grad_answer("np.where(r >= 0, 1.0, -1.0) / r.size")},
               caught_by=("test_mae_grad_at_zero",)),
        Answer("gradient 1 at zero: np.sign(r + eps)", {"mae_grad": _grad_answer("np.sign(r + 1e-12) / r.size")},
               caught_by=("test_mae_grad_at_zero",)),
        Answer("gradient r/|r| (NaN at zero)", {"mae_grad": _grad_answer("r / np.abs(r) / r.size")},
               caught_by=("test_mae_grad_at_zero",)),
        Answer("gradient without the 1/n", {"mae_grad": _grad_answer("np.sign(r)")},
               caught_by=("test_mae_grad_value", "test_mae_grad_reference", "test_training_reaches_lad")),
        Answer("gradient divides by rows, not elements", {"mae_grad": _grad_answer("np.sign(r) / len(r)")},
               caught_by=("test_mae_grad_value", "test_mae_grad_at_zero", "test_mae_grad_reference")),
        Answer("MSE-style gradient 2(ŷ−y)/n", {"mae_grad": _grad_answer("2.0 * r / r.size")},
               caught_by=("test_mae_grad_value", "test_mae_grad_reference", "test_training_reaches_lad")),
        Answer("gradient without a shape check", {"mae_grad": '''
def mae_grad(y_true, y_pred):
    return np.sign(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)) / np.size(y_pred)
'''}, caught_by=("test_mae_grad_errors",)),
        Answer("pinball with q and 1−q swapped", {"pinball_loss": _pinball_answer(
            "float(np.mean(np.maximum((1 - quantile) * diff, -quantile * diff)))")},
               caught_by=("test_pinball_value", "test_pinball_reference")),
        Answer("pinball without the quantile check", {"pinball_loss": _pinball_answer(
            "float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))", check=False)},
               caught_by=("test_pinball_reference",)),
        Answer("pinball equal to the MAE at q = 0.5 (missing the ½)", {"pinball_loss": _pinball_answer(
            "float(np.mean(np.where(diff >= 0, 2 * quantile * diff, -2 * (1 - quantile) * diff)))")},
               caught_by=("test_pinball_value", "test_pinball_reference")),
        Answer("training with a constant step", {"train_median_regression": _train_answer("lr0")},
               caught_by=("test_training_reaches_lad",)),
        Answer("training with step lr0/(t+1)", {"train_median_regression": _train_answer("lr0 / (t + 1)")},
               caught_by=("test_training_reaches_lad",)),
        Answer("training forgets the bias", {"train_median_regression": _train_answer("lr0 / np.sqrt(t + 1)", "b")},
               caught_by=("test_training_reaches_lad",)),
        Answer("training jumps to the LP solution", {"train_median_regression": '''
def train_median_regression(X, y, lr0=5.0, n_steps=2000):
    from sklearn.linear_model import QuantileRegressor
    lad = QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(X, y)
    return lad.coef_, float(lad.intercept_)
'''}, caught_by=("test_training_reaches_lad",)),
        Answer("training fits the mean (MSE gradient inside the loop)", {"train_median_regression": '''
def train_median_regression(X, y, lr0=5.0, n_steps=2000):
    w, b = np.zeros(X.shape[1]), 0.0
    for t in range(n_steps):
        g = 2.0 * (X @ w + b - y) / len(y)
        step = min(0.5, lr0 / np.sqrt(t + 1))
        w, b = w - step * (X.T @ g), b - step * g.sum()
    return w, b
'''}, caught_by=("test_training_reaches_lad",)),
        # ---- added for issue 14: more plausible wrong answers
        Answer("loss without the empty check", {"mae_loss": _loss_answer("float(np.mean(np.abs(r)))",
                                                                        check="y_true.shape != y_pred.shape")},
               why="the mean of nothing is NaN (with a warning), not an error", caught_by=("test_mae_loss_errors",)),
        Answer("median absolute error instead of the mean", {"mae_loss": _loss_answer("float(np.median(np.abs(r)))")},
               why="equal to the MAE on the visible example (5, 0, 10), not in general",
               caught_by=("test_mae_loss_value", "test_mae_loss_reference")),
        Answer("loss returns a 1-element array (keepdims)", {"mae_loss": _loss_answer("np.mean(np.abs(r), keepdims=True)")},
               caught_by=("test_mae_loss_value",)),
        Answer("loss averages over axis 0 only", {"mae_loss": _loss_answer("float(np.mean(np.abs(r), axis=0))")},
               why="a (2, 2) input leaves two numbers that float() cannot take", caught_by=("test_mae_loss_value",)),
        Answer("loss writes the residual into y_pred (out=y_pred)", {"mae_loss": _loss_answer(
            "float(np.mean(np.abs(np.subtract(y_pred, y_true, out=y_pred))))")},
            why="np.asarray does not copy a float64 array: the caller's predictions become residuals",
            caught_by=("test_mae_loss_value",)),
        Answer("gradient zeroes residuals below a tolerance (|r| < 1e-8)", {"mae_grad": _grad_answer(
            "np.where(np.abs(r) < 1e-8, 0.0, np.sign(r)) / r.size")},
            why="a residual of 1e-9 minutes is not a tie", caught_by=("test_mae_grad_value",)),
        Answer("gradient computed in the input's float32", {"mae_grad": '''
def mae_grad(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    return np.sign(y_pred - y_true) / y_true.size
'''}, caught_by=("test_mae_grad_reference",)),
        Answer("gradient without the empty check", {"mae_grad": '''
def mae_grad(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError("모양이 다릅니다")
    return np.sign(y_pred - y_true) / max(y_true.size, 1)
'''}, caught_by=("test_mae_grad_errors",)),
        Answer("gradient subtracts in place (y_pred -= y_true)", {"mae_grad": '''
def mae_grad(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양이 다릅니다")
    y_pred -= y_true
    return np.sign(y_pred) / y_pred.size
'''}, why="the caller's predictions become residuals", caught_by=("test_mae_grad_value",)),
        Answer("pinball accepts quantile 0 and 1 (closed interval)", {"pinball_loss": '''
def pinball_loss(y_true, y_pred, quantile=0.5):
    if not 0.0 <= quantile <= 1.0:
        raise ValueError("quantile")
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    diff = y_true - y_pred
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))
'''}, why="q = 0 or 1 makes one side free: the minimiser runs off to ±inf", caught_by=("test_pinball_reference",)),
        Answer("pinball without the shape check", {"pinball_loss": '''
def pinball_loss(y_true, y_pred, quantile=0.5):
    if not 0.0 < quantile < 1.0:
        raise ValueError("quantile")
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    if diff.size == 0:
        raise ValueError("빈 배열")
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))
'''}, caught_by=("test_pinball_reference",)),
        Answer("pinball with the same weight q on both sides", {"pinball_loss": _pinball_answer(
            "float(np.mean(quantile * np.abs(diff)))")},
            why="equal to the pinball loss only at q = 0.5", caught_by=("test_pinball_value", "test_pinball_reference")),
        Answer("training updates b with the mean of the gradient", {"train_median_regression": _train_answer(
            "lr0 / np.sqrt(t + 1)", "b - step * float(np.mean(g))")},
            why="g already carries the 1/n: the bias moves n times too slowly", caught_by=("test_training_reaches_lad",)),
        Answer("training does n_steps - 1 updates (range(1, n_steps), step lr0/√t)", {"train_median_regression": '''
def train_median_regression(X, y, lr0=5.0, n_steps=2000):
    w, b = np.zeros(X.shape[1]), 0.0
    for t in range(1, n_steps):
        g = mae_grad(y, X @ w + b)
        w, b = w - lr0 / np.sqrt(t) * (X.T @ g), b - lr0 / np.sqrt(t) * float(np.sum(g))
    return w, b
'''}, caught_by=("test_training_reaches_lad",)),
    ],
    right_answers=[
        Answer("gradient by in-place operations on a copy", {"mae_grad": '''
def mae_grad(y_true, y_pred):
    r = np.array(y_pred, dtype=np.float64)          # np.array copies, so -= below is safe
    y_true = np.asarray(y_true, dtype=np.float64)
    if r.shape != y_true.shape or r.size == 0:
        raise ValueError("모양이 다릅니다")
    r -= y_true
    np.sign(r, out=r)
    r /= r.size
    return r
'''}),
        Answer("explicit loops", {
            "mae_loss": '''
def mae_loss(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("모양이 다릅니다")
    if a.size == 0:
        raise ValueError("빈 배열")
    total = 0.0
    for t, p in zip(a.ravel(), b.ravel()):
        total += abs(p - t)
    return total / a.size
''',
            "mae_grad": '''
def mae_grad(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("모양이 다릅니다")
    n = a.size
    out = []
    for t, p in zip(a.ravel().tolist(), b.ravel().tolist()):
        out.append(1.0 / n if p > t else (-1.0 / n if p < t else 0.0))
    return np.array(out, dtype=np.float64).reshape(b.shape)
''',
            "pinball_loss": '''
def pinball_loss(y_true, y_pred, quantile=0.5):
    if quantile <= 0 or quantile >= 1:
        raise ValueError("quantile은 (0, 1) 안이어야 합니다")
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("모양이 다릅니다")
    total = 0.0
    for t, p in zip(a.ravel(), b.ravel()):
        total += quantile * (t - p) if t >= p else (1 - quantile) * (p - t)
    return total / a.size
'''}),
        Answer("PyTorch with autograd", {
            "mae_loss": '''
import torch
def mae_loss(y_true, y_pred):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(y_pred, dtype=np.float64))
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    return torch.nn.functional.l1_loss(p, t).item()
''',
            "mae_grad": '''
def mae_grad(y_true, y_pred):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.tensor(np.asarray(y_pred, dtype=np.float64), requires_grad=True)
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    torch.nn.functional.l1_loss(p, t).backward()   # abs의 역전파는 sgn: 0에서 0
    return p.grad.numpy()
''',
            "pinball_loss": '''
def pinball_loss(y_true, y_pred, quantile=0.5):
    if not 0 < quantile < 1:
        raise ValueError("quantile")
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(y_pred, dtype=np.float64))
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    d = t - p
    return torch.maximum(quantile * d, (quantile - 1) * d).mean().item()
'''}),
        Answer("comparisons instead of np.sign, float32 cast explicitly, augmented-matrix training", {
            "mae_loss": '''
def mae_loss(y_true, y_pred):
    y_true = np.array(y_true).astype(np.float64)
    y_pred = np.array(y_pred).astype(np.float64)
    if np.shape(y_true) != np.shape(y_pred):
        raise ValueError(f"shape mismatch {np.shape(y_true)} {np.shape(y_pred)}")
    if not y_true.size:
        raise ValueError("empty")
    return float(np.abs(y_pred - y_true).sum() / y_true.size)
''',
            "mae_grad": '''
def mae_grad(y_true, y_pred):
    y_true = np.array(y_true).astype(np.float64)
    y_pred = np.array(y_pred).astype(np.float64)
    if y_true.shape != y_pred.shape or not y_true.size:
        raise ValueError("shape mismatch")
    over = (y_pred > y_true).astype(np.float64)
    under = (y_pred < y_true).astype(np.float64)
    return (over - under) / y_true.size
''',
            "pinball_loss": '''
def pinball_loss(y_true, y_pred, quantile=0.5):
    y_true = np.array(y_true).astype(np.float64)
    y_pred = np.array(y_pred).astype(np.float64)
    if not (0.0 < quantile < 1.0) or y_true.shape != y_pred.shape or not y_true.size:
        raise ValueError("invalid input")
    r = y_pred - y_true
    return float(np.mean(np.where(r < 0, -quantile * r, (1 - quantile) * r)))
''',
            "train_median_regression": '''
def train_median_regression(X, y, lr0=5.0, n_steps=2000):
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    steps = lr0 / np.sqrt(np.arange(1, n_steps + 1))
    for eta in steps:
        theta = theta - eta * A.T @ mae_grad(y, A @ theta)
    return theta[:d], theta[d]
'''}),
    ],
)
