"""Chapter 1 (MSE): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad, torch_loss
from support.strategies import same_shape_pair

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


CHAPTER = Chapter(
    agrees=[
        Agrees("mse_loss", torch_loss(F.mse_loss), same_shape_pair(), name="torch mse_loss"),
        Agrees("mse_grad", torch_grad(F.mse_loss), same_shape_pair(), name="torch autograd"),
        Agrees("mse_grad", _fd_grad, same_shape_pair(bound=10.0, max_side=4), rtol=1e-5, atol=1e-6,
               name="finite differences"),
    ],
    exact=[
        Exact("mse_loss", (np.zeros(4), np.full(4, 1e150)), 1e300, name="huge but finite residuals"),
        Exact("mse_loss", (np.array([1.0, 2.0]), np.array([1.0, 2.0])), 0.0, name="perfect prediction"),
        Exact("mse_loss", (np.array([0.0], dtype=np.float32), np.array([1e-3], dtype=np.float32)),
              float(np.float64(np.float32(1e-3)) ** 2), rtol=1e-12, name="float32 input computed in float64"),
        Exact("mse_grad", (np.zeros((2, 2)), np.ones((2, 2))), np.full((2, 2), 0.5), name="n counts all elements"),
        Exact("mse_loss", (np.arange(5), np.arange(5) + 2), 4.0, name="integer input"),
    ],
    raises=[
        Raises("mse_loss", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mse_loss", (np.zeros(3), np.zeros((3, 1))), name="(n,) vs (n,1)"),
        Raises("mse_loss", (np.zeros(4), np.zeros(3)), name="different lengths"),
        Raises("mse_loss", (np.array([]), np.array([])), name="empty"),
        Raises("mse_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("mse_grad", (np.array([]), np.array([])), name="empty"),
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
    ],
    right_answers=[
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
    ],
)
