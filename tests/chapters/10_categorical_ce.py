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


def _torch_kl(p, q):
    """F.kl_div takes the *prediction's log-probabilities* first: kl_div(log q, p) = KL(p‖q)."""
    return float(F.kl_div(torch.log(torch.as_tensor(q)), torch.as_tensor(p), reduction="batchmean"))


def _scipy_kl(p, q):
    return float(rel_entr(p, q).sum(axis=1).mean())


# ---------------------------------------------------------------- answers used by the catalogue

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


def _logits_answer(log_probs_lines, grad_expr="(e / e.sum(axis=1, keepdims=True) - q) / len(q)"):
    return f'''
def categorical_cross_entropy_from_logits(targets, logits):
    q = np.asarray(targets, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if q.shape != z.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
{_Q_CHECK}
    if not np.all(np.isfinite(z)):
        raise ValueError("NaN")
{log_probs_lines}
    return float(np.mean(-np.sum(q * log_probs, axis=1)))


def categorical_cross_entropy_grad(targets, logits):
    q = np.asarray(targets, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    if q.shape != z.shape or q.ndim != 2 or q.size == 0:
        raise ValueError("모양")
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return {grad_expr}
'''


_STABLE_LOG_PROBS = '''
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))'''


def _kl_answer(terms):
    return f'''
def kl_divergence(p, q):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 2 or p.size == 0:
        raise ValueError("모양")
    for d in (p, q):
        if np.any(d < 0) or not np.allclose(d.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError("분포")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = {terms}
    return float(np.mean(np.sum(terms, axis=1)))
'''


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
               name="torch kl_div(log q, p, batchmean)"),
        Agrees("kl_divergence", _scipy_kl, targets_and_probs(floor=1e-6), rtol=1e-9, atol=1e-12,
               name="scipy rel_entr"),
    ],
    exact=[
        Exact("one_hot", (np.array([2, 0, 1]), 4), np.eye(4)[[2, 0, 1]], name="small example"),
        Exact("one_hot", (np.array([1.0, 0.0]), 2), np.eye(2)[[1, 0]], name="whole-number float labels"),
        Exact("smooth_labels", (np.eye(4)[[1]], 0.1), np.array([[0.025, 0.925, 0.025, 0.025]]),
              name="ε/K convention, not ε/(K−1)"),
        Exact("smooth_labels", (np.array([[0.6, 0.4, 0.0]]), 1.0), np.full((1, 3), 1 / 3), name="ε = 1 is uniform"),
        Exact("categorical_cross_entropy", (np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])), -np.log(1e-7),
              name="p = 0 at the target is clipped to eps"),
        Exact("categorical_cross_entropy", (np.eye(3), np.eye(3)), 0.0, name="perfect one-hot prediction"),
        Exact("categorical_cross_entropy", (np.full((1, 4), 0.25) * 0.4 + np.eye(4)[[0]] * 0.6,) * 2,
              -(0.7 * np.log(0.7) + 3 * 0.1 * np.log(0.1)), name="minimum with smoothed targets is H(p) > 0"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[0.0, 1.0, 0.0]]), np.array([[1000.0, -1000.0, 0.0]])),
              2000.0, name="logits ±1000"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[0.5, 0.5]]), np.array([[1e4, 1e4]])),
              np.log(2.0), name="equal logits 1e4"),
        Exact("categorical_cross_entropy_from_logits", (np.array([[1.0, 0.0]]), np.array([[-1e4, -1e4 - 1.0]])),
              np.log1p(np.exp(-1.0)), rtol=1e-12, name="large negative logits"),
        Exact("categorical_cross_entropy_grad", (np.array([[0.0, 1.0]]), np.array([[1e4, -1e4]])),
              np.array([[1.0, -1.0]]), name="gradient at logits ±1e4"),
        Exact("kl_divergence", (np.array([[1.0, 0.0], [0.5, 0.5]]), np.full((2, 2), 0.5)), np.log(2.0) / 2,
              name="0·log 0 = 0"),
        Exact("kl_divergence", (np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])), np.inf, name="q = 0 < p gives inf"),
    ],
    raises=[
        Raises("one_hot", (np.array([0, 4]), 4), name="label = K"),
        Raises("one_hot", (np.array([0, -1]), 4), name="negative label"),
        Raises("one_hot", (np.array([0.0, 1.5]), 4), name="non-integer label"),
        Raises("one_hot", (np.array([[0, 1]]), 4), name="2-D labels"),
        Raises("one_hot", (np.array([0]), 0), name="no classes"),
        Raises("smooth_labels", (np.eye(3), 1.5), name="ε > 1"),
        Raises("smooth_labels", (np.eye(3), -0.1), name="ε < 0"),
        Raises("smooth_labels", (np.eye(3), float("nan")), name="ε = NaN"),
        Raises("smooth_labels", (np.array([[0.5, 0.2, 0.1]]), 0.1), name="row sum 0.8"),
        Raises("smooth_labels", (np.array([[1.5, -0.5]]), 0.1), name="negative target"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 1.0]]), np.array([[-1.2, 3.4]])), name="logits as probs"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 1.0]]), np.array([[0.3, 0.3]])), name="probs row sum 0.6"),
        Raises("categorical_cross_entropy", (np.array([[0.0, 0.9]]), np.array([[0.5, 0.5]])), name="targets row sum 0.9"),
        Raises("categorical_cross_entropy", (np.eye(3), np.full((3, 2), 0.5)), name="shape mismatch"),
        Raises("categorical_cross_entropy", (np.array([0.0, 1.0]), np.array([0.5, 0.5])), name="1-D input"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(2), np.array([[np.nan, 0.0], [0.0, 0.0]])), name="NaN logit"),
        Raises("categorical_cross_entropy_from_logits", (np.eye(2), np.zeros((2, 3))), name="shape mismatch"),
        Raises("categorical_cross_entropy_from_logits", (np.array([[0.7, 0.7]]), np.zeros((1, 2))), name="targets row sum 1.4"),
        Raises("categorical_cross_entropy_grad", (np.eye(2), np.zeros((2, 3))), name="shape mismatch"),
        Raises("kl_divergence", (np.array([[0.5, 0.4]]), np.full((1, 2), 0.5)), name="p row sum 0.9"),
        Raises("kl_divergence", (np.full((1, 2), 0.5), np.array([[1.2, -0.2]])), name="negative q"),
        Raises("kl_divergence", (np.eye(2), np.eye(3)), name="shape mismatch"),
    ],
    wrong_answers=[
        Answer("one_hot by np.eye indexing (-1 silently becomes the last class)", {"one_hot": '''
def one_hot(labels, num_classes):
    return np.eye(num_classes)[np.asarray(labels, dtype=int)]
'''}, caught_by=("test_one_hot_errors",)),
        Answer("label smoothing with ε/(K−1) off the target (a different distribution)", {"smooth_labels": '''
def smooth_labels(targets, epsilon):
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim != 2 or not 0 <= epsilon <= 1:
        raise ValueError("입력")
    if np.any(targets < 0) or not np.allclose(targets.sum(axis=1), 1.0):
        raise ValueError("분포")
    k = targets.shape[1]
    return (1 - epsilon) * targets + epsilon / (k - 1) * (1 - targets)
'''}, caught_by=("test_smooth_labels_value", "test_cce_logits_reference")),
        Answer("log of unclipped probabilities (inf at p = 0)", {"categorical_cross_entropy": _cce_answer("np.log(p)")},
               caught_by=("test_cce_clipping",)),
        Answer("mean over classes and rows instead of a sum over classes", {
            "categorical_cross_entropy": _cce_answer("np.log(np.clip(p, eps, 1.0))", reduce_rows=False)},
               caught_by=("test_cce_value", "test_cce_reference")),
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
        Answer("gradient not divided by N", {
            "categorical_cross_entropy_from_logits": _logits_answer(_STABLE_LOG_PROBS, "e / e.sum(axis=1, keepdims=True) - q")},
               caught_by=("test_cce_grad",)),
        Answer("KL with 0·log 0 = NaN", {"kl_divergence": _kl_answer("p * np.log(p / q)")},
               caught_by=("test_kl_value", "test_kl_reference")),
        Answer("KL arguments swapped (computes KL(q‖p))", {
            "kl_divergence": _kl_answer("np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - np.log(p)), 0.0)")},
               caught_by=("test_kl_reference", "test_kl_identity")),
        Answer("torch loss applies softmax before F.cross_entropy (probabilities passed as logits)", {
            "categorical_cross_entropy_torch": '''
def categorical_cross_entropy_torch(targets, logits):
    return F.cross_entropy(torch.softmax(logits, dim=1), targets)
'''}, caught_by=("test_torch_loss",)),
        Answer("training ignores epsilon (plain one-hot targets: overconfident)", {"train_food_classifier": '''
def train_food_classifier(images, labels, epsilon=0.1, seed=0):
    targets = one_hot(labels, K_FOOD).astype(np.float32)
    model = SmallConvNet(in_channels=3, n_outputs=K_FOOD, width=8, seed=seed)
    train_model(model, (images, targets), lambda m, x, q: categorical_cross_entropy_torch(q, m(x)),
                epochs=60, batch_size=64, lr=3e-3, seed=seed)
    return model
'''}, caught_by=("test_training_accuracy_and_calibration",)),
    ],
    right_answers=[
        Answer("explicit loops", {
            "one_hot": '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0 or num_classes < 1:
        raise ValueError("labels는 1차원이어야 합니다")
    out = np.zeros((len(labels), num_classes))
    for i, y in enumerate(labels):
        if y != int(y) or not 0 <= y < num_classes:
            raise ValueError(f"레이블 {y}는 범위 밖입니다")
        out[i, int(y)] = 1.0
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
def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 2 or p.size == 0:
        raise ValueError("모양")
    total = 0.0
    for pi, qi in zip(p, q):
        if min(pi) < 0 or min(qi) < 0 or abs(sum(pi) - 1) > 1e-6 or abs(sum(qi) - 1) > 1e-6:
            raise ValueError("분포가 아닙니다")
        for a, b in zip(pi, qi):
            if a > 0:
                total += math.inf if b == 0 else a * math.log(a / b)
    return total / len(p)
'''}),
        Answer("library calls: F.one_hot, F.cross_entropy, scipy rel_entr, logsumexp", {
            "one_hot": '''
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or np.any(labels % 1 != 0):
        raise ValueError("레이블은 정수 1차원 배열")
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
def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 2 or p.size == 0:
        raise ValueError("모양")
    if (p < 0).any() or (q < 0).any() or not (np.allclose(p.sum(1), 1) and np.allclose(q.sum(1), 1)):
        raise ValueError("분포")
    return float(rel_entr(p, q).sum(axis=1).mean())
''',
            "categorical_cross_entropy_torch": '''
def categorical_cross_entropy_torch(targets, logits):
    return F.cross_entropy(logits, targets)
'''}),
        Answer("smoothing by np.full, F.cross_entropy(label_smoothing) on integer labels in training", {
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
            "categorical_cross_entropy_torch": '''
def categorical_cross_entropy_torch(targets, logits):
    log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -(targets * log_p).sum() / logits.shape[0]
''',
            "train_food_classifier": '''
def train_food_classifier(images, labels, epsilon=0.1, seed=0):
    model = SmallConvNet(in_channels=3, n_outputs=6, width=8, seed=seed)
    train_model(model, (images, labels),
                lambda m, x, y: F.cross_entropy(m(x), y, label_smoothing=epsilon),
                epochs=60, batch_size=64, lr=3e-3, seed=seed)
    return model
'''}),
    ],
)
