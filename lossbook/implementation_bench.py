"""Each chapter's NumPy solution beside the library built-in: speed and agreement on extreme inputs.

Used by the appendix page "구현 성능과 수치 안정성" (book/appendix/performance.md), which runs
`report()` when the book builds. The functions under test are loaded from the solution
notebooks' answer cells (`lossbook.notebooks.load_answer_functions`), so the table always
shows the current solutions. A chapter whose solution notebook (or function) does not exist yet
is listed as not yet available; the table fills in when the chapter lands in solutions/.
"""

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lossbook import notebooks

N_ELEMENTS = 10**6


def _t(array):
    import torch

    return torch.from_numpy(np.ascontiguousarray(array))


def _float(value):
    return float(value.item() if hasattr(value, "item") else value)


@dataclass
class Comparison:
    """One solution function against one library built-in with the same meaning."""
    chapter: str
    function: str                 # the contract's name in the solution notebook
    builtin_name: str             # what the table shows
    torch_loss: Callable          # the same loss on float64 tensors: value and (autograd) gradient reference
    make_inputs: Callable         # rng -> args with N_ELEMENTS predictions
    extremes: list = field(default_factory=list)   # (description, args)
    gradient: tuple = ()          # (the solution's gradient function, index of the argument it differentiates)
    builtin: Callable = None      # the library's own function if it is not torch_loss (scikit-learn)
    kwargs: dict = field(default_factory=dict)     # passed to both sides

    def __post_init__(self):
        if self.builtin is None:
            self.builtin = _on_tensors(self.torch_loss)


def _regression_inputs(rng, positive=False):
    y = rng.gamma(2.0, 2.0, N_ELEMENTS) if positive else rng.normal(size=N_ELEMENTS)
    p = y + rng.normal(size=N_ELEMENTS) if not positive else rng.gamma(2.0, 2.0, N_ELEMENTS)
    return y, p


def _binary_inputs(rng, kind):
    y = (rng.random(N_ELEMENTS) < 0.3).astype(np.float64)
    z = rng.normal(0, 3, N_ELEMENTS)
    if kind == "pm1":
        return 2 * y - 1, z
    if kind == "prob":
        return y, 1 / (1 + np.exp(-z))
    return y, z


def _class_inputs(rng, classes=10):
    n = N_ELEMENTS // classes
    return rng.normal(0, 3, (n, classes)), rng.integers(0, classes, n)


def _F():
    import torch.nn.functional as F
    return F


def _torch():
    import torch
    return torch


# The library's loss written on float64 tensors (arguments in the solution's order): the value
# reference, and through autograd the gradient reference. Where the library's function is not
# PyTorch (scikit-learn), the same formula in PyTorch gives the gradient.
def _mse_torch(y, p):
    return _F().mse_loss(p, y)


def _mae_torch(y, p):
    return _F().l1_loss(p, y)


def _bce_torch(y, p, eps=None):
    return _F().binary_cross_entropy(p, y)


def _bce_logits_torch(y, z, pos_weight=None):
    kwargs = {} if pos_weight is None else {"pos_weight": _torch().tensor(float(pos_weight), dtype=_torch().float64)}
    return _F().binary_cross_entropy_with_logits(z, y, **kwargs)


def _hinge_torch(y, s):
    return _torch().clamp(1 - y * s, min=0).mean()


def _softmax_ce_torch(z, labels):
    return _F().cross_entropy(z, labels.long())


def _log_loss_torch(y, p):
    return _F().binary_cross_entropy(p, y)


def _huber_torch(y, p, delta=1.0):
    return _F().huber_loss(p, y, delta=delta)


def _focal_torch(z, labels, gamma=2.0):
    ce = _F().cross_entropy(z, labels.long(), reduction="none")
    return ((1 - _torch().exp(-ce)) ** gamma * ce).mean()


def _msle_torch(y, p):
    return ((_torch().log1p(p) - _torch().log1p(y)) ** 2).mean()


def _cce_logits_torch(targets, z):
    return _F().cross_entropy(z, targets)


def _contrastive_torch(a, b, y, margin=1.0):
    # the exact distance: F.pairwise_distance adds eps = 1e-6 to a − b, which is itself a
    # difference of about 1e-6 from the formula
    d = _torch().linalg.vector_norm(a - b, dim=1)
    return (0.5 * (y * d**2 + (1 - y) * _torch().clamp(margin - d, min=0) ** 2)).mean()


def _on_tensors(torch_loss):
    """The library side as the solution is called: NumPy arrays in, a number out."""
    def builtin(*args, **kwargs):
        return torch_loss(*map(_t, args), **kwargs).item()
    return builtin


def _hinge_builtin(y, s):
    from sklearn.metrics import hinge_loss

    return hinge_loss(y, s)


def _log_loss_builtin(y, p):
    from sklearn.metrics import log_loss

    return log_loss(y, p, labels=[0, 1])


def _msle_builtin(y, p):
    from sklearn.metrics import mean_squared_log_error

    return mean_squared_log_error(y, p)


def _one_hot(labels, classes):
    out = np.zeros((len(labels), classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _pairs(rng, dim=10):
    n = N_ELEMENTS // dim
    a = rng.normal(size=(n, dim))
    return a, a + rng.normal(0, 0.5, (n, dim)), (rng.random(n) < 0.5).astype(np.float64)


BIG = np.array([-1e4, 1e4, 1e4, -1e4])
LABELS01 = np.array([1.0, 0.0, 1.0, 0.0])
COMPARISONS = [
    Comparison("01_mse", "mse_loss", "F.mse_loss", _mse_torch, _regression_inputs,
               [("값 ±1e150", (np.array([1e150, -1e150]), np.array([-1e150, 1e150]))),
                ("값 1e-200 근처", (np.array([1e-200, 0.0]), np.array([0.0, 2e-200]))),
                ("잔차 1e8", (np.zeros(3), np.full(3, 1e8)))], gradient=("mse_grad", 1)),
    Comparison("02_mae", "mae_loss", "F.l1_loss", _mae_torch, _regression_inputs,
               [("값 ±1e300", (np.array([1e300, -1e300]), np.array([-1e300, 1e300]))),
                ("값 1e-300 근처", (np.array([1e-300, 0.0]), np.array([0.0, 3e-300])))], gradient=("mae_grad", 1)),
    Comparison("03_bce", "bce_loss", "F.binary_cross_entropy", _bce_torch,
               lambda rng: _binary_inputs(rng, "prob"),
               [("확률 0과 1 (틀린 쪽)", (LABELS01, np.array([0.0, 1.0, 0.0, 1.0]))),
                ("확률 0과 1 (맞은 쪽)", (LABELS01, np.array([1.0, 0.0, 1.0, 0.0]))),
                ("확률 1e-12", (LABELS01, np.array([1e-12, 1e-12, 1 - 1e-12, 1e-12])))]),
    Comparison("03_bce", "bce_with_logits", "F.binary_cross_entropy_with_logits",
               _bce_logits_torch, lambda rng: _binary_inputs(rng, "logit"),
               [("로짓 ±1e4", (LABELS01, BIG)), ("로짓 ±40", (LABELS01, BIG / 250))],
               gradient=("bce_with_logits_grad", 1)),
    Comparison("04_hinge", "hinge_loss", "sklearn.hinge_loss", _hinge_torch,
               lambda rng: _binary_inputs(rng, "pm1"),
               [("점수 ±1e4", (2 * LABELS01 - 1, BIG)), ("점수 ±1e300", (2 * LABELS01 - 1, BIG * 1e296))],
               gradient=("hinge_grad", 1), builtin=_hinge_builtin),
    Comparison("05_softmax_ce", "softmax_cross_entropy", "F.cross_entropy",
               _softmax_ce_torch, _class_inputs,
               [("로짓 ±1e4", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([1, 0]))),
                ("로짓 모두 같음", (np.zeros((2, 5)), np.array([0, 4])))], gradient=("softmax_cross_entropy_grad", 0)),
    Comparison("06_log_loss", "log_loss", "sklearn.log_loss", _log_loss_torch,
               lambda rng: _binary_inputs(rng, "prob"),
               [("확률 0과 1 (틀린 쪽)", (LABELS01, np.array([0.0, 1.0, 0.0, 1.0]))),
                ("확률 1e-12", (LABELS01, np.array([1e-12, 1e-12, 1 - 1e-12, 1e-12])))], builtin=_log_loss_builtin),
    Comparison("06_log_loss", "log_loss_with_logits", "F.binary_cross_entropy_with_logits",
               _bce_logits_torch, lambda rng: _binary_inputs(rng, "logit"),
               [("로짓 ±1e4", (LABELS01, BIG)), ("로짓 ±1e4, pos_weight=10", (LABELS01, BIG), {"pos_weight": 10.0})],
               gradient=("log_loss_with_logits_grad", 1)),
    Comparison("07_huber", "huber_loss", "F.huber_loss", _huber_torch, _regression_inputs,
               [("잔차 ±1e300", (np.array([1e300, -1e300]), np.array([-1e300, 1e300]))),
                ("잔차가 정확히 δ", (np.zeros(2), np.array([1.0, -1.0])))], gradient=("huber_grad", 1)),
    Comparison("08_focal", "focal_loss", "PyTorch 식 (1−exp(−CE))^γ·CE (내장 함수 없음)", _focal_torch,
               _class_inputs,
               [("로짓 ±1e4", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([1, 0]))),
                ("로짓 ±1e4, 맞은 쪽", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([0, 1])))],
               gradient=("focal_loss_grad", 0)),
    Comparison("09_msle", "msle_loss", "sklearn.mean_squared_log_error", _msle_torch,
               lambda rng: _regression_inputs(rng, positive=True),
               [("값 1e300", (np.array([0.0, 1e300]), np.array([1e300, 0.0]))),
                ("값 −1 근처 (−1 + 1e−12)", (np.array([-1 + 1e-12, 1.0]), np.array([1.0, -1 + 1e-12])))],
               gradient=("msle_grad", 1), builtin=_msle_builtin),
    Comparison("10_categorical_ce", "categorical_cross_entropy_from_logits",
               "F.cross_entropy (확률 타깃)", _cce_logits_torch,
               lambda rng: (lambda z, labels: (_one_hot(labels, z.shape[1]), z))(*_class_inputs(rng)),
               [("로짓 ±1e4", (np.array([[0.0, 1.0, 0.0], [0.2, 0.4, 0.4]]),
                              np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])))],
               gradient=("categorical_cross_entropy_grad", 1)),
    Comparison("11_contrastive", "contrastive_loss", "PyTorch 식 (정확한 거리 ‖a−b‖)",
               _contrastive_torch, _pairs,
               [("거리 0 (같은 임베딩)", (np.ones((2, 3)), np.ones((2, 3)), np.array([1.0, 0.0]))),
                ("좌표 1e150", (np.full((2, 3), 1e150), -np.full((2, 3), 1e150), np.array([1.0, 0.0])))]),
]


@dataclass
class Row:
    comparison: Comparison
    available: bool
    ratio: float = float("nan")            # solution time / built-in time, same run
    solution_ms: float = float("nan")
    builtin_ms: float = float("nan")
    worst_case: str = ""
    worst_gap: float = float("nan")          # largest disagreement of the loss on the extreme inputs
    grad_case: str = ""
    grad_gap: float = float("nan")           # largest disagreement of the gradient (random and extreme inputs)
    notes: list = field(default_factory=list)


def _best_time(function, args, kwargs, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def difference(a, b):
    """|a − b| / max(1, |a|, |b|), largest over the elements: the absolute difference for values
    up to 1 and the relative one beyond (a relative difference alone calls 1e-7 against 0 a
    difference of 1). 0 where both are the same (both inf or both nan included); inf where only
    one is finite."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    a, b = a[~same], b[~same]
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))))


def normwise_difference(a, b):
    """max |a − b| / max(|a|, |b|) over all elements, for gradients: they shrink with the batch size
    (1/n), so an absolute difference would call any gradient of a large batch right. 0 where both
    are the same; inf where only one is finite."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    if not (np.isfinite(a[~same]).all() and np.isfinite(b[~same]).all()):
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b))))


def torch_gradient(comparison, args, kwargs):
    """d torch_loss / d args[wrt], by autograd."""
    wrt = comparison.gradient[1]
    tensors = [_t(np.asarray(a)) for a in args]
    tensors[wrt] = tensors[wrt].clone().requires_grad_(True)
    comparison.torch_loss(*tensors, **kwargs).backward()
    return tensors[wrt].grad.numpy()


def compare(comparison, functions, seed=0):
    """Time one solution function against its built-in and evaluate both on the extreme inputs."""
    ours = functions[comparison.function]
    row = Row(comparison, available=True)
    args = comparison.make_inputs(np.random.default_rng(seed))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours(*args, **comparison.kwargs)           # warm-up (imports, caches)
        comparison.builtin(*args, **comparison.kwargs)
        row.solution_ms = 1e3 * _best_time(ours, args, comparison.kwargs)
        row.builtin_ms = 1e3 * _best_time(comparison.builtin, args, comparison.kwargs)
        row.ratio = row.solution_ms / row.builtin_ms
        row.worst_gap = -1.0
        for case in comparison.extremes:
            description, case_args, *extra = case
            kwargs = {**comparison.kwargs, **(extra[0] if extra else {})}
            mine = _float(ours(*case_args, **kwargs))
            try:
                theirs = _float(comparison.builtin(*case_args, **kwargs))
            except ValueError:
                row.notes.append(f"{description}: 라이브러리가 입력을 거부함(ValueError), 해답은 {mine:.4g}")
                continue
            gap = difference(mine, theirs)
            if gap > 1e-12:
                row.notes.append(f"{description}: 해답 {mine:.6g}, 라이브러리 {theirs:.6g}")
            if gap > row.worst_gap:
                row.worst_gap, row.worst_case = gap, description
        if comparison.gradient and comparison.gradient[0] in functions:
            grad = functions[comparison.gradient[0]]
            cases = [("보통 입력", args)] + [(d, a, *e) for d, a, *e in comparison.extremes]
            row.grad_gap = -1.0
            for description, case_args, *extra in cases:
                kwargs = {**comparison.kwargs, **(extra[0] if extra else {})}
                gap = normwise_difference(grad(*case_args, **kwargs), torch_gradient(comparison, case_args, kwargs))
                if gap > 1e-12:
                    row.notes.append(f"{description}: 그래디언트가 자동 미분과 최대 {gap:.2g}만큼 다름")
                if gap > row.grad_gap:
                    row.grad_gap, row.grad_case = gap, description
    return row


def report(root=notebooks.ROOT):
    """One Row per comparison, in chapter order; chapters without a solution yet are unavailable."""
    present = set(notebooks.chapter_ids(root))
    loaded, rows = {}, []
    for comparison in COMPARISONS:
        chapter = comparison.chapter
        if chapter not in loaded:
            path = notebooks.solution_notebook(chapter, root)
            loaded[chapter] = notebooks.load_answer_functions(chapter, root) \
                if chapter in present and path.exists() else {}
        functions = loaded[chapter]
        if comparison.function not in functions:
            rows.append(Row(comparison, available=False))
        else:
            rows.append(compare(comparison, functions))
    return rows


def markdown_table(rows):
    """Speed table (MyST Markdown, Korean). F = torch.nn.functional, sklearn = sklearn.metrics."""
    lines = ["| 장 | 해답 함수 | 라이브러리 | 해답 (ms) | 내장 (ms) | 해답 ÷ 내장 |",
             "|---|---|---|---:|---:|---:|"]
    for row in rows:
        c = row.comparison
        if not row.available:
            lines.append(f"| {c.chapter} | `{c.function}` | {c.builtin_name} | **아직 준비되지 않음** | — | — |")
        else:
            lines.append(f"| {c.chapter} | `{c.function}` | {c.builtin_name} | {row.solution_ms:.1f} "
                         f"| {row.builtin_ms:.1f} | {row.ratio:.2f} |")
    return "\n".join(lines)


def _gap_cell(gap, case):
    if np.isnan(gap):
        return "—", "비교하지 않음"
    if gap < 0:
        return "—", "라이브러리가 모두 거부"
    if gap == 0:
        return "0", "모두 일치"
    return f"{gap:.1e}", case


def markdown_stability_table(rows):
    """Largest disagreement (difference()) of the loss on the extreme inputs and of the gradient
    against autograd, per comparison."""
    lines = ["| 장 | 해답 함수 | 극단 입력 수 | 손실의 최대 차이 | 그 입력 | 그래디언트의 최대 차이 | 그 입력 |",
             "|---|---|---:|---:|---|---:|---|"]
    for row in rows:
        c = row.comparison
        if not row.available:
            lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | — | **아직 준비되지 않음** | — | — |")
            continue
        loss_gap, loss_case = _gap_cell(row.worst_gap, row.worst_case)
        grad_gap, grad_case = _gap_cell(row.grad_gap, row.grad_case) if c.gradient else ("—", "그래디언트 함수 없음")
        if c.gradient and np.isnan(row.grad_gap):
            grad_case = "해답에 그래디언트 함수 없음"
        lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | {loss_gap} | {loss_case} "
                     f"| {grad_gap} | {grad_case} |")
    return "\n".join(lines)


def markdown_notes(rows):
    """Bullet list of every extreme input on which the two sides differ (the convention traps)."""
    items = [f"- **{row.comparison.chapter} `{row.comparison.function}`** — {note}"
             for row in rows for note in row.notes]
    return "\n".join(items) if items else "- 모든 극단 입력에서 해답과 라이브러리가 일치합니다."
