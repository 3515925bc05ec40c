"""Chapter 9 (MSLE): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import mean_squared_log_error, root_mean_squared_log_error

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad, torch_loss


def in_domain_pair(low=-0.999, high=1e6, max_dims=3, max_side=8):
    """Two float64 arrays of one random shape with every value in the MSLE domain (> -1)."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)
    shapes = hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side)
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=elements),
        hnp.arrays(np.float64, shape, elements=elements),
    ))


def _torch_msle(pred, target):
    return torch.mean((torch.log1p(pred) - torch.log1p(target)) ** 2)


def _sklearn_msle(y_true, y_pred):
    return mean_squared_log_error(np.ravel(y_true), np.ravel(y_pred))


def _sklearn_rmsle(y_true, y_pred):
    return root_mean_squared_log_error(np.ravel(y_true), np.ravel(y_pred))


def _fd_grad(y_true, y_pred):
    return central_difference(lambda p: float(np.mean((np.log1p(p) - np.log1p(y_true)) ** 2)), y_pred)


def _rmsle_score_grad_through_expm1(y_true, scores):
    """Autograd of RMSLE(y, expm1(z)) with respect to z, as written (accurate for z >= -30)."""
    z = torch.tensor(np.asarray(scores, dtype=np.float64), requires_grad=True)
    torch.sqrt(_torch_msle(torch.expm1(z), torch.as_tensor(y_true, dtype=torch.float64))).backward()
    return z.grad.numpy()


def _rmsle_score_grad_log_space(y_true, scores):
    """Autograd of the same R written stably, log1p(expm1(z)) = z: valid for every z."""
    z = torch.tensor(np.asarray(scores, dtype=np.float64), requires_grad=True)
    torch.sqrt(torch.mean((z - torch.log1p(torch.as_tensor(y_true, dtype=torch.float64))) ** 2)).backward()
    return z.grad.numpy()


def _score_pair(low=-5.0, high=12.0):
    shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8)
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1e5, width=64)),
        hnp.arrays(np.float64, shape, elements=st.floats(low, high, width=64)),
    )).filter(lambda t: np.mean((t[1] - np.log1p(t[0])) ** 2) > 1e-200)   # R > 0 (and R² no underflow): the gradient exists


CHECKS = '''
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    if np.any(y_true <= -1) or np.any(y_pred <= -1):
        raise ValueError("정의역")
'''


def _loss_answer(body, checks=CHECKS):
    return f"def msle_loss(y_true, y_pred):{checks}    return {body}\n"


def _grad_answer(body, checks=CHECKS):
    return f"def msle_grad(y_true, y_pred):{checks}    return {body}\n"


def _rmsle_answer(body):
    return f"def rmsle(y_true, y_pred):{CHECKS}    return {body}\n"


SCORE_CHECKS = '''
    y_true = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.shape != scores.shape or y_true.size == 0:
        raise ValueError("모양")
    if np.any(y_true <= -1):
        raise ValueError("정의역")
'''
ZERO_CASE = '''
    if np.all(scores == np.log1p(y_true)):
        return np.zeros_like(scores)
'''


def _score_answer(body, imports="", zero_case=True):
    """An rmsle_score_grad answer with correct checks (and the R = 0 case) and the given computation."""
    return f"{imports}def rmsle_score_grad(y_true, scores):{SCORE_CHECKS}{ZERO_CASE if zero_case else ''}{body.lstrip(chr(10))}\n"


CHAPTER = Chapter(
    agrees=[
        Agrees("msle_loss", _sklearn_msle, in_domain_pair(), name="sklearn mean_squared_log_error"),
        Agrees("msle_loss", torch_loss(_torch_msle), in_domain_pair(), name="torch log1p formula"),
        Agrees("rmsle", _sklearn_rmsle, in_domain_pair(), name="sklearn root_mean_squared_log_error"),
        Agrees("msle_grad", torch_grad(_torch_msle), in_domain_pair(), rtol=1e-9, atol=1e-15,
               name="torch autograd"),
        Agrees("msle_grad", _fd_grad, in_domain_pair(low=-0.5, high=100.0, max_side=4), rtol=1e-5, atol=1e-7,
               name="finite differences"),
        Agrees("rmsle_score_grad", _rmsle_score_grad_through_expm1, _score_pair(), rtol=1e-9, atol=1e-14,
               name="torch autograd of RMSLE through expm1"),
        Agrees("rmsle_score_grad", _rmsle_score_grad_log_space, _score_pair(-1000.0, 50.0), rtol=1e-9, atol=1e-14,
               name="torch autograd of the stable log-space form, very negative scores"),
    ],
    exact=[
        Exact("msle_loss", (np.array([0.0, 1.0, 3.0]), np.array([0.0, 3.0, 1.0])), 2 * np.log(2.0) ** 2 / 3,
              name="hand-computed value with a zero"),
        Exact("msle_loss", (np.array([0.0]), np.array([1e-12])), np.log1p(1e-12) ** 2, rtol=1e-12, atol=0.0,
              name="tiny values need log1p"),
        Exact("msle_loss", (np.array([-0.5]), np.array([0.0])), np.log(2.0) ** 2,
              name="values in (-1, 0) are in the domain"),
        Exact("msle_loss", (np.array([0.0]), np.array([1e300])), np.log1p(1e300) ** 2,
              name="huge but finite prediction"),
        Exact("msle_loss", (np.array([1.0], dtype=np.float32), np.array([2.0], dtype=np.float32)),
              np.log(1.5) ** 2, rtol=1e-12, name="float32 input computed in float64"),
        Exact("msle_grad", (np.zeros((2, 2)), np.full((2, 2), np.e - 1)), np.full((2, 2), 2.0 / (4 * np.e)),
              name="n counts all elements; 1/(1+y_pred) factor"),
        Exact("msle_grad", (np.array([0.0, 1.0]), np.array([1.0, 0.0])), np.array([np.log(2) / 2, -np.log(2)]),
              name="sign and chain rule"),
        Exact("rmsle", (np.zeros(2), np.array([np.e - 1, 0.0])), np.sqrt(0.5), name="root of the mean"),
        Exact("rmsle_score_grad", (np.zeros(2), np.array([2.0, 0.0])), np.array([1 / np.sqrt(2.0), 0.0]),
              name="(z - log1p y)/(n R) with R = sqrt(2)"),
        Exact("rmsle_score_grad", (np.array([np.e - 1, 0.0]), np.array([-40.0, 0.0])),
              np.array([-41.0, 0.0]) / (2 * np.sqrt(41.0**2 / 2)), name="z = -40, where expm1(z) == -1"),
        Exact("rmsle_score_grad", (np.array([1.0, 3.0]), np.log1p(np.array([1.0, 3.0]))), np.zeros(2),
              name="R = 0: zeros by convention"),
    ],
    raises=[
        Raises("msle_loss", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("msle_loss", (np.zeros(4), np.zeros(3)), name="different lengths"),
        Raises("msle_loss", (np.array([]), np.array([])), name="empty"),
        Raises("msle_loss", (np.array([1.0]), np.array([-1.0])), name="prediction exactly -1"),
        Raises("msle_loss", (np.array([-1.0]), np.array([1.0])), name="target exactly -1"),
        Raises("msle_loss", (np.array([1.0, 2.0]), np.array([-2.0, 2.0])), name="prediction below -1"),
        Raises("msle_loss", (np.array([-7.0]), np.array([0.0])), name="target below -1"),
        Raises("msle_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("msle_grad", (np.array([1.0]), np.array([-1.0])), name="prediction exactly -1"),
        Raises("msle_grad", (np.array([-3.0]), np.array([1.0])), name="target below -1"),
        Raises("rmsle", (np.array([1.0]), np.array([-1.5])), name="prediction below -1"),
        Raises("rmsle", (np.zeros((2, 1)), np.zeros(2)), name="(n,1) vs (n,)"),
        Raises("rmsle_score_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("rmsle_score_grad", (np.array([]), np.array([])), name="empty"),
        Raises("rmsle_score_grad", (np.array([-1.0]), np.array([0.0])), name="target exactly -1"),
    ],
    wrong_answers=[
        Answer("log instead of log1p", {"msle_loss": _loss_answer(
            "float(np.mean((np.log(y_pred) - np.log(y_true)) ** 2))")},
            caught_by=("test_msle_loss_value", "test_msle_loss_reference")),
        Answer("np.log(1 + x) loses precision for tiny x", {"msle_loss": _loss_answer(
            "float(np.mean((np.log(1 + y_pred) - np.log(1 + y_true)) ** 2))")},
            caught_by=("test_msle_loss_value",)),
        Answer("no domain check: nan for values <= -1", {"msle_loss": '''
def msle_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    return float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))
'''}, caught_by=("test_msle_loss_errors",)),
        Answer("Keras-style clipping of negatives to 0", {"msle_loss": '''
def msle_loss(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    y_true, y_pred = np.maximum(y_true, 1e-7), np.maximum(y_pred, 1e-7)
    return float(np.mean((np.log(y_pred + 1) - np.log(y_true + 1)) ** 2))
'''}, caught_by=("test_msle_loss_value", "test_msle_loss_errors")),
        Answer("rejects every negative value (old scikit-learn rule)", {"msle_loss": _loss_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))",
            checks=CHECKS.replace("<= -1", "< 0"))},
            caught_by=("test_msle_loss_value", "test_msle_loss_reference")),
        Answer("domain check < -1 lets exactly -1 through", {"msle_loss": _loss_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))",
            checks=CHECKS.replace("<= -1", "< -1"))},
            caught_by=("test_msle_loss_errors",)),
        Answer("gradient missing the chain-rule 1/(1+y_pred)", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_pred) - np.log1p(y_true)) / y_true.size")},
            caught_by=("test_msle_grad_value", "test_msle_grad_reference")),
        Answer("gradient with the subtraction reversed (sign)", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_true) - np.log1p(y_pred)) / (y_true.size * (1.0 + y_pred))")},
            caught_by=("test_msle_grad_value", "test_msle_grad_reference")),
        Answer("gradient without the 1/n", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_pred) - np.log1p(y_true)) / (1.0 + y_pred)")},
            caught_by=("test_msle_grad_value", "test_msle_grad_reference")),
        Answer("gradient divides by 1+y_true instead of 1+y_pred", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_pred) - np.log1p(y_true)) / (y_true.size * (1.0 + y_true))")},
            caught_by=("test_msle_grad_value", "test_msle_grad_reference")),
        Answer("msle_loss without a shape check (silent broadcast)", {"msle_loss": _loss_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))",
            checks=CHECKS.replace("y_true.shape != y_pred.shape or ", ""))},
            caught_by=("test_msle_loss_errors",)),
        Answer("msle_loss without the empty check (nan)", {"msle_loss": _loss_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))",
            checks=CHECKS.replace(" or y_true.size == 0", ""))},
            caught_by=("test_msle_loss_errors",)),
        Answer("msle_loss checks only y_pred's domain", {"msle_loss": _loss_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))",
            checks=CHECKS.replace("np.any(y_true <= -1) or ", ""))},
            caught_by=("test_msle_loss_errors",)),
        Answer("msle_grad without a shape check (silent broadcast)", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_pred) - np.log1p(y_true)) / (y_true.size * (1.0 + y_pred))",
            checks=CHECKS.replace("y_true.shape != y_pred.shape or ", ""))},
            caught_by=("test_msle_grad_errors",)),
        Answer("msle_grad without the domain check", {"msle_grad": _grad_answer(
            "2.0 * (np.log1p(y_pred) - np.log1p(y_true)) / (y_true.size * (1.0 + y_pred))",
            checks=CHECKS.replace("np.any(y_true <= -1) or np.any(y_pred <= -1)", "False"))},
            caught_by=("test_msle_grad_errors",)),
        Answer("msle_grad keeps float32 (no float64 conversion)", {"msle_grad": '''
def msle_grad(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("모양")
    if np.any(y_true <= -1) or np.any(y_pred <= -1):
        raise ValueError("정의역")
    return 2 * (np.log1p(y_pred) - np.log1p(y_true)) / (y_true.size * (1 + y_pred))
'''}, caught_by=("test_msle_grad_reference",)),
        Answer("rmsle without input checks (inf for a prediction of -1)", {"rmsle": '''
def rmsle(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.sqrt(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2)))
'''}, caught_by=("test_rmsle",)),
        Answer("rmsle without the square root", {"rmsle": _rmsle_answer(
            "float(np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2))")},
            caught_by=("test_rmsle",)),
        Answer("rmsle as the mean of per-sample roots", {"rmsle": _rmsle_answer(
            "float(np.mean(np.sqrt((np.log1p(y_pred) - np.log1p(y_true)) ** 2)))")},
            caught_by=("test_rmsle",)),
        Answer("RMSLE score gradient through y_pred = expm1(z): domain error below z = -37", {"rmsle_score_grad": _score_answer("""
    y_hat = np.expm1(scores)
    return msle_grad(y_true, y_hat) * (1.0 + y_hat) / (2.0 * rmsle(y_true, y_hat))""")},
            caught_by=("test_rmsle_score_grad_reference",)),
        Answer("RMSLE score gradient with log1p(expm1(z)): inf/nan for very negative z", {"rmsle_score_grad": _score_answer("""
    r = np.log1p(np.expm1(scores)) - np.log1p(y_true)
    return r / (r.size * np.sqrt(np.mean(r**2)))""")},
            caught_by=("test_rmsle_score_grad_reference",)),
        Answer("autograd through torch.expm1 (nan at z = -40)", {"rmsle_score_grad": _score_answer("""
    z = torch.tensor(scores, requires_grad=True)
    torch.sqrt(torch.mean((torch.log1p(torch.expm1(z)) - torch.log1p(torch.tensor(y_true))) ** 2)).backward()
    return z.grad.numpy()""", imports="import torch\n")},
            caught_by=("test_rmsle_score_grad_reference",)),
        Answer("scores clipped at -36 to dodge the expm1 trap", {"rmsle_score_grad": _score_answer("""
    z = np.maximum(scores, -36.0)
    r = np.log1p(np.expm1(z)) - np.log1p(y_true)
    return r / (r.size * np.sqrt(np.mean(r**2)))""")},
            caught_by=("test_rmsle_score_grad_reference",)),
        Answer("the MSLE score gradient (sqrt not differentiated)", {"rmsle_score_grad": _score_answer("""
    return 2.0 * (scores - np.log1p(y_true)) / y_true.size""")},
            caught_by=("test_rmsle_score_grad_value", "test_rmsle_score_grad_reference", "test_training_reaches_target")),
        Answer("RMSLE score gradient missing the 1/2 of the square root", {"rmsle_score_grad": _score_answer("""
    r = scores - np.log1p(y_true)
    return 2.0 * r / (r.size * np.sqrt(np.mean(r**2)))""")},
            caught_by=("test_rmsle_score_grad_value", "test_rmsle_score_grad_reference")),
        Answer("RMSLE score gradient divided by R squared", {"rmsle_score_grad": _score_answer("""
    r = scores - np.log1p(y_true)
    return r / (r.size * np.mean(r**2))""")},
            caught_by=("test_rmsle_score_grad_value", "test_rmsle_score_grad_reference")),
        Answer("RMSLE score gradient without 1/n", {"rmsle_score_grad": _score_answer("""
    r = scores - np.log1p(y_true)
    return r / np.sqrt(np.mean(r**2))""")},
            caught_by=("test_rmsle_score_grad_value", "test_rmsle_score_grad_reference")),
        Answer("RMSLE score gradient with the sign reversed", {"rmsle_score_grad": _score_answer("""
    r = np.log1p(y_true) - scores
    return r / (r.size * np.sqrt(np.mean(r**2)))""")},
            caught_by=("test_rmsle_score_grad_value", "test_rmsle_score_grad_reference", "test_training_reaches_target")),
        Answer("RMSLE score gradient with n = len() (wrong for 2-D)", {"rmsle_score_grad": _score_answer("""
    r = scores - np.log1p(y_true)
    return r / (len(r) * np.sqrt(np.mean(r**2)))""")},
            caught_by=("test_rmsle_score_grad_reference",)),
        Answer("RMSLE score gradient: nan when R = 0", {"rmsle_score_grad": _score_answer("""
    r = scores - np.log1p(y_true)
    return r / (r.size * np.sqrt(np.mean(r**2)))""", zero_case=False)},
            caught_by=("test_rmsle_score_grad_value",)),
        Answer("RMSLE score gradient without a shape check (silent broadcast)", {"rmsle_score_grad": """
def rmsle_score_grad(y_true, scores):
    y_true, scores = np.asarray(y_true, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if y_true.size == 0 or np.any(y_true <= -1):
        raise ValueError("입력")
    r = scores - np.log1p(y_true)
    R = np.sqrt(np.mean(r**2))
    return np.zeros_like(r) if R == 0 else r / (r.size * R)
"""}, caught_by=("test_rmsle_score_grad_value",)),
        Answer("RMSLE score gradient without the domain and empty checks", {"rmsle_score_grad": """
def rmsle_score_grad(y_true, scores):
    y_true, scores = np.asarray(y_true, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if y_true.shape != scores.shape:
        raise ValueError("모양")
    r = scores - np.log1p(y_true)
    R = np.sqrt(np.mean(r**2))
    return np.zeros_like(r) if R == 0 else r / (r.size * R)
"""}, caught_by=("test_rmsle_score_grad_value",)),
        Answer("training with the MSLE score gradient (same minimum, different path)", {"train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        g = 2.0 * (X @ w + b - np.log1p(y)) / len(y)
        w, b = w - lr * X.T @ g, b - lr * float(np.sum(g))
    return w, b
'''}, caught_by=("test_training_reaches_target",)),
        Answer("training starts from b = mean(log1p y) instead of 0", {"train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    w, b = np.zeros(X.shape[1]), float(np.mean(np.log1p(y)))
    for _ in range(n_steps):
        g = rmsle_score_grad(y, X @ w + b)
        w, b = w - lr * X.T @ g, b - lr * float(np.sum(g))
    return w, b
'''}, caught_by=("test_training_reaches_target",)),
        Answer("training averages the gradient over samples again (steps n times too small)", {"train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        g = rmsle_score_grad(y, X @ w + b)
        w, b = w - lr * X.T @ g / len(y), b - lr * float(np.mean(g))
    return w, b
'''}, caught_by=("test_training_reaches_target",)),
        Answer("training jumps to the log-space least-squares solution", {"train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    A = np.column_stack([X, np.ones(len(X))])
    theta, *_ = np.linalg.lstsq(A, np.log1p(y), rcond=None)
    return theta[:-1], float(theta[-1])
'''}, caught_by=("test_training_reaches_target",)),
        Answer("training with a linear output (no exp link)", {"train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        g = msle_grad(y, np.maximum(X @ w + b, -0.999))   # no exp link
        w, b = w - lr * X.T @ g, b - lr * float(np.sum(g))
    return w, b
'''}, caught_by=("test_training_reaches_target",)),
    ],
    right_answers=[
        Answer("explicit loops", {
            "msle_loss": '''
import math
def msle_loss(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("모양이 다릅니다")
    if a.size == 0:
        raise ValueError("빈 배열")
    total = 0.0
    for t, p in zip(a.ravel(), b.ravel()):
        if t <= -1 or p <= -1:
            raise ValueError("-1 이하의 값")
        total += (math.log1p(p) - math.log1p(t)) ** 2
    return total / a.size
''',
            "msle_grad": '''
def msle_grad(y_true, y_pred):
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("모양이 다릅니다")
    out = np.empty_like(b)
    for i in np.ndindex(b.shape):
        if a[i] <= -1 or b[i] <= -1:
            raise ValueError("-1 이하의 값")
        out[i] = 2.0 * (math.log1p(b[i]) - math.log1p(a[i])) / (a.size * (1.0 + b[i]))
    return out
''',
            "rmsle": '''
def rmsle(y_true, y_pred):
    return math.sqrt(msle_loss(y_true, y_pred))
'''}),
        Answer("PyTorch with autograd", {
            "msle_loss": '''
import torch
def _tensors(y_true, y_pred):
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.tensor(np.asarray(y_pred, dtype=np.float64), requires_grad=True)
    if t.shape != p.shape or t.numel() == 0:
        raise ValueError("모양이 다릅니다")
    if bool((t <= -1).any()) or bool((p <= -1).any()):
        raise ValueError("정의역 밖")
    return t, p

def msle_loss(y_true, y_pred):
    t, p = _tensors(y_true, y_pred)
    return torch.mean((torch.log1p(p) - torch.log1p(t)) ** 2).item()
''',
            "msle_grad": '''
def msle_grad(y_true, y_pred):
    t, p = _tensors(y_true, y_pred)
    torch.mean((torch.log1p(p) - torch.log1p(t)) ** 2).backward()
    return p.grad.numpy()
''',
            "rmsle_score_grad": '''
def rmsle_score_grad(y_true, scores):
    z = torch.tensor(np.asarray(scores, dtype=np.float64), requires_grad=True)
    t = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    if t.shape != z.shape or t.numel() == 0 or bool((t <= -1).any()):
        raise ValueError("모양 또는 정의역")
    r = z - torch.log1p(t)              # log1p(expm1(z)) = z
    if not bool((r != 0).any()):
        return np.zeros(tuple(z.shape))
    torch.linalg.vector_norm(r).backward()     # R = |r| / sqrt(n)
    return z.grad.numpy() / np.sqrt(r.numel())
'''}),
        Answer("closed-form score gradient and a matrix training loop", {
            "msle_loss": '''
def msle_loss(y_true, y_pred):
    y_true = np.array(y_true).astype(np.float64)
    y_pred = np.array(y_pred).astype(np.float64)
    if np.shape(y_true) != np.shape(y_pred) or not y_true.size:
        raise ValueError(f"shape {np.shape(y_true)} {np.shape(y_pred)}")
    if min(y_true.min(), y_pred.min()) <= -1:
        raise ValueError("log1p 정의역 밖")
    d = (np.log1p(y_pred) - np.log1p(y_true)).ravel()
    return float(d @ d / d.size)
''',
            "rmsle": '''
def rmsle(y_true, y_pred):
    return msle_loss(y_true, y_pred) ** 0.5
''',
            "rmsle_score_grad": '''
def rmsle_score_grad(y_true, scores):
    y_true = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.shape != scores.shape:
        raise ValueError("모양이 다릅니다")
    msle_grad(y_true, np.zeros_like(y_true))   # 같은 입력 검사 (빈 배열, y <= -1)
    msle_score = 2.0 * (scores - np.log1p(y_true)) / y_true.size   # 책의 MSLE 점수 그래디언트
    m = float(np.mean((scores - np.log1p(y_true)) ** 2))
    return msle_score / (2.0 * np.sqrt(m)) if m > 0 else np.zeros_like(scores)
''',
            "train_energy_model": '''
def train_energy_model(X, y, lr=0.1, n_steps=300):
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    for _ in range(n_steps):
        theta -= lr * A.T @ rmsle_score_grad(y, A @ theta)
    return theta[:d], theta[d]
'''}),
        Answer("score gradient with explicit loops and math.fsum", {
            "rmsle_score_grad": '''
import math
def rmsle_score_grad(y_true, scores):
    t = np.array(y_true, dtype=np.float64)
    z = np.array(scores, dtype=np.float64)
    if t.shape != z.shape:
        raise ValueError(f"모양이 다릅니다: {t.shape}, {z.shape}")
    if t.size == 0:
        raise ValueError("빈 배열")
    out = np.zeros(z.shape)
    residuals = {}
    for i in np.ndindex(z.shape):
        if t[i] <= -1:
            raise ValueError("y_true에 -1 이하의 값")
        residuals[i] = z[i] - math.log1p(t[i])
    r = math.sqrt(math.fsum(v * v for v in residuals.values()) / z.size)
    if r > 0:
        for i, v in residuals.items():
            out[i] = v / (z.size * r)
    return out
'''}),
    ],
)
