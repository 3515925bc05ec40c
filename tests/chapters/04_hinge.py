"""Chapter 4 (hinge loss): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import hinge_loss as sklearn_hinge_loss

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference
from support.strategies import finite_floats


def labels_and_scores(bound=1e3, max_dims=3, max_side=8):
    """±1 labels and float64 scores of one random shape (at least one element)."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side)
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])),
        hnp.arrays(np.float64, shape, elements=finite_floats(bound)),
    ))


def _away_from_kink(args):
    y, s = args
    return bool(np.all(np.abs(1.0 - y * s) > 1e-3))


def _both_classes_1d(args):
    y, _ = args
    return y.ndim == 1 and {-1.0, 1.0} <= set(y.tolist())


def torch_clamp_loss(y, s):
    """The spec's PyTorch formula."""
    return float(torch.clamp(1 - torch.as_tensor(y) * torch.as_tensor(s), min=0).mean())


def torch_clamp_grad(y, s):
    """Autograd of the clamp formula; at y·s = 1 it gives -y/n, so use it only away from the kink."""
    s_t = torch.tensor(np.asarray(s, dtype=np.float64), requires_grad=True)
    torch.clamp(1 - torch.as_tensor(y) * s_t, min=0).mean().backward()
    return s_t.grad.numpy()


def torch_relu_grad(y, s):
    """Autograd through relu, whose derivative at 0 is 0: the course's convention even at the kink."""
    s_t = torch.tensor(np.asarray(s, dtype=np.float64), requires_grad=True)
    torch.relu(1 - torch.as_tensor(y) * s_t).mean().backward()
    return s_t.grad.numpy()


def fd_grad(y, s):
    return central_difference(lambda p: float(np.mean(np.maximum(0.0, 1.0 - y * p))), s, h=1e-6)


CHECKED = '''
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.size == 0:
        raise ValueError("모양")
    if not np.all((y == -1.0) | (y == 1.0)):
        raise ValueError("레이블")
'''


def _loss_answer(body, check=CHECKED):
    return f"def hinge_loss(y_true, scores):{check}    return {body}\n"


def _grad_answer(body, check=CHECKED):
    return f"def hinge_grad(y_true, scores):{check}    return {body}\n"


def _checks(shape="y.shape != s.shape or y.size == 0", labels="not np.all((y == -1.0) | (y == 1.0))"):
    """Input checks for a hinge answer, with the given (possibly wrong) conditions."""
    return f'''
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if {shape}:
        raise ValueError("모양")
    if {labels}:
        raise ValueError("레이블")
'''


NO_LABEL_CHECK = '''
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.size == 0:
        raise ValueError("모양")
'''

NO_SHAPE_CHECK = '''
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.size == 0 or not np.all((y == -1.0) | (y == 1.0)):
        raise ValueError("레이블")
'''


def torch_squared_hinge_loss(y, s):
    return float((torch.clamp(1 - torch.as_tensor(y) * torch.as_tensor(s), min=0) ** 2).mean())


def torch_squared_hinge_grad(y, s):
    """Autograd of the squared hinge: smooth at y·s = 1, so no kink to avoid."""
    s_t = torch.tensor(np.asarray(s, dtype=np.float64), requires_grad=True)
    (torch.clamp(1 - torch.as_tensor(y) * s_t, min=0) ** 2).mean().backward()
    return s_t.grad.numpy()


def _squared_answer(loss_body, grad_body, check=CHECKED):
    """A whole squared-hinge answer cell (both functions live in the cell 'squared_hinge')."""
    return (f"def squared_hinge_loss(y_true, scores):{check}    return {loss_body}\n\n\n"
            f"def squared_hinge_grad(y_true, scores):{check}    return {grad_body}\n")


SQ_LOSS = "float(np.mean(np.maximum(0.0, 1.0 - y * s) ** 2))"
SQ_GRAD = "-2.0 * y * np.maximum(0.0, 1.0 - y * s) / y.size"


CHAPTER = Chapter(
    agrees=[
        Agrees("hinge_loss", torch_clamp_loss, labels_and_scores(), name="torch clamp(1 - y*s, min=0).mean()"),
        Agrees("hinge_loss", lambda y, s: sklearn_hinge_loss(y, s),
               labels_and_scores(max_dims=1).filter(_both_classes_1d), name="sklearn.metrics.hinge_loss"),
        Agrees("hinge_grad", torch_relu_grad, labels_and_scores(), name="torch relu autograd (kink included)"),
        Agrees("hinge_grad", torch_clamp_grad, labels_and_scores().filter(_away_from_kink),
               name="torch clamp autograd away from the kink"),
        Agrees("hinge_grad", fd_grad, labels_and_scores(bound=10.0, max_side=4).filter(_away_from_kink),
               rtol=1e-5, atol=1e-7, name="finite differences away from the kink"),
        Agrees("squared_hinge_loss", torch_squared_hinge_loss, labels_and_scores(bound=1e3),
               name="torch clamp(1 - y*s, min=0)**2 mean"),
        Agrees("squared_hinge_grad", torch_squared_hinge_grad, labels_and_scores(bound=1e3),
               name="torch autograd of the squared hinge"),
    ],
    exact=[
        Exact("hinge_grad", (np.array([1.0, -1.0, 1.0]), np.array([1.0, -1.0, 0.5])),
              np.array([0.0, 0.0, -1.0 / 3.0]), name="subgradient 0 exactly at y*s = 1"),
        Exact("hinge_loss", (np.array([1.0, -1.0]), np.array([1.0, -1.0])), 0.0, name="margin exactly 1"),
        Exact("hinge_loss", (np.ones(5), np.zeros(5)), 1.0, name="zero scores give loss 1"),
        Exact("hinge_grad", (np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros((2, 2))),
              np.array([[-0.25, 0.25], [0.25, -0.25]]), name="zero scores: -y/n, n counts all elements"),
        Exact("hinge_loss", (np.array([1, -1]), np.array([-1e300, 1e300])), 1e300, name="huge scores stay finite"),
        Exact("hinge_loss", (np.array([1, -1, 1]), np.array([0.5, 0.5, 3.0], dtype=np.float32)),
              (0.5 + 1.5 + 0.0) / 3, name="integer labels, float32 scores"),
        Exact("hinge_grad", (np.array([-1]), np.array([0.999])), np.array([1.0]), name="just inside the margin"),
    ],
    raises=[
        Raises("hinge_loss", (np.array([0, 1, 1]), np.array([0.5, -0.2, 2.0])), name="0/1 labels"),
        Raises("hinge_loss", (np.array([0.0, 0.0]), np.array([1.0, 2.0])), name="all-zero labels"),
        Raises("hinge_loss", (np.array([2.0, -1.0]), np.array([1.0, 2.0])), name="label 2"),
        Raises("hinge_loss", (np.array([1.0, np.nan]), np.array([1.0, 2.0])), name="NaN label"),
        Raises("hinge_loss", (np.array([True, False]), np.array([1.0, 2.0])), name="boolean labels"),
        Raises("hinge_loss", (np.ones((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("hinge_loss", (np.ones(3), np.zeros((3, 1))), name="(n,) vs (n,1)"),
        Raises("hinge_loss", (np.array([]), np.array([])), name="empty"),
        Raises("hinge_grad", (np.array([0, 1, 1]), np.array([0.5, -0.2, 2.0])), name="0/1 labels"),
        Raises("hinge_grad", (np.ones((3, 1)), np.zeros(3)), name="(n,1) vs (n,)"),
        Raises("hinge_grad", (np.array([]), np.array([])), name="empty"),
    ],
    wrong_answers=[
        Answer("accepts 0/1 labels (no label check)",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - y * s)))", NO_LABEL_CHECK)},
               why="0/1 labels make every good part's loss the constant 1",
               caught_by=("test_hinge_loss_errors",)),
        Answer("gradient accepts 0/1 labels",
               {"hinge_grad": _grad_answer("np.where(y * s < 1.0, -y, 0.0) / y.size", NO_LABEL_CHECK)},
               caught_by=("test_hinge_grad_errors",)),
        Answer("gradient uses <= 1 at the kink",
               {"hinge_grad": _grad_answer("np.where(y * s <= 1.0, -y, 0.0) / y.size")},
               caught_by=("test_hinge_grad_value",)),
        Answer("gradient by torch.clamp autograd (-y/n at the kink)", {"hinge_grad": '''
import torch
def hinge_grad(y_true, scores):
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.size == 0 or not np.all((y == -1.0) | (y == 1.0)):
        raise ValueError("입력")
    s_t = torch.tensor(s, requires_grad=True)
    torch.clamp(1 - torch.tensor(y) * s_t, min=0).mean().backward()
    return s_t.grad.numpy()
'''}, caught_by=("test_hinge_grad_value",)),
        Answer("gradient sign flipped",
               {"hinge_grad": _grad_answer("np.where(y * s < 1.0, y, 0.0) / y.size")},
               caught_by=("test_hinge_grad_value", "test_hinge_grad_reference", "test_svm_subgradient",
                          "test_training_reaches_target")),
        Answer("gradient without the 1/n",
               {"hinge_grad": _grad_answer("np.where(y * s < 1.0, -y, 0.0)")},
               caught_by=("test_hinge_grad_value", "test_hinge_grad_reference", "test_svm_subgradient")),
        Answer("loss max(0, y*s - 1)",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, y * s - 1.0)))")},
               caught_by=("test_hinge_loss_value", "test_hinge_loss_reference", "test_svm_objective")),
        Answer("silent (N,1)-vs-(N,) broadcast",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - y * s)))", NO_SHAPE_CHECK)},
               caught_by=("test_hinge_loss_errors",)),
        Answer("sum instead of mean",
               {"hinge_loss": _loss_answer("float(np.sum(np.maximum(0.0, 1.0 - y * s)))")},
               caught_by=("test_hinge_loss_value", "test_hinge_loss_reference")),
        Answer("objective without the 1/2", {"svm_objective": '''
def svm_objective(w, b, X, y, lam):
    return float(lam * (w @ w) + hinge_loss(y, X @ w + b))
'''}, caught_by=("test_svm_objective",)),
        Answer("bias regularised in the subgradient", {"svm_subgradient": '''
def svm_subgradient(w, b, X, y, lam):
    g = hinge_grad(y, X @ w + b)
    return lam * w + X.T @ g, float(np.sum(g) + lam * b)
'''}, caught_by=("test_svm_subgradient", "test_training_reaches_target")),
        Answer("subgradient forgets the λw term", {"svm_subgradient": '''
def svm_subgradient(w, b, X, y, lam):
    g = hinge_grad(y, X @ w + b)
    return X.T @ g, float(np.sum(g))
'''}, caught_by=("test_svm_subgradient",)),
        Answer("C = 1/λ (sum vs mean forgotten)", {"lambda_to_C": '''
def lambda_to_C(lam, n_samples):
    if lam <= 0 or n_samples < 1:
        raise ValueError("범위")
    return 1.0 / lam
'''}, caught_by=("test_lambda_to_C",)),
        Answer("training returns the last iterate with a constant step", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    for t in range(n_steps):
        grad_w, grad_b = svm_subgradient(w, b, X, y, lam)
        w, b = w - lr0 * grad_w, b - lr0 * grad_b
    return w, b
'''}, caught_by=("test_training_reaches_target",)),
        Answer("training returns the last iterate (right step size, no best-so-far)", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    for t in range(n_steps):
        grad_w, grad_b = svm_subgradient(w, b, X, y, lam)
        step = lr0 / np.sqrt(t + 1)
        w, b = w - step * grad_w, b - step * grad_b
    return w, float(b)
'''}, why="in 200 steps at lr0 = 10 the objective rises 49 times, so the last point is not the best",
               caught_by=("test_training_reaches_target",)),
        Answer("best-so-far that leaves out the starting point", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    best_w, best_b, best_value = w.copy(), b, np.inf
    for t in range(n_steps):
        grad_w, grad_b = svm_subgradient(w, b, X, y, lam)
        step = lr0 / np.sqrt(t + 1)
        w, b = w - step * grad_w, b - step * grad_b
        value = svm_objective(w, b, X, y, lam)
        if value < best_value:
            best_w, best_b, best_value = w.copy(), b, value
    return best_w, float(best_b)
'''}, why="at lr0 = 1000 every step is worse than (0, 0)",
               caught_by=("test_training_reaches_target",)),
        Answer("step size lr0/(t+1) instead of lr0/sqrt(t+1)", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    best_w, best_b, best_value = w.copy(), b, svm_objective(w, b, X, y, lam)
    for t in range(n_steps):
        grad_w, grad_b = svm_subgradient(w, b, X, y, lam)
        step = lr0 / (t + 1)
        w, b = w - step * grad_w, b - step * grad_b
        value = svm_objective(w, b, X, y, lam)
        if value < best_value:
            best_w, best_b, best_value = w.copy(), b, value
    return best_w, float(best_b)
'''}, caught_by=("test_training_reaches_target",)),
        Answer("lambda_to_C without the input check", {"lambda_to_C": '''
def lambda_to_C(lam, n_samples):
    return 1.0 / (lam * n_samples)
'''}, caught_by=("test_lambda_to_C",)),
        Answer("squared hinge gradient without the factor 2", {"squared_hinge": _squared_answer(
            SQ_LOSS, "-y * np.maximum(0.0, 1.0 - y * s) / y.size")}, caught_by=("test_squared_hinge",)),
        Answer("squared hinge gradient is the hinge indicator (derivative of the square forgotten)", {"squared_hinge": _squared_answer(
            SQ_LOSS, "np.where(y * s < 1.0, -2.0 * y, 0.0) / y.size")}, caught_by=("test_squared_hinge",)),
        Answer("squared hinge gradient sign flipped", {"squared_hinge": _squared_answer(
            SQ_LOSS, "2.0 * y * np.maximum(0.0, 1.0 - y * s) / y.size")}, caught_by=("test_squared_hinge",)),
        Answer("squared hinge squares before the max (max(0, (1 - ys)²))", {"squared_hinge": _squared_answer(
            "float(np.mean(np.maximum(0.0, (1.0 - y * s) ** 2)))", "-2.0 * y * (1.0 - y * s) / y.size")},
            why="a well-classified sample far past the margin is penalised", caught_by=("test_squared_hinge",)),
        Answer("squared hinge sums instead of averaging", {"squared_hinge": _squared_answer(
            "float(np.sum(np.maximum(0.0, 1.0 - y * s) ** 2))", "-2.0 * y * np.maximum(0.0, 1.0 - y * s)")},
            caught_by=("test_squared_hinge",)),
        Answer("squared hinge without the label check", {"squared_hinge": _squared_answer(SQ_LOSS, SQ_GRAD, NO_LABEL_CHECK)},
               caught_by=("test_squared_hinge",)),
        Answer("squared hinge without the shape check", {"squared_hinge": _squared_answer(SQ_LOSS, SQ_GRAD, NO_SHAPE_CHECK)},
               caught_by=("test_squared_hinge",)),
        Answer("training jumps to scikit-learn's solution", {"train_linear_svm": '''
from sklearn.svm import SVC
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    svc = SVC(kernel="linear", C=1.0 / (lam * len(X))).fit(X, y)
    return svc.coef_[0], float(svc.intercept_[0])
'''}, caught_by=("test_training_reaches_target",)),
        # ---- added for issue 14: more plausible wrong answers
        Answer("label check demands both classes (set(np.unique(y)) == {-1, 1})",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - y * s)))",
                                         _checks(labels="set(np.unique(y).tolist()) != {-1.0, 1.0}"))},
               why="a batch of defects only (all +1) is valid input", caught_by=("test_hinge_loss_value",)),
        Answer("label check rejects only 0 (label 2 passes)",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - y * s)))",
                                         _checks(labels="np.any(y == 0)"))},
               caught_by=("test_hinge_loss_errors",)),
        Answer("loss without the empty check",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - y * s)))",
                                         _checks(shape="y.shape != s.shape"))},
               why="np.all of an empty array is True: the mean of nothing is NaN", caught_by=("test_hinge_loss_errors",)),
        Answer("loss returns the per-sample hinge array (mean forgotten)",
               {"hinge_loss": _loss_answer("np.maximum(0.0, 1.0 - y * s)")},
               caught_by=("test_hinge_loss_value",)),
        Answer("loss clipped at 1 (ramp loss, np.clip(1 - y*s, 0, 1))",
               {"hinge_loss": _loss_answer("float(np.mean(np.clip(1.0 - y * s, 0.0, 1.0)))")},
               why="a badly wrong part costs at most 1 instead of 1 - y·s", caught_by=("test_hinge_loss_value",)),
        Answer("loss multiplies the scores by the labels in place (s *= y)",
               {"hinge_loss": _loss_answer("float(np.mean(np.maximum(0.0, 1.0 - np.multiply(s, y, out=s))))")},
               why="np.asarray does not copy a float64 array: the caller's scores become margins",
               caught_by=("test_hinge_loss_value",)),
        Answer("gradient turns the scores into margins in place",
               {"hinge_grad": _grad_answer("np.where(np.multiply(s, y, out=s) < 1.0, -y, 0.0) / y.size")},
               caught_by=("test_hinge_grad_value",)),
        Answer("gradient divides by the number of rows, not elements",
               {"hinge_grad": _grad_answer("np.where(y * s < 1.0, -y, 0.0) / len(y)")},
               caught_by=("test_hinge_grad_value",)),
        Answer("gradient without the empty check",
               {"hinge_grad": _grad_answer("np.where(y * s < 1.0, -y, 0.0) / max(y.size, 1)",
                                         _checks(shape="y.shape != s.shape"))},
               caught_by=("test_hinge_grad_errors",)),
        Answer("objective regularises the bias too", {"svm_objective": '''
def svm_objective(w, b, X, y, lam):
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    return float(lam / 2 * (w @ w + b * b) + hinge_loss(y, X @ w + b))
'''}, caught_by=("test_svm_objective",)),
        Answer("objective with λ/2·‖w‖ (norm not squared)", {"svm_objective": '''
def svm_objective(w, b, X, y, lam):
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    return float(lam / 2 * np.linalg.norm(w) + hinge_loss(y, X @ w + b))
'''}, caught_by=("test_svm_objective",)),
        Answer("subgradient's grad_b is the mean of g (1/n twice)", {"svm_subgradient": '''
def svm_subgradient(w, b, X, y, lam):
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    g = hinge_grad(y, X @ w + b)
    return lam * w + X.T @ g, float(np.mean(g))
'''}, caught_by=("test_svm_subgradient",)),
        Answer("lambda_to_C checks only λ = 0 (negative λ and n = 0 pass)", {"lambda_to_C": '''
def lambda_to_C(lam, n_samples):
    if lam == 0:
        raise ValueError("λ = 0")
    return 1.0 / (lam * n_samples) if n_samples else float("inf")
'''}, caught_by=("test_lambda_to_C",)),
        Answer("lambda_to_C = 2/(λn) (the ½ put on the wrong side)", {"lambda_to_C": '''
def lambda_to_C(lam, n_samples):
    if lam <= 0 or n_samples < 1:
        raise ValueError("lam, n_samples")
    return 2.0 / (lam * n_samples)
'''}, caught_by=("test_lambda_to_C",)),
        Answer("training keeps a reference, not a copy, of the best w (w -= ... in place)", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    best_w, best_b, best = w, b, svm_objective(w, b, X, y, lam)
    for t in range(n_steps):
        gw, gb = svm_subgradient(w, b, X, y, lam)
        w -= lr0 / np.sqrt(t + 1) * gw
        b -= lr0 / np.sqrt(t + 1) * gb
        value = svm_objective(w, b, X, y, lam)
        if value < best:
            best_w, best_b, best = w, b, value
    return best_w, best_b
'''}, why="best_w is the same array as w, so the last iterate's w comes back with the best b",
            caught_by=("test_training_reaches_target",)),
        Answer("training does n_steps - 1 updates (range(1, n_steps), step lr0/√t)", {"train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    best = (svm_objective(w, b, X, y, lam), w.copy(), b)
    for t in range(1, n_steps):
        gw, gb = svm_subgradient(w, b, X, y, lam)
        w, b = w - lr0 / np.sqrt(t) * gw, b - lr0 / np.sqrt(t) * gb
        value = svm_objective(w, b, X, y, lam)
        if value < best[0]:
            best = (value, w.copy(), b)
    return best[1], best[2]
'''}, caught_by=("test_training_reaches_target",)),
        Answer("squared hinge loss with a ½ (½·max(0, 1 − ys)²)", {"squared_hinge": _squared_answer(
            "float(np.mean(0.5 * np.maximum(0.0, 1.0 - y * s) ** 2))", "-y * np.maximum(0.0, 1.0 - y * s) / y.size")},
            caught_by=("test_squared_hinge",)),
    ],
    right_answers=[
        Answer("hinge_grad by in-place operations on a copy", {"hinge_grad": '''
def hinge_grad(y_true, scores):
    y = np.asarray(y_true, dtype=np.float64)
    m = np.array(scores, dtype=np.float64)           # a copy, turned into margins in place
    if y.shape != m.shape or y.size == 0:
        raise ValueError("모양")
    if not np.all(np.abs(y) == 1.0):
        raise ValueError("레이블은 -1/+1")
    m *= y
    return np.where(m < 1.0, -y, 0.0) / y.size
'''}),
        Answer("explicit loops, label check by set", {
            "hinge_loss": '''
def hinge_loss(y_true, scores):
    y, s = np.asarray(y_true, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape:
        raise ValueError("모양이 다릅니다")
    if y.size == 0:
        raise ValueError("빈 배열")
    if not set(np.unique(y).tolist()) <= {-1.0, 1.0}:
        raise ValueError("레이블은 ±1")
    total = 0.0
    for yi, si in zip(y.ravel(), s.ravel()):
        total += max(0.0, 1.0 - yi * si)
    return total / y.size
''',
            "hinge_grad": '''
def hinge_grad(y_true, scores):
    y, s = np.asarray(y_true, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.size == 0:
        raise ValueError("모양이 다릅니다")
    if not set(np.unique(y).tolist()) <= {-1.0, 1.0}:
        raise ValueError("레이블은 ±1")
    out = np.zeros_like(s)
    for i in np.ndindex(s.shape):
        if y[i] * s[i] < 1.0:
            out[i] = -y[i] / y.size
    return out
'''}),
        Answer("PyTorch: relu and autograd (relu'(0) = 0 matches the kink convention)", {
            "hinge_loss": '''
import torch
def _tensors(y_true, scores):
    y = torch.as_tensor(np.asarray(y_true, dtype=np.float64))
    s = torch.as_tensor(np.asarray(scores, dtype=np.float64))
    if y.shape != s.shape or y.numel() == 0:
        raise ValueError("모양이 다릅니다")
    if not bool(torch.all((y == 1) | (y == -1))):
        raise ValueError("레이블은 -1 또는 +1")
    return y, s

def hinge_loss(y_true, scores):
    y, s = _tensors(y_true, scores)
    return torch.relu(1 - y * s).mean().item()
''',
            "hinge_grad": '''
def hinge_grad(y_true, scores):
    y, s = _tensors(y_true, scores)
    s = s.clone().requires_grad_(True)
    torch.relu(1 - y * s).mean().backward()
    return s.grad.numpy()
'''}),
        Answer("heaviside gradient, stacked parameters in training", {
            "hinge_grad": '''
def hinge_grad(y_true, scores):
    y = np.array(y_true).astype(np.float64)
    s = np.array(scores).astype(np.float64)
    if np.shape(y) != np.shape(s):
        raise ValueError(f"shape mismatch {np.shape(y)} {np.shape(s)}")
    if not y.size or np.any(np.abs(y) != 1):
        raise ValueError("labels must be -1/+1")
    return -y * np.heaviside(1.0 - y * s, 0.0) / y.size
''',
            "svm_objective": '''
def svm_objective(w, b, X, y, lam):
    return 0.5 * lam * float(np.sum(np.square(w))) + hinge_loss(y, np.dot(X, w) + b)
''',
            "lambda_to_C": '''
def lambda_to_C(lam, n_samples):
    if not (lam > 0 and n_samples >= 1):
        raise ValueError("lam과 n_samples는 양수")
    return 1.0 / lam / n_samples
''',
            "train_linear_svm": '''
def train_linear_svm(X, y, lam=0.01, n_steps=1000, lr0=1.0):
    n, d = X.shape
    theta = np.zeros(d + 1)
    best = (svm_objective(theta[:d], theta[d], X, y, lam), theta.copy())
    for t in range(n_steps):
        grad_w, grad_b = svm_subgradient(theta[:d], theta[d], X, y, lam)
        theta -= lr0 / (t + 1) ** 0.5 * np.append(grad_w, grad_b)
        value = svm_objective(theta[:d], theta[d], X, y, lam)
        if value < best[0]:
            best = (value, theta.copy())
    return best[1][:d], best[1][d]
'''}),
    ],
)
