"""Chapter 10 (categorical cross-entropy): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import rel_entr
from sklearn.metrics import log_loss

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises

# ---------------------------------------------------------------- input strategies


def _floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def _normalise(raw):
    """Rows of non-negative numbers → rows of probabilities (an all-zero row becomes one-hot)."""
    raw = raw.copy()
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    return raw / raw.sum(axis=1, keepdims=True)


_SHAPES = st.tuples(st.integers(1, 6), st.integers(2, 6))


def _distributions(shape, floor=0.0):
    """(N, K) probability rows; exact zeros appear unless floor > 0."""
    elements = _floats(floor, 1.0) if floor > 0 else st.one_of(st.just(0.0), _floats(0.0, 1.0))
    return hnp.arrays(np.float64, shape, elements=elements).map(_normalise)


def labels_and_classes():
    """(labels, K): integer labels in range for K classes."""
    return st.integers(1, 7).flatmap(lambda k: st.tuples(
        hnp.arrays(np.int64, st.integers(1, 12), elements=st.integers(0, k - 1)), st.just(k)))


def targets_and_epsilon():
    return _SHAPES.flatmap(lambda s: st.tuples(_distributions(s), _floats(0.0, 1.0)))


def targets_and_probs(floor=0.0):
    return _SHAPES.flatmap(lambda s: st.tuples(_distributions(s), _distributions(s, floor)))


def labels_onehot_and_probs():
    """(one-hot targets, probs ≥ 1e-6): for scikit-learn's log_loss, which clips at machine epsilon."""
    def build(shape):
        n, k = shape
        return st.tuples(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)).map(lambda y: np.eye(k)[y]),
                         _distributions(shape, floor=1e-3))
    return _SHAPES.flatmap(build)


def targets_and_logits(bound=1000.0):
    return _SHAPES.flatmap(lambda s: st.tuples(
        _distributions(s), hnp.arrays(np.float64, s, elements=_floats(-bound, bound))))


# ---------------------------------------------------------------- independent references

def _torch_one_hot(labels, k):
    return F.one_hot(torch.as_tensor(labels), k).double().numpy()


def _torch_smoothed_targets(targets, epsilon):
    """The target PyTorch uses with label_smoothing=ε, read off its gradient at z = 0:
    ∂/∂z cross_entropy = (softmax(z) − q_LS)/N, and softmax(0) = 1/K."""
    q = torch.as_tensor(targets, dtype=torch.float64)
    z = torch.zeros_like(q, requires_grad=True)
    F.cross_entropy(z, q, label_smoothing=float(epsilon)).backward()
    return (1.0 / q.shape[1] - len(q) * z.grad).numpy()


def _torch_cce_clipped(targets, probs, eps=1e-7):
    """The contract's closed form in PyTorch: −Σ q·log clamp(p, eps, 1), mean over rows (xlogy: 0·log = 0)."""
    p = torch.clamp(torch.as_tensor(probs, dtype=torch.float64), eps, 1.0)
    return float(-torch.xlogy(torch.as_tensor(targets, dtype=torch.float64), p).sum(dim=1).mean())


def _sklearn_log_loss(onehot, probs):
    return float(log_loss(onehot.argmax(axis=1), probs, labels=range(onehot.shape[1])))


def _torch_ce_logits(targets, logits):
    return float(F.cross_entropy(torch.as_tensor(logits), torch.as_tensor(targets)))


def _torch_ce_grad(targets, logits):
    z = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    F.cross_entropy(z, torch.as_tensor(targets)).backward()
    return z.grad.numpy()


def _torch_kl(targets, probs):
    """F.kl_div takes the *prediction's log-probabilities* first: kl_div(log p, q) = KL(q‖p), q the target."""
    return float(F.kl_div(torch.log(torch.as_tensor(probs)), torch.as_tensor(targets), reduction="batchmean"))


def _scipy_kl(targets, probs):
    return float(rel_entr(targets, probs).sum(axis=1).mean())


# ---------------------------------------------------------------- answers used by the catalogue

def _variant(source, *edits):
    """`source` with each (old, new) replacement applied; every `old` must occur in it."""
    for old, new in edits:
        assert old in source, f"{old!r} not in the answer"
        source = source.replace(old, new)
    return source


_ONE_HOT = '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError("1차원")
    if labels.dtype.kind not in "iu":
        raise ValueError("정수 자료형")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError("범위")
    return np.eye(num_classes)[labels]
'''

_SMOOTH = '''
def smooth_labels(targets, epsilon):
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim != 2:
        raise ValueError("2차원")
    if not 0 <= epsilon <= 1:
        raise ValueError("epsilon")
    if np.any(targets < 0) or not np.allclose(targets.sum(axis=1), 1.0):
        raise ValueError("분포")
    return (1 - epsilon) * targets + epsilon / targets.shape[1]
'''

_Q_CHECK = '''
    if np.any(q < 0) or not np.allclose(q.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("분포")
'''

_SOLUTION_CCE_BODY = '''
def categorical_cross_entropy(targets, probs, eps=1e-7):
    q = np.asarray(targets, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    if q.shape != p.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
''' + _Q_CHECK + '''
    if np.any(p < 0) or np.any(p > 1 + 1e-6) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("확률")
    return float(np.mean(-np.sum(q * {LOG}, axis=1)))
'''


def _cce_answer(log_expr, reduce_rows=True):
    source = _SOLUTION_CCE_BODY.replace("{LOG}", log_expr)
    if not reduce_rows:
        source = source.replace("np.mean(-np.sum(q * " + log_expr + ", axis=1))", "np.mean(-q * " + log_expr + ")")
    return source


_CCE = _cce_answer("np.log(np.clip(p, eps, 1.0))")

_LOGITS_CHECKS = '''
    if q.shape != z.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
''' + _Q_CHECK + '''
    if not np.all(np.isfinite(z)):
        raise ValueError("NaN")
'''


def _logits_answer(log_probs_lines, grad_expr="(e / e.sum(axis=1, keepdims=True) - q) / len(q)",
                   checks=_LOGITS_CHECKS, grad_checks=_LOGITS_CHECKS,
                   grad_exp="np.exp(z - z.max(axis=1, keepdims=True))"):
    return f'''
def categorical_cross_entropy_from_logits(targets, logits):
    q = np.asarray(targets, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
{checks}
{log_probs_lines}
    return float(np.mean(-np.sum(q * log_probs, axis=1)))


def categorical_cross_entropy_grad(targets, logits):
    q = np.asarray(targets, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
{grad_checks}
    e = {grad_exp}
    return {grad_expr}
'''


_STABLE_LOG_PROBS = '''
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))'''

_KL_CHECKS = '''
    if q.shape != p.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
    for d in (q, p):
        if np.any(d < 0) or not np.allclose(d.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError("분포")'''


def _kl_answer(terms, checks=_KL_CHECKS, reduce="np.mean(np.sum(terms, axis=1))"):
    return f'''
def kl_divergence(targets, probs):
    q = np.asarray(targets, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
{checks}
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = {terms}
    return float({reduce})
'''


_KL_TERMS = "np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - np.log(p)), 0.0)"


def _torch_answer(body):
    return f'''
def categorical_cross_entropy_torch(targets, logits):
    {body}
'''


_TRAIN = '''
def train_food_classifier(images, labels, epsilon=0.1, seed=0):
    targets = smooth_labels(one_hot(labels, K_FOOD), epsilon).astype(np.float32)
    model = SmallConvNet(in_channels=3, n_outputs=K_FOOD, width=8, seed=seed)
    train_model(model, (images, targets), lambda m, x, q: categorical_cross_entropy_torch(q, m(x)),
                epochs=60, batch_size=64, lr=3e-3, seed=seed)
    return model
'''

_METRICS = "test_training_accuracy_and_calibration"
_SMOOTHED = "test_training_smoothed_targets"


CHAPTER = Chapter(
    agrees=[
        Agrees("one_hot", _torch_one_hot, labels_and_classes(), name="torch F.one_hot"),
        Agrees("smooth_labels", _torch_smoothed_targets, targets_and_epsilon(), atol=1e-12,
               name="torch label_smoothing target (read off the gradient)"),
        Agrees("categorical_cross_entropy", _torch_cce_clipped, targets_and_probs(), rtol=1e-9, atol=1e-9,
               name="closed form in torch (clamp, xlogy)"),
        Agrees("categorical_cross_entropy", _sklearn_log_loss, labels_onehot_and_probs(), name="sklearn log_loss"),
        Agrees("categorical_cross_entropy_from_logits", _torch_ce_logits, targets_and_logits(),
               rtol=1e-9, atol=1e-9, name="torch cross_entropy with probability targets"),
        Agrees("categorical_cross_entropy_grad", _torch_ce_grad, targets_and_logits(50.0),
               rtol=1e-9, atol=1e-12, name="torch autograd"),
        Agrees("kl_divergence", _torch_kl, targets_and_probs(floor=1e-6), rtol=1e-9, atol=1e-12,
               name="torch kl_div(log p, q, batchmean)"),
        Agrees("kl_divergence", _scipy_kl, targets_and_probs(floor=1e-6), rtol=1e-9, atol=1e-12,
               name="scipy rel_entr"),
    ],
    exact=[
        Exact("one_hot", (np.array([2, 0, 1]), 4), np.eye(4)[[2, 0, 1]], name="small example"),
        Exact("one_hot", (np.array([1, 0, 2], dtype=np.int32), 3), np.eye(3)[[1, 0, 2]], name="int32 labels"),
        Exact("one_hot", (np.array([1, 0], dtype=np.uint8), 2), np.eye(2)[[1, 0]], name="uint8 labels"),
        Exact("smooth_labels", (np.eye(4)[[1]], 0.1), np.array([[0.025, 0.925, 0.025, 0.025]]),
              name="ε/K convention, not ε/(K−1)"),
        Exact("smooth_labels", (np.array([[0.6, 0.4, 0.0]]), 1.0), np.full((1, 3), 1 / 3), name="ε = 1 is uniform"),
        Exact("categorical_cross_entropy", (np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])), -np.log(1e-7),
              name="p = 0 at the target is clipped to eps"),
        Exact("categorical_cross_entropy", (np.eye(3), np.eye(3)), 0.0, name="perfect one-hot prediction"),
        Exact("categorical_cross_entropy", (np.full((1, 4), 0.25) * 0.4 + np.eye(4)[[0]] * 0.6,) * 2,
              -(0.7 * np.log(0.7) + 3 * 0.1 * np.log(0.1)), name="minimum with smoothed targets is H(q) > 0"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[0.0, 1.0, 0.0]]), np.array([[1000.0, -1000.0, 0.0]])),
              2000.0, name="logits ±1000"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[0.5, 0.5]]), np.array([[1e4, 1e4]])),
              np.log(2.0), name="equal logits 1e4"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[1.0, 0.0]]), np.array([[-1e4, -1e4 - 1.0]])),
              np.log1p(np.exp(-1.0)), rtol=1e-12, name="large negative logits"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[1.0, 0.0]] * 2), np.array([[0.0, 0.0], [-1e4, -1e4]])),
              np.log(2.0), name="rows of very different scale (per-row max)"),
        Exact("categorical_cross_entropy_grad", (np.array([[0.0, 1.0]]), np.array([[1e4, -1e4]])),
              np.array([[1.0, -1.0]]), name="gradient at logits ±1e4"),
        Exact("kl_divergence", (np.array([[1.0, 0.0], [0.5, 0.5]]), np.full((2, 2), 0.5)), np.log(2.0) / 2,
              name="0·log 0 = 0"),
        Exact("kl_divergence", (np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])), np.inf, name="p = 0 < q gives inf"),
        Exact("kl_divergence", (np.eye(3), np.eye(3)), 0.0, name="q = p = 0 terms are 0"),
    ],
    raises=[
        Raises("one_hot", (np.array([0, 4]), 4), name="label = K"),
        Raises("one_hot", (np.array([0, -1]), 4), name="negative label"),
        Raises("one_hot", (np.array([0.0, 1.5]), 4), name="non-integer label"),
        Raises("one_hot", (np.array([1.0, 0.0]), 2), name="whole-number float labels (not an integer dtype)"),
        Raises("one_hot", (np.array([[0, 1]]), 4), name="2-D labels"),
        Raises("one_hot", (np.array([], dtype=int), 4), name="no labels"),
        Raises("one_hot", (np.array([0]), 0), name="no classes"),
        Raises("smooth_labels", (np.eye(3), 1.5), name="ε > 1"),
        Raises("smooth_labels", (np.eye(3), -0.1), name="ε < 0"),
        Raises("smooth_labels", (np.eye(3), float("nan")), name="ε = NaN"),
        Raises("smooth_labels", (np.array([[0.5, 0.2, 0.1]]), 0.1), name="row sum 0.8"),
        Raises("smooth_labels", (np.array([[1.5, -0.5]]), 0.1), name="negative target"),
        Raises("smooth_labels", (np.array([0.0, 1.0]), 0.1), name="1-D targets"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 1.0]]), np.array([[-1.2, 3.4]])), name="logits as probs"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 1.0]]), np.array([[0.3, 0.3]])), name="probs row sum 0.6"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 0.9]]), np.array([[0.5, 0.5]])), name="targets row sum 0.9"),
        Raises("categorical_cross_entropy", (np.eye(3), np.full((3, 2), 0.5)), name="shape mismatch"),
        Raises("categorical_cross_entropy", (np.eye(3)[[0, 1]], np.full((1, 3), 1 / 3)), name="broadcastable shapes"),
        Raises("categorical_cross_entropy", (np.array([0.0, 1.0]), np.array([0.5, 0.5])), name="1-D input"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(2), np.array([[np.nan, 0.0], [0.0, 0.0]])), name="NaN logit"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(2), np.array([[np.inf, 0.0], [0.0, 0.0]])), name="inf logit"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(2), np.zeros((2, 3))), name="shape mismatch"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(3)[[0, 1]], np.zeros((1, 3))), name="broadcastable shapes"),
        Raises("categorical_cross_entropy_from_logits", (np.array([[0.7, 0.7]]), np.zeros((1, 2))), name="targets row sum 1.4"),
        Raises("categorical_cross_entropy_grad", (np.eye(2), np.zeros((2, 3))), name="shape mismatch"),
        Raises("categorical_cross_entropy_grad", (np.eye(3)[[0, 1]], np.zeros((1, 3))), name="broadcastable shapes"),
        Raises("categorical_cross_entropy_grad", (np.array([[0.7, 0.7]]), np.zeros((1, 2))), name="targets row sum 1.4"),
        Raises("categorical_cross_entropy_grad", (np.eye(2), np.array([[np.nan, 0.0], [0.0, 0.0]])), name="NaN logit"),
        Raises("kl_divergence", (np.array([[0.5, 0.4]]), np.full((1, 2), 0.5)), name="targets row sum 0.9"),
        Raises("kl_divergence", (np.full((1, 2), 0.5), np.array([[1.2, -0.2]])), name="negative probs"),
        Raises("kl_divergence", (np.full((1, 2), 0.5), np.array([[0.3, 0.3]])), name="probs row sum 0.6"),
        Raises("kl_divergence", (np.eye(2), np.eye(3)), name="shape mismatch"),
        Raises("kl_divergence", (np.eye(2), np.full((1, 2), 0.5)), name="broadcastable shapes"),
    ],
    wrong_answers=[
        # ---- one_hot
        Answer("one_hot by np.eye indexing (-1 silently becomes the last class)", {"one_hot": '''
def one_hot(labels, num_classes):
    return np.eye(num_classes)[np.asarray(labels, dtype=int)]
'''}, caught_by=("test_one_hot_errors",)),
        Answer("one_hot accepts whole-number floats (checks values, not the dtype)", {"one_hot": _variant(
            _ONE_HOT, ('labels.dtype.kind not in "iu"', "np.any(labels != np.round(labels))"),
            ("[labels]", "[labels.astype(np.int64)]"))}, caught_by=("test_one_hot_errors",)),
        Answer("one_hot truncates float labels with astype(int) (1.5 becomes 1)", {"one_hot": _variant(
            _ONE_HOT, ('    if labels.dtype.kind not in "iu":\n        raise ValueError("정수 자료형")\n', ""),
            ("labels = np.asarray(labels)", "labels = np.asarray(labels).astype(np.int64)"))},
               caught_by=("test_one_hot_errors",)),
        Answer("one_hot checks only negative labels (label = K gives an IndexError)", {"one_hot": _variant(
            _ONE_HOT, ("labels.min() < 0 or labels.max() >= num_classes", "labels.min() < 0"))},
               caught_by=("test_one_hot_errors",)),
        Answer("one_hot without the 1-D check (2-D labels give a 3-D array)", {"one_hot": _variant(
            _ONE_HOT, ("labels.ndim != 1 or labels.size == 0", "labels.size == 0"))},
               caught_by=("test_one_hot_errors",)),
        Answer("one_hot returns integers (np.eye with dtype=int)", {"one_hot": _variant(
            _ONE_HOT, ("np.eye(num_classes)[labels]", "np.eye(num_classes, dtype=int)[labels]"))},
               caught_by=("test_one_hot_value",)),
        Answer("one_hot accepts only int64", {"one_hot": _variant(
            _ONE_HOT, ('labels.dtype.kind not in "iu"', "labels.dtype != np.int64"))},
               caught_by=("test_one_hot_value",)),
        # ---- smooth_labels
        Answer("label smoothing with ε/(K−1) off the target (a different distribution)", {"smooth_labels": _variant(
            _SMOOTH, ("return (1 - epsilon) * targets + epsilon / targets.shape[1]",
                      "k = targets.shape[1]\n    return (1 - epsilon) * targets + epsilon / (k - 1) * (1 - targets)"))},
               caught_by=("test_smooth_labels_value", "test_cce_logits_reference")),
        Answer("smoothing adds ε/K but forgets the factor 1 − ε", {"smooth_labels": _variant(
            _SMOOTH, ("(1 - epsilon) * targets", "targets"))}, caught_by=("test_smooth_labels_value",)),
        Answer("smoothing without the ε range check", {"smooth_labels": _variant(
            _SMOOTH, ("not 0 <= epsilon <= 1", "False"))}, caught_by=("test_smooth_labels_errors",)),
        Answer("smoothing checks only ε > 1", {"smooth_labels": _variant(
            _SMOOTH, ("not 0 <= epsilon <= 1", "epsilon > 1"))}, caught_by=("test_smooth_labels_errors",)),
        Answer("smoothing without the distribution check", {"smooth_labels": _variant(
            _SMOOTH, ("np.any(targets < 0) or not np.allclose(targets.sum(axis=1), 1.0)", "False"))},
               caught_by=("test_smooth_labels_errors",)),
        Answer("smoothing checks the row sums but not negative targets", {"smooth_labels": _variant(
            _SMOOTH, ("np.any(targets < 0) or ", ""))}, caught_by=("test_smooth_labels_errors",)),
        Answer("smoothing accepts 1-D targets (K from shape[-1])", {"smooth_labels": _variant(
            _SMOOTH, ("targets.ndim != 2", "targets.ndim > 2"), ("axis=1", "axis=-1"), ("shape[1]", "shape[-1]"))},
               caught_by=("test_smooth_labels_errors",)),
        # ---- categorical_cross_entropy
        Answer("log of unclipped probabilities (inf at p = 0)", {"categorical_cross_entropy": _cce_answer("np.log(p)")},
               caught_by=("test_cce_clipping",)),
        Answer("mean over classes and rows instead of a sum over classes", {
            "categorical_cross_entropy": _cce_answer("np.log(np.clip(p, eps, 1.0))", reduce_rows=False)},
               caught_by=("test_cce_value", "test_cce_reference")),
        Answer("eps argument ignored (1e-7 written into the clip)", {
            "categorical_cross_entropy": _cce_answer("np.log(np.clip(p, 1e-7, 1.0))")}, caught_by=("test_cce_clipping",)),
        Answer("log(p + eps) instead of clipping", {
            "categorical_cross_entropy": _cce_answer("np.log(p + eps)")}, caught_by=("test_cce_reference",)),
        Answer("clip to [eps, 1 − eps] (a perfect prediction no longer costs 0)", {
            "categorical_cross_entropy": _cce_answer("np.log(np.clip(p, eps, 1.0 - eps))")}, caught_by=("test_cce_clipping",)),
        Answer("probs not checked (logits pass as probabilities)", {"categorical_cross_entropy": _variant(
            _CCE, ("np.any(p < 0) or np.any(p > 1 + 1e-6) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4)", "False"))},
               caught_by=("test_cce_errors",)),
        Answer("probs checked for range but not row sums", {"categorical_cross_entropy": _variant(
            _CCE, (" or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4)", ""))}, caught_by=("test_cce_errors",)),
        Answer("targets not checked", {"categorical_cross_entropy": _variant(
            _CCE, ("np.any(q < 0) or not np.allclose(q.sum(axis=1), 1.0, atol=1e-6)", "False"))},
               caught_by=("test_cce_errors",)),
        Answer("no shape check (NumPy broadcasting decides)", {"categorical_cross_entropy": _variant(
            _CCE, ("q.shape != p.shape or q.ndim != 2 or q.size == 0", "q.ndim != 2 or q.size == 0"))},
               caught_by=("test_cce_errors",)),
        Answer("returns a 0-d array, not a float", {"categorical_cross_entropy": _variant(
            _CCE, ("return float(np.mean(", "return np.asarray(np.mean("))}, caught_by=("test_cce_value",)),
        Answer("float32 arithmetic", {"categorical_cross_entropy": _variant(
            _CCE, ("p = np.asarray(probs, dtype=np.float64)", "p = np.asarray(probs)"))},
               caught_by=("test_cce_reference",)),
        # ---- categorical_cross_entropy_from_logits and its gradient (one answer cell)
        Answer("double softmax: softmax applied to the logits, then log-softmax again", {
            "categorical_cross_entropy_from_logits": _logits_answer('''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    log_probs = probs - np.log(np.exp(probs).sum(axis=1, keepdims=True))''')},
               caught_by=("test_cce_logits_reference", "test_cce_logits_stable")),
        Answer("naive log(softmax) without the max shift (overflow at large logits)", {
            "categorical_cross_entropy_from_logits": _logits_answer('''
    log_probs = np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))''')},
               caught_by=("test_cce_logits_stable",)),
        Answer("max shift by the whole array's maximum, not each row's", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS.replace(
                "z.max(axis=1, keepdims=True)", "z.max()"))}, caught_by=("test_cce_logits_stable",)),
        Answer("log of the clipped softmax (probability form inside the logits form)", {
            "categorical_cross_entropy_from_logits": _logits_answer('''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    log_probs = np.log(np.clip(e / e.sum(axis=1, keepdims=True), 1e-7, 1.0))''')},
               caught_by=("test_cce_logits_stable",)),
        Answer("logits loss sums over rows instead of averaging", {
            "categorical_cross_entropy_from_logits": _variant(_logits_answer(_STABLE_LOG_PROBS),
                                                              ("float(np.mean(-np.sum(", "float(np.sum(-np.sum("))},
               caught_by=("test_cce_logits_reference",)),
        Answer("logits loss without the NaN check", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, checks=_variant(
                _LOGITS_CHECKS, ("not np.all(np.isfinite(z))", "False")))}, caught_by=("test_cce_logits_errors",)),
        Answer("logits loss without the targets check", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, checks=_variant(
                _LOGITS_CHECKS, ("np.any(q < 0) or not np.allclose(q.sum(axis=1), 1.0, atol=1e-6)", "False")))},
               caught_by=("test_cce_logits_errors",)),
        Answer("logits loss without the shape check (broadcasting)", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, checks=_variant(
                _LOGITS_CHECKS, ("q.shape != z.shape or ", "")))}, caught_by=("test_cce_logits_errors",)),
        Answer("gradient not divided by N", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, "e / e.sum(axis=1, keepdims=True) - q")},
               caught_by=("test_cce_grad",)),
        Answer("gradient divided by N·K (q.size)", {
            "categorical_cross_entropy_from_logits": _logits_answer(
                _STABLE_LOG_PROBS, "(e / e.sum(axis=1, keepdims=True) - q) / q.size")}, caught_by=("test_cce_grad",)),
        Answer("gradient sign flipped (q − softmax)", {
            "categorical_cross_entropy_from_logits": _logits_answer(
                _STABLE_LOG_PROBS, "(q - e / e.sum(axis=1, keepdims=True)) / len(q)")}, caught_by=("test_cce_grad",)),
        Answer("gradient with exp(z) unshifted (inf/inf at ±1e4)", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, grad_exp="np.exp(z)")},
               caught_by=("test_cce_grad",)),
        Answer("gradient with only the shape check", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, grad_checks='''
    if q.shape != z.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")''')}, caught_by=("test_cce_grad_errors",)),
        Answer("gradient without the shape check (broadcasting)", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, grad_checks=_variant(
                _LOGITS_CHECKS, ("q.shape != z.shape or ", "")))}, caught_by=("test_cce_grad_errors",)),
        # ---- kl_divergence
        Answer("KL with 0·log 0 = NaN", {"kl_divergence": _kl_answer("q * np.log(q / p)")},
               caught_by=("test_kl_value", "test_kl_reference")),
        Answer("KL arguments swapped (computes KL(p‖q))", {
            "kl_divergence": _kl_answer("np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)")},
               caught_by=("test_kl_reference", "test_kl_identity")),
        Answer("KL with xlogy(q, q) − q·log p (NaN where q = p = 0)", {
            "kl_divergence": "from scipy.special import xlogy\n" + _kl_answer("xlogy(q, q) - q * np.log(p)")},
               caught_by=("test_kl_value",)),
        Answer("KL with p clipped at 1e-12 (finite where it is +inf)", {
            "kl_divergence": _kl_answer(_KL_TERMS.replace("np.log(p)", "np.log(np.clip(p, 1e-12, 1.0))"))},
               caught_by=("test_kl_value",)),
        Answer("KL summed over rows instead of averaged", {
            "kl_divergence": _kl_answer(_KL_TERMS, reduce="np.sum(terms)")}, caught_by=("test_kl_value", "test_kl_reference")),
        Answer("KL checks only the targets", {
            "kl_divergence": _kl_answer(_KL_TERMS, checks=_KL_CHECKS.replace("for d in (q, p):", "for d in (q,):"))},
               caught_by=("test_kl_errors",)),
        Answer("KL without the distribution check", {
            "kl_divergence": _kl_answer(_KL_TERMS, checks=_KL_CHECKS.replace(
                "np.any(d < 0) or not np.allclose(d.sum(axis=1), 1.0, atol=1e-6)", "False"))},
               caught_by=("test_kl_errors",)),
        Answer("KL without the shape check (broadcasting)", {
            "kl_divergence": _kl_answer(_KL_TERMS, checks=_KL_CHECKS.replace("q.shape != p.shape or ", ""))},
               caught_by=("test_kl_errors",)),
        # ---- categorical_cross_entropy_torch
        Answer("torch loss applies softmax before F.cross_entropy (probabilities passed as logits)", {
            "categorical_cross_entropy_torch": _torch_answer("return F.cross_entropy(torch.softmax(logits, dim=1), targets)")},
               caught_by=("test_torch_loss",)),
        Answer("torch loss with F.cross_entropy's arguments swapped", {
            "categorical_cross_entropy_torch": _torch_answer("return F.cross_entropy(targets, logits)")},
               caught_by=("test_torch_loss",)),
        Answer("torch loss as log(softmax) (−inf in float32 at ±1e4)", {
            "categorical_cross_entropy_torch": _torch_answer(
                "return -(targets * torch.log(torch.softmax(logits, dim=1))).sum(dim=1).mean()")},
               caught_by=("test_torch_loss",)),
        Answer("torch loss averaged over every element", {
            "categorical_cross_entropy_torch": _torch_answer("return -(targets * torch.log_softmax(logits, dim=1)).mean()")},
               caught_by=("test_torch_loss",)),
        Answer("torch loss computed in NumPy (no gradient reaches the logits)", {
            "categorical_cross_entropy_torch": _torch_answer(
                "return torch.tensor(categorical_cross_entropy_from_logits(targets.detach().numpy(), logits.detach().numpy()))")},
               caught_by=("test_torch_loss", _METRICS, _SMOOTHED)),
        # ---- train_food_classifier
        Answer("training ignores epsilon (plain one-hot targets: overconfident)", {"train_food_classifier": _variant(
            _TRAIN, ("smooth_labels(one_hot(labels, K_FOOD), epsilon)", "one_hot(labels, K_FOOD)"))},
               caught_by=(_METRICS, _SMOOTHED)),
        Answer("training smooths twice (smoothed targets smoothed again inside batch_loss)", {
            "train_food_classifier": _variant(_TRAIN, (
                "lambda m, x, q: categorical_cross_entropy_torch(q, m(x))",
                "lambda m, x, q: categorical_cross_entropy_torch((1 - epsilon) * q + epsilon / K_FOOD, m(x))"))},
               caught_by=(_SMOOTHED,)),
        Answer("training with F.cross_entropy(label_smoothing), not the student's own loss", {"train_food_classifier": '''
def train_food_classifier(images, labels, epsilon=0.1, seed=0):
    model = SmallConvNet(in_channels=3, n_outputs=6, width=8, seed=seed)
    train_model(model, (images, labels),
                lambda m, x, y: F.cross_entropy(m(x), y, label_smoothing=epsilon),
                epochs=60, batch_size=64, lr=3e-3, seed=seed)
    return model
'''}, caught_by=(_SMOOTHED,)),
        Answer("training passes logits and targets to the loss in the wrong order", {"train_food_classifier": _variant(
            _TRAIN, ("categorical_cross_entropy_torch(q, m(x))", "categorical_cross_entropy_torch(m(x), q)"))},
               caught_by=(_METRICS,)),
        Answer("training returns train_model's losses instead of the model", {"train_food_classifier": _variant(
            _TRAIN, ("    train_model(model,", "    return train_model(model,"))},
               caught_by=(_METRICS, _SMOOTHED)),
    ],
    right_answers=[
        Answer("explicit loops", {
            "one_hot": '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0 or num_classes < 1:
        raise ValueError("labels는 1차원이어야 합니다")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("레이블은 정수 자료형이어야 합니다")
    out = np.zeros((len(labels), num_classes))
    for i, y in enumerate(labels):
        if not 0 <= y < num_classes:
            raise ValueError(f"레이블 {y}는 범위 밖입니다")
        out[i, y] = 1.0
    return out
''',
            "smooth_labels": '''
def smooth_labels(targets, epsilon):
    t = np.asarray(targets, dtype=np.float64)
    if t.ndim != 2 or not (0.0 <= epsilon <= 1.0):
        raise ValueError("입력이 잘못되었습니다")
    out = np.empty_like(t)
    for i in range(t.shape[0]):
        if min(t[i]) < 0 or abs(sum(t[i]) - 1.0) > 1e-6:
            raise ValueError("분포가 아닙니다")
        for k in range(t.shape[1]):
            out[i, k] = (1 - epsilon) * t[i, k] + epsilon / t.shape[1]
    return out
''',
            "categorical_cross_entropy": '''
import math
def categorical_cross_entropy(targets, probs, eps=1e-7):
    q, p = np.asarray(targets, dtype=float), np.asarray(probs, dtype=float)
    if q.shape != p.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
    total = 0.0
    for qi, pi in zip(q, p):
        if min(qi) < 0 or abs(sum(qi) - 1) > 1e-6 or min(pi) < 0 or max(pi) > 1 + 1e-6 or abs(sum(pi) - 1) > 1e-4:
            raise ValueError("분포가 아닙니다")
        total -= sum(a * math.log(min(max(b, eps), 1.0)) for a, b in zip(qi, pi))
    return total / len(q)
''',
            "kl_divergence": '''
import math
def kl_divergence(targets, probs):
    q, p = np.asarray(targets, dtype=float), np.asarray(probs, dtype=float)
    if q.shape != p.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
    total = 0.0
    for qi, pi in zip(q, p):
        if min(qi) < 0 or min(pi) < 0 or abs(sum(qi) - 1) > 1e-6 or abs(sum(pi) - 1) > 1e-6:
            raise ValueError("분포가 아닙니다")
        for a, b in zip(qi, pi):
            if a > 0:
                total += math.inf if b == 0 else a * math.log(a / b)
    return total / len(q)
'''}),
        Answer("library calls: F.one_hot, F.cross_entropy, scipy rel_entr, logsumexp", {
            "one_hot": '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu":
        raise ValueError("레이블은 정수 자료형의 1차원 배열")
    if np.any((labels < 0) | (labels >= num_classes)):
        raise ValueError("범위 밖의 레이블")
    return F.one_hot(torch.as_tensor(labels.astype(np.int64)), num_classes).double().numpy()
''',
            "categorical_cross_entropy_from_logits": '''
from scipy.special import logsumexp, softmax
def _check(q, z):
    if q.shape != z.shape or q.ndim != 2 or q.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError("입력")
    if np.any(q < 0) or np.max(np.abs(q.sum(1) - 1)) > 1e-6:
        raise ValueError("분포")
def categorical_cross_entropy_from_logits(targets, logits):
    q, z = np.asarray(targets, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    _check(q, z)
    return F.cross_entropy(torch.from_numpy(z), torch.from_numpy(q)).item()
def categorical_cross_entropy_grad(targets, logits):
    q, z = np.asarray(targets, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    _check(q, z)
    return (softmax(z, axis=1) - q) / len(q)
''',
            "kl_divergence": '''
from scipy.special import rel_entr
def kl_divergence(targets, probs):
    q, p = np.asarray(targets, dtype=np.float64), np.asarray(probs, dtype=np.float64)
    if q.shape != p.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
    if (q < 0).any() or (p < 0).any() or not (np.allclose(q.sum(1), 1) and np.allclose(p.sum(1), 1)):
        raise ValueError("분포")
    return float(rel_entr(q, p).sum(axis=1).mean())
''',
            "categorical_cross_entropy_torch": '''
def categorical_cross_entropy_torch(targets, logits):
    return F.cross_entropy(logits, targets)
'''}),
        Answer("smoothing by np.full, logsumexp and xlogy, training with inline targets and a named batch loss", {
            "smooth_labels": '''
def smooth_labels(targets, epsilon):
    targets = np.array(targets, dtype=np.float64, ndmin=1)
    if targets.ndim != 2:
        raise ValueError("2차원이어야 합니다")
    if np.isnan(epsilon) or epsilon < 0 or epsilon > 1:
        raise ValueError("epsilon 범위")
    if (targets < 0).any() or np.abs(targets.sum(axis=1) - 1).max() > 1e-6:
        raise ValueError("분포")
    k = targets.shape[1]
    return targets * (1 - epsilon) + np.full(targets.shape, epsilon / k)
''',
            "categorical_cross_entropy": '''
from scipy.special import xlogy
def categorical_cross_entropy(targets, probs, eps=1e-7):
    q = np.asarray(targets, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    if q.ndim != 2 or q.shape != p.shape or not q.size:
        raise ValueError("모양")
    if (q < 0).any() or np.abs(q.sum(axis=1) - 1).max() > 1e-6:
        raise ValueError("targets")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1 + 1e-6).any() or np.abs(p.sum(axis=1) - 1).max() > 1e-4:
        raise ValueError("probs")
    return -float(xlogy(q, np.clip(p, eps, 1.0)).sum() / len(q))
''',
            "kl_divergence": '''
from scipy.special import xlogy
def kl_divergence(targets, probs):
    q = np.asarray(targets, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    if q.ndim != 2 or q.shape != p.shape or not q.size:
        raise ValueError("모양")
    for d in (q, p):
        if (d < 0).any() or np.abs(d.sum(axis=1) - 1).max() > 1e-6:
            raise ValueError("분포")
    with np.errstate(divide="ignore"):
        return float((xlogy(q, q) - xlogy(q, p)).sum(axis=1).mean())
''',
            "categorical_cross_entropy_torch": '''
def categorical_cross_entropy_torch(targets, logits):
    log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -(targets * log_p).sum() / logits.shape[0]
''',
            "train_food_classifier": '''
def train_food_classifier(images, labels, epsilon=0.1, seed=0):
    targets = (one_hot(labels, 6) * (1 - epsilon) + epsilon / 6).astype(np.float32)
    model = SmallConvNet(in_channels=3, n_outputs=6, width=8, seed=seed)

    def batch_loss(m, x, q):
        return categorical_cross_entropy_torch(q, m(x))

    train_model(model, (images, targets), batch_loss, epochs=60, batch_size=64, lr=3e-3, seed=seed)
    return model
'''}),
        Answer("one_hot by np.eye after the checks, gradient through torch autograd", {
            "one_hot": '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or not len(labels):
        raise ValueError("labels")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("정수 자료형")
    if ((labels < 0) | (labels >= num_classes)).any():
        raise ValueError("범위")
    return np.eye(num_classes, dtype=np.float64)[labels]
''',
            "categorical_cross_entropy_from_logits": '''
def _inputs(targets, logits):
    q = np.asarray(targets, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if q.ndim != 2 or q.shape != z.shape or q.size == 0:
        raise ValueError("모양")
    if (q < 0).any() or not np.allclose(q.sum(axis=1), 1, rtol=0, atol=1e-6):
        raise ValueError("targets")
    if not np.isfinite(z).all():
        raise ValueError("logits")
    return torch.from_numpy(q), torch.from_numpy(z)
def categorical_cross_entropy_from_logits(targets, logits):
    q, z = _inputs(targets, logits)
    return float(-(q * torch.log_softmax(z, dim=1)).sum(dim=1).mean())
def categorical_cross_entropy_grad(targets, logits):
    q, z = _inputs(targets, logits)
    z.requires_grad_(True)
    (-(q * torch.log_softmax(z, dim=1)).sum(dim=1).mean()).backward()
    return z.grad.numpy()
'''}),
    ],
)
