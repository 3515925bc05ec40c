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
    if logits.ndim != 2 or len(logits) == 0 or labels.shape != (logits.shape[0],):
        raise ValueError("모양")
    if not np.isfinite(logits).all() or np.any(labels != np.round(labels)):
        raise ValueError("값")
    labels = labels.astype(int)
    if labels.min() < 0 or labels.max() >= logits.shape[1] or gamma < 0:
        raise ValueError("범위")
    if alpha is not None and np.shape(alpha) != (logits.shape[1],):
        raise ValueError("alpha")
'''

# log p_t by log-sum-exp, the start of most NumPy answers below
_LOG_PT = '''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
'''

# the answer body every check variant shares: log-sum-exp, -expm1, alpha of the true class, mean
_STABLE_BODY = _LOG_PT + '''    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * log_pt))
'''


def _checks_without(old, new):
    """_GOOD_CHECKS with one check changed: a wrong answer that misses exactly that check."""
    assert _GOOD_CHECKS.count(old) == 1, old
    return _GOOD_CHECKS.replace(old, new)


def _np_answer(body, checks=_GOOD_CHECKS):
    return "def focal_loss(logits, labels, gamma=2.0, alpha=None):" + checks + body


def _missing_check(name, old, new=""):
    """A wrong focal_loss that is right but for one input check (old replaced by new)."""
    return Answer(name, {"focal_loss": _np_answer(_STABLE_BODY, _checks_without(old, new))},
                  caught_by=("test_focal_loss_errors",))


_TORCH_CHECKS = '''
    logits = torch.as_tensor(logits)
    if not logits.is_floating_point():
        logits = logits.double()
    labels = torch.as_tensor(labels).long()
    if logits.ndim != 2 or len(logits) == 0 or labels.shape != (logits.shape[0],):
        raise ValueError("모양")
    if not torch.isfinite(logits).all():
        raise ValueError("값")
    if labels.min() < 0 or labels.max() >= logits.shape[1] or gamma < 0:
        raise ValueError("범위")
    if alpha is not None and len(alpha) != logits.shape[1]:
        raise ValueError("alpha")
'''


def _torch_answer(body, checks=_TORCH_CHECKS):
    return "def focal_loss_torch(logits, labels, gamma=2.0, alpha=None):" + checks + body


# the torch body the variants share: log_softmax, -expm1 clamped above 0, alpha of the true class, mean
_TORCH_BODY = '''
    log_pt = F.log_softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = (-torch.expm1(log_pt)).clamp_min(torch.finfo(log_pt.dtype).tiny) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=log_pt.dtype)[labels]
    return -(w * log_pt).mean()
'''


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


def _train_answer(loss_expression):
    """train_focal_classifier with the prior-bias initialisation and loss_fn(z, y) = loss_expression."""
    return f'''
def train_focal_classifier(images, labels, gamma=2.0, alpha=None, epochs=10, seed=0):
    num_classes = int(np.max(labels)) + 1
    model = SmallConvNet(in_channels=1, n_outputs=num_classes, width=8, seed=seed)
    with torch.no_grad():
        model.head.bias.copy_(torch.tensor(prior_bias(labels, num_classes)))
    loss_fn = lambda z, y: {loss_expression}
    train_classifier(model, images, labels, loss_fn, epochs=epochs, batch_size=64, lr=3e-3, seed=seed)
    return model
'''

_GRAD_TAIL = '''
    om = -np.expm1(log_pt)
    ratio = np.where(om > 0, log_pt / np.where(om > 0, om, 1.0), -1.0)
    coef = a * om ** gamma * (1.0 - gamma * pt * ratio)
    return coef[:, None] * (p - np.eye(c)[labels]) / n
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
        Raises("prior_bias", (np.array([0, 1, 2, 3]), 3), name="label beyond num_classes"),
        Raises("focal_loss", (np.zeros((0, 3)), np.zeros(0, dtype=int)), name="empty batch"),
        Raises("focal_loss", (np.array([[0.0, np.nan], [1.0, 0.0]]), np.array([0, 1])), name="nan logit"),
        Raises("focal_loss", (np.array([[0.0, np.inf], [1.0, 0.0]]), np.array([0, 1])), name="inf logit"),
        Raises("focal_loss", (np.zeros((2, 3)), np.array([0.0, 1.5])), name="non-integer label"),
        Raises("focal_loss_torch", (torch.tensor([[0.0, float("nan")], [1.0, 0.0]]), torch.tensor([0, 1])), name="nan logit"),
        Raises("focal_loss_torch", (torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)), name="empty batch"),
        Raises("focal_loss_grad", (np.zeros((2, 3)), np.array([0, 1]), -1.0), name="negative gamma"),
    ],
    wrong_answers=[
        Answer("log of softmax without log-sum-exp", {"focal_loss": _np_answer('''
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    pt = p[np.arange(len(labels)), labels]
    w = (1 - pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * np.log(pt)))
''')}, caught_by=("test_focal_loss_stable",)),
        Answer("alpha indexed by the predicted class", {"focal_loss": _np_answer(_LOG_PT + '''    w = (-np.expm1(log_pt)) ** gamma
    if alpha is not None:
        w = w * np.asarray(alpha)[logits.argmax(axis=1)]
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("gamma on p_t instead of 1 - p_t", {"focal_loss": _np_answer(_LOG_PT + '''    w = np.exp(log_pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("sum instead of mean", {"focal_loss": _np_answer(_LOG_PT + '''    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha)[labels])
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
        # ---- focal_loss: one missing or wrong input check each (the rest of the answer is right)
        Answer("empty batch returns nan (range checked with np.any, so min() of nothing never raises)", {
            "focal_loss": _np_answer(_STABLE_BODY, _checks_without(
                "if logits.ndim != 2 or len(logits) == 0 or", "if logits.ndim != 2 or").replace(
                "labels.min() < 0 or labels.max() >= logits.shape[1]",
                "np.any(labels < 0) or np.any(labels >= logits.shape[1])"))},
            caught_by=("test_focal_loss_errors",)),
        _missing_check("nan and inf logits not rejected (a silent nan loss)",
                       "not np.isfinite(logits).all() or ", ""),
        _missing_check("labels cast with astype(int): 1.5 silently becomes class 1",
                       " or np.any(labels != np.round(labels))", ""),
        _missing_check("no check of gamma < 0",
                       " or gamma < 0", ""),
        _missing_check("alpha of the wrong length accepted (indexing by the labels present still works)",
                       "alpha is not None and np.shape(alpha) != (logits.shape[1],)", "False"),
        _missing_check("only the upper label bound checked: -1 wraps around to the last class",
                       "labels.min() < 0 or ", ""),
        _missing_check("labels flattened, so a (2, 1) column passes",
                       "    labels = np.asarray(labels)\n", "    labels = np.asarray(labels).ravel()\n"),
        # ---- focal_loss: numerics, weighting, reduction, return type
        Answer("(1 - p_t)^gamma from an unshifted softmax (log p_t itself by log-sum-exp)", {"focal_loss": _np_answer(_LOG_PT + '''    e = np.exp(logits)
    pt = (e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels]
    w = (1 - pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_stable",)),
        Answer("log of a shifted softmax: p_t underflows to 0 and log 0 = -inf at large logits", {"focal_loss": _np_answer('''
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    pt = (e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels]
    w = (1 - pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * np.log(pt)))
''')}, caught_by=("test_focal_loss_stable",)),
        Answer("probabilities clipped to [1e-7, 1 - 1e-7] before the log (Keras' way): a hopeless sample costs 16, not 2e4", {
            "focal_loss": _np_answer('''
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    pt = np.clip((e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels], 1e-7, 1 - 1e-7)
    w = (1 - pt) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * np.log(pt)))
''')}, caught_by=("test_focal_loss_stable",)),
        Answer("everything in float32", {"focal_loss": _np_answer('''
    z = logits.astype(np.float32)
    s = z - z.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = (-np.expm1(log_pt)) ** np.float32(gamma)
    if alpha is not None:
        w = w * np.asarray(alpha, dtype=np.float32)[labels]
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_reference",)),
        Answer("alpha summed over all classes instead of picked by the label", {"focal_loss": _np_answer(_LOG_PT + '''    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.sum(alpha))
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("focal term over every class (a sigmoid-style sum), not only the true class", {"focal_loss": _np_answer('''
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    a = np.ones(logits.shape[1]) if alpha is None else np.asarray(alpha, dtype=float)
    return float(np.mean(np.sum(-a * (-np.expm1(logp)) ** gamma * logp, axis=1)))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("weighted mean divided by the sum of alpha_t (NumPy)", {"focal_loss": _np_answer(_LOG_PT + '''    a = np.ones(len(labels)) if alpha is None else np.asarray(alpha, dtype=float)[labels]
    return float(np.sum(-a * (-np.expm1(log_pt)) ** gamma * log_pt) / a.sum())
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("gamma multiplies (1 - p_t) instead of being its exponent", {"focal_loss": _np_answer(_LOG_PT + '''    w = gamma * (-np.expm1(log_pt)) * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_value", "test_focal_loss_reference")),
        Answer("per-sample losses returned, no mean", {"focal_loss": _np_answer(_LOG_PT + '''    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return -w * log_pt
''')}, caught_by=("test_focal_loss_value",)),
        Answer("returns a torch tensor (computed with torch), not a float", {"focal_loss": _np_answer('''
    log_pt = torch.log_softmax(torch.tensor(logits), dim=1)[torch.arange(len(labels)), torch.tensor(labels)]
    w = (-torch.expm1(log_pt)) ** gamma
    if alpha is not None:
        w = w * torch.tensor(np.asarray(alpha, dtype=float))[torch.tensor(labels)]
    return (-w * log_pt).mean()
''')}, caught_by=("test_focal_loss_value",)),
        Answer("shifts the caller's logits in place (logits -= max)", {"focal_loss": _np_answer('''
    logits -= logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    log_pt = logp[np.arange(len(labels)), labels]
    w = (-np.expm1(log_pt)) ** gamma * (1.0 if alpha is None else np.asarray(alpha, dtype=float)[labels])
    return float(np.mean(-w * log_pt))
''')}, caught_by=("test_focal_loss_reference",)),
        # ---- focal_loss_torch
        Answer("modulating factor detached from the graph", {"focal_loss_torch": _torch_answer('''
    log_pt = F.log_softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = ((-torch.expm1(log_pt)).clamp_min(torch.finfo(log_pt.dtype).tiny) ** gamma).detach()
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=log_pt.dtype)[labels]
    return -(w * log_pt).mean()
''')}, caught_by=("test_focal_torch_grad",)),
        Answer("torch.log of torch.softmax: inf loss at |logit| = 1e4", {"focal_loss_torch": _torch_answer('''
    pt = torch.softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = (1 - pt).clamp_min(torch.finfo(pt.dtype).tiny) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=pt.dtype)[labels]
    return -(w * torch.log(pt)).mean()
''')}, caught_by=("test_focal_torch_finite_grad",)),
        Answer("probabilities clamped to [1e-7, 1 - 1e-7] (Keras' way): finite, but a hopeless sample costs 16", {
            "focal_loss_torch": _torch_answer('''
    pt = torch.softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1).clamp(1e-7, 1 - 1e-7)
    w = (1 - pt) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=pt.dtype)[labels]
    return -(w * torch.log(pt)).mean()
''')}, caught_by=("test_focal_torch_finite_grad",)),
        Answer("always computes in float32 (logits.float())", {"focal_loss_torch": _torch_answer(
            "\n    logits = logits.float()" + _TORCH_BODY)}, caught_by=("test_focal_torch_value",)),
        Answer("always computes in float64: a float32 batch gets a float64 loss", {"focal_loss_torch": _torch_answer(
            "\n    logits = logits.double()" + _TORCH_BODY)}, caught_by=("test_focal_torch_value",)),
        Answer("tensor methods on the input: a NumPy array fails", {"focal_loss_torch": _torch_answer(_TORCH_BODY, _TORCH_CHECKS.replace(
            """    logits = torch.as_tensor(logits)
    if not logits.is_floating_point():
        logits = logits.double()
""", ""))}, caught_by=("test_focal_torch_value",)),
        Answer("nan logits not rejected in torch", {"focal_loss_torch": _torch_answer(_TORCH_BODY, _TORCH_CHECKS.replace(
            "    if not torch.isfinite(logits).all():\n        raise ValueError(\"값\")\n", ""))},
            caught_by=("test_focal_torch_finite_grad",)),
        Answer("alpha of the predicted class (torch)", {"focal_loss_torch": _torch_answer('''
    log_pt = F.log_softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
    w = (-torch.expm1(log_pt)).clamp_min(torch.finfo(log_pt.dtype).tiny) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=log_pt.dtype)[logits.argmax(dim=1)]
    return -(w * log_pt).mean()
''')}, caught_by=("test_focal_torch_value",)),
        Answer("mean over all N*C entries of a one-hot-masked loss matrix", {"focal_loss_torch": _torch_answer('''
    logp = F.log_softmax(logits, dim=1)
    onehot = F.one_hot(labels, logits.shape[1]).to(logp.dtype)
    w = (-torch.expm1(logp)).clamp_min(torch.finfo(logp.dtype).tiny) ** gamma
    if alpha is not None:
        w = w * torch.as_tensor(np.asarray(alpha, dtype=np.float64), dtype=logp.dtype)
    return -(onehot * w * logp).mean()
''')}, caught_by=("test_focal_torch_value",)),
        # ---- focal_loss_grad
        Answer("gradient with the sign flipped (one-hot minus softmax)", {"focal_loss_grad": _GRAD_HEAD + _GRAD_TAIL.replace(
            "(p - np.eye(c)[labels])", "(np.eye(c)[labels] - p)")}, caught_by=("test_focal_grad_reference",)),
        Answer("gradient not divided by N", {"focal_loss_grad": _GRAD_HEAD + _GRAD_TAIL.replace(" / n", "")},
               caught_by=("test_focal_grad_reference",)),
        Answer("alpha on the first term only, not on the modulating factor's derivative", {"focal_loss_grad": _GRAD_HEAD + '''
    om = -np.expm1(log_pt)
    ratio = np.where(om > 0, log_pt / np.where(om > 0, om, 1.0), -1.0)
    coef = a * om ** gamma - gamma * pt * om ** gamma * ratio
    return coef[:, None] * (p - np.eye(c)[labels]) / n
'''}, caught_by=("test_focal_grad_reference",)),
        Answer("gradient without the input checks of question 1", {"focal_loss_grad": _GRAD_HEAD.replace(
            "    focal_loss(logits, labels, gamma, alpha)\n", "") + _GRAD_TAIL}, caught_by=("test_focal_grad_stable",)),
        Answer("gradient shifts the caller's logits in place", {"focal_loss_grad": _GRAD_HEAD.replace(
            "    s = logits - logits.max(axis=1, keepdims=True)\n",
            "    logits -= logits.max(axis=1, keepdims=True)\n    s = logits\n") + _GRAD_TAIL},
            caught_by=("test_focal_grad_stable",)),
        Answer("gradient from an unshifted softmax", {"focal_loss_grad": _GRAD_HEAD.replace(
            "    s = logits - logits.max(axis=1, keepdims=True)\n", "    s = logits\n") + _GRAD_TAIL},
            caught_by=("test_focal_grad_stable",)),
        # ---- prior_bias
        Answer("prior bias with the wrong sign (-log pi)", {"prior_bias": '''
def prior_bias(labels, num_classes):
    counts = np.bincount(np.asarray(labels), minlength=num_classes)
    if len(counts) != num_classes or np.any(counts == 0):
        raise ValueError("빈 클래스")
    return -np.log(counts / counts.sum())
'''}, caught_by=("test_prior_bias",)),
        Answer("prior bias without the absent-class check (log 0 = -inf)", {"prior_bias": '''
def prior_bias(labels, num_classes):
    counts = np.bincount(np.asarray(labels), minlength=num_classes)
    with np.errstate(divide="ignore"):
        return np.log(counts / counts.sum())
'''}, caught_by=("test_prior_bias",)),
        Answer("labels beyond num_classes cut off instead of rejected", {"prior_bias": '''
def prior_bias(labels, num_classes):
    counts = np.bincount(np.asarray(labels), minlength=num_classes)[:num_classes]
    if np.any(counts == 0):
        raise ValueError("빈 클래스")
    return np.log(counts / counts.sum())
'''}, caught_by=("test_prior_bias",)),
        # ---- train_focal_classifier (each runs the notebook's training once)
        Answer("trains with weighted F.cross_entropy instead of the student's focal_loss_torch", {
            "train_focal_classifier": _train_answer(
                "F.cross_entropy(z, y, weight=None if alpha is None else torch.tensor(np.asarray(alpha), dtype=torch.float32))")},
            caught_by=("test_training_reaches_targets",)),
        Answer("gamma hard-coded to 2 in the training loss", {
            "train_focal_classifier": _train_answer("focal_loss_torch(z, y, gamma=2.0, alpha=alpha)")},
            caught_by=("test_training_reaches_targets",)),
        Answer("focal loss with alpha but the output bias left at its default (no prior-bias initialisation)", {"train_focal_classifier": '''
def train_focal_classifier(images, labels, gamma=2.0, alpha=None, epochs=10, seed=0):
    model = SmallConvNet(in_channels=1, n_outputs=int(np.max(labels)) + 1, width=8, seed=seed)
    loss_fn = lambda z, y: focal_loss_torch(z, y, gamma=gamma, alpha=alpha)
    train_classifier(model, images, labels, loss_fn, epochs=epochs, batch_size=64, lr=3e-3, seed=seed)
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
    if not np.all(np.isfinite(z)):
        raise ValueError("유한하지 않은 로짓")
    if np.any(y < 0) or np.any(y >= z.shape[1]) or np.any(y % 1 != 0):
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
        Answer("1 - p_t as 1 - exp(log p_t) (no expm1), copying logits, validating with np.isnan", {"focal_loss": '''
def focal_loss(logits, labels, gamma=2.0, alpha=None):
    z = np.array(logits, dtype=np.float64, copy=True)
    y = np.asarray(labels)
    if z.ndim != 2 or z.shape[0] < 1 or y.shape != (z.shape[0],):
        raise ValueError("모양")
    if np.isnan(z).any() or np.isinf(z).any():
        raise ValueError("nan/inf")
    if not np.array_equal(y, np.floor(y)) or y.min() < 0 or y.max() > z.shape[1] - 1:
        raise ValueError("레이블")
    if gamma < 0:
        raise ValueError("gamma")
    if alpha is not None and len(alpha) != z.shape[1]:
        raise ValueError("alpha")
    y = y.astype(np.int64)
    z -= z.max(axis=1, keepdims=True)          # our own copy: the caller's array is untouched
    log_pt = z[np.arange(len(y)), y] - np.log(np.sum(np.exp(z), axis=1))
    w = (1.0 - np.exp(log_pt)) ** gamma
    if alpha is not None:
        w *= np.asarray(alpha, dtype=np.float64)[y]
    return float(-(w * log_pt).sum() / len(y))
'''}),
        Answer("torch via F.cross_entropy(reduction='none'), checks with isnan/isinf and boolean masks", {
            "focal_loss_torch": '''
def focal_loss_torch(logits, labels, gamma=2.0, alpha=None):
    z = torch.as_tensor(logits)
    z = z if z.is_floating_point() else z.to(torch.float64)
    y = torch.as_tensor(labels)
    if z.dim() != 2 or z.size(0) == 0 or y.dim() != 1 or y.size(0) != z.size(0):
        raise ValueError("logits (N, C), labels (N,)")
    if torch.isnan(z).any() or torch.isinf(z).any():
        raise ValueError("nan/inf")
    y = y.to(torch.int64)
    if ((y < 0) | (y >= z.size(1))).any() or not gamma >= 0:
        raise ValueError("레이블 또는 gamma")
    if alpha is not None and np.size(alpha) != z.size(1):
        raise ValueError("alpha")
    ce = F.cross_entropy(z, y, reduction="none")                 # -log p_t
    focal = (-torch.expm1(-ce)).clamp(min=torch.finfo(z.dtype).tiny).pow(gamma) * ce
    if alpha is not None:
        focal = focal * torch.tensor(np.asarray(alpha, dtype=np.float64), dtype=z.dtype)[y]
    return focal.sum() / z.size(0)
'''}),
    ],
)
