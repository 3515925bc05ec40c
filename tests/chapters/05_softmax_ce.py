"""Chapter 5 (softmax cross-entropy): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference
from support.strategies import finite_floats


def logits_and_labels(bound=1e4, max_rows=8, max_classes=6):
    """(N, C) float64 logits with 1 <= N, 2 <= C, and (N,) integer labels in [0, C)."""
    shapes = st.tuples(st.integers(1, max_rows), st.integers(2, max_classes))
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=finite_floats(bound)),
        hnp.arrays(np.int64, (shape[0],), elements=st.integers(0, shape[1] - 1)),
    ))


def logits_only(bound=1e4):
    return logits_and_labels(bound).map(lambda pair: (pair[0],))


def _torch_softmax(z):
    return torch.softmax(torch.as_tensor(z, dtype=torch.float64), dim=1).numpy()


def _torch_log_softmax(z):
    return torch.log_softmax(torch.as_tensor(z, dtype=torch.float64), dim=1).numpy()


def _torch_ce(z, y):
    return F.cross_entropy(torch.as_tensor(z, dtype=torch.float64), torch.as_tensor(y, dtype=torch.int64)).item()


def _torch_ce_grad(z, y):
    z_t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    F.cross_entropy(z_t, torch.as_tensor(y, dtype=torch.int64)).backward()
    return z_t.grad.numpy()


def _fd_grad(z, y):
    def loss(w):
        shifted = w - w.max(axis=1, keepdims=True)
        lse = np.log(np.exp(shifted).sum(axis=1))
        return float(np.mean(lse - shifted[np.arange(len(y)), y]))
    return central_difference(loss, z)


def logits_labels_and_weights(bound=1e4, max_rows=8, max_classes=6):
    """(logits, labels, class_weights): positive finite weights of length C, so that sum w[y] > 0."""
    return logits_and_labels(bound, max_rows, max_classes).flatmap(lambda pair: st.tuples(
        st.just(pair[0]), st.just(pair[1]),
        hnp.arrays(np.float64, (pair[0].shape[1],), elements=st.floats(0.01, 100.0)),
    ))


def _torch_weighted_ce(z, y, w):
    return F.cross_entropy(torch.as_tensor(z, dtype=torch.float64), torch.as_tensor(y, dtype=torch.int64),
                           weight=torch.as_tensor(w, dtype=torch.float64)).item()


WEIGHT_CHECK = """
    w = np.asarray(class_weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != z.shape[1]:
        raise ValueError("가중치 길이")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("음수 가중치")
"""


def _weighted_answer(body, check=WEIGHT_CHECK):
    """A weighted_softmax_cross_entropy cell (uses the model check_logits_and_labels) with the given body."""
    return f"""
def weighted_softmax_cross_entropy(logits, labels, class_weights):
    z, y = check_logits_and_labels(logits, labels)
{check}
{body}
"""


# A correct input check, shared by the catalogued answers that change something else.
CHECK = '''
def check_logits_and_labels(logits, labels):
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels)
    if z.ndim != 2 or y.ndim != 1 or len(z) != len(y) or z.size == 0:
        raise ValueError("모양이 잘못되었습니다")
    if not np.all(np.isfinite(z)):
        raise ValueError("nan/inf 로짓")
    if y.dtype.kind not in "iuf" or not np.all(y == np.round(y)) or y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError("레이블 범위")
    return z, y.astype(np.int64)
'''


# the model softmax_cross_entropy, after a check_logits_and_labels that an answer changes
CE_BODY = '''

def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))
'''


def _ce_answer(body):
    """A softmax_cross_entropy cell with a correct input check and the given function body."""
    return CHECK + f'''

def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
{body}
'''


def _grad_answer(body):
    return f'''
def softmax_cross_entropy_grad(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
{body}
'''


SOFTMAX = """
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""


def _builtin(body):
    """A softmax_cross_entropy_torch cell that reaches a built-in loss one way or another
    (each is right in value, so only the ban can catch it)."""
    return {"softmax_cross_entropy_torch": body}



def _book_code():
    """The NumPy and PyTorch functions of book/05_softmax_ce.md's implementation section, as a
    reader would paste them into the answer cells (read from the book, so the entry follows it)."""
    import ast
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "book" / "05_softmax_ce.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```\{code-cell\} ipython3\n(?!:)(.*?)```", text, re.S))
    tree = ast.parse(code)
    functions = {node.name: ast.get_source_segment(code, node) for node in tree.body
                 if isinstance(node, ast.FunctionDef)}
    return {"softmax": functions["softmax"], "log_softmax": functions["log_softmax"],
            "softmax_cross_entropy": functions["check_logits_and_labels"] + "\n\n\n" + functions["softmax_cross_entropy"],
            "softmax_cross_entropy_grad": functions["softmax_cross_entropy_grad"],
            "softmax_cross_entropy_torch": functions["softmax_cross_entropy_torch"]}


BOOK = _book_code()

BAN = ("test_softmax_cross_entropy_torch",)

CHAPTER = Chapter(
    agrees=[
        Agrees("softmax", _torch_softmax, logits_only(), rtol=1e-9, atol=1e-300, name="torch softmax"),
        Agrees("log_softmax", _torch_log_softmax, logits_only(), rtol=1e-12, atol=1e-9, name="torch log_softmax"),
        Agrees("softmax_cross_entropy", _torch_ce, logits_and_labels(), rtol=1e-12, atol=1e-9,
               name="torch cross_entropy"),
        Agrees("softmax_cross_entropy_grad", _torch_ce_grad, logits_and_labels(), rtol=1e-9, atol=1e-14,
               name="torch autograd"),
        Agrees("weighted_softmax_cross_entropy", _torch_weighted_ce, logits_labels_and_weights(), rtol=1e-12,
               atol=1e-9, name="torch cross_entropy(weight=w)"),
        Agrees("softmax_cross_entropy_grad", _fd_grad, logits_and_labels(bound=5.0, max_rows=4, max_classes=4),
               rtol=1e-5, atol=1e-8, name="finite differences"),
    ],
    exact=[
        Exact("softmax", (np.array([[1e4, 0.0, -1e4]]),), np.array([[1.0, 0.0, 0.0]]), atol=1e-300,
              name="no overflow at |z| = 1e4"),
        Exact("log_softmax", (np.array([[1e4, 0.0, -1e4]]),), np.array([[0.0, -1e4, -2e4]]),
              name="no -inf at |z| = 1e4"),
        Exact("softmax_cross_entropy", (np.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]]), np.array([2, 1])),
              (2e4 + np.log(3.0)) / 2, rtol=1e-12, name="extreme logits, no clipping"),
        Exact("softmax_cross_entropy", (np.zeros((3, 5)), np.array([0, 2, 4])), np.log(5.0), rtol=1e-12,
              name="equal logits give ln C"),
        Exact("softmax_cross_entropy", (np.array([[0.0, 1.5]]), np.array([1])), float(np.log1p(np.exp(-1.5))),
              rtol=1e-12, name="two classes equal BCE with logits"),
        Exact("softmax_cross_entropy", (np.array([[0.0, 3.0, 1.0]], dtype=np.float32), np.array([1.0])),
              float(np.log(1 + np.exp(-3.0) + np.exp(-2.0))), rtol=1e-12, name="float32 logits, integral float label"),
        Exact("weighted_softmax_cross_entropy", (np.zeros((2, 2)), np.array([0, 1]), np.array([1.0, 3.0])),
              np.log(2.0), rtol=1e-12, name="divided by sum of w[y], not N"),
        Exact("weighted_softmax_cross_entropy",
              (np.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]]), np.array([2, 1]), np.array([1.0, 4.0, 2.0])),
              (2 * 2e4 + 4 * np.log(3.0)) / 6, rtol=1e-12, name="weighted, extreme logits"),
        Exact("softmax_cross_entropy_grad", (np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 1])),
              np.array([[-0.25, 0.25], [0.375, -0.375]]), name="(softmax - onehot) / N"),
        Exact("softmax_cross_entropy_grad", (np.array([[1e4, 0.0, -1e4]]), np.array([2])),
              np.array([[1.0, 0.0, -1.0]]), atol=1e-300, name="gradient at |z| = 1e4"),
    ],
    raises=[
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1, 4])), name="label = C"),
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, -1, 2])), name="negative label"),
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, -100, 2])), name="torch ignore_index"),
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.array([0.0, 1.5, 2.0])), name="non-integer label"),
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.eye(4)[[0, 1, 2]]), name="one-hot labels"),
        Raises("softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1])), name="N mismatch"),
        Raises("softmax_cross_entropy", (np.zeros(4), np.array([0])), name="1-D logits"),
        Raises("softmax_cross_entropy", (np.zeros((0, 4)), np.array([], dtype=int)), name="empty batch"),
        Raises("softmax_cross_entropy", (np.array([[0.0, np.nan]]), np.array([0])), name="nan logit"),
        Raises("weighted_softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1, 3]), np.ones(5)),
               name="C + 1 weights"),
        Raises("weighted_softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1, 3]), np.ones(3)),
               name="C - 1 weights"),
        Raises("weighted_softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1, 3]),
                                                  np.array([1.0, -1.0, 1.0, 1.0])), name="negative weight"),
        Raises("weighted_softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 1, 4]), np.ones(4)),
               name="weighted: label = C"),
        Raises("weighted_softmax_cross_entropy", (np.zeros((3, 4)), np.array([0, 0, 1]),
                                                  np.array([0.0, 0.0, 1.0, 1.0])), name="sum of w[y] = 0"),
        Raises("softmax_cross_entropy_grad", (np.zeros((2, 3)), np.array([0, 3])), name="label = C"),
        Raises("softmax_cross_entropy_grad", (np.zeros((2, 3)), np.array([[0], [1]])), name="(N, 1) labels"),
    ],
    wrong_answers=[
        Answer("naive softmax without max subtraction", {"softmax": '''
def softmax(logits):
    e = np.exp(np.asarray(logits, dtype=np.float64))
    return e / e.sum(axis=1, keepdims=True)
'''}, why="overflows (nan, RuntimeWarning) at |z| = 1e4", caught_by=("test_softmax_extreme",)),
        Answer("softmax normalised over the batch axis", {"softmax": '''
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
'''}, caught_by=("test_softmax_value", "test_softmax_reference")),
        Answer("log of softmax (underflows to -inf)", {"log_softmax": '''
def log_softmax(logits):
    with np.errstate(divide="ignore"):
        return np.log(softmax(logits))
'''}, caught_by=("test_log_softmax_extreme", "test_softmax_cross_entropy_extreme")),
        Answer("log of clipped softmax", {"log_softmax": '''
def log_softmax(logits):
    return np.log(np.clip(softmax(logits), 1e-7, 1.0))
'''}, why="loss capped at -log(1e-7) ≈ 16.1 for a confident mistake",
            caught_by=("test_log_softmax_extreme", "test_softmax_cross_entropy_extreme")),
        Answer("double softmax: logits treated as probabilities after softmax", {"softmax_cross_entropy": _ce_answer('''
    p = softmax(z)
    return float(-np.mean(log_softmax(p)[np.arange(len(y)), y]))
''')}, caught_by=("test_softmax_cross_entropy_value", "test_softmax_cross_entropy_reference")),
        Answer("mean over all N*C elements instead of rows", {"softmax_cross_entropy": _ce_answer('''
    onehot = np.eye(z.shape[1])[y]
    return float(-np.mean(onehot * log_softmax(z)))
''')}, caught_by=("test_softmax_cross_entropy_value", "test_softmax_cross_entropy_reference")),
        Answer("sum over rows instead of mean", {"softmax_cross_entropy": _ce_answer('''
    return float(-np.sum(log_softmax(z)[np.arange(len(y)), y]))
''')}, caught_by=("test_softmax_cross_entropy_value", "test_softmax_cross_entropy_reference")),
        Answer("labels not validated", {"softmax_cross_entropy": '''
def check_logits_and_labels(logits, labels):
    return np.asarray(logits, dtype=np.float64), np.asarray(labels).astype(np.int64)


def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))
'''}, why="-1 silently picks the last class; one-hot labels broadcast",
            caught_by=("test_softmax_cross_entropy_errors", "test_softmax_cross_entropy_grad_value")),
        Answer("range checked, but non-integer labels truncated", {"softmax_cross_entropy": CHECK.replace(
            "not np.all(y == np.round(y)) or ", "") + CE_BODY}, caught_by=("test_softmax_cross_entropy_errors",)),
        Answer("gradient missing 1/N", {"softmax_cross_entropy_grad": _grad_answer('''
    return softmax(z) - np.eye(z.shape[1])[y]
''')}, caught_by=("test_softmax_cross_entropy_grad_value", "test_softmax_cross_entropy_grad_reference")),
        Answer("gradient sign flipped", {"softmax_cross_entropy_grad": _grad_answer('''
    return (np.eye(z.shape[1])[y] - softmax(z)) / len(y)
''')}, caught_by=("test_softmax_cross_entropy_grad_value", "test_softmax_cross_entropy_grad_reference")),
        Answer("gradient divided by N*C", {"softmax_cross_entropy_grad": _grad_answer('''
    return (softmax(z) - np.eye(z.shape[1])[y]) / z.size
''')}, caught_by=("test_softmax_cross_entropy_grad_value",)),
        Answer("weighted CE divided by N instead of the sum of weights", {"weighted_softmax_cross_entropy": _weighted_answer('''
    nll = -log_softmax(z)[np.arange(len(y)), y]
    return float(np.mean(w[y] * nll))
''')}, caught_by=("test_weighted_softmax_cross_entropy_value", "test_weighted_softmax_cross_entropy_reference")),
        Answer("weighted CE with the weight of the predicted class", {"weighted_softmax_cross_entropy": _weighted_answer('''
    row_w = w[z.argmax(axis=1)]
    nll = -log_softmax(z)[np.arange(len(y)), y]
    return float(np.sum(row_w * nll) / np.sum(row_w))
''')}, caught_by=("test_weighted_softmax_cross_entropy_value", "test_weighted_softmax_cross_entropy_reference")),
        Answer("weighted CE without max subtraction", {"weighted_softmax_cross_entropy": _weighted_answer('''
    lse = np.log(np.exp(z).sum(axis=1))
    nll = lse - z[np.arange(len(y)), y]
    return float(np.sum(w[y] * nll) / np.sum(w[y]))
''')}, why="np.exp overflows at |z| = 1e4 (RuntimeWarning, inf - inf = nan)",
            caught_by=("test_weighted_softmax_cross_entropy_value", "test_weighted_softmax_cross_entropy_reference")),
        Answer("weighted CE without the weight-length check", {"weighted_softmax_cross_entropy": _weighted_answer('''
    nll = -log_softmax(z)[np.arange(len(y)), y]
    return float(np.sum(w[y] * nll) / np.sum(w[y]))
''', check="""
    w = np.asarray(class_weights, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("음수 가중치")
""")}, why="C + 1 weights index fine and return a value", caught_by=("test_weighted_softmax_cross_entropy_errors",)),
        Answer("weighted CE without the negative-weight check", {"weighted_softmax_cross_entropy": _weighted_answer('''
    nll = -log_softmax(z)[np.arange(len(y)), y]
    return float(np.sum(w[y] * nll) / np.sum(w[y]))
''', check="""
    w = np.asarray(class_weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != z.shape[1]:
        raise ValueError("가중치 길이")
""")}, caught_by=("test_weighted_softmax_cross_entropy_errors",)),
        Answer("torch loss without max subtraction", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    lse = torch.log(torch.exp(logits).sum(dim=1))
    return (lse - logits.gather(1, labels.unsqueeze(1)).squeeze(1)).mean()
'''}, why="float32 exp overflows above 88.7: inf - inf = nan", caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss calls F.cross_entropy", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return F.cross_entropy(logits, labels)
'''}, caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss: double softmax", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    p = torch.softmax(logits, dim=1)
    lse = torch.logsumexp(p, dim=1)
    return (lse - p.gather(1, labels.unsqueeze(1)).squeeze(1)).mean()
'''}, caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss forgets the correct-class logit", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return torch.logsumexp(logits, dim=1).mean()
'''}, why="minimised by pushing every logit down: nothing is learned",
            caught_by=("test_softmax_cross_entropy_torch", "test_training_reaches_accuracy")),
        # every spelling of the built-in loss (right in value: only the ban catches them)
        Answer("torch loss: torch.nn.functional.cross_entropy in full", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return torch.nn.functional.cross_entropy(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: cross_entropy imported under another name", _builtin('''
from torch.nn.functional import cross_entropy as ce

def softmax_cross_entropy_torch(logits, labels):
    return ce(logits, labels)
'''), why="imported before the test: the runtime block never sees it", caught_by=BAN),
        Answer("torch loss: nn.CrossEntropyLoss()", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return torch.nn.CrossEntropyLoss()(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: F.nll_loss of F.log_softmax", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return F.nll_loss(F.log_softmax(logits, dim=1), labels)
'''), caught_by=BAN),
        Answer("torch loss: torch.log_softmax and gather", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return -torch.log_softmax(logits, dim=1).gather(1, labels.unsqueeze(1)).mean()
'''), caught_by=BAN),
        Answer("torch loss: the tensor method z.log_softmax(1)", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return -logits.log_softmax(1)[torch.arange(len(labels)), labels].mean()
'''), caught_by=BAN),
        Answer("torch loss: torch.special.log_softmax", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return -torch.special.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).mean()
'''), caught_by=BAN),
        Answer("torch loss: torch.distributions.Categorical(logits=z).log_prob", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return -torch.distributions.Categorical(logits=logits).log_prob(labels).mean()
'''), why="computes logits - logsumexp inside, untouched by the runtime block", caught_by=BAN),
        Answer("torch loss: getattr(F, 'cross_' + 'entropy')", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return getattr(F, "cross_" + "entropy")(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: __import__ and the module's __dict__", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    functional = __import__("torch.nn.functional", fromlist=["_"])
    return functional.__dict__["cross_" + "entropy"](logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: importlib.import_module", _builtin('''
import importlib

def softmax_cross_entropy_torch(logits, labels):
    return importlib.import_module("torch.nn.functional").cross_entropy(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: eval of the name", _builtin('''
def softmax_cross_entropy_torch(logits, labels):
    return eval("F.cross_" + "entropy")(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: exec defines the function", _builtin('''
exec("def softmax_cross_entropy_torch(logits, labels):\\n    return F.cross_" + "entropy(logits, labels)")
'''), caught_by=BAN),
        Answer("torch loss: a helper in another answer cell calls F.cross_entropy", {
            "softmax": SOFTMAX + '''

def _stable_loss(z, y):
    return F.cross_entropy(z, y)
''', "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return _stable_loss(logits, labels)
'''}, caught_by=BAN),
        Answer("torch loss: F.cross_entropy captured in an earlier cell", {
            "softmax": SOFTMAX + '''
_ce = F.cross_entropy
''', "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return _ce(logits, labels)
'''}, why="the original function object, kept before the runtime block", caught_by=BAN),
        Answer("torch loss: the built-in kept as a default argument", _builtin('''
def softmax_cross_entropy_torch(logits, labels, loss=F.cross_entropy):
    return loss(logits, labels)
'''), caught_by=BAN),
        Answer("torch loss: the built-in hidden in a module attribute", {
            "softmax": SOFTMAX + '''
torch.stable_loss = F.cross_entropy
''', "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return torch.stable_loss(logits, labels)
'''}, caught_by=BAN),
        # ---- added with issue 14's review: in-place edits, max over the wrong axis, inf, return types, the book
        Answer("softmax subtracts the row max in place (z -= ...)", {"softmax": '''
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    z -= z.max(axis=1, keepdims=True)                 # np.asarray returns the caller's float64 array
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)
'''}, why="right value, but the caller's logits are overwritten", caught_by=("test_softmax_value",)),
        Answer("log_softmax subtracts the row max in place", {"log_softmax": '''
def log_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    z -= z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
'''}, caught_by=("test_log_softmax_value",)),
        Answer("softmax shifted by the batch's global max", {"softmax": '''
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)
'''}, why="a row far below the batch max underflows to 0/0 = nan", caught_by=("test_softmax_extreme",)),
        Answer("log_softmax shifted by the batch's global max", {"log_softmax": '''
def log_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    m = z.max()
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
'''}, caught_by=("test_log_softmax_extreme",)),
        Answer("input check tests nan but not inf", {"softmax_cross_entropy": CHECK.replace(
            "not np.all(np.isfinite(z))", "np.any(np.isnan(z))") + CE_BODY},
            why="an inf logit gives inf - inf = nan, not a ValueError", caught_by=("test_softmax_cross_entropy_errors",)),
        Answer("label column picked with z[:, y] (an N x N block)", {"softmax_cross_entropy": _ce_answer('''
    return float(-np.mean(log_softmax(z)[:, y]))
''')}, caught_by=("test_softmax_cross_entropy_value", "test_softmax_cross_entropy_reference")),
        Answer("log of softmax floored at 1e-300", {"softmax_cross_entropy": _ce_answer('''
    p = softmax(z)[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(p, 1e-300))))
''')}, why="a confident mistake costs at most 690.8", caught_by=("test_softmax_cross_entropy_extreme",)),
        Answer("torch loss through torch.log(torch.softmax(...))", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    p = torch.softmax(logits, dim=1)
    return -torch.log(p.gather(1, labels.unsqueeze(1)).squeeze(1)).mean()
'''}, why="float32 softmax underflows to 0 at a logit gap of 1e4: log 0 = -inf", caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss cast to float32", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    z = logits.float()
    return (torch.logsumexp(z, dim=1) - z.gather(1, labels.unsqueeze(1)).squeeze(1)).mean()
'''}, caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss returns a Python float (.item())", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return (torch.logsumexp(logits, dim=1) - logits.gather(1, labels.unsqueeze(1)).squeeze(1)).mean().item()
'''}, why="no graph: the network cannot be trained", caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("torch loss sums over the batch", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return (torch.logsumexp(logits, dim=1) - logits.gather(1, labels.unsqueeze(1)).squeeze(1)).sum()
'''}, caught_by=("test_softmax_cross_entropy_torch",)),
        Answer("weighted CE normalises the caller's weights in place", {"weighted_softmax_cross_entropy": _weighted_answer('''
    w /= w.sum()                                      # scale-free, so the value is still right
    nll = -log_softmax(z)[np.arange(len(y)), y]
    if np.sum(w[y]) == 0:
        raise ValueError("가중치 합 0")
    return float(np.sum(w[y] * nll) / np.sum(w[y]))
''')}, why="the caller's class_weights array now sums to 1", caught_by=("test_weighted_softmax_cross_entropy_value",)),
        Answer("weighted CE with weights normalised over classes, mean over rows", {"weighted_softmax_cross_entropy": _weighted_answer('''
    nll = -log_softmax(z)[np.arange(len(y)), y]
    return float(np.mean((w / w.sum())[y] * nll))
''')}, caught_by=("test_weighted_softmax_cross_entropy_value", "test_weighted_softmax_cross_entropy_reference")),
        Answer("weighted CE checks w < 0 only: nan weights pass", {"weighted_softmax_cross_entropy": _weighted_answer('''
    nll = -log_softmax(z)[np.arange(len(y)), y]
    if np.sum(w[y]) == 0:
        raise ValueError("가중치 합 0")
    return float(np.sum(w[y] * nll) / np.sum(w[y]))
''', check="""
    w = np.asarray(class_weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != z.shape[1] or np.any(w < 0):
        raise ValueError("가중치")
""")}, caught_by=("test_weighted_softmax_cross_entropy_errors",)),
        Answer("weighted CE returns PyTorch's tensor (no .item())", {"weighted_softmax_cross_entropy": _weighted_answer('''
    if np.sum(w[y]) == 0:
        raise ValueError("가중치 합 0")
    return F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y), weight=torch.from_numpy(w))
''')}, caught_by=("test_weighted_softmax_cross_entropy_value",)),
        Answer("the book's chapter 5 code pasted into the answer cells", {
            "softmax": BOOK["softmax"], "log_softmax": BOOK["log_softmax"],
            "softmax_cross_entropy": BOOK["softmax_cross_entropy"],
            "softmax_cross_entropy_grad": BOOK["softmax_cross_entropy_grad"],
            "softmax_cross_entropy_torch": BOOK["softmax_cross_entropy_torch"],
            "weighted_softmax_cross_entropy": """
def weighted_softmax_cross_entropy(logits, labels, class_weights):
    raise NotImplementedError()
"""},
            why="the book has no class-weighted CE: problem 6 stays unanswered (3 of 24 autograded points lost)",
            caught_by=("test_weighted_softmax_cross_entropy_value", "test_weighted_softmax_cross_entropy_errors",
                       "test_weighted_softmax_cross_entropy_reference")),
    ],
    right_answers=[
        Answer("log_softmax with scipy.special.logsumexp", {"log_softmax": '''
from scipy.special import logsumexp
def log_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    return z - logsumexp(z, axis=1, keepdims=True)
'''}),
        Answer("torch loss with the max not detached", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    m = logits.max(dim=1, keepdim=True).values          # not detached: its gradient terms cancel
    lse = (m + torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))).squeeze(1)
    return (lse - logits[torch.arange(logits.shape[0]), labels]).mean()
'''}),
        Answer("torch loss: amax, logsumexp by hand and gather (the allowed ops)", {"softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    m = torch.amax(logits, dim=1, keepdim=True)
    log_sum = m.squeeze(1) + torch.log(torch.sum(torch.exp(logits - m), dim=1))
    return torch.mean(log_sum - torch.gather(logits, 1, labels.view(-1, 1)).view(-1))
'''}),
        Answer("torch loss: my own log_softmax helper in another cell", {
            "softmax": SOFTMAX + '''

def my_log_softmax(t):
    return t - torch.logsumexp(t, dim=1, keepdim=True)

print(F.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1])))   # calling it to compare is fine
''', "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    return -my_log_softmax(logits)[torch.arange(len(labels)), labels].mean()
'''}),
        Answer("np.logaddexp.reduce and take_along_axis", {
            "softmax": '''
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    return np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))
''',
            "log_softmax": '''
def log_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)
''',
            "softmax_cross_entropy": CHECK + '''

def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    picked = np.take_along_axis(log_softmax(z), y[:, None], axis=1)
    return float(-picked.mean())
''',
            "softmax_cross_entropy_grad": '''
def softmax_cross_entropy_grad(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    onehot = np.zeros_like(z)
    np.put_along_axis(onehot, y[:, None], 1.0, axis=1)
    return (softmax(z) - onehot) / z.shape[0]
'''}),
        Answer("PyTorch in float64 with autograd", {
            "softmax": '''
import torch
def softmax(logits):
    return torch.softmax(torch.as_tensor(np.asarray(logits, dtype=np.float64)), dim=-1).numpy()
''',
            "log_softmax": '''
def log_softmax(logits):
    return torch.log_softmax(torch.as_tensor(np.asarray(logits, dtype=np.float64)), dim=-1).numpy()
''',
            "softmax_cross_entropy": CHECK + '''

def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    return torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.from_numpy(y)).item()
''',
            "softmax_cross_entropy_grad": '''
def softmax_cross_entropy_grad(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    z_t = torch.tensor(z, requires_grad=True)
    torch.nn.functional.cross_entropy(z_t, torch.from_numpy(y)).backward()
    return z_t.grad.numpy()
''',
            "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    lse = torch.logsumexp(logits, dim=1)
    return (lse - logits[torch.arange(len(labels)), labels]).mean()
'''}),
        Answer("weighted CE through PyTorch's weight= after the checks", {"weighted_softmax_cross_entropy": '''
def weighted_softmax_cross_entropy(logits, labels, class_weights):
    z, y = check_logits_and_labels(logits, labels)
    w = np.array(class_weights, dtype=float)
    if w.shape != (z.shape[1],):
        raise ValueError(f"가중치 모양 {w.shape}")
    if np.isnan(w).any() or np.isinf(w).any() or (w < 0).any() or w[y].sum() == 0:
        raise ValueError("가중치 값")
    return torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.from_numpy(y),
                                             weight=torch.from_numpy(w)).item()
'''}),
        Answer("weighted CE as a weighted one-hot matrix", {"weighted_softmax_cross_entropy": _weighted_answer('''
    target = np.eye(z.shape[1])[y] * w          # (N, C): w[y_i] in the label column
    if target.sum() == 0:
        raise ValueError("가중치 합 0")
    return float(-(target * log_softmax(z)).sum() / target.sum())
''')}),
        Answer("explicit loops over rows", {
            "softmax": '''
def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    out = np.empty_like(z)
    for i, row in enumerate(z):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out
''',
            "log_softmax": '''
import math
def log_softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    out = np.empty_like(z)
    for i, row in enumerate(z):
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        out[i] = row - lse
    return out
''',
            "softmax_cross_entropy": '''
def check_logits_and_labels(logits, labels):
    z = np.array(logits, dtype=float)
    y = np.array(labels)
    if z.ndim != 2:
        raise ValueError("로짓은 2차원이어야 합니다")
    if y.ndim != 1:
        raise ValueError("레이블은 1차원이어야 합니다")
    if z.shape[0] != y.shape[0] or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError("행 수가 맞지 않습니다")
    if np.isnan(z).any() or np.isinf(z).any():
        raise ValueError("로짓에 nan/inf")
    out = []
    for v in y.tolist():
        if isinstance(v, bool) or float(v) != int(v) or not 0 <= int(v) < z.shape[1]:
            raise ValueError(f"잘못된 레이블 {v}")
        out.append(int(v))
    return z, np.array(out, dtype=np.int64)


def softmax_cross_entropy(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    log_p = log_softmax(z)
    total = 0.0
    for i, k in enumerate(y):
        total -= log_p[i, k]
    return total / len(y)
''',
            "softmax_cross_entropy_grad": '''
def softmax_cross_entropy_grad(logits, labels):
    z, y = check_logits_and_labels(logits, labels)
    n = len(y)
    grad = softmax(z)
    for i in range(n):
        grad[i, y[i]] -= 1.0
    return grad / n
''',
            "softmax_cross_entropy_torch": '''
def softmax_cross_entropy_torch(logits, labels):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    onehot = torch.zeros_like(logits).scatter_(1, labels.unsqueeze(1), 1.0)
    return -(onehot * log_probs).sum(dim=1).mean()
'''}),
    ],
)
