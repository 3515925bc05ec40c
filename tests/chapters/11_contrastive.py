"""Chapter 11 (contrastive loss): contract references and the wrong/right answer catalogue."""

import numpy as np
import torch
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from support.catalogue import Agrees, Answer, Chapter, Exact, Raises


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


def reference_grad(a, b, y, m):
    """Autograd through torch.linalg.norm, whose backward at 0 is 0 (the course's convention)."""
    a_t = torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
    d = torch.linalg.norm(a_t - torch.as_tensor(b, dtype=torch.float64), dim=1)
    y = torch.as_tensor(y, dtype=torch.float64)
    (0.5 * (y * d**2 + (1 - y) * torch.relu(m - d) ** 2)).mean().backward()
    return a_t.grad.numpy()


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
    if emb_a.ndim != 2 or emb_a.shape != emb_b.shape or y.shape != emb_a.shape[:1]:
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


def _recall(body):
    return f"def recall_at_k(embeddings, labels, k):{RECALL_CHECKS}{body}\n"


CHAPTER = Chapter(
    agrees=[
        Agrees("euclidean_distance", reference_distance, pairs.map(lambda t: t[:2]), name="torch.cdist rows"),
        Agrees("contrastive_loss", reference_loss, pairs, name="torch formula"),
        Agrees("contrastive_loss_torch", lambda a, b, y, m: reference_loss(a.numpy(), b.numpy(), y.numpy(), m),
               torch_pairs, rtol=1e-9, atol=1e-12, name="same value as the NumPy formula"),
        Agrees("contrastive_loss_grad", reference_grad, pairs, name="torch autograd (norm backward 0 at 0)"),
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
        Exact("contrastive_loss_grad", (np.ones((2, 3)), np.ones((2, 3)), np.array([1.0, 0.0])), np.zeros((2, 3)),
              name="finite zero gradient at d = 0"),
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
        Raises("contrastive_loss_grad", (np.zeros((3, 2)), np.zeros((3, 2)), np.array([1, -1, 1])), name="grad ±1 labels"),
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
        Answer("analytic gradient divides by d = 0", {"contrastive_loss_grad": '''
def contrastive_loss_grad(emb_a, emb_b, is_similar, margin=1.0):
    contrastive_loss(emb_a, emb_b, is_similar, margin)
    a, b, y = np.asarray(emb_a, float), np.asarray(emb_b, float), np.asarray(is_similar, float)
    d = np.linalg.norm(a - b, axis=1)
    return (y - (1 - y) * np.maximum(0, margin - d) / d)[:, None] * (a - b) / len(y)
'''}, caught_by=("test_contrastive_loss_grad",)),
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
            "contrastive_loss_grad": '''
def contrastive_loss_grad(emb_a, emb_b, is_similar, margin=1.0):
    contrastive_loss(emb_a, emb_b, is_similar, margin)
    a, b = np.asarray(emb_a, np.float64), np.asarray(emb_b, np.float64)
    y = np.asarray(is_similar, np.float64)
    diff = a - b
    d = np.linalg.norm(diff, axis=1)
    safe = np.where(d > 0, d, 1.0)
    coef = np.where(y == 1, 1.0, np.where((d > 0) & (d < margin), -(margin - d) / safe, 0.0))
    return coef[:, None] * diff / len(y)
''',
            "recall_at_k": _recall('''
    sq = (emb ** 2).sum(1)
    dist2 = sq[:, None] + sq[None, :] - 2 * emb @ emb.T
    dist2[np.arange(len(emb)), np.arange(len(emb))] = np.inf
    nearest = np.argpartition(dist2, k - 1, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())'''),
        }),
    ],
)
