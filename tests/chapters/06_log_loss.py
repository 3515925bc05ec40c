"""Chapter 6 (log loss): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import log_loss as sk_log_loss

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference

# ---------------------------------------------------------------- input strategies

_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


def _floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def _labels(shape):
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))


def labels_and_probabilities(low=0.0, high=1.0, shapes=_SHAPES):
    """(y, p): 0/1 labels and probabilities in [low, high] of one random shape."""
    return shapes.flatmap(lambda s: st.tuples(_labels(s), hnp.arrays(np.float64, s, elements=_floats(low, high))))


def labels_logits_weight(bound=1000.0, shapes=_SHAPES):
    """(y, z, pos_weight): 0/1 labels, finite logits up to |z| = bound, a positive weight."""
    return shapes.flatmap(lambda s: st.tuples(
        _labels(s), hnp.arrays(np.float64, s, elements=_floats(-bound, bound)), _floats(0.05, 100.0)))


def both_classes_and_probabilities():
    """(y, p), 1-D, with at least one click and one non-click, p away from 0 and 1."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=1, min_side=1, max_side=30)
    return shapes.flatmap(lambda s: st.tuples(
        _labels(s), hnp.arrays(np.float64, s, elements=_floats(1e-6, 1 - 1e-6)))).map(
        lambda yp: (np.append(yp[0], [0.0, 1.0]), np.append(yp[1], [0.3, 0.01])))


def dyadic_probabilities_and_bins():
    """(y, p, n_bins) with p = k / 2**20: exactly representable, so every binning method
    (floor(p·B), np.digitize on np.linspace edges, np.histogram) puts each p in the same bin."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=12)
    return shapes.flatmap(lambda s: st.tuples(
        _labels(s),
        hnp.arrays(np.int64, s, elements=st.integers(0, 2**20)).map(lambda k: k / 2**20),
        st.sampled_from([1, 2, 3, 4, 5, 8, 10, 15, 20]),
    ))


# ---------------------------------------------------------------- independent references

def _torch_log_loss_clipped(y, p):
    """PyTorch's BCE on p clamped to [1e-15, 1 - 1e-15] (the contract's default eps;
    log(1e-15) ≈ -34.5 stays above PyTorch's own clamp of log at -100)."""
    p_t = torch.clamp(torch.as_tensor(p, dtype=torch.float64), 1e-15, 1 - 1e-15)
    return float(F.binary_cross_entropy(p_t, torch.as_tensor(y, dtype=torch.float64)))


def _sklearn_log_loss(y, p):
    return float(sk_log_loss(np.ravel(y), y_proba=np.ravel(p), labels=[0, 1]))


def _torch_weighted(y, z, w):
    return float(F.binary_cross_entropy_with_logits(
        torch.as_tensor(z, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64),
        pos_weight=torch.tensor(w, dtype=torch.float64)))


def _torch_weighted_grad(y, z, w):
    z_t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    F.binary_cross_entropy_with_logits(z_t, torch.as_tensor(y, dtype=torch.float64),
                                       pos_weight=torch.tensor(w, dtype=torch.float64)).backward()
    return z_t.grad.numpy()


def _fd_grad(y, z, w):
    return central_difference(
        lambda zz: float(np.mean(w * y * np.logaddexp(0.0, -zz) + (1 - y) * np.logaddexp(0.0, zz))), z)


def _sklearn_ne(y, p):
    return _sklearn_log_loss(y, p) / _sklearn_log_loss(y, np.full(len(y), np.mean(y)))


def _histogram_ece(y, p, n_bins):
    """np.histogram's bins are [a, b) except the last, [a, b]: exactly the contract."""
    y, p = np.ravel(y), np.ravel(p)
    sum_y, _ = np.histogram(p, bins=n_bins, range=(0, 1), weights=y)
    sum_p, _ = np.histogram(p, bins=n_bins, range=(0, 1), weights=p)
    return float(np.sum(np.abs(sum_y - sum_p)) / y.size)


# ---------------------------------------------------------------- answers used by the catalogue

_CHECKS = '''
    y = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape or y.size == 0:
        raise ValueError("모양")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("레이블")
    if np.any(np.isnan(z)) or not pos_weight > 0:
        raise ValueError("값")
'''


def _weighted_loss(body):
    return f"def log_loss_with_logits(y_true, logits, pos_weight=1.0):{_CHECKS}    return float({body})\n"


def _weighted_grad(body):
    return (f"from scipy.special import expit\n"
            f"def log_loss_with_logits_grad(y_true, logits, pos_weight=1.0):{_CHECKS}    return {body}\n")


def _prob_loss(clip_line, body="-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))"):
    return f'''
def log_loss(y_true, p_pred, eps=1e-15):
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(p_pred, dtype=np.float64)
    if y.shape != p.shape or y.size == 0:
        raise ValueError("모양")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("레이블")
    if not np.all((p >= 0) & (p <= 1)) or not 0 <= eps < 0.5:
        raise ValueError("확률")
    {clip_line}
    return float({body})
'''


def _ne(denominator):
    return f'''
def normalized_entropy(y_true, p_pred):
    loss = log_loss(y_true, p_pred)
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(p_pred, dtype=np.float64)
    if y.mean() in (0.0, 1.0):
        raise ValueError("정의되지 않음")
    return float(loss / ({denominator}))
'''


_ECE_CHECKS = '''
    y = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(p_pred, dtype=np.float64).ravel()
    if np.shape(y_true) != np.shape(p_pred) or y.size == 0:
        raise ValueError("모양")
    if not np.all((y == 0) | (y == 1)) or not np.all((p >= 0) & (p <= 1)):
        raise ValueError("값")
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError("n_bins")
'''


def _ece(body):
    return f"def expected_calibration_error(y_true, p_pred, n_bins=10):{_ECE_CHECKS}{body}\n"


def _training(start="np.zeros(X.shape[1])", grad="log_loss_with_logits_grad(y, X @ w + b, pos_weight=pos_weight)",
              bias_step="g.sum()", default_weight="1.0", before=""):
    """A train_ctr_model cell: gradient descent from `start`, with the given gradient call and bias step."""
    return f'''
def train_ctr_model(X, y, lr=4.0, n_steps=500, pos_weight={default_weight}):{before}
    w, b = {start}, 0.0
    for _ in range(n_steps):
        g = {grad}
        w, b = w - lr * X.T @ g, b - lr * {bias_step}
    return w, b
'''


CHAPTER = Chapter(
    agrees=[
        Agrees("log_loss", _torch_log_loss_clipped, labels_and_probabilities(), rtol=1e-9, atol=1e-12,
               name="torch binary_cross_entropy on p clamped at 1e-15"),
        Agrees("log_loss", _sklearn_log_loss, labels_and_probabilities(1e-12, 1 - 1e-12), rtol=1e-9, atol=1e-12,
               name="sklearn log_loss away from its machine-epsilon clip"),
        Agrees("log_loss_with_logits", _torch_weighted, labels_logits_weight(), rtol=1e-10, atol=1e-12,
               name="torch binary_cross_entropy_with_logits(pos_weight)"),
        Agrees("log_loss_with_logits_grad", _torch_weighted_grad, labels_logits_weight(), rtol=1e-10, atol=1e-15,
               name="torch autograd with pos_weight"),
        Agrees("log_loss_with_logits_grad", _fd_grad,
               labels_logits_weight(bound=20.0, shapes=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)),
               rtol=1e-5, atol=1e-7, name="finite differences"),
        Agrees("normalized_entropy", _sklearn_ne, both_classes_and_probabilities(), rtol=1e-9, atol=1e-12,
               name="sklearn log_loss ratio to the base-rate model"),
        Agrees("expected_calibration_error", _histogram_ece, dyadic_probabilities_and_bins(), rtol=1e-9,
               atol=1e-12, name="np.histogram-weighted bin gaps"),
    ],
    exact=[
        Exact("log_loss", (np.array([1.0]), np.array([0.0])), -np.log(1e-15), name="p = 0, y = 1 clipped at 1e-15"),
        Exact("log_loss", (np.array([0.0]), np.array([1.0])), -np.log(1e-15), rtol=1e-4, name="p = 1, y = 0"),
        Exact("log_loss", (np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1e-3), -np.log(1e-3), rtol=1e-9,
              name="eps argument used"),
        Exact("log_loss", (np.array([1, 0]), np.array([0.5, 0.5])), np.log(2), name="integer labels"),
        Exact("log_loss_with_logits", (np.array([0.0, 1.0]), np.array([1000.0, -1000.0])), 1000.0, rtol=1e-12,
              name="confidently wrong, unclipped"),
        Exact("log_loss_with_logits", (np.array([1.0]), np.array([-1000.0]), 3.0), 3000.0, rtol=1e-12,
              name="pos_weight on the positive term"),
        Exact("log_loss_with_logits", (np.array([0.0, 0.0]), np.array([1.0, -2.0]), 50.0),
              float(np.mean(np.logaddexp(0.0, [1.0, -2.0]))), rtol=1e-12, name="pos_weight leaves negatives alone"),
        Exact("log_loss_with_logits", (np.array([1.0, 0.0]), np.array([1000.0, -1000.0])), 0.0,
              name="confidently right is 0, not NaN"),
        Exact("log_loss_with_logits_grad", (np.array([1.0, 0.0]), np.array([-1000.0, 1000.0]), 2.0),
              np.array([-1.0, 0.5]), name="saturated gradient is (-w/n, 1/n)"),
        Exact("log_loss_with_logits_grad", (np.zeros((2, 2)), np.zeros((2, 2))), np.full((2, 2), 0.125),
              name="n counts all elements"),
        Exact("normalized_entropy", (np.array([1.0, 0.0, 0.0, 0.0]), np.full(4, 0.25)), 1.0, rtol=1e-12,
              name="base-rate model has NE = 1"),
        Exact("expected_calibration_error", (np.array([0.0, 1.0, 1.0, 0.0]), np.array([1.0, 0.75, 0.5, 0.0]), 4),
              0.3125, rtol=1e-12, name="left-closed bins, 1.0 in the last bin"),
        Exact("expected_calibration_error", (np.array([1.0, 0.0, 0.0]), np.array([0.9, 0.1, 0.2]), 1000),
              (0.1 + 0.1 + 0.2) / 3, rtol=1e-10, name="empty bins count 0"),
        Exact("expected_calibration_error", (np.array([0, 1]), np.array([0.5, 0.5])), 0.0,
              name="calibrated single bin"),
    ],
    raises=[
        Raises("log_loss", (np.array([-1.0, 1.0]), np.array([0.2, 0.8])), name="±1 labels"),
        Raises("log_loss", (np.array([1.0]), np.array([1.5])), name="p > 1"),
        Raises("log_loss", (np.array([1.0]), np.array([np.nan])), name="NaN probability"),
        Raises("log_loss", (np.zeros((3, 1)), np.full(3, 0.5)), name="(n,1) vs (n,)"),
        Raises("log_loss", (np.array([]), np.array([])), name="empty"),
        Raises("log_loss_with_logits", (np.array([-1.0, 1.0]), np.array([0.0, 0.0])), name="±1 labels"),
        Raises("log_loss_with_logits", (np.array([1.0]), np.array([np.nan])), name="NaN logit"),
        Raises("log_loss_with_logits", (np.array([1.0]), np.array([0.0]), 0.0), name="pos_weight = 0"),
        Raises("log_loss_with_logits_grad", (np.zeros((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("log_loss_with_logits_grad", (np.array([1.0]), np.array([0.0]), -1.0), name="negative pos_weight"),
        Raises("normalized_entropy", (np.zeros(5), np.full(5, 0.1)), name="no clicks: base-rate loss is 0"),
        Raises("normalized_entropy", (np.array([1.0, 0.0]), np.array([0.5, 1.5])), name="p > 1"),
        Raises("expected_calibration_error", (np.array([0.0, 2.0]), np.array([0.1, 0.2])), name="label 2"),
        Raises("expected_calibration_error", (np.array([1.0]), np.array([-0.1])), name="p < 0"),
        Raises("expected_calibration_error", (np.zeros(3), np.full((3, 1), 0.5)), name="(n,) vs (n,1)"),
        Raises("expected_calibration_error", (np.array([1.0]), np.array([0.5]), 0), name="n_bins = 0"),
        Raises("undo_pos_weight", (np.array([1.5]), 2.0), name="p > 1"),
        Raises("undo_pos_weight", (np.array([0.5]), 0.0), name="pos_weight = 0"),
    ],
    wrong_answers=[
        Answer("log_loss without clipping", {"log_loss": _prob_loss("pass")},
               why="p = 0 with a click gives log 0: inf (and 0·log 0 = NaN for a correct p = 1)",
               caught_by=("test_log_loss_clipping",)),
        Answer("log_loss clips at a fixed 1e-7, ignoring eps", {"log_loss": _prob_loss("p = np.clip(p, 1e-7, 1 - 1e-7)")},
               why="Keras's constant instead of the argument: a confident miss costs 16.1, not 34.5",
               caught_by=("test_log_loss_clipping",)),
        Answer("log_loss sums instead of averaging", {"log_loss": _prob_loss(
            "p = np.clip(p, eps, 1 - eps)", "-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))")},
            caught_by=("test_log_loss_value", "test_log_loss_reference")),
        Answer("log_loss takes the log before clipping (clips the logs)", {"log_loss": _prob_loss(
            "log_p, log_q = np.clip(np.log(p), np.log(eps), 0.0), np.clip(np.log(1 - p), np.log(eps), 0.0)",
            "-np.mean(y * log_p + (1 - y) * log_q)")},
            why="the value is right, but np.log(0) warns at p = 0 or 1 (the cause of the warning, not the two terms)",
            caught_by=("test_log_loss_clipping",)),
        Answer("log_loss clips before validating", {"log_loss": '''
def log_loss(y_true, p_pred, eps=1e-15):
    y = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(p_pred, dtype=np.float64), eps, 1 - eps)
    if y.shape != p.shape or y.size == 0 or not np.all((y == 0) | (y == 1)):
        raise ValueError("입력")
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
'''}, why="p = 1.2 is silently clipped to 1 - eps", caught_by=("test_log_loss_errors",)),
        Answer("pos_weight applied to both terms", {"log_loss_with_logits": _weighted_loss(
            "np.mean(pos_weight * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))")},
            why="scales the whole loss: the minimiser is unchanged but the value is not PyTorch's",
            caught_by=("test_log_loss_with_logits_pos_weight",)),
        Answer("pos_weight on the negative term", {"log_loss_with_logits": _weighted_loss(
            "np.mean(y * np.logaddexp(0, -z) + pos_weight * (1 - y) * np.logaddexp(0, z))")},
            caught_by=("test_log_loss_with_logits_pos_weight",)),
        Answer("weighted mean divided by the sum of weights", {"log_loss_with_logits": _weighted_loss(
            "np.sum(pos_weight * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))"
            " / np.sum(pos_weight * y + (1 - y))")},
            why="PyTorch's mean reduction divides by n, not by Σ weights",
            caught_by=("test_log_loss_with_logits_pos_weight",)),
        Answer("logits through clipped probabilities", {"log_loss_with_logits": _weighted_loss(
            "np.mean(-pos_weight * y * np.log(np.clip(expit(z), 1e-15, 1 - 1e-15))"
            " - (1 - y) * np.log(np.clip(1 - expit(z), 1e-15, 1)))").replace(
            "def log_loss_with_logits", "from scipy.special import expit\ndef log_loss_with_logits")},
            why="a confidently wrong logit of 1000 costs 34.5 instead of 1000",
            caught_by=("test_log_loss_with_logits_extreme",)),
        Answer("gradient ignores pos_weight", {"log_loss_with_logits_grad": _weighted_grad("(expit(z) - y) / y.size")},
               caught_by=("test_log_loss_with_logits_grad_value", "test_log_loss_with_logits_grad_reference",
                          "test_training_reaches_targets")),
        Answer("gradient weights both classes", {"log_loss_with_logits_grad": _weighted_grad(
            "pos_weight * (expit(z) - y) / y.size")},
            caught_by=("test_log_loss_with_logits_grad_value", "test_log_loss_with_logits_grad_reference")),
        Answer("gradient without the 1/n", {"log_loss_with_logits_grad": _weighted_grad(
            "(1 - y) * expit(z) - pos_weight * y * expit(-z)")},
            why="with lr = 4 and n = 20000 the steps are 20000 times too large",
            caught_by=("test_log_loss_with_logits_grad_value", "test_training_reaches_targets")),
        Answer("NE divided by log 2 (the p = 0.5 model)", {"normalized_entropy": _ne("np.log(2.0)")},
               caught_by=("test_normalized_entropy_value", "test_normalized_entropy_reference")),
        Answer("NE with the mean prediction as the base rate", {"normalized_entropy": _ne(
            "-(p.mean() * np.log(p.mean()) + (1 - p.mean()) * np.log(1 - p.mean()))")},
            caught_by=("test_normalized_entropy_value", "test_normalized_entropy_reference")),
        Answer("relative information gain 1 - NE instead of NE", {"normalized_entropy": '''
def normalized_entropy(y_true, p_pred):
    loss = log_loss(y_true, p_pred)
    b = float(np.mean(np.asarray(y_true, dtype=np.float64)))
    if b in (0.0, 1.0):
        raise ValueError("정의되지 않음")
    return float(1 - loss / -(b * np.log(b) + (1 - b) * np.log(1 - b)))
'''}, caught_by=("test_normalized_entropy_value",)),
        Answer("ECE as the unweighted mean over non-empty bins", {"expected_calibration_error": _ece('''
    idx = np.minimum((p * n_bins).astype(int), n_bins - 1)
    gaps = [abs(y[idx == b].mean() - p[idx == b].mean()) for b in range(n_bins) if np.any(idx == b)]
    return float(np.mean(gaps))''')}, caught_by=("test_ece_value", "test_ece_reference")),
        Answer("ECE drops p = 1.0 (bins from np.linspace edges, last bin open)", {"expected_calibration_error": _ece('''
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & (p < hi)
        if inside.any():
            total += inside.sum() / y.size * abs(y[inside].mean() - p[inside].mean())
    return float(total)''')}, caught_by=("test_ece_bin_edges",)),
        Answer("ECE with right-closed bins like calibration_curve", {"expected_calibration_error": _ece('''
    edges = np.linspace(0, 1, n_bins + 1)
    idx = np.searchsorted(edges[1:-1], p)          # side="left": 0.5 goes to [0.25, 0.5]
    return float(np.sum(np.abs(np.bincount(idx, y - p, minlength=n_bins))) / y.size)''')},
            caught_by=("test_ece_bin_edges",)),
        Answer("ECE with floor(p·B) not capped: p = 1.0 gets its own bin", {"expected_calibration_error": _ece('''
    idx = np.floor(p * n_bins).astype(int)
    return float(np.sum(np.abs(np.bincount(idx, y - p))) / y.size)''')}, caught_by=("test_ece_bin_edges",)),
        Answer("ECE with mean over bins that leaves NaN for empty bins", {"expected_calibration_error": _ece('''
    idx = np.minimum((p * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.bincount(idx, y, n_bins) / counts - np.bincount(idx, p, n_bins) / counts
    return float(np.sum(counts / y.size * np.abs(gap)))''')}, caught_by=("test_ece_bin_edges",)),
        Answer("ECE without the absolute value", {"expected_calibration_error": _ece('''
    idx = np.minimum((p * n_bins).astype(int), n_bins - 1)
    return float(abs(np.sum(np.bincount(idx, y - p, n_bins))) / y.size)''')},
            why="over- and under-confident bins cancel", caught_by=("test_ece_value", "test_ece_reference")),
        Answer("training with pos_weight = n_neg / n_pos by default", {"train_ctr_model": _training(default_weight="None", before="""
    if pos_weight is None:
        pos_weight = float((1 - np.mean(y)) / np.mean(y))   # "balance the classes\"""")}, why="lr = 4 with a weight of 50 diverges, and the probabilities are inflated anyway",
            caught_by=("test_training_reaches_targets",)),
        Answer("training ignores its pos_weight argument", {"train_ctr_model": _training(grad="log_loss_with_logits_grad(y, X @ w + b)")}, caught_by=("test_training_reaches_targets",)),
        Answer("undo_pos_weight without the probability check", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if not pos_weight > 0:
        raise ValueError("pos_weight")
    return q / (q + pos_weight * (1 - q))
'''}, why="p = 1.5 comes back as a 'probability' above 1", caught_by=("test_undo_pos_weight",)),
        Answer("undo_pos_weight without the pos_weight check", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if not np.all((q >= 0) & (q <= 1)):
        raise ValueError("확률")
    with np.errstate(divide="ignore", invalid="ignore"):
        return q / (q + pos_weight * (1 - q))
'''}, why="pos_weight = 0 maps every probability to 1 (and 0 to NaN)", caught_by=("test_undo_pos_weight",)),
        Answer("pos_weight undone by dividing the probability", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if not np.all((q >= 0) & (q <= 1)) or not pos_weight > 0:
        raise ValueError("값")
    return q / pos_weight
'''}, why="divides the probability, not the odds", caught_by=("test_undo_pos_weight",)),
        # ---- added with issue 14's review: input checks, return types, in-place edits, bins
        Answer("log_loss range check written as p < 0 or p > 1: NaN passes", {"log_loss": _prob_loss("p = np.clip(p, eps, 1 - eps)").replace(
            "not np.all((p >= 0) & (p <= 1))", "np.any((p < 0) | (p > 1))")}, why="every comparison with NaN is False, so a NaN probability gives a NaN loss",
            caught_by=("test_log_loss_errors",)),
        Answer("log_loss returns PyTorch's tensor (no .item())", {"log_loss": '''
import torch
import torch.nn.functional as F
def log_loss(y_true, p_pred, eps=1e-15):
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(p_pred, dtype=np.float64)
    if y.shape != p.shape or y.size == 0 or not np.all((y == 0) | (y == 1)):
        raise ValueError("입력")
    if not np.all((p >= 0) & (p <= 1)) or not 0 <= eps < 0.5:
        raise ValueError("확률")
    return F.binary_cross_entropy(torch.from_numpy(np.clip(p, eps, 1 - eps)), torch.from_numpy(y))
'''}, caught_by=("test_log_loss_value",)),
        Answer("log_loss clips the caller's array in place (np.clip(..., out=p))", {"log_loss": _prob_loss(
            "np.clip(p, eps, 1 - eps, out=p)")},
            why="np.asarray returns the caller's own float64 array: its 0s and 1s become eps and 1 - eps",
            caught_by=("test_log_loss_clipping",)),
        Answer("log_loss computed in float32", {"log_loss": _prob_loss(
            "p = np.clip(p.astype(np.float32), eps, 1 - eps); y = y.astype(np.float32)")},
            why="1 - 1e-15 rounds to 1 in float32: log(1 - p) = -inf for p = 1, y = 0",
            caught_by=("test_log_loss_clipping", "test_log_loss_reference")),
        Answer("log_loss_with_logits with the naive softplus log(1 + exp(z))", {"log_loss_with_logits": _weighted_loss(
            "np.mean(pos_weight * y * np.log(1 + np.exp(-z)) + (1 - y) * np.log(1 + np.exp(z)))")},
            why="exp(1000) overflows to inf (RuntimeWarning)", caught_by=("test_log_loss_with_logits_extreme",)),
        Answer("log_loss_with_logits labels checked only for the range [0, 1]", {"log_loss_with_logits": '''
def log_loss_with_logits(y_true, logits, pos_weight=1.0):
    y = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape or y.size == 0:
        raise ValueError("모양")
    if y.min() < 0 or y.max() > 1:
        raise ValueError("레이블")
    if np.any(np.isnan(z)) or not pos_weight > 0:
        raise ValueError("값")
    return float(np.mean(pos_weight * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))
'''}, why="a label of 0.5 is a soft target, not a click: the contract says 0/1",
            caught_by=("test_log_loss_with_logits_errors",)),
        Answer("log_loss_with_logits without the pos_weight check", {"log_loss_with_logits": _weighted_loss(
            "np.mean(pos_weight * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))").replace(
            " or not pos_weight > 0", "")}, caught_by=("test_log_loss_with_logits_errors",)),
        Answer("gradient without the shape check: (n, 1) labels broadcast to (n, n)", {"log_loss_with_logits_grad": '''
from scipy.special import expit
def log_loss_with_logits_grad(y_true, logits, pos_weight=1.0):
    y = np.asarray(y_true, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if y.size == 0 or not np.all((y == 0) | (y == 1)) or np.any(np.isnan(z)) or not pos_weight > 0:
        raise ValueError("값")
    return ((1 - y) * expit(z) - pos_weight * y * expit(-z)) / y.size
'''}, caught_by=("test_log_loss_with_logits_grad_value",)),
        Answer("gradient without the pos_weight check", {"log_loss_with_logits_grad": _weighted_grad(
            "((1 - y) * expit(z) - pos_weight * y * expit(-z)) / y.size").replace(" or not pos_weight > 0", "")},
            why="pos_weight = -1 pushes the clicks' logits down", caught_by=("test_log_loss_with_logits_grad_value",)),
        Answer("gradient with the naive sigmoid 1 / (1 + exp(-z))", {"log_loss_with_logits_grad": _weighted_grad(
            "((1 - y) / (1 + np.exp(-z)) - pos_weight * y / (1 + np.exp(z))) / y.size")},
            why="exp(1000) overflows (RuntimeWarning) at a saturated logit",
            caught_by=("test_log_loss_with_logits_grad_value",)),
        Answer("NE with its own formula and no probability check", {"normalized_entropy": '''
def normalized_entropy(y_true, p_pred):
    y = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(p_pred, dtype=np.float64), 1e-15, 1 - 1e-15)
    b = y.mean()
    if b in (0.0, 1.0):
        raise ValueError("정의되지 않음")
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss / -(b * np.log(b) + (1 - b) * np.log(1 - b)))
'''}, why="p = 1.5 is clipped to 1 - eps and scored", caught_by=("test_normalized_entropy_reference",)),
        Answer("ECE from np.histogram without range=(0, 1)", {"expected_calibration_error": _ece('''
    sum_y, _ = np.histogram(p, bins=n_bins, weights=y)     # bins span [min p, max p]
    sum_p, _ = np.histogram(p, bins=n_bins, weights=p)
    return float(np.sum(np.abs(sum_y - sum_p)) / y.size)''')}, caught_by=("test_ece_reference",)),
        Answer("ECE moves p = 1.0 just below 1 in the caller's array", {"expected_calibration_error": _ece('''
    p[p == 1.0] = np.nextafter(1.0, 0.0)            # ravel() is a view: this edits the caller's array
    idx = (p * n_bins).astype(int)
    return float(np.sum(np.abs(np.bincount(idx, y - p, minlength=n_bins))) / y.size)''')},
            why="right value, but the caller's predictions change", caught_by=("test_ece_bin_edges",)),
        Answer("ECE checks only n_bins >= 1 (2.5 bins accepted)", {"expected_calibration_error": _ece('''
    idx = np.minimum(np.floor(p * n_bins), n_bins - 1).astype(int)
    return float(np.sum(np.abs(np.bincount(idx, y - p, minlength=int(n_bins)))) / y.size)''').replace(
            "not isinstance(n_bins, (int, np.integer)) or ", "")},
            why="n_bins = 2.5 gives bins of width 0.4 and a last one of 0.2", caught_by=("test_ece_errors",)),
        Answer("ECE without the shape check: (n,) and (n, 1) compared after ravel", {"expected_calibration_error": _ece('''
    idx = np.minimum((p * n_bins).astype(int), n_bins - 1)
    return float(np.sum(np.abs(np.bincount(idx, y - p, minlength=n_bins))) / y.size)''').replace(
            "np.shape(y_true) != np.shape(p_pred) or ", "")}, caught_by=("test_ece_errors",)),
        Answer("training updates the bias with the mean of g", {"train_ctr_model": _training(bias_step="g.mean()")}, why="g already carries 1/n: the bias moves n times too slowly and the mean CTR is off",
            caught_by=("test_training_reaches_targets",)),
        Answer("training starts from small random weights", {"train_ctr_model": _training(start="np.random.default_rng(0).normal(scale=0.01, size=X.shape[1])")}, why="the problem fixes the start at w = 0, b = 0", caught_by=("test_training_reaches_targets",)),
        Answer("undo_pos_weight range check written as q < 0 or q > 1: NaN passes", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if np.any((q < 0) | (q > 1)) or not pos_weight > 0:
        raise ValueError("값")
    return q / (q + pos_weight * (1 - q))
'''}, caught_by=("test_undo_pos_weight",)),
        Answer("undo_pos_weight returns the corrected odds, not a probability", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if not np.all((q >= 0) & (q <= 1)) or not pos_weight > 0:
        raise ValueError("값")
    with np.errstate(divide="ignore"):
        return q / (1 - q) / pos_weight
'''}, caught_by=("test_undo_pos_weight",)),
    ],
    right_answers=[
        Answer("undo_pos_weight through the odds ratio 1 / (1 + w(1 - q)/q)", {"undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if not np.all((q >= 0) & (q <= 1)) or not pos_weight > 0:
        raise ValueError("값")
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 / (1 + pos_weight * (1 - q) / q)
'''}, why="q = 0: w·(1 - q)/q = inf and 1/(1 + inf) = 0; q = 1: 1/(1 + 0) = 1"),
        Answer("explicit loops everywhere, manual bins", {
            "log_loss": '''
import math
def log_loss(y_true, p_pred, eps=1e-15):
    y = np.array(y_true, dtype=float)
    p = np.array(p_pred, dtype=float)
    if y.shape != p.shape:
        raise ValueError("모양이 다릅니다")
    if y.size == 0:
        raise ValueError("빈 입력")
    if not (0 <= eps < 0.5):
        raise ValueError("eps")
    total = 0.0
    for yi, pi in zip(y.ravel(), p.ravel()):
        if yi not in (0.0, 1.0):
            raise ValueError("레이블은 0/1")
        if not (0.0 <= pi <= 1.0):
            raise ValueError("확률은 [0, 1]")
        pi = min(max(pi, eps), 1 - eps)
        total -= math.log(pi) if yi == 1.0 else math.log(1 - pi)
    return total / y.size
''',
            "log_loss_with_logits": '''
def log_loss_with_logits(y_true, logits, pos_weight=1.0):
    y = np.array(y_true, dtype=float)
    z = np.array(logits, dtype=float)
    if y.shape != z.shape or y.size == 0:
        raise ValueError("모양")
    if not pos_weight > 0:
        raise ValueError("pos_weight")
    total = 0.0
    for yi, zi in zip(y.ravel(), z.ravel()):
        if yi not in (0.0, 1.0) or math.isnan(zi):
            raise ValueError("값")
        softplus = max(zi, 0.0) + math.log1p(math.exp(-abs(zi)))   # log(1 + e^z)
        total += pos_weight * (softplus - zi) if yi == 1.0 else softplus
    return total / y.size
''',
            "expected_calibration_error": '''
def expected_calibration_error(y_true, p_pred, n_bins=10):
    if np.shape(y_true) != np.shape(p_pred):
        raise ValueError("모양")
    y = np.ravel(np.array(y_true, dtype=float))
    p = np.ravel(np.array(p_pred, dtype=float))
    if y.size == 0 or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError("입력")
    if ((y != 0) & (y != 1)).any() or not ((p >= 0) & (p <= 1)).all():
        raise ValueError("값")
    ece = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inside = (p >= lo) & ((p < hi) if b < n_bins - 1 else (p <= 1.0))
        n_b = int(inside.sum())
        if n_b:
            ece += n_b / y.size * abs(y[inside].mean() - p[inside].mean())
    return float(ece)
''',
            "undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.array(p_weighted, dtype=float)
    if np.isnan(q).any() or (q < 0).any() or (q > 1).any() or pos_weight <= 0:
        raise ValueError("값")
    out = np.empty_like(q)
    for i in np.ndindex(q.shape):
        out[i] = q[i] / (q[i] + pos_weight * (1 - q[i]))
    return out
'''}),
        Answer("np.digitize bins, log1p(exp(-|z|)) softplus, logit-shift correction", {
            "log_loss_with_logits": '''
def log_loss_with_logits(y_true, logits, pos_weight=1.0):
    y, z = np.asarray(y_true, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    if y.shape != z.shape or not y.size:
        raise ValueError("모양")
    if not np.isin(y, [0.0, 1.0]).all() or np.isnan(z).any() or pos_weight <= 0:
        raise ValueError("값")
    sp_pos = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))   # softplus(z)
    sp_neg = sp_pos - z                                          # softplus(-z)
    return float(np.mean(pos_weight * y * sp_neg + (1 - y) * sp_pos))
''',
            "expected_calibration_error": '''
def expected_calibration_error(y_true, p_pred, n_bins=10):
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(p_pred, dtype=np.float64)
    if y.shape != p.shape or y.size == 0:
        raise ValueError("모양")
    if not np.isin(y, [0.0, 1.0]).all() or np.isnan(p).any() or p.min() < 0 or p.max() > 1:
        raise ValueError("값")
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError("n_bins")
    y, p = y.ravel(), p.ravel()
    inner_edges = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    idx = np.digitize(p, inner_edges)        # right=False: [a, b); 1.0 lands in bin n_bins - 1
    counts = np.bincount(idx, minlength=n_bins)
    sum_y = np.bincount(idx, weights=y, minlength=n_bins)
    sum_p = np.bincount(idx, weights=p, minlength=n_bins)
    full = counts > 0
    return float(np.sum(counts[full] / y.size * np.abs(sum_y[full] / counts[full] - sum_p[full] / counts[full])))
''',
            "undo_pos_weight": '''
def undo_pos_weight(p_weighted, pos_weight):
    q = np.asarray(p_weighted, dtype=np.float64)
    if np.isnan(q).any() or (q < 0).any() or (q > 1).any() or not pos_weight > 0:
        raise ValueError("값")
    with np.errstate(divide="ignore"):
        logit = np.log(q) - np.log1p(-q)      # ±inf at 0 and 1
    return sigmoid(logit - np.log(pos_weight))
'''}),
        Answer("PyTorch built-ins, autograd and np.histogram", {
            "log_loss": '''
import torch
import torch.nn.functional as F
def log_loss(y_true, p_pred, eps=1e-15):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    p = torch.as_tensor(np.asarray(p_pred, dtype=np.float64))
    if y.shape != p.shape or y.numel() == 0:
        raise ValueError("모양")
    if not torch.all((y == 0) | (y == 1)) or not torch.all((p >= 0) & (p <= 1)) or not 0 <= eps < 0.5:
        raise ValueError("값")
    return F.binary_cross_entropy(p.clamp(eps, 1 - eps), y).item()
''',
            "log_loss_with_logits": '''
def log_loss_with_logits(y_true, logits, pos_weight=1.0):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    z = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    if y.shape != z.shape or y.numel() == 0:
        raise ValueError("모양")
    if torch.isnan(z).any() or not torch.all((y == 0) | (y == 1)) or not pos_weight > 0:
        raise ValueError("값")
    return F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(float(pos_weight), dtype=torch.float64)).item()
''',
            "log_loss_with_logits_grad": '''
def log_loss_with_logits_grad(y_true, logits, pos_weight=1.0):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    z = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    if y.shape != z.shape or y.numel() == 0:
        raise ValueError("모양")
    if torch.isnan(z).any() or not torch.all((y == 0) | (y == 1)) or not pos_weight > 0:
        raise ValueError("값")
    F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(float(pos_weight), dtype=torch.float64)).backward()
    return z.grad.numpy()
''',
            "expected_calibration_error": '''
def expected_calibration_error(y_true, p_pred, n_bins=10):
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(p_pred, dtype=np.float64)
    if y.shape != p.shape or y.size == 0 or not np.isin(y, [0, 1]).all():
        raise ValueError("입력")
    if np.isnan(p).any() or p.min() < 0 or p.max() > 1 or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError("값")
    sum_y, _ = np.histogram(p, bins=n_bins, range=(0.0, 1.0), weights=y)   # [a, b), last bin [a, b]
    sum_p, _ = np.histogram(p, bins=n_bins, range=(0.0, 1.0), weights=p)
    return float(np.abs(sum_y - sum_p).sum() / y.size)
'''}),
        Answer("NE from xlogy entropy, training loop on a stacked design matrix", {
            "normalized_entropy": '''
from scipy.special import xlogy
def normalized_entropy(y_true, p_pred):
    numerator = log_loss(y_true, p_pred)
    rate = np.asarray(y_true, dtype=np.float64).mean()
    denominator = -(xlogy(rate, rate) + xlogy(1 - rate, 1 - rate))
    if denominator == 0:
        raise ValueError("클릭이 전혀 없거나 모두 클릭이면 NE를 정의할 수 없습니다")
    return float(numerator / denominator)
''',
            "train_ctr_model": '''
def train_ctr_model(X, y, lr=4.0, n_steps=500, pos_weight=1.0):
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    for _ in range(n_steps):
        theta -= lr * A.T @ log_loss_with_logits_grad(y, A @ theta, pos_weight)
    return theta[:d], float(theta[d])
'''}),
    ],
)
