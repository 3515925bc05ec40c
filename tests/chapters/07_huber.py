"""Chapter 7 (Huber): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch.nn.functional as F
from hypothesis import strategies as st

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad, torch_loss
from support.strategies import same_shape_pair


def _with_delta(pairs, low=1e-3, high=1e3):
    """(y_true, y_pred, delta) with delta drawn log-uniformly, so both branches are exercised."""
    return st.tuples(pairs, st.floats(np.log(low), np.log(high))).map(
        lambda t: (t[0][0], t[0][1], float(np.exp(t[1]))))


def _torch_huber(y_true, y_pred, delta):
    return torch_loss(lambda p, t: F.huber_loss(p, t, delta=delta))(y_true, y_pred)


def _torch_huber_grad(y_true, y_pred, delta):
    return torch_grad(lambda p, t: F.huber_loss(p, t, delta=delta))(y_true, y_pred)


def _closed_form_huber(y_true, y_pred, delta):
    r = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
    with np.errstate(over="ignore"):
        return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def _fd_grad(y_true, y_pred, delta):
    return central_difference(lambda p: _closed_form_huber(y_true, p, delta), y_pred)


def _torch_smooth_l1(y_true, y_pred, beta):
    return torch_loss(lambda p, t: F.smooth_l1_loss(p, t, beta=beta))(y_true, y_pred)


CHECKS = '''
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    if not delta > 0:
        raise ValueError("delta")
'''


def _loss_answer(body):
    """A huber_loss answer with correct checks, r = y_pred − y_true, a = |r|, and the given body."""
    return "def huber_loss(y_true, y_pred, delta=1.0):" + CHECKS + \
        "    r = y_pred - y_true\n    a = np.abs(r)\n" + body


def _grad_answer(expression):
    """A huber_grad answer with correct checks and the given return expression."""
    return "def huber_grad(y_true, y_pred, delta=1.0):" + CHECKS + \
        f"    r = y_pred - y_true\n    return {expression}\n"


def _robust_answer(mad, value):
    """A robust_delta answer with the checks, the scale `mad` and the returned `value` given."""
    return ("def robust_delta(residuals, k=1.345):\n    r = np.asarray(residuals, dtype=float).ravel()\n"
            f"    mad = {mad} if r.size else 0.0\n"
            "    if not k > 0 or not mad > 0:\n        raise ValueError('입력')\n"
            f"    return float({value})\n")


def _train_answer(steps="n_steps", grad="y, X @ w + b, delta", b_step="np.sum(g)"):
    """A train_huber_regression answer: gradient descent from (0, 0) with the given loop pieces."""
    return ("def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):\n    w, b = np.zeros(X.shape[1]), 0.0\n"
            f"    for _ in range({steps}):\n        g = huber_grad({grad})\n"
            f"        w, b = w - lr * X.T @ g, b - lr * float({b_step})\n    return w, b\n")


CHAPTER = Chapter(
    agrees=[
        Agrees("huber_loss", _torch_huber, _with_delta(same_shape_pair(bound=1e4)), rtol=1e-9,
               name="torch huber_loss"),
        Agrees("huber_loss", _closed_form_huber, _with_delta(same_shape_pair()), name="closed form"),
        Agrees("huber_grad", _torch_huber_grad, _with_delta(same_shape_pair(bound=1e4)), name="torch autograd"),
        Agrees("huber_grad", _fd_grad, _with_delta(same_shape_pair(bound=10.0, max_side=4), low=0.1, high=10.0),
               rtol=1e-5, atol=1e-6, name="finite differences"),
        Agrees("smooth_l1_loss", _torch_smooth_l1, _with_delta(same_shape_pair(bound=1e4)),
               name="torch smooth_l1_loss"),
    ],
    exact=[
        Exact("huber_loss", (np.zeros(3), np.array([0.5, 2.0, -3.0]), 1.5), (0.125 + 1.875 + 3.375) / 3,
              name="both branches by hand"),
        Exact("huber_loss", (np.zeros(1), np.array([1.0]), 1.0), 0.5, name="|r| = delta: 0.5 delta^2"),
        Exact("huber_loss", (np.zeros(2), np.array([1e200, -1e200]), 1.0), 1e200, name="huge residuals stay finite"),
        Exact("huber_loss", (np.arange(4), np.arange(4) + 3, 2.0), 2.0 * (3 - 1.0), name="integer input"),
        Exact("huber_loss", (np.array([0.0], dtype=np.float32), np.array([1e-3], dtype=np.float32), 1.0),
              0.5 * float(np.float64(np.float32(1e-3))) ** 2, rtol=1e-12, name="float32 input computed in float64"),
        Exact("huber_grad", (np.ones((2, 2)), np.array([[1.0, 1.2], [-9.0, 31.0]]), 4.0),
              np.array([[0.0, 0.2], [-4.0, 4.0]]) / 4, name="clipped at ±delta, n counts all elements"),
        Exact("huber_grad", (np.zeros(3), np.array([1e300, -1e300, 0.5]), 2.0), np.array([2.0, -2.0, 0.5]) / 3,
              name="huge residuals clip to ±delta/n"),
        Exact("smooth_l1_loss", (np.zeros(2), np.array([1.0, -3.0]), 0.0), 2.0, name="beta = 0 is MAE"),
        Exact("smooth_l1_loss", (np.zeros(3), np.array([0.5, 2.0, -3.0]), 1.5), (0.125 / 1.5 + 1.25 + 2.25) / 3,
              name="smooth L1 = Huber / beta"),
        Exact("robust_delta", (np.array([1.0, 2.0, 3.0, 4.0, 100.0]), 1.0), 1.4826, rtol=1e-4,
              name="MAD x 1.4826"),
        Exact("robust_delta", (np.array([-2.0, 0.0, 1.0, 5.0, -1e9]),), 1.345 * 1.4826 * 2.0, rtol=1e-4,
              name="outlier does not move the MAD"),
    ],
    raises=[
        Raises("huber_loss", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("huber_loss", (np.zeros(3), np.zeros((3, 1))), name="(n,) vs (n,1)"),
        Raises("huber_loss", (np.zeros(4), np.zeros(3)), name="different lengths"),
        Raises("huber_loss", (np.zeros(3), np.ones(3), 0.0), name="delta = 0"),
        Raises("huber_loss", (np.zeros(3), np.ones(3), -1.0), name="delta < 0"),
        Raises("huber_loss", (np.array([]), np.array([])), name="empty"),
        Raises("huber_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("huber_grad", (np.zeros(3), np.ones(3), 0.0), name="delta = 0"),
        Raises("huber_grad", (np.zeros(3), np.ones(3), -2.0), name="delta < 0"),
        Raises("smooth_l1_loss", (np.zeros(3), np.ones(3), -0.5), name="beta < 0"),
        Raises("robust_delta", (np.array([0.0, 0.0, 0.0, 5.0]),), name="MAD = 0"),
        Raises("robust_delta", (np.array([1.0, 2.0, 3.0]), 0.0), name="k = 0"),
    ],
    wrong_answers=[
        Answer("missing the 1/2 in the quadratic branch", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a <= delta, r**2, delta * (a - 0.5 * delta))))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("smooth_l1 (divided by delta) instead of Huber", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a < delta, 0.5 * r**2 / delta, a - 0.5 * delta)))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("branches swapped", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a > delta, 0.5 * r**2, delta * (a - 0.5 * delta))))\n")},
            caught_by=("test_huber_loss_value",)),
        Answer("linear branch without the -delta/2", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a <= delta, 0.5 * r**2, delta * a)))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("delta ignored (always 1)", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a <= 1.0, 0.5 * r**2, a - 0.5)))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("no delta check, silent broadcast", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    a = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_errors",)),
        Answer("gradient not clipped", {"huber_grad": _grad_answer("r / r.size")},
               caught_by=("test_huber_grad_value", "test_huber_grad_reference", "test_training_beats_mse")),
        Answer("gradient sign flipped", {"huber_grad": _grad_answer("np.clip(-r, -delta, delta) / r.size")},
               caught_by=("test_huber_grad_value", "test_training_beats_mse")),
        Answer("gradient missing 1/n", {"huber_grad": _grad_answer("np.clip(r, -delta, delta)")},
               caught_by=("test_huber_grad_value", "test_huber_grad_reference")),
        Answer("gradient clipped at ±1 (smooth L1's), delta ignored", {"huber_grad": _grad_answer(
            "np.clip(r / delta, -1.0, 1.0) / r.size")},
            caught_by=("test_huber_grad_value", "test_huber_grad_reference")),
        Answer("gradient divides by rows, not elements", {"huber_grad": _grad_answer(
            "np.clip(r, -delta, delta) / len(r)")},
            caught_by=("test_huber_grad_value",)),
        Answer("smooth_l1 as Huber / beta, beta = 0 not handled", {"smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    if beta < 0:
        raise ValueError("beta")
    return huber_loss(y_true, y_pred, delta=beta) / beta
'''}, caught_by=("test_smooth_l1_loss",)),
        Answer("smooth_l1 equal to Huber (forgot the 1/beta)", {"smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    if beta == 0:
        return float(np.mean(np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))))
    if beta < 0:
        raise ValueError("beta")
    return huber_loss(y_true, y_pred, delta=beta)
'''}, caught_by=("test_smooth_l1_loss",)),
        Answer("robust_delta with the standard deviation", {"robust_delta": '''
def robust_delta(residuals, k=1.345):
    r = np.asarray(residuals, dtype=float)
    if r.size == 0 or k <= 0 or np.std(r) == 0:
        raise ValueError("입력")
    return float(k * np.std(r))
'''}, caught_by=("test_robust_delta",)),
        Answer("robust_delta without 1.4826", {"robust_delta": '''
def robust_delta(residuals, k=1.345):
    r = np.asarray(residuals, dtype=float)
    mad = np.median(np.abs(r - np.median(r))) if r.size else 0.0
    if k <= 0 or mad == 0:
        raise ValueError("입력")
    return float(k * mad)
'''}, caught_by=("test_robust_delta",)),
        Answer("training jumps to the IRLS solution", {"train_huber_regression": '''
def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    for _ in range(300):
        root_w = np.sqrt(np.minimum(1.0, delta / np.maximum(np.abs(A @ theta - y), 1e-300)))
        theta = np.linalg.lstsq(A * root_w[:, None], y * root_w, rcond=None)[0]
    return theta[:-1], float(theta[-1])
'''}, caught_by=("test_training_beats_mse",)),
        Answer("training with the MSE gradient", {"train_huber_regression": '''
def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        g = 2.0 * (X @ w + b - y) / len(y) / 2.0
        w, b = w - lr * X.T @ g, b - lr * np.sum(g)
    return w, b
'''}, caught_by=("test_training_beats_mse",)),
        # --- grown in issue 15: boundary, scaling, reduction, dtype, checks, mutation
        Answer("quadratic part scaled by 1/delta, linear part right", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a <= delta, 0.5 * r**2 / delta, delta * (a - 0.5 * delta))))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("sum instead of mean", {"huber_loss": _loss_answer(
            "    return float(np.sum(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("divides by the number of rows, not elements", {"huber_loss": _loss_answer(
            "    return float(np.sum(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))) / len(r))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("pseudo-Huber instead of Huber", {"huber_loss": _loss_answer(
            "    return float(np.mean(delta**2 * (np.sqrt(1.0 + (r / delta) ** 2) - 1.0)))\n")},
            caught_by=("test_huber_loss_value", "test_huber_loss_reference")),
        Answer("½r² minus the excess's square: inf − inf at huge residuals", {"huber_loss": _loss_answer(
            "    return float(np.mean(0.5 * a**2 - 0.5 * np.maximum(a - delta, 0.0) ** 2))\n")},
            caught_by=("test_huber_loss_value",)),
        Answer("computes in the input's dtype (float32 stays float32)", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    if not delta > 0:
        raise ValueError("delta")
    a = np.abs(y_pred - y_true)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_reference",)),
        Answer("no empty-input check (mean of nothing is nan)", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or not delta > 0:
        raise ValueError("입력")
    a = np.abs(y_pred - y_true)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_errors",)),
        Answer("shapes compared by size: (3,1) and (3,) broadcast", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.size != y_pred.size or y_true.size == 0 or not delta > 0:
        raise ValueError("입력")
    a = np.abs(y_pred - y_true)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_errors",)),
        Answer("delta = 0 accepted (checks delta < 0 only)", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0 or delta < 0:
        raise ValueError("입력")
    a = np.abs(y_pred - y_true)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_errors",)),
        Answer("overwrites the caller's y_pred with the residuals", {"huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    if np.shape(y_true) != np.shape(y_pred) or np.size(y_true) == 0 or not delta > 0:
        raise ValueError("입력")
    a = np.asarray(y_pred, dtype=np.float64)
    a -= np.asarray(y_true, dtype=np.float64)
    np.abs(a, out=a)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
'''}, caught_by=("test_huber_loss_value",)),
        Answer("gradient zero outside ±delta (trimmed, not clipped)", {"huber_grad": _grad_answer(
            "np.where(np.abs(r) <= delta, r, 0.0) / r.size")},
            caught_by=("test_huber_grad_value", "test_huber_grad_reference")),
        Answer("gradient delta·sign(r) everywhere (MAE's, scaled)", {"huber_grad": _grad_answer(
            "delta * np.sign(r) / r.size")},
            caught_by=("test_huber_grad_value", "test_huber_grad_reference")),
        Answer("gradient with respect to y_true", {"huber_grad": _grad_answer(
            "np.clip(y_true - y_pred, -delta, delta) / r.size")},
            caught_by=("test_huber_grad_value", "test_huber_grad_reference")),
        Answer("gradient in the input's dtype (float32 stays float32)", {"huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0 or not delta > 0:
        raise ValueError("입력")
    return np.clip(y_pred - y_true, -delta, delta) / y_true.size
'''}, caught_by=("test_huber_grad_value",)),
        Answer("gradient without shape check: (3,1) and (3,) broadcast", {"huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.size == 0 or not delta > 0:
        raise ValueError("입력")
    r = y_pred - y_true
    return np.clip(r, -delta, delta) / r.size
'''}, caught_by=("test_huber_grad_errors",)),
        Answer("gradient clips the caller's y_pred in place", {"huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    if np.shape(y_true) != np.shape(y_pred) or np.size(y_true) == 0 or not delta > 0:
        raise ValueError("입력")
    g = np.asarray(y_pred, dtype=np.float64)
    g -= np.asarray(y_true, dtype=np.float64)
    np.clip(g, -delta, delta, out=g)
    g /= g.size
    return g
'''}, caught_by=("test_huber_grad_value",)),
        Answer("smooth_l1 with beta missing from the linear branch", {"smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0 or beta < 0:
        raise ValueError("입력")
    a = np.abs(y_pred - y_true)
    if beta == 0:
        return float(np.mean(a))
    return float(np.mean(np.where(a < beta, 0.5 * a**2 / beta, a - 0.5)))
'''}, caught_by=("test_smooth_l1_loss",)),
        Answer("smooth_l1 without the beta check", {"smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("입력")
    a = np.abs(y_pred - y_true)
    if beta == 0:
        return float(np.mean(a))
    return float(np.mean(np.where(a < beta, 0.5 * a**2 / beta, a - 0.5 * beta)))
'''}, caught_by=("test_smooth_l1_loss",)),
        Answer("robust_delta: MAD without subtracting the median", {"robust_delta": _robust_answer(
            "np.median(np.abs(r))", "k * 1.4826 * mad")},
               caught_by=("test_robust_delta",)),
        Answer("robust_delta: mean absolute deviation", {"robust_delta": _robust_answer(
            "np.mean(np.abs(r - np.mean(r)))", "k * 1.4826 * mad")},
               caught_by=("test_robust_delta",)),
        Answer("robust_delta divides by 1.4826", {"robust_delta": _robust_answer(
            "np.median(np.abs(r - np.median(r)))", "k * mad / 1.4826")},
               caught_by=("test_robust_delta",)),
        Answer("robust_delta ignores k", {"robust_delta": _robust_answer(
            "np.median(np.abs(r - np.median(r)))", "1.345 * 1.4826 * mad")},
               caught_by=("test_robust_delta",)),
        Answer("robust_delta returns 0 when the MAD is 0", {"robust_delta": '''
def robust_delta(residuals, k=1.345):
    r = np.asarray(residuals, dtype=float).ravel()
    if r.size == 0 or not k > 0:
        raise ValueError("입력")
    return float(k * 1.4826 * np.median(np.abs(r - np.median(r))))
'''}, caught_by=("test_robust_delta",)),
        Answer("training never updates b", {"train_huber_regression": '''
def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        w = w - lr * X.T @ huber_grad(y, X @ w + b, delta)
    return w, b
'''}, caught_by=("test_training_beats_mse",)),
        Answer("training with huber_grad's arguments swapped (ascent)",
               {"train_huber_regression": _train_answer(grad="X @ w + b, y, delta")},
               caught_by=("test_training_beats_mse",)),
        Answer("training b with the mean of g (an extra 1/n)",
               {"train_huber_regression": _train_answer(b_step="np.mean(g)")},
               caught_by=("test_training_beats_mse",)),
        Answer("training ignores n_steps (always 2000)", {"train_huber_regression": _train_answer(steps="2000")},
               caught_by=("test_training_beats_mse",)),
        Answer("training starts from the least-squares fit, not (0, 0)", {"train_huber_regression": '''
def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):
    theta = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    w, b = theta[:-1], float(theta[-1])
    for _ in range(n_steps):
        g = huber_grad(y, X @ w + b, delta)
        w, b = w - lr * X.T @ g, b - lr * float(np.sum(g))
    return w, b
'''}, caught_by=("test_training_beats_mse",)),
    ],
    right_answers=[
        Answer("strict boundary |r| < delta (both branches meet there)", {"huber_loss": _loss_answer(
            "    return float(np.mean(np.where(a < delta, 0.5 * r**2, delta * (a - 0.5 * delta))))\n")}),
        Answer("np.where branches and masks", {
            "huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError("모양이 다릅니다")
    if y_true.size == 0 or delta <= 0:
        raise ValueError("빈 배열이거나 delta가 0 이하입니다")
    r = y_pred - y_true
    small = np.abs(r) <= delta
    out = np.empty_like(r)
    out[small] = 0.5 * r[small] ** 2
    out[~small] = delta * (np.abs(r[~small]) - 0.5 * delta)
    return float(out.mean())
''',
            "huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0 or delta <= 0:
        raise ValueError("입력이 잘못되었습니다")
    r = y_pred - y_true
    return np.where(np.abs(r) <= delta, r, delta * np.sign(r)) / r.size
''',
            "smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0 or beta < 0:
        raise ValueError("입력이 잘못되었습니다")
    a = np.abs(y_pred - y_true)
    small = a < beta
    out = a - 0.5 * beta
    out[small] = 0.5 * a[small] ** 2 / beta   # beta = 0이면 small이 비어 있어 나눗셈이 없습니다
    return float(out.mean())
'''}),
        Answer("PyTorch built-ins and autograd", {
            "huber_loss": '''
import torch
def huber_loss(y_true, y_pred, delta=1.0):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(y_pred, dtype=np.float64))
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    if not delta > 0:
        raise ValueError("delta는 양수")
    return torch.nn.functional.huber_loss(p, t, delta=float(delta)).item()
''',
            "huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.tensor(np.asarray(y_pred, dtype=np.float64), requires_grad=True)
    if t.shape != p.shape or t.numel() == 0 or not delta > 0:
        raise ValueError("입력이 잘못되었습니다")
    torch.nn.functional.huber_loss(p, t, delta=float(delta)).backward()
    return p.grad.numpy()
''',
            "smooth_l1_loss": '''
def smooth_l1_loss(y_true, y_pred, beta=1.0):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(y_pred, dtype=np.float64))
    if t.shape != p.shape or t.numel() == 0 or beta < 0:
        raise ValueError("입력이 잘못되었습니다")
    return torch.nn.functional.smooth_l1_loss(p, t, beta=float(beta)).item()
'''}),
        Answer("loop loss, min/max gradient, scipy's MAD and a stacked parameter vector", {
            "huber_loss": '''
def huber_loss(y_true, y_pred, delta=1.0):
    a, b = np.array(y_true).astype(np.float64), np.array(y_pred).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} {b.shape}")
    if not a.size:
        raise ValueError("empty")
    if delta <= 0:
        raise ValueError("delta must be positive")
    total = 0.0
    for t, p in zip(a.ravel(), b.ravel()):
        r = abs(p - t)
        total += 0.5 * r * r if r <= delta else delta * (r - 0.5 * delta)
    return total / a.size
''',
            "huber_grad": '''
def huber_grad(y_true, y_pred, delta=1.0):
    a, b = np.array(y_true).astype(np.float64), np.array(y_pred).astype(np.float64)
    if a.shape != b.shape or not a.size or delta <= 0:
        raise ValueError("bad input")
    return np.minimum(np.maximum(b - a, -delta), delta) * (1.0 / a.size)
''',
            "robust_delta": '''
from scipy.stats import median_abs_deviation
def robust_delta(residuals, k=1.345):
    r = np.asarray(residuals, dtype=float)
    if r.size == 0 or k <= 0:
        raise ValueError("bad input")
    sigma = median_abs_deviation(r, scale="normal")
    if sigma == 0:
        raise ValueError("MAD = 0")
    return float(k * sigma)
''',
            "train_huber_regression": '''
def train_huber_regression(X, y, delta, lr=1.0, n_steps=2000):
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    for _ in range(n_steps):
        theta -= lr * A.T @ huber_grad(y, A @ theta, delta)
    return theta[:d], theta[d]
'''}),
    ],
)
