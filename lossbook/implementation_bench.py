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
    builtin: Callable             # same arguments as the solution function (NumPy), returns a number
    make_inputs: Callable         # rng -> args with N_ELEMENTS predictions
    extremes: list = field(default_factory=list)   # (description, args)
    kwargs: dict = field(default_factory=dict)     # passed to both sides


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


def _torch_fn(name):
    def call(*args, **kwargs):
        import torch.nn.functional as F

        return getattr(F, name)(*args, **kwargs)
    return call


def _mse_builtin(y, p):
    return _torch_fn("mse_loss")(_t(p), _t(y)).item()


def _mae_builtin(y, p):
    return _torch_fn("l1_loss")(_t(p), _t(y)).item()


def _bce_builtin(y, p, eps=None):
    return _torch_fn("binary_cross_entropy")(_t(p), _t(y)).item()


def _bce_logits_builtin(y, z, pos_weight=None):
    import torch

    kwargs = {} if pos_weight is None else {"pos_weight": torch.tensor(float(pos_weight), dtype=torch.float64)}
    return _torch_fn("binary_cross_entropy_with_logits")(_t(z), _t(y), **kwargs).item()


def _hinge_builtin(y, s):
    from sklearn.metrics import hinge_loss

    return hinge_loss(y, s)


def _softmax_ce_builtin(z, labels):
    return _torch_fn("cross_entropy")(_t(z), _t(labels).long()).item()


def _log_loss_builtin(y, p):
    from sklearn.metrics import log_loss

    return log_loss(y, p, labels=[0, 1])


def _huber_builtin(y, p, delta=1.0):
    return _torch_fn("huber_loss")(_t(p), _t(y), delta=delta).item()


def _focal_builtin(z, labels, gamma=2.0):
    import torch

    ce = _torch_fn("cross_entropy")(_t(z), _t(labels).long(), reduction="none")
    return ((1 - torch.exp(-ce)) ** gamma * ce).mean().item()


def _msle_builtin(y, p):
    from sklearn.metrics import mean_squared_log_error

    return mean_squared_log_error(y, p)


def _cce_logits_builtin(targets, z):
    return _torch_fn("cross_entropy")(_t(z), _t(targets)).item()


def _contrastive_builtin(a, b, y, margin=1.0):
    import torch

    d = _torch_fn("pairwise_distance")(_t(a), _t(b))
    y = _t(y)
    return (0.5 * (y * d**2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean().item()


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
    Comparison("01_mse", "mse_loss", "F.mse_loss", _mse_builtin, _regression_inputs,
               [("값 ±1e150", (np.array([1e150, -1e150]), np.array([-1e150, 1e150]))),
                ("값 1e-200 근처", (np.array([1e-200, 0.0]), np.array([0.0, 2e-200]))),
                ("잔차 1e8", (np.zeros(3), np.full(3, 1e8)))]),
    Comparison("02_mae", "mae_loss", "F.l1_loss", _mae_builtin, _regression_inputs,
               [("값 ±1e300", (np.array([1e300, -1e300]), np.array([-1e300, 1e300]))),
                ("값 1e-300 근처", (np.array([1e-300, 0.0]), np.array([0.0, 3e-300])))]),
    Comparison("03_bce", "bce_loss", "F.binary_cross_entropy", _bce_builtin,
               lambda rng: _binary_inputs(rng, "prob"),
               [("확률 0과 1 (틀린 쪽)", (LABELS01, np.array([0.0, 1.0, 0.0, 1.0]))),
                ("확률 0과 1 (맞은 쪽)", (LABELS01, np.array([1.0, 0.0, 1.0, 0.0]))),
                ("확률 1e-12", (LABELS01, np.array([1e-12, 1e-12, 1 - 1e-12, 1e-12])))]),
    Comparison("03_bce", "bce_with_logits", "F.binary_cross_entropy_with_logits",
               _bce_logits_builtin, lambda rng: _binary_inputs(rng, "logit"),
               [("로짓 ±1e4", (LABELS01, BIG)), ("로짓 ±40", (LABELS01, BIG / 250))]),
    Comparison("04_hinge", "hinge_loss", "sklearn.hinge_loss", _hinge_builtin,
               lambda rng: _binary_inputs(rng, "pm1"),
               [("점수 ±1e4", (2 * LABELS01 - 1, BIG)), ("점수 ±1e300", (2 * LABELS01 - 1, BIG * 1e296))]),
    Comparison("05_softmax_ce", "softmax_cross_entropy", "F.cross_entropy",
               _softmax_ce_builtin, _class_inputs,
               [("로짓 ±1e4", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([1, 0]))),
                ("로짓 모두 같음", (np.zeros((2, 5)), np.array([0, 4])))]),
    Comparison("06_log_loss", "log_loss", "sklearn.log_loss", _log_loss_builtin,
               lambda rng: _binary_inputs(rng, "prob"),
               [("확률 0과 1 (틀린 쪽)", (LABELS01, np.array([0.0, 1.0, 0.0, 1.0]))),
                ("확률 1e-12", (LABELS01, np.array([1e-12, 1e-12, 1 - 1e-12, 1e-12])))]),
    Comparison("06_log_loss", "log_loss_with_logits", "F.binary_cross_entropy_with_logits",
               _bce_logits_builtin, lambda rng: _binary_inputs(rng, "logit"),
               [("로짓 ±1e4", (LABELS01, BIG)), ("로짓 ±1e4, pos_weight=10", (LABELS01, BIG))]),
    Comparison("07_huber", "huber_loss", "F.huber_loss", _huber_builtin, _regression_inputs,
               [("잔차 ±1e300", (np.array([1e300, -1e300]), np.array([-1e300, 1e300]))),
                ("잔차가 정확히 δ", (np.zeros(2), np.array([1.0, -1.0])))]),
    Comparison("08_focal", "focal_loss", "PyTorch 식 (1−exp(−CE))^γ·CE (내장 함수 없음)", _focal_builtin,
               _class_inputs,
               [("로짓 ±1e4", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([1, 0]))),
                ("로짓 ±1e4, 맞은 쪽", (np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), np.array([0, 1])))]),
    Comparison("09_msle", "msle_loss", "sklearn.mean_squared_log_error", _msle_builtin,
               lambda rng: _regression_inputs(rng, positive=True),
               [("값 1e300", (np.array([0.0, 1e300]), np.array([1e300, 0.0]))),
                ("값 −1 근처 (−1 + 1e−12)", (np.array([-1 + 1e-12, 1.0]), np.array([1.0, -1 + 1e-12])))]),
    Comparison("10_categorical_ce", "categorical_cross_entropy_from_logits",
               "F.cross_entropy (확률 타깃)", _cce_logits_builtin,
               lambda rng: (lambda z, labels: (_one_hot(labels, z.shape[1]), z))(*_class_inputs(rng)),
               [("로짓 ±1e4", (np.array([[0.0, 1.0, 0.0], [0.2, 0.4, 0.4]]),
                              np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])))]),
    Comparison("11_contrastive", "contrastive_loss", "PyTorch 식 (F.pairwise_distance, eps=1e-6)",
               _contrastive_builtin, _pairs,
               [("거리 0 (같은 임베딩)", (np.ones((2, 3)), np.ones((2, 3)), np.array([1.0, 0.0]))),
                ("좌표 1e150", (np.full((2, 3), 1e150), -np.full((2, 3), 1e150), np.array([1.0, 0.0])))]),
]
# the pos_weight case passes the keyword to both sides
COMPARISONS[7].extremes[1] = ("로짓 ±1e4, pos_weight=10", (LABELS01, BIG), {"pos_weight": 10.0})


@dataclass
class Row:
    comparison: Comparison
    available: bool
    ratio: float = float("nan")            # solution time / built-in time, same run
    solution_ms: float = float("nan")
    builtin_ms: float = float("nan")
    worst_case: str = ""
    worst_gap: float = float("nan")          # largest relative disagreement on the extreme inputs
    notes: list = field(default_factory=list)


def _best_time(function, args, kwargs, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def relative_gap(a, b):
    """|a − b| / max(|a|, |b|); 0 when both are equal (including both inf); inf if only one is finite."""
    if a == b or (np.isnan(a) and np.isnan(b)):
        return 0.0
    if not (np.isfinite(a) and np.isfinite(b)):
        return float("inf")
    return abs(a - b) / max(abs(a), abs(b))


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
            gap = relative_gap(mine, theirs)
            if gap > 1e-12:
                row.notes.append(f"{description}: 해답 {mine:.6g}, 라이브러리 {theirs:.6g}")
            if gap > row.worst_gap:
                row.worst_gap, row.worst_case = gap, description
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


def markdown_stability_table(rows):
    """Largest relative disagreement on the extreme inputs, per comparison."""
    lines = ["| 장 | 해답 함수 | 극단 입력 수 | 최대 상대 차이 | 그 입력 |", "|---|---|---:|---:|---|"]
    for row in rows:
        c = row.comparison
        if not row.available:
            lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | — | **아직 준비되지 않음** |")
        elif row.worst_gap < 0:
            lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | — | 라이브러리가 모두 거부 |")
        elif row.worst_gap == 0:
            lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | 0 | 모두 일치 |")
        else:
            lines.append(f"| {c.chapter} | `{c.function}` | {len(c.extremes)} | {row.worst_gap:.1e} | {row.worst_case} |")
    return "\n".join(lines)


def markdown_notes(rows):
    """Bullet list of every extreme input on which the two sides differ (the convention traps)."""
    items = [f"- **{row.comparison.chapter} `{row.comparison.function}`** — {note}"
             for row in rows for note in row.notes]
    return "\n".join(items) if items else "- 모든 극단 입력에서 해답과 라이브러리가 일치합니다."
