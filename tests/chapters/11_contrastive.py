"""Chapter 11 (contrastive loss): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises
from support.references import central_difference


def _pairs(seed):
    """Embedding pairs (N, D) on the scale of the margin, 0/1 labels, a margin; some pairs at d = 0."""
    rng = np.random.default_rng(seed)
    n, dim = rng.integers(1, 40), rng.integers(1, 9)
    a = rng.normal(size=(n, dim)) * rng.choice([0.1, 0.5, 2.0])
    b = rng.normal(size=(n, dim)) * rng.choice([0.1, 0.5, 2.0])
    same = rng.random(n) < 0.15
    b[same] = a[same]
    y = rng.integers(0, 2, size=n).astype(np.float64)
    return a, b, y, float(rng.choice([0.25, 1.0, 3.0]))


pairs = st.integers(0, 2**32 - 1).map(_pairs)
torch_pairs = pairs.map(lambda t: (torch.tensor(t[0]), torch.tensor(t[1]), torch.tensor(t[2]), t[3]))


def _retrieval(seed):
    rng = np.random.default_rng(seed)
    n, dim, n_labels = rng.integers(6, 60), rng.integers(1, 6), rng.integers(2, 6)
    labels = rng.integers(0, n_labels, size=n)
    centres = rng.normal(size=(n_labels, dim)) * 2
    emb = centres[labels] + rng.normal(size=(n, dim)) * rng.choice([0.5, 1.5, 4.0])
    return emb, labels, int(rng.integers(1, min(n - 1, 10) + 1))


retrieval = st.integers(0, 2**32 - 1).map(_retrieval)


def reference_distance(a, b):
    """torch.cdist per row, without the matrix-multiply shortcut."""
    return torch.cdist(torch.tensor(a)[:, None, :], torch.tensor(b)[:, None, :],
                       compute_mode="donot_use_mm_for_euclid_dist")[:, 0, 0].numpy()


def reference_loss(a, b, y, m):
    d = torch.linalg.norm(torch.as_tensor(a, dtype=torch.float64) - torch.as_tensor(b, dtype=torch.float64), dim=1)
    y = torch.as_tensor(y, dtype=torch.float64)
    return float((0.5 * (y * d**2 + (1 - y) * torch.relu(m - d) ** 2)).mean())


def _batch(seed):
    """A mini-batch (B, D) with class labels and a margin; some rows duplicated, within and across classes."""
    rng = np.random.default_rng(seed)
    n, dim, n_labels = rng.integers(2, 24), rng.integers(1, 7), rng.integers(1, 5)
    emb = rng.normal(size=(n, dim)) * rng.choice([0.1, 0.5, 2.0])
    labels = rng.integers(0, n_labels, size=n)
    for i in np.flatnonzero(rng.random(n) < 0.15)[1:]:
        emb[i] = emb[rng.integers(0, i)]
    return emb, labels, float(rng.choice([0.25, 1.0, 3.0]))


batches = st.integers(0, 2**32 - 1).map(_batch)


def reference_batch_grad(emb, labels, m):
    """Autograd of the mean over all pairs i < j, through torch.linalg.norm (backward 0 at d = 0)."""
    e = torch.tensor(np.asarray(emb, dtype=np.float64), requires_grad=True)
    i, j = np.triu_indices(len(labels), k=1)
    d = torch.linalg.norm(e[i] - e[j], dim=1)
    y = torch.tensor(np.asarray(labels)[i] == np.asarray(labels)[j], dtype=torch.float64)
    (0.5 * (y * d**2 + (1 - y) * torch.relu(m - d) ** 2)).mean().backward()
    return e.grad.numpy()


def central_difference_batch(emb, labels, m):
    """The same gradient by central differences of the loss written with NumPy (away from d = 0 and d = m)."""
    i, j = np.triu_indices(len(labels), k=1)
    y = (np.asarray(labels)[i] == np.asarray(labels)[j]).astype(float)

    def loss(e):
        d = np.linalg.norm(e[i] - e[j], axis=1)
        return np.mean(0.5 * (y * d**2 + (1 - y) * np.maximum(0, m - d) ** 2))

    return central_difference(loss, emb)


def _spread_batch(seed):
    rng = np.random.default_rng(seed)
    n, dim = rng.integers(2, 10), rng.integers(1, 5)
    return rng.normal(size=(n, dim)), rng.integers(0, 3, size=n), float(rng.choice([0.5, 1.5, 3.0]))


def sklearn_recall(emb, labels, k):
    _, idx = NearestNeighbors(n_neighbors=k).fit(emb).kneighbors()   # excludes each point itself
    return float(np.mean(np.any(labels[idx] == labels[:, None], axis=1)))


CHECKS = '''
    emb_a = np.asarray(emb_a, dtype=np.float64)
    emb_b = np.asarray(emb_b, dtype=np.float64)
    y = np.asarray(is_similar, dtype=np.float64)
    if emb_a.ndim != 2 or emb_a.shape != emb_b.shape or y.shape != emb_a.shape[:1] or len(y) == 0:
        raise ValueError("모양")
    if not np.all((y == 0) | (y == 1)) or not margin > 0:
        raise ValueError("레이블/마진")
'''


def _loss(body):
    """A contrastive_loss answer with correct checks and the given computation."""
    return f"def contrastive_loss(emb_a, emb_b, is_similar, margin=1.0):{CHECKS}{body}\n"


TORCH_CHECKS = '''
    y = torch.as_tensor(is_similar).to(emb_a.dtype)
    if emb_a.ndim != 2 or emb_a.shape != emb_b.shape or y.shape != emb_a.shape[:1] or len(y) == 0:
        raise ValueError("모양")
    if not bool(torch.all((y == 0) | (y == 1))) or not margin > 0:
        raise ValueError("레이블/마진")
'''


def _torch_loss(body):
    return f"def contrastive_loss_torch(emb_a, emb_b, is_similar, margin=1.0):{TORCH_CHECKS}{body}\n"


RECALL_CHECKS = '''
    emb = np.asarray(embeddings, dtype=np.float64)
    labels = np.asarray(labels)
    if emb.ndim != 2 or labels.shape != (len(emb),) or not 1 <= k < len(labels):
        raise ValueError("모양 또는 k")
'''


BATCH_CHECKS = '''
    e = np.asarray(embeddings, dtype=np.float64)
    labels = np.asarray(labels)
    if e.ndim != 2 or labels.shape != (len(e),) or len(e) < 2 or not margin > 0:
        raise ValueError("모양/쌍/마진")
'''


def _batch_grad(body, checks=BATCH_CHECKS):
    return f"def batch_contrastive_grad(embeddings, labels, margin=1.0):{checks}{body}\n"


PUSH = "np.divide(np.maximum(0, margin - d), d, out=np.zeros_like(d), where=d > 0)"
PAIRS = "(len(e) * (len(e) - 1) / 2)"


def _batch_variant(push=PUSH, coef="np.where(similar, 1.0, -push)", result=f"(coef[:, :, None] * diff).sum(axis=1) / {PAIRS}",
                   checks=BATCH_CHECKS):
    """A batch_contrastive_grad answer built like the model answer, with one piece replaced."""
    return _batch_grad(f'''
    diff = e[:, None, :] - e[None, :, :]
    d = np.linalg.norm(diff, axis=2)
    similar = labels[:, None] == labels[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        push = {push}
        coef = {coef}
        np.fill_diagonal(coef, 0.0)
        return {result}''', checks)


def _recall(body):
    return f"def recall_at_k(embeddings, labels, k):{RECALL_CHECKS}{body}\n"


CHAPTER = Chapter(
    agrees=[
        Agrees("euclidean_distance", reference_distance, pairs.map(lambda t: t[:2]), name="torch.cdist rows"),
        Agrees("contrastive_loss", reference_loss, pairs, name="torch formula"),
        Agrees("contrastive_loss_torch", lambda a, b, y, m: reference_loss(a.numpy(), b.numpy(), y.numpy(), m),
               torch_pairs, rtol=1e-9, atol=1e-12, name="same value as the NumPy formula"),
        Agrees("batch_contrastive_grad", reference_batch_grad, batches, name="torch autograd over all pairs i < j"),
        Agrees("batch_contrastive_grad", central_difference_batch, st.integers(0, 2**32 - 1).map(_spread_batch),
               rtol=1e-5, atol=1e-7, name="central differences of the batch loss"),
        Agrees("recall_at_k", sklearn_recall, retrieval, name="sklearn NearestNeighbors"),
    ],
    exact=[
        Exact("euclidean_distance", (np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[3.0, 4.0], [1.0, 1.0]])),
              np.array([5.0, 0.0]), name="3-4-5 and zero"),
        Exact("contrastive_loss", (np.zeros((2, 2)), np.array([[3.0, 4.0], [0.3, 0.4]]), np.array([1, 0])),
              6.3125, name="one similar, one dissimilar pair"),
        Exact("contrastive_loss", (np.zeros((1, 16)), np.ones((1, 16)), np.array([1.0])), 8.0,
              name="mean over pairs, not over dimensions"),
        Exact("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([0, 0, 0]), 2.0), 2.0,
              name="d = 0 dissimilar pair: m^2/2"),
        Exact("contrastive_loss", (np.zeros((1, 2)), np.array([[3.0, 4.0]]), np.array([0]), 4.9), 0.0,
              name="dissimilar pair beyond the margin"),
        Exact("batch_contrastive_grad", (np.array([[0.0], [1.0], [3.0]]), np.array([0, 0, 1]), 2.5),
              np.array([[-1 / 3], [1 / 2], [-1 / 6]]), name="one pull, one push, one pair beyond the margin; P = 3"),
        Exact("batch_contrastive_grad", (np.ones((3, 2)), np.array([0, 1, 0]), 1.0), np.zeros((3, 2)),
              name="all rows equal: finite zero gradient at d = 0"),
        Exact("batch_contrastive_grad", (np.array([[0.0, 0.0], [0.3, 0.4]]), np.array(["a", "b"]), 1.0),
              np.array([[0.3, 0.4], [-0.3, -0.4]]), name="two rows, string labels"),
        Exact("recall_at_k", (np.array([[0.0], [1.0], [10.0], [11.0]]), np.array([0, 0, 1, 2]), 1), 0.5,
              name="the item itself is not its own neighbour"),
        Exact("recall_at_k", (np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.5, 0.0]]), np.array([0, 1, 0, 0]), 1),
              0.5, name="a duplicate of the query is a candidate"),
    ],
    raises=[
        Raises("euclidean_distance", (np.zeros((3, 2)), np.zeros((3, 3))), name="shape mismatch"),
        Raises("euclidean_distance", (np.zeros(3), np.zeros(3)), name="1-D input"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, -1, 1])), name="±1 labels"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, 0, 2])), name="label 2"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, 0])), name="label count"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, 0, 1]), 0.0), name="margin 0"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, 0, 1]), -1.0), name="margin < 0"),
        Raises("contrastive_loss_torch", (torch.zeros(3, 2), torch.zeros(3, 2), torch.tensor([1.0, -1.0, 1.0])),
               name="torch ±1 labels"),
        Raises("contrastive_loss_torch", (torch.zeros(3, 2), torch.zeros(3, 3), torch.tensor([1.0, 0.0, 1.0])),
               name="torch shape mismatch"),
        Raises("contrastive_loss_torch", (torch.zeros(3, 2), torch.zeros(3, 2), torch.tensor([1.0, 0.0, 1.0]), 0.0),
               name="torch margin 0"),
        Raises("batch_contrastive_grad", (np.zeros((3, 2)), np.zeros(2), 1.0), name="batch: label count"),
        Raises("batch_contrastive_grad", (np.zeros((1, 2)), np.zeros(1), 1.0), name="batch: no pairs"),
        Raises("batch_contrastive_grad", (np.zeros(3), np.zeros(3), 1.0), name="batch: 1-D embeddings"),
        Raises("batch_contrastive_grad", (np.zeros((3, 2)), np.zeros(3), 0.0), name="batch: margin 0"),
        Raises("contrastive_loss", (np.zeros((0, 2)), np.zeros((0, 2)), np.array([])), name="no pairs"),
        Raises("contrastive_loss", (np.zeros((3, 2)), np.zeros((1, 2)), np.array([1, 0, 1])), name="broadcastable shapes"),
        Raises("contrastive_loss_torch", (torch.zeros(0, 2), torch.zeros(0, 2), torch.zeros(0)), name="torch no pairs"),
        Raises("euclidean_distance", (np.zeros((3, 2)), np.zeros((1, 2))), name="broadcastable shapes"),
        Raises("recall_at_k", (np.zeros((4, 2)), np.zeros(4), 0), name="k = 0"),
        Raises("recall_at_k", (np.zeros((4, 2)), np.zeros(4), 4), name="k = N"),
        Raises("recall_at_k", (np.zeros((4, 2)), np.zeros(3), 1), name="label count"),
    ],
    wrong_answers=[
        Answer("label convention swapped (Hadsell's Y = 0 for similar)", {"contrastive_loss": _loss('''
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(0.5 * ((1 - y) * d**2 + y * np.maximum(0, margin - d) ** 2)))''')},
               caught_by=("test_contrastive_loss_value", "test_contrastive_loss_reference")),
        Answer("label convention swapped in the torch loss used for training", {"contrastive_loss_torch": _torch_loss('''
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = torch.sqrt(torch.clamp(d2, min=1e-30))
    return (0.5 * ((1 - y) * d2 + y * torch.clamp(margin - d, min=0) ** 2)).mean()''')},
               caught_by=("test_contrastive_loss_torch_value", "test_training_reaches_recall")),
        Answer("hinge not squared", {"contrastive_loss": _loss('''
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(0.5 * (y * d**2 + (1 - y) * np.maximum(0, margin - d))))''')},
               caught_by=("test_contrastive_loss_value", "test_contrastive_loss_reference")),
        Answer("missing the factor 1/2", {"contrastive_loss": _loss('''
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(y * d**2 + (1 - y) * np.maximum(0, margin - d) ** 2))''')},
               caught_by=("test_contrastive_loss_value", "test_contrastive_loss_reference")),
        Answer("mean over embedding dimensions instead of a sum", {"contrastive_loss": _loss('''
    d2 = np.mean((emb_a - emb_b) ** 2, axis=1)
    return float(np.mean(0.5 * (y * d2 + (1 - y) * np.maximum(0, margin - np.sqrt(d2)) ** 2)))''')},
               caught_by=("test_contrastive_loss_value",)),
        Answer("NaN gradient at d = 0 (sqrt first, then square)", {"contrastive_loss_torch": _torch_loss('''
    d = torch.sqrt(((emb_a - emb_b) ** 2).sum(dim=1))
    return (0.5 * (y * d**2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()''')},
               caught_by=("test_contrastive_loss_torch_grad",)),
        Answer("F.pairwise_distance with its default eps=1e-6", {"contrastive_loss_torch": _torch_loss('''
    d = torch.nn.functional.pairwise_distance(emb_a, emb_b)
    return (0.5 * (y * d**2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()''')},
               caught_by=("test_contrastive_loss_torch_value",)),
        Answer("no label check (±1 labels accepted)", {"contrastive_loss": '''
def contrastive_loss(emb_a, emb_b, is_similar, margin=1.0):
    emb_a, emb_b = np.asarray(emb_a, dtype=float), np.asarray(emb_b, dtype=float)
    y = np.asarray(is_similar, dtype=float)
    if emb_a.shape != emb_b.shape or y.shape != emb_a.shape[:1] or margin <= 0:
        raise ValueError("모양")
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(0.5 * (y * d**2 + (1 - y) * np.maximum(0, margin - d) ** 2)))
'''}, caught_by=("test_contrastive_loss_errors",)),
        Answer("euclidean_distance returns squared distances", {"euclidean_distance": '''
def euclidean_distance(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError("모양")
    return np.sum((a - b) ** 2, axis=1)
'''}, caught_by=("test_euclidean_distance",)),
        Answer("batch gradient divides by d = 0 (nan for duplicated rows)", {"batch_contrastive_grad": _batch_variant(
            push="np.maximum(0, margin - d) / d")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient adds each pair's term to one end only", {"batch_contrastive_grad": _batch_variant(
            coef="np.triu(np.where(similar, 1.0, -push), k=1)")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient over ordered pairs, each pair counted twice", {"batch_contrastive_grad": _batch_variant(
            result=f"2 * (coef[:, :, None] * diff).sum(axis=1) / {PAIRS}")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient divided by B instead of the number of pairs", {"batch_contrastive_grad": _batch_variant(
            result="(coef[:, :, None] * diff).sum(axis=1) / len(e)")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient averages over B^2 pairs, self-pairs included", {"batch_contrastive_grad": _batch_variant(
            result="2 * (coef[:, :, None] * diff).sum(axis=1) / len(e) ** 2")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient pushes dissimilar pairs beyond the margin too", {"batch_contrastive_grad": _batch_variant(
            push="np.divide(margin - d, d, out=np.zeros_like(d), where=d > 0)")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient with Hadsell's convention (same class = 0)", {"batch_contrastive_grad": _batch_variant(
            coef="np.where(~similar, 1.0, -push)")}, caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient by autograd (the task forbids it)", {"batch_contrastive_grad": _batch_grad('''
    import torch
    t = torch.tensor(e, requires_grad=True)
    i, j = np.triu_indices(len(e), k=1)
    dist = torch.linalg.norm(t[i] - t[j], dim=1)
    y = torch.tensor(labels[i] == labels[j], dtype=torch.float64)
    (0.5 * (y * dist**2 + (1 - y) * torch.relu(margin - dist) ** 2)).mean().backward()
    return t.grad.numpy()''')},
            caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient without the margin and pair-count checks", {"batch_contrastive_grad": _batch_variant(
            checks=BATCH_CHECKS.replace(" or len(e) < 2 or not margin > 0", ""))},
            caught_by=("test_batch_contrastive_grad",)),
        Answer("batch gradient without the label-shape check", {"batch_contrastive_grad": _batch_variant(
            checks=BATCH_CHECKS.replace("labels.shape != (len(e),)", "labels.size != len(e)") + "    labels = labels.ravel()\n")},
            caught_by=("test_batch_contrastive_grad",)),
        Answer("euclidean_distance without a shape check (silent broadcast)", {"euclidean_distance": '''
def euclidean_distance(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2:
        raise ValueError("모양")
    return np.sqrt(np.sum((a - b) ** 2, axis=1))
'''}, caught_by=("test_euclidean_distance",)),
        Answer("euclidean_distance returns the (N, N) distance matrix", {"euclidean_distance": '''
def euclidean_distance(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError("모양")
    return np.sqrt(np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=2))
'''}, caught_by=("test_euclidean_distance",)),
        Answer("contrastive_loss without the margin check", {"contrastive_loss": _loss('''
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(0.5 * (y * d**2 + (1 - y) * np.maximum(0, margin - d) ** 2)))''').replace(
            " or not margin > 0", "")}, caught_by=("test_contrastive_loss_errors",)),
        Answer("contrastive_loss without the shape checks (broadcasts, nan for no pairs)", {"contrastive_loss": '''
def contrastive_loss(emb_a, emb_b, is_similar, margin=1.0):
    emb_a, emb_b = np.asarray(emb_a, dtype=float), np.asarray(emb_b, dtype=float)
    y = np.asarray(is_similar, dtype=float)
    if emb_a.ndim != 2 or not np.all((y == 0) | (y == 1)) or not margin > 0:
        raise ValueError("레이블/마진")
    d = np.sqrt(np.sum((emb_a - emb_b) ** 2, axis=1))
    return float(np.mean(0.5 * (y * d**2 + (1 - y) * np.maximum(0, margin - d) ** 2)))
'''}, caught_by=("test_contrastive_loss_errors",)),
        Answer("contrastive_loss_torch without the margin and empty checks", {"contrastive_loss_torch": '''
def contrastive_loss_torch(emb_a, emb_b, is_similar, margin=1.0):
    y = torch.as_tensor(is_similar).to(emb_a.dtype)
    if emb_a.ndim != 2 or emb_a.shape != emb_b.shape or y.shape != emb_a.shape[:1]:
        raise ValueError("모양")
    if not bool(torch.all((y == 0) | (y == 1))):
        raise ValueError("레이블")
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = torch.sqrt(torch.clamp(d2, min=1e-30))
    return (0.5 * (y * d2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()
'''}, caught_by=("test_contrastive_loss_torch_errors",)),
        Answer("contrastive_loss_torch with eps = 1e-4 inside the square root (too large)", {"contrastive_loss_torch": _torch_loss('''
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = torch.sqrt(d2 + 1e-4)
    return (0.5 * (y * d2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()''')},
            caught_by=("test_contrastive_loss_torch_value",)),
        Answer("siamese_batch_loss with the labels flipped", {"siamese_batch_loss": '''
def siamese_batch_loss(model, xa, xb, is_similar):
    return contrastive_loss_torch(model(xa), model(xb), 1 - torch.as_tensor(is_similar), margin=MARGIN)
'''}, caught_by=("test_training_reaches_recall",)),
        Answer("siamese_batch_loss ignores MARGIN", {"siamese_batch_loss": '''
def siamese_batch_loss(model, xa, xb, is_similar):
    return contrastive_loss_torch(model(xa), model(xb), is_similar, margin=0.5)
'''}, caught_by=("test_training_reaches_recall",)),
        Answer("recall@k counts the item itself", {"recall_at_k": _recall('''
    dist = np.linalg.norm(emb[:, None] - emb[None, :], axis=2)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(labels[nearest] == labels[:, None], axis=1)))''')},
               caught_by=("test_recall_at_k_value", "test_recall_at_k_reference")),
        Answer("recall@k drops every neighbour at distance 0, not the item itself", {"recall_at_k": _recall('''
    dist = np.linalg.norm(emb[:, None] - emb[None, :], axis=2)
    dist[dist == 0] = np.inf
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(labels[nearest] == labels[:, None], axis=1)))''')},
               caught_by=("test_recall_at_k_value",)),
        Answer("recall@k with cosine instead of Euclidean distance", {"recall_at_k": _recall('''
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    dist = 1 - unit @ unit.T
    np.fill_diagonal(dist, np.inf)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(labels[nearest] == labels[:, None], axis=1)))''')},
               caught_by=("test_recall_at_k_reference",)),
    ],
    right_answers=[
        Answer("explicit loops over pairs and queries", {
            "contrastive_loss": _loss('''
    total = 0.0
    for i in range(len(y)):
        d = float(np.sqrt(sum((p - q) ** 2 for p, q in zip(emb_a[i], emb_b[i]))))
        total += 0.5 * d * d if y[i] == 1 else 0.5 * max(0.0, margin - d) ** 2
    return total / len(y)'''),
            "recall_at_k": _recall('''
    hits = 0
    for i in range(len(emb)):
        others = [j for j in range(len(emb)) if j != i]
        others.sort(key=lambda j: float(np.sum((emb[i] - emb[j]) ** 2)))
        hits += any(labels[j] == labels[i] for j in others[:k])
    return hits / len(emb)'''),
        }),
        Answer("PyTorch and scikit-learn inside", {
            "euclidean_distance": '''
def euclidean_distance(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError("모양이 다릅니다")
    return np.linalg.norm(a - b, axis=1)
''',
            "contrastive_loss": _loss('''
    d = torch.linalg.norm(torch.tensor(emb_a) - torch.tensor(emb_b), dim=1)
    t = torch.tensor(y)
    return (0.5 * (t * d**2 + (1 - t) * torch.relu(margin - d) ** 2)).mean().item()'''),
            "recall_at_k": _recall('''
    from sklearn.neighbors import NearestNeighbors
    _, idx = NearestNeighbors(n_neighbors=k).fit(emb).kneighbors()
    return float(np.mean([labels[i] in labels[idx[i]] for i in range(len(labels))]))'''),
        }),
        Answer("sqrt(d^2 + eps) in torch, argpartition recall, gradient with where", {
            "contrastive_loss_torch": _torch_loss('''
    d2 = (emb_a - emb_b).pow(2).sum(1)
    d = (d2 + 1e-12).sqrt()
    hinge = torch.where(d < margin, margin - d, torch.zeros_like(d))
    return 0.5 * (y * d2 + (1 - y) * hinge * hinge).sum() / len(y)'''),
            "batch_contrastive_grad": _batch_grad('''
    sq = np.sum((e[:, None, :] - e[None, :, :]) ** 2, axis=2)
    d = np.sqrt(sq)
    same = np.equal.outer(labels, labels)
    safe = np.where(d > 0, d, 1.0)
    w = np.where(same, 1.0, np.where((d > 0) & (d < margin), -(margin - d) / safe, 0.0))
    np.fill_diagonal(w, 0.0)
    laplacian = np.diag(w.sum(axis=1)) - w          # sum_j w_kj (e_k - e_j) = (L e)_k
    return laplacian @ e / (len(e) * (len(e) - 1) / 2)'''),
            "recall_at_k": _recall('''
    sq = (emb ** 2).sum(1)
    dist2 = sq[:, None] + sq[None, :] - 2 * emb @ emb.T
    dist2[np.arange(len(emb)), np.arange(len(emb))] = np.inf
    nearest = np.argpartition(dist2, k - 1, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())'''),
        }),
        Answer("torch loss with sqrt(d^2 + 1e-8), as the book allows", {
            "contrastive_loss_torch": _torch_loss('''
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = torch.sqrt(d2 + 1e-8)
    return (0.5 * (y * d2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()'''),
        }),
        Answer("torch loss with a Keras-style floor sqrt(max(d^2, 1e-7))", {
            "contrastive_loss_torch": _torch_loss('''
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = torch.sqrt(torch.maximum(d2, torch.tensor(1e-7, dtype=d2.dtype)))
    return (0.5 * (y * d2 + (1 - y) * torch.relu(margin - d) ** 2)).mean()'''),
        }),
        Answer("torch loss with sqrt(d^2 + 1e-7); batch gradient with explicit loops over pairs", {
            "contrastive_loss_torch": _torch_loss('''
    d2 = ((emb_a - emb_b) ** 2).sum(dim=1)
    d = (d2 + 1e-7).sqrt()
    return (0.5 * (y * d2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2)).mean()'''),
            "batch_contrastive_grad": _batch_grad('''
    grad = np.zeros_like(e)
    n_pairs = 0
    for i in range(len(e)):
        for j in range(i + 1, len(e)):
            n_pairs += 1
            diff = e[i] - e[j]
            d = float(np.sqrt(diff @ diff))
            if labels[i] == labels[j]:
                term = diff
            elif 0 < d < margin:
                term = -(margin - d) / d * diff
            else:
                continue
            grad[i] += term
            grad[j] -= term
    return grad / n_pairs'''),
        }),
    ],
)
