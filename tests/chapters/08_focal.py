"""Chapter 8 (focal loss): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises


def _logits_labels(bound=30.0):
    """(N, C) float64 logits and (N,) labels in range, N in 1..8, C in 2..5."""
    shapes = st.tuples(st.integers(1, 8), st.integers(2, 5))
    return shapes.flatmap(lambda nc: st.tuples(
        hnp.arrays(np.float64, nc, elements=st.floats(-bound, bound, allow_nan=False, width=64)),
        hnp.arrays(np.int64, (nc[0],), elements=st.integers(0, nc[1] - 1)),
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
        st.one_of(st.none(), hnp.arrays(np.float64, (nc[1],), elements=st.floats(0.0, 10.0, width=64))),
    ))


def _ce_inputs():
    return _logits_labels(bound=1e3).map(lambda a: (a[0], a[1], 0.0, None))


def _torch_ce(logits, labels, gamma, alpha):
    return F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()


def _reference(logits, labels, gamma, alpha):
    """Independent formula: log_softmax for log p_t, 1 - exp(log p_t) for the factor."""
    log_pt = F.log_softmax(torch.tensor(logits), dim=1)[torch.arange(len(labels)), torch.tensor(labels)]
    a = torch.ones_like(log_pt) if alpha is None else torch.tensor(alpha)[torch.tensor(labels)]
    return float((-a * (1 - log_pt.exp()) ** gamma * log_pt).mean())



def _reference_grad(logits, labels, gamma, alpha):
    z = torch.tensor(logits, requires_grad=True)
    p = torch.softmax(z, dim=1)[torch.arange(len(labels)), torch.tensor(labels)]
    a = 1.0 if alpha is None else torch.tensor(alpha)[torch.tensor(labels)]
    (-a * (1 - p) ** gamma * torch.log(p)).mean().backward()
    return z.grad.numpy()


_GOOD_CHECKS = '''
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError("모양")
    labels = labels.astype(int)
    if labels.min() < 0 or labels.max() >= logits.shape[1] or gamma < 0:
        raise ValueError("범위")
    if alpha is not None and np.shape(alpha) != (logits.shape[1],):
        raise ValueError("alpha")
'''


def _np_answer(body):
    return "def focal_loss(logits, labels, gamma=2.0, alpha=None):" + _GOOD_CHECKS + body


_TORCH_CHECKS = '''
    logits = torch.as_tensor(logits)
    if not logits.is_floating_point():
        logits = logits.double()
    labels = torch.as_tensor(labels).long()
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError("모양")
    if labels.min() < 0 or labels.max() >= logits.shape[1] or gamma < 0:
        raise ValueError("범위")
    if alpha is not None and len(alpha) != logits.shape[1]:
        raise ValueError("alpha")
'''


def _torch_answer(body):
    return "def focal_loss_torch(logits, labels, gamma=2.0, alpha=None):" + _TORCH_CHECKS + body


_GRAD_HEAD = '''
def focal_loss_grad(logits, labels, gamma=2.0, alpha=None):
    focal_loss(logits, labels, gamma, alpha)
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    n, c = logits.shape
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    p = np.exp(logp)
    log_pt = logp[np.arange(n), labels]
    pt = np.exp(log_pt)
    a = np.ones(n) if alpha is None else np.asarray(alpha, dtype=float)[labels]
'''

CHAPTER = Chapter(
    agrees=[
        Agrees("focal_loss", _torch_ce, _ce_inputs(), rtol=1e-9, atol=1e-12, name="gamma=0 equals torch cross_entropy"),
        Agrees("focal_loss", _reference, _logits_labels(), rtol=1e-9, atol=1e-12, name="independent log_softmax formula"),
        Agrees("focal_loss_torch", lambda *a: _reference(*a), _logits_labels(), rtol=1e-9, atol=1e-12,
               name="torch version, same formula"),
        Agrees("focal_loss_grad", _reference_grad, _logits_labels(bound=8.0), rtol=1e-7, atol=1e-12,
               name="analytic gradient vs autograd"),
    ],
    exact=[
        Exact("focal_loss", (np.array([[1e4, 0.0, 0.0], [0.0, 1e4, -1e4]]), np.array([0, 2])), 1e4,
              rtol=1e-12, name="|logit| = 1e4"),
        Exact("focal_loss", (np.array([[0.0, 0.0]]), np.array([0])), 0.25 * np.log(2.0), name="p_t = 0.5, gamma 2"),
        Exact("focal_loss", (np.array([[0.0, 0.0], [0.0, np.log(3.0)]]), np.array([0, 1]), 1.0, [2.0, 10.0]),
              (2.0 * 0.5 * np.log(2.0) + 10.0 * 0.25 * -np.log(0.75)) / 2, name="alpha by true class, mean over N"),
        Exact("focal_loss", (np.array([[1, 2, 3]], dtype=np.float32), np.array([2]), 0.0),
              float(np.log(np.exp([1.0, 2.0, 3.0]).sum()) - 3.0), name="float32 input, gamma 0"),
        Exact("focal_loss_grad", (np.array([[1e4, 0.0, 0.0], [0.0, 1e4, -1e4]]), np.array([0, 2]), 0.5),
              np.array([[0.0, 0.0, 0.0], [0.0, 0.5, -0.5]]), name="gamma 0.5, perfect and hopeless samples"),
        Exact("prior_bias", (np.array([0, 0, 0, 1]), 2), np.log([0.75, 0.25]), name="log of class shares"),
    ],
    raises=[
        Raises("focal_loss", (np.zeros((3, 2)), np.array([0, 1])), name="rows vs labels"),
        Raises("focal_loss", (np.zeros((2, 3)), np.array([0, 3])), name="label out of range"),
        Raises("focal_loss", (np.zeros((2, 3)), np.array([0, 1]), -1.0), name="negative gamma"),
        Raises("focal_loss", (np.zeros((2, 3)), np.array([0, 1]), 2.0, [1.0, 2.0]), name="alpha length"),
        Raises("focal_loss_torch", (torch.zeros(2, 3), torch.tensor([0, 1]), -0.5), name="negative gamma"),
        Raises("focal_loss_torch", (torch.zeros(2, 3), torch.tensor([0, 1, 1])), name="rows vs labels"),
        Raises("focal_loss_torch", (torch.zeros(2, 3), torch.tensor([0, 1]), 2.0, [1.0]), name="alpha length"),
        Raises("prior_bias", (np.array([0, 0, 2]), 3), name="absent class"),
    ],
    wrong_answers=[
        Answer("log of softmax without log-sum-exp", {"focal_loss": _np_answer('''
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    pt = p[np.arange(len(labels)), labels]
    w = (1 - pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * np.log(pt)))
''')}, caught_by=("test_focal_loss_stable",)),
        Answer("alpha indexed by the predicted class", {"focal_loss": _np_answer('''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = (-np.expm1(log_pt)) ** gamma
    if alpha is not None:
        w = w * np.asarray(alpha)[logits.argmax(axis=1)]
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("gamma on p_t instead of 1 - p_t", {"focal_loss": _np_answer('''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = np.exp(log_pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("sum instead of mean", {"focal_loss": _np_answer('''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.sum(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("p_t taken from the argmax", {"focal_loss": _np_answer('''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp.max(axis=1)
    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_reference",)),
        Answer("no input checks", {"focal_loss": '''
def focal_loss(logits, labels, gamma=2.0, alpha=None):
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * log_pt))
'''}, caught_by=("test_focal_loss_errors",)),
        Answer("NaN gradient at gamma < 1 (plain power of 1 - p_t)", {"focal_loss_torch": _torch_answer('''
    log_pt = F.log_softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = (1 - log_pt.exp()) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(alpha, dtype=log_pt.dtype)[labels]
    return -(w * log_pt).mean()
''')}, caught_by=("test_focal_torch_finite_grad",)),
        Answer("weighted mean divides by the sum of alpha_t (PyTorch's convention)", {"focal_loss_torch": _torch_answer('''
    log_pt = F.log_softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = (-torch.expm1(log_pt)).clamp_min(1e-300 if log_pt.dtype == torch.float64 else 1e-38) ** gamma
    a = torch.ones_like(log_pt) if alpha is None else torch.as_tensor(alpha, dtype=log_pt.dtype)[labels]
    return -(a * w * log_pt).sum() / a.sum()
''')}, caught_by=("test_focal_torch_value",)),
        Answer("returns a float, not a differentiable tensor", {"focal_loss_torch": _torch_answer('''
    return focal_loss(logits.detach().numpy(), labels.numpy(), gamma, alpha)
''')}, caught_by=("test_focal_torch_value", "test_focal_torch_grad", "test_training_reaches_targets")),
        Answer("gradient without the derivative of the modulating factor", {"focal_loss_grad": _GRAD_HEAD + '''
    coef = a * (-np.expm1(log_pt)) ** gamma
    return coef[:, None] * (p - np.eye(c)[labels]) / n
'''}, caught_by=("test_focal_grad_reference",)),
        Answer("gradient with (1 - p_t)^(gamma - 1) computed directly", {"focal_loss_grad": _GRAD_HEAD + '''
    om = 1 - pt
    coef = a * (om ** gamma - gamma * pt * om ** (gamma - 1) * log_pt)
    return coef[:, None] * (p - np.eye(c)[labels]) / n
'''}, caught_by=("test_focal_grad_stable",)),
        Answer("prior bias as shares, not their logarithm", {"prior_bias": '''
def prior_bias(labels, num_classes):
    counts = np.bincount(np.asarray(labels), minlength=num_classes)
    if np.any(counts == 0):
        raise ValueError("빈 클래스")
    return counts / counts.sum()
'''}, caught_by=("test_prior_bias", "test_training_reaches_targets")),
        Answer("training with plain cross-entropy and no prior bias", {"train_focal_classifier": '''
def train_focal_classifier(images, labels, gamma=2.0, alpha=None, epochs=10, seed=0):
    model = SmallConvNet(in_channels=1, n_outputs=int(np.max(labels)) + 1, width=8, seed=seed)
    train_classifier(model, images, labels, F.cross_entropy, epochs=epochs, batch_size=64, lr=3e-3, seed=seed)
    return model
'''}, caught_by=("test_training_reaches_targets",)),
    ],
    right_answers=[
        Answer("scipy log_softmax and an explicit loop", {"focal_loss": '''
from scipy.special import log_softmax as _scipy_log_softmax
def focal_loss(logits, labels, gamma=2.0, alpha=None):
    z = np.array(logits, dtype=np.float64)
    y = np.array(labels)
    if z.ndim != 2 or y.ndim != 1 or len(y) != len(z) or len(z) == 0:
        raise ValueError("모양이 맞지 않습니다")
    if np.any(y < 0) or np.any(y >= z.shape[1]):
        raise ValueError("라벨 범위")
    if gamma < 0:
        raise ValueError("gamma")
    weights = np.ones(z.shape[1]) if alpha is None else np.array(alpha, dtype=np.float64)
    if weights.shape != (z.shape[1],):
        raise ValueError("alpha 길이")
    logp = _scipy_log_softmax(z, axis=1)
    total = 0.0
    for row, label in zip(logp, y.astype(int)):
        lp = row[label]
        total += -weights[label] * (-np.expm1(lp)) ** gamma * lp
    return float(total / len(y))
'''}),
        Answer("torch answer with a double torch.where instead of clamp; grad by autograd", {
            "focal_loss_torch": _torch_answer('''
    log_pt = torch.log_softmax(logits, dim=1)[torch.arange(len(labels)), labels]
    om = -torch.expm1(log_pt)
    positive = om > 0
    safe = torch.where(positive, om, torch.ones_like(om))
    w = torch.where(positive, safe ** gamma, torch.full_like(om, 1.0 if gamma == 0 else 0.0))
    if alpha is not None:
        w = w * torch.tensor(np.asarray(alpha, dtype=np.float64), dtype=log_pt.dtype)[labels]
    return -(w * log_pt).sum() / len(labels)
'''),
            "focal_loss_grad": '''
def focal_loss_grad(logits, labels, gamma=2.0, alpha=None):
    focal_loss(logits, labels, gamma, alpha)
    z = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    focal_loss_torch(z, torch.as_tensor(np.asarray(labels).astype(np.int64)), gamma, alpha).backward()
    return z.grad.numpy()
'''}),
        Answer("gradient through log1p of the ratio, prior bias via unique counts", {
            "focal_loss_grad": _GRAD_HEAD + '''
    om = -np.expm1(log_pt)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(om > 0, log_pt / np.maximum(om, 1e-300), -1.0)
    coef = a * om ** gamma * (1.0 - gamma * pt * ratio)
    return (coef / n)[:, None] * (p - np.eye(c)[labels])
''',
            "prior_bias": '''
def prior_bias(labels, num_classes):
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    if len(values) != num_classes or values[0] != 0 or values[-1] != num_classes - 1:
        raise ValueError("모든 클래스가 있어야 합니다")
    return np.log(counts) - np.log(counts.sum())
'''}),
    ],
)
