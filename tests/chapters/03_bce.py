"""Chapter 3 (BCE): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit
from sklearn.metrics import log_loss

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference, torch_grad

# ---------------------------------------------------------------- input strategies

_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


def _floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def _labels(shape):
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))


def labels_and_logits(bound=1000.0, shapes=_SHAPES):
    """(y, z): 0/1 labels and finite logits of one random shape, up to |z| = bound."""
    return shapes.flatmap(lambda s: st.tuples(_labels(s), hnp.arrays(np.float64, s, elements=_floats(-bound, bound))))


def labels_and_probabilities():
    """(y, p): 0/1 labels and probabilities in [0, 1], 0 and 1 included."""
    return _SHAPES.flatmap(lambda s: st.tuples(_labels(s), hnp.arrays(np.float64, s, elements=_floats(0.0, 1.0))))


def labels_probabilities_machine_eps():
    """(y, p, eps) for sklearn's log_loss, which clips at float64's machine epsilon (1-D only)."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=1, min_side=1, max_side=20)
    eps = float(np.finfo(np.float64).eps)
    return shapes.flatmap(lambda s: st.tuples(
        _labels(s), hnp.arrays(np.float64, s, elements=_floats(0.0, 1.0)), st.just(eps)))


# ---------------------------------------------------------------- independent references

def _torch_bce_clipped(y, p):
    """PyTorch's BCE on p clamped to [1e-7, 1 - 1e-7] (the contract's default eps)."""
    p_t = torch.clamp(torch.as_tensor(p, dtype=torch.float64), 1e-7, 1 - 1e-7)
    return float(F.binary_cross_entropy(p_t, torch.as_tensor(y, dtype=torch.float64)))


def _sklearn_log_loss(y, p, eps):
    return float(log_loss(y, y_proba=p, labels=[0, 1]))


def _torch_bce_logits(y, z):
    return float(F.binary_cross_entropy_with_logits(torch.as_tensor(z, dtype=torch.float64),
                                                    torch.as_tensor(y, dtype=torch.float64)))


def _fd_grad(y, z):
    return central_difference(lambda zz: float(np.mean(np.logaddexp(0.0, zz) - y * zz)), z)


# ---------------------------------------------------------------- answers used by the catalogue

def _logits_checks(shape="y_true.shape != z.shape or y_true.size == 0",
                   labels="not np.all((y_true == 0) | (y_true == 1))", nan="np.any(np.isnan(z))"):
    """The input checks of a logits answer; each condition can be replaced by a (possibly wrong) one."""
    return f'''
    y_true = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if {shape}:
        raise ValueError("모양")
    if {labels}:
        raise ValueError("레이블")
    if {nan}:
        raise ValueError("NaN")
'''


_CHECKS = _logits_checks()


def _logits_loss(body):
    """A bce_with_logits answer with correct checks and the given per-sample expression of y_true, z."""
    return f"def bce_with_logits(y_true, logits):{_CHECKS}    return float(np.mean({body}))\n"


def _grad(body):
    """A bce_with_logits_grad answer with correct checks and the given return expression."""
    return f"def bce_with_logits_grad(y_true, logits):{_CHECKS}    return {body}\n"


def _prob_answer(body, shape="y_true.shape != p.shape or y_true.size == 0",
                 labels="not np.all((y_true == 0) | (y_true == 1))",
                 probs="not np.all((p >= 0) & (p <= 1)) or not 0 <= eps < 0.5"):
    """A bce_loss answer: the given (possibly wrong) input checks, then `body`."""
    return f'''
def bce_loss(y_true, p_pred, eps=1e-7):
    y_true = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(p_pred, dtype=np.float64)
    if {shape}:
        raise ValueError("모양")
    if {labels}:
        raise ValueError("레이블")
    if {probs}:
        raise ValueError("확률")
''' + body


def _prob_loss(clip_line, reduce="np.mean"):
    return _prob_answer(f'''    {clip_line}
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-{reduce}(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
''')


def _checked_prob_loss(**checks):
    """A bce_loss answer with a correct clip and mean, and the given (possibly wrong) input checks."""
    return _prob_answer('''    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
''', **checks)


def _checked_logits_loss(**checks):
    """A stable bce_with_logits answer with the given (possibly wrong) input checks."""
    return ("\ndef bce_with_logits(y_true, logits):" + _logits_checks(**checks)
            + "    return float(np.mean(np.maximum(z, 0) - y_true * z + np.log1p(np.exp(-np.abs(z)))))\n")


CHAPTER = Chapter(
    agrees=[
        Agrees("sigmoid", lambda z: expit(z),
               _SHAPES.flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=_floats(-1000, 1000)))),
               rtol=1e-12, atol=1e-300, name="scipy expit"),
        Agrees("bce_loss", _torch_bce_clipped, labels_and_probabilities(), rtol=1e-9, atol=1e-12,
               name="torch binary_cross_entropy on clamped p"),
        Agrees("bce_loss", _sklearn_log_loss, labels_probabilities_machine_eps(), rtol=1e-9, atol=1e-12,
               name="sklearn log_loss with eps = machine epsilon"),
        Agrees("bce_with_logits", _torch_bce_logits, labels_and_logits(), rtol=1e-10, atol=1e-12,
               name="torch binary_cross_entropy_with_logits"),
        Agrees("bce_with_logits_grad", torch_grad(lambda z, y: F.binary_cross_entropy_with_logits(z, y)),
               labels_and_logits(), rtol=1e-10, atol=1e-15, name="torch autograd"),
        Agrees("bce_with_logits_grad", _fd_grad,
               labels_and_logits(bound=20.0, shapes=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)),
               rtol=1e-5, atol=1e-8, name="finite differences"),
    ],
    exact=[
        Exact("sigmoid", (np.array([-1000.0, 0.0, 1000.0]),), np.array([0.0, 0.5, 1.0]), name="|z| = 1000"),
        Exact("sigmoid", (np.array([-40.0]),), np.exp([-40.0]) / (1 + np.exp([-40.0])), rtol=1e-12, atol=0,
              name="small tail value"),
        Exact("sigmoid", (np.array([20.0], dtype=np.float32),), 1 / (1 + np.exp([-20.0])), rtol=1e-15, atol=0,
              name="float32 input computed in float64"),
        Exact("bce_loss", (np.array([1.0]), np.array([0.0])), -np.log(1e-7), name="p = 0, y = 1 clipped at eps"),
        Exact("bce_loss", (np.array([0.0]), np.array([1.0])), -np.log(1e-7), rtol=1e-6, name="p = 1, y = 0"),
        Exact("bce_loss", (np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1e-3), -np.log(1e-3), rtol=1e-9,
              name="eps argument used"),
        Exact("bce_loss", (np.array([1, 0]), np.array([0.5, 0.5])), np.log(2), name="integer labels"),
        Exact("bce_with_logits", (np.array([0.0, 1.0]), np.array([1000.0, -1000.0])), 1000.0, rtol=1e-12,
              name="confidently wrong, unclipped"),
        Exact("bce_with_logits", (np.array([1.0, 0.0]), np.array([1000.0, -1000.0])), 0.0,
              name="confidently right is 0, not NaN"),
        Exact("bce_with_logits", (np.array([1.0]), np.array([40.0])), float(np.log1p(np.exp(-40.0))),
              rtol=0, atol=1e-17, name="confident and right: tiny, not NaN"),
        Exact("bce_with_logits", (np.array([0.0]), np.array([20.0])), 20.0 + float(np.log1p(np.exp(-20.0))),
              rtol=1e-12, name="beyond the probability clip"),
        Exact("bce_with_logits_grad", (np.array([1.0, 0.0]), np.array([-1000.0, 1000.0])), np.array([-0.5, 0.5]),
              name="saturated gradient is ±1/n"),
        Exact("bce_with_logits_grad", (np.zeros((2, 2)), np.zeros((2, 2))), np.full((2, 2), 0.125),
              name="n counts all elements"),
    ],
    raises=[
        Raises("bce_loss", (np.array([-1.0, 1.0]), np.array([0.2, 0.8])), name="±1 labels"),
        Raises("bce_loss", (np.array([0.5]), np.array([0.5])), name="soft label"),
        Raises("bce_loss", (np.zeros((3, 1)), np.full(3, 0.5)), name="(n,1) vs (n,)"),
        Raises("bce_loss", (np.array([1.0]), np.array([1.5])), name="p > 1"),
        Raises("bce_loss", (np.array([1.0]), np.array([np.nan])), name="NaN probability"),
        Raises("bce_loss", (np.array([]), np.array([])), name="empty"),
        Raises("bce_with_logits", (np.array([-1.0, 1.0]), np.array([0.0, 0.0])), name="±1 labels"),
        Raises("bce_with_logits", (np.zeros((4, 1)), np.zeros(4)), name="(n,1) vs (n,)"),
        Raises("bce_with_logits", (np.array([1.0]), np.array([np.nan])), name="NaN logit"),
        Raises("bce_with_logits", (np.array([]), np.array([])), name="empty"),
        Raises("bce_with_logits_grad", (np.array([-1.0, 1.0]), np.array([0.0, 0.0])), name="±1 labels"),
        Raises("bce_with_logits_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
    ],
    wrong_answers=[
        Answer("naive log(sigmoid) in bce_with_logits", {
            "bce_with_logits": _logits_loss(
                "-(y_true * np.log(1 / (1 + np.exp(-z))) + (1 - y_true) * np.log(1 - 1 / (1 + np.exp(-z))))")},
            why="σ(z) rounds to 1 for z > 37: log(0) = -inf and 0·inf = NaN; exp(1000) overflows",
            caught_by=("test_bce_with_logits_extreme",)),
        Answer("bce_with_logits through clipped probabilities", {
            "bce_with_logits": _logits_loss(
                "-(y_true * np.log(np.clip(sigmoid(z), 1e-7, 1 - 1e-7))"
                " + (1 - y_true) * np.log(1 - np.clip(sigmoid(z), 1e-7, 1 - 1e-7)))")},
            why="a confidently wrong logit of 1000 costs 16.1 instead of 1000",
            caught_by=("test_bce_with_logits_extreme",)),
        Answer("±1 labels accepted silently",
               {"bce_with_logits": _checked_logits_loss(labels="False", nan="False")},
               caught_by=("test_bce_with_logits_errors",)),
        Answer("plain 1/(1 + exp(-z)) sigmoid", {"sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))
'''}, why="exp(1000) overflows with a RuntimeWarning at z = -1000",
            caught_by=("test_sigmoid_extreme",)),
        Answer("np.where sigmoid evaluating both branches", {"sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))
'''}, why="np.where computes both expressions, so exp(1000) still overflows",
            caught_by=("test_sigmoid_extreme",)),
        Answer("sigmoid computed in the input's float32", {"sigmoid": '''
def sigmoid(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out
'''}, caught_by=("test_sigmoid_value",)),
        Answer("bce_loss without clipping", {"bce_loss": _prob_loss("pass")},
               why="p = 0 with y = 1 gives log 0: the loss is inf",
               caught_by=("test_bce_loss_clipping",)),
        Answer("bce_loss ignores its eps argument", {"bce_loss": _prob_loss("p = np.clip(p, 1e-15, 1 - 1e-15)")},
               caught_by=("test_bce_loss_clipping",)),
        Answer("bce_loss sums instead of averaging", {"bce_loss": _prob_loss("p = np.clip(p, eps, 1 - eps)", "np.sum")},
               caught_by=("test_bce_loss_value", "test_bce_loss_reference")),
        Answer("bce_loss accepts probabilities outside [0, 1]", {"bce_loss": '''
def bce_loss(y_true, p_pred, eps=1e-7):
    y_true = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(p_pred, dtype=np.float64), eps, 1 - eps)
    if y_true.shape != p.shape or y_true.size == 0:
        raise ValueError("모양")
    if not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("레이블")
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''}, why="clipping first hides p = 1.2 and NaN",
            caught_by=("test_bce_loss_errors",)),
        Answer("gradient sign flipped", {"bce_with_logits_grad": _grad("(y_true - sigmoid(z)) / y_true.size")},
               caught_by=("test_bce_with_logits_grad_value", "test_bce_with_logits_grad_reference",
                          "test_training_reaches_mle")),
        Answer("gradient without the 1/n", {"bce_with_logits_grad": _grad("sigmoid(z) - y_true")},
               why="with lr = 1 and n = 2000 the steps are 2000 times too large",
               caught_by=("test_bce_with_logits_grad_value", "test_bce_with_logits_grad_reference",
                          "test_training_reaches_mle")),
        Answer("gradient with respect to p instead of z", {"bce_with_logits_grad": _grad(
            "(sigmoid(z) - y_true) / (sigmoid(z) * (1 - sigmoid(z))) / y_true.size")},
            caught_by=("test_bce_with_logits_grad_value", "test_bce_with_logits_grad_reference")),
        Answer("training jumps to scikit-learn's solution", {"train_logistic_regression": '''
def train_logistic_regression(X, y, lr=1.0, n_steps=500):
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    return model.coef_.ravel(), float(model.intercept_[0])
'''}, caught_by=("test_training_reaches_mle",)),
        Answer("training with the MSE gradient on probabilities", {"train_logistic_regression": '''
def train_logistic_regression(X, y, lr=1.0, n_steps=500):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        p = sigmoid(X @ w + b)
        g = 2 * (p - y) * p * (1 - p) / len(y)
        w, b = w - lr * X.T @ g, b - lr * g.sum()
    return w, b
'''}, why="a different loss has a different minimiser (and is not the Bernoulli MLE)",
            caught_by=("test_training_reaches_mle",)),
        Answer("bce_with_logits without the NaN check",
               {"bce_with_logits": _checked_logits_loss(nan="False")},
               why="a NaN logit silently turns the batch loss into NaN", caught_by=("test_bce_with_logits_errors",)),
        Answer("gradient without the label check", {"bce_with_logits_grad": '''
def bce_with_logits_grad(y_true, logits):
    y_true = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y_true.shape != z.shape or y_true.size == 0:
        raise ValueError("모양")
    return (sigmoid(z) - y_true) / y_true.size
'''}, why="±1 labels give a gradient that pushes the negatives the wrong way", caught_by=("test_bce_with_logits_grad_errors",)),
        Answer("bce_loss without the eps range check",
               {"bce_loss": _checked_prob_loss(probs="not np.all((p >= 0) & (p <= 1))")},
               why="eps = 0.7 makes the clip range empty and the loss meaningless", caught_by=("test_bce_loss_errors",)),
        Answer("L2 training with λ = 1/C (sum vs mean forgotten)", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    if not C > 0:\n        raise ValueError("C")\n    X = np.asarray(X, dtype=np.float64)\n    lam = 1.0 / C\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * float(np.sum(g))\n    return w, b\n'},
               why="λ is n times too large: the weights shrink far below scikit-learn's",
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training with λ = C/n (C read as the penalty strength)", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    if not C > 0:\n        raise ValueError("C")\n    X = np.asarray(X, dtype=np.float64)\n    lam = C / len(X)\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * float(np.sum(g))\n    return w, b\n'},
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training regularises the bias too", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    if not C > 0:\n        raise ValueError("C")\n    X = np.asarray(X, dtype=np.float64)\n    lam = 1.0 / (C * len(X))\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * (lam * b + float(np.sum(g)))\n    return w, b\n'},
               why="scikit-learn's lbfgs does not penalise the intercept",
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training without the λw term (plain MLE on separable data)", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    if not C > 0:\n        raise ValueError("C")\n    X = np.asarray(X, dtype=np.float64)\n    lam = 0.0\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * float(np.sum(g))\n    return w, b\n'},
               why="on separable data the unregularised weights keep growing",
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training with λ = 2/(C·n) (the ½ forgotten)", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    if not C > 0:\n        raise ValueError("C")\n    X = np.asarray(X, dtype=np.float64)\n    lam = 2.0 / (C * len(X))\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * float(np.sum(g))\n    return w, b\n'},
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training without the C check", {"train_l2_logistic_regression": '\ndef train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):\n    X = np.asarray(X, dtype=np.float64)\n    lam = 1.0 / (C * len(X)) if C else 0.0\n    w, b = np.zeros(X.shape[1]), 0.0\n    for _ in range(n_steps):\n        g = bce_with_logits_grad(y, X @ w + b)\n        w = w - lr * (lam * w + X.T @ g)\n        b = b - lr * float(np.sum(g))\n    return w, b\n'},
               caught_by=("test_l2_training_matches_sklearn",)),
        Answer("L2 training jumps to scikit-learn's solution", {"train_l2_logistic_regression": '''
def train_l2_logistic_regression(X, y, C=1.0, lr=1.0, n_steps=5000):
    from sklearn.linear_model import LogisticRegression
    if not C > 0:
        raise ValueError("C")
    model = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    return model.coef_.ravel(), float(model.intercept_[0])
'''}, caught_by=("test_l2_training_matches_sklearn",)),
        # ---- added for issue 14: more plausible wrong answers
        Answer("bce_loss takes the log first and patches -inf with log(eps) (log before clip)", {"bce_loss": _prob_answer('''    with np.errstate(divide="ignore"):
        log_p = np.nan_to_num(np.log(p), neginf=np.log(eps))
        log_q = np.nan_to_num(np.log(1 - p), neginf=np.log(eps))
    return float(-np.mean(y_true * log_p + (1 - y_true) * log_q))
''')}, why="only p = 0 and p = 1 are clipped: p = 1e-9 with y = 1 costs 20.7 instead of -log(1e-7) = 16.1",
            caught_by=("test_bce_loss_clipping",)),
        Answer("bce_loss clips only from below (np.maximum(p, eps))", {"bce_loss": _prob_loss("p = np.maximum(p, eps)")},
               why="p = 1 with y = 0 still takes log 0", caught_by=("test_bce_loss_clipping",)),
        Answer("bce_loss checks labels by range (0 <= y <= 1), so soft labels pass",
               {"bce_loss": _checked_prob_loss(labels="y_true.min() < 0 or y_true.max() > 1")},
               caught_by=("test_bce_loss_errors",)),
        Answer("bce_loss checks probabilities with min/max, so NaN slips through",
               {"bce_loss": _checked_prob_loss(probs="p.min() < 0 or p.max() > 1 or not 0 <= eps < 0.5")},
               why="NaN < 0 and NaN > 1 are both False", caught_by=("test_bce_loss_errors",)),
        Answer("bce_loss without the empty check",
               {"bce_loss": _checked_prob_loss(shape="y_true.shape != p.shape")},
               why="the mean of nothing is NaN (with a warning), not an error", caught_by=("test_bce_loss_errors",)),
        Answer("bce_with_logits as log1p(exp(z)) − y·z (softplus not stabilised)", {
            "bce_with_logits": _logits_loss("np.log1p(np.exp(z)) - y_true * z")},
            why="exp(1000) overflows: inf and a RuntimeWarning", caught_by=("test_bce_with_logits_extreme",)),
        Answer("bce_with_logits returns PyTorch's tensor (no .item())", {"bce_with_logits": '''
import torch
def bce_with_logits(y_true, logits):
    y_true = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y_true.shape != z.shape or y_true.size == 0:
        raise ValueError("모양")
    if not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("레이블")
    if np.any(np.isnan(z)):
        raise ValueError("NaN")
    return torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y_true))
'''}, caught_by=("test_bce_with_logits_value",)),
        Answer("bce_with_logits averages each row, then sums the rows", {
            "bce_with_logits": _CHECKS.join(["def bce_with_logits(y_true, logits):",
                "    per = np.maximum(z, 0) - y_true * z + np.log1p(np.exp(-np.abs(z)))\n"
                "    return float(np.sum(np.mean(per, axis=-1)))\n"])},
            why="the same as the mean for 1-D input, too large by the number of rows for 2-D",
            caught_by=("test_bce_with_logits_value",)),
        Answer("bce_with_logits without the empty check",
               {"bce_with_logits": _checked_logits_loss(shape="y_true.shape != z.shape")},
               caught_by=("test_bce_with_logits_errors",)),
        Answer("gradient divides by the number of rows, not elements", {
            "bce_with_logits_grad": _grad("(sigmoid(z) - y_true) / len(y_true)")},
            caught_by=("test_bce_with_logits_grad_value",)),
        Answer("gradient with an inline 1/(1 + exp(-z))", {
            "bce_with_logits_grad": _grad("(1.0 / (1.0 + np.exp(-z)) - y_true) / y_true.size")},
            why="exp(1000) overflows with a RuntimeWarning at z = -1000", caught_by=("test_bce_with_logits_grad_value",)),
        Answer("gradient without the shape check (silent broadcast)", {"bce_with_logits_grad": '''
def bce_with_logits_grad(y_true, logits):
    y_true = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y_true.size == 0 or not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("레이블")
    return (sigmoid(z) - y_true) / y_true.size
'''}, caught_by=("test_bce_with_logits_grad_errors",)),
        Answer("sigmoid overwrites its input array in place", {"sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    pos = z >= 0
    z[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    z[~pos] = ez / (1.0 + ez)
    return z
'''}, why="np.asarray does not copy a float64 array: the caller's logits become probabilities",
            caught_by=("test_sigmoid_reference",)),
        Answer("sigmoid as (1 + tanh(z/2))/2", {"sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))
'''}, why="tanh(-20) rounds to -1, so σ(-40) = 4.2e-18 becomes 0", caught_by=("test_sigmoid_extreme",)),
        Answer("sigmoid clips z to [-500, 500] to avoid overflow", {"sigmoid": '''
def sigmoid(z):
    z = np.clip(np.asarray(z, dtype=np.float64), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-z))
'''}, why="σ(-700) becomes σ(-500): the tail is wrong by 1e86", caught_by=("test_sigmoid_extreme",)),
        Answer("training updates b with the mean of the gradient", {"train_logistic_regression": '''
def train_logistic_regression(X, y, lr=1.0, n_steps=500):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        g = bce_with_logits_grad(y, X @ w + b)
        w, b = w - lr * (X.T @ g), b - lr * float(np.mean(g))
    return w, b
'''}, why="g already carries the 1/n: the bias moves n times too slowly", caught_by=("test_training_reaches_mle",)),
    ],
    right_answers=[
        Answer("bce_loss clipping a copy in place (np.clip(..., out=p))", {"bce_loss": '''
def bce_loss(y_true, p_pred, eps=1e-7):
    y = np.asarray(y_true, dtype=np.float64)
    p = np.array(p_pred, dtype=np.float64)           # a copy
    if y.shape != p.shape or y.size == 0:
        raise ValueError("모양")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("레이블은 0/1")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("확률은 [0, 1]")
    if not (0 <= eps < 0.5):
        raise ValueError("eps")
    np.clip(p, eps, 1 - eps, out=p)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log1p(-p))))
'''}),
        Answer("np.logaddexp everywhere", {
            "sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))   # 1/(1+e^-z) = exp(-log(1+e^-z))
''',
            "bce_with_logits": '''
def bce_with_logits(y_true, logits):
    y, z = np.asarray(y_true, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape:
        raise ValueError(f"shape {y.shape} != {z.shape}")
    if y.size == 0 or np.isnan(z).any() or not np.isin(y, [0.0, 1.0]).all():
        raise ValueError("잘못된 입력")
    return float(np.mean(np.logaddexp(0.0, z) - y * z))
''',
            "bce_with_logits_grad": '''
def bce_with_logits_grad(y_true, logits):
    y, z = np.asarray(y_true, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape or y.size == 0 or not np.isin(y, [0.0, 1.0]).all():
        raise ValueError("잘못된 입력")
    return (np.exp(-np.logaddexp(0.0, -z)) - y) / y.size
'''}),
        Answer("softplus via log1p(exp(-|z|)), one-formula sigmoid, explicit-loop training", {
            "sigmoid": '''
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))                 # always ≤ 1: never overflows
    return np.where(z >= 0, 1.0, e) / (1.0 + e)
''',
            "bce_with_logits": '''
def bce_with_logits(y_true, logits):
    y = np.array(y_true, dtype=float)
    z = np.array(logits, dtype=float)
    if y.shape != z.shape or not y.size:
        raise ValueError("shape")
    if ((y != 0) & (y != 1)).any():
        raise ValueError("labels must be 0/1")
    if np.isnan(z).any():
        raise ValueError("nan")
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))   # log(1 + e^z)
    return float((softplus - y * z).sum() / y.size)
''',
            "train_logistic_regression": '''
def train_logistic_regression(X, y, lr=1.0, n_steps=500):
    n, d = X.shape
    theta = np.zeros(d + 1)
    A = np.hstack([X, np.ones((n, 1))])
    step = 0
    while step < n_steps:
        theta -= lr * A.T @ bce_with_logits_grad(y, A @ theta)
        step += 1
    return theta[:d], theta[d]
'''}),
        Answer("PyTorch built-ins and autograd", {
            "sigmoid": '''
import torch
def sigmoid(z):
    return torch.sigmoid(torch.as_tensor(np.asarray(z, dtype=np.float64))).numpy()
''',
            "bce_loss": '''
import torch.nn.functional as F
def bce_loss(y_true, p_pred, eps=1e-7):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(p_pred, dtype=np.float64))
    if y.shape != p.shape or y.numel() == 0:
        raise ValueError("모양")
    if not torch.all((y == 0) | (y == 1)):
        raise ValueError("레이블")
    if not torch.all((p >= 0) & (p <= 1)) or not (0 <= eps < 0.5):
        raise ValueError("확률")
    return F.binary_cross_entropy(p.clamp(eps, 1 - eps), y).item()
''',
            "bce_with_logits": '''
def bce_with_logits(y_true, logits):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    z = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    if y.shape != z.shape or y.numel() == 0 or torch.isnan(z).any() or not torch.all((y == 0) | (y == 1)):
        raise ValueError("잘못된 입력")
    return F.binary_cross_entropy_with_logits(z, y).item()
''',
            "bce_with_logits_grad": '''
def bce_with_logits_grad(y_true, logits):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    z = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    if y.shape != z.shape or y.numel() == 0 or not torch.all((y == 0) | (y == 1)):
        raise ValueError("잘못된 입력")
    F.binary_cross_entropy_with_logits(z, y).backward()
    return z.grad.numpy()
'''}),
        Answer("scipy.special expit, log_expit and xlogy", {
            "sigmoid": '''
from scipy.special import expit, log_expit, xlogy
def sigmoid(z):
    return expit(np.asarray(z, dtype=np.float64))
''',
            "bce_loss": '''
def bce_loss(y_true, p_pred, eps=1e-7):
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(p_pred, dtype=np.float64)
    if y.shape != p.shape or y.size == 0:
        raise ValueError("모양")
    if not np.isin(y, (0, 1)).all() or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("값")
    if not 0 <= eps < 0.5:
        raise ValueError("eps")
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(xlogy(y, p) + xlogy(1 - y, 1 - p)))
''',
            "bce_with_logits": '''
def bce_with_logits(y_true, logits):
    y, z = np.asarray(y_true, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape or y.size == 0 or not np.isin(y, (0, 1)).all() or np.isnan(z).any():
        raise ValueError("잘못된 입력")
    return float(-np.mean(y * log_expit(z) + (1 - y) * log_expit(-z)))
'''}),
    ],
)
