"""Product photos for similar-product search (chapter 11, 유사 상품 추천).

Generative process. There are 8 categories (CATEGORY_NAMES); each category has
`items_per_category` products (items), and each item is photographed
`views_per_item` times (size × size pixels, three colour channels, RGB).
    item shape   each item draws its own shape parameters once (e.g. sleeve
                 length of a 티셔츠, handle size of a 머그컵, brim width of a 모자),
                 uniform in a range that is fixed per category: items of one
                 category look alike but not identical
    per view     a silhouette of the item in canonical coordinates [-1, 1]², then
        pose         rotation ~ Uniform(−25°, 25°), horizontal flip with probability ½
        size         scale ~ Uniform(0.75, 1.05), shift ~ Uniform(−0.12, 0.12) per axis
        colour       product colour: hue ~ Uniform(0, 1), saturation ~ U(0.45, 1),
                     value ~ U(0.45, 1) (HSV), with a soft left-to-right shading
        background   a random pale or dark tint, value ~ U(0.15, 0.9) and saturation
                     ~ U(0, 0.35), plus a linear brightness gradient of random
                     direction (amplitude 0.15)
        noise        independent Gaussian pixel noise, standard deviation `noise`
    pixel values are clipped to [0, 1] and then shifted by −0.5 (roughly centred).
The category is visible structure (the silhouette); colour, pose, size and
background are nuisances drawn independently of the category, so two products of
the same colour but different category are usually *closer* in raw pixels than
two products of the same category but different colour.

`sample_pairs` draws balanced similar/dissimilar index pairs for a siamese network.
"""

from dataclasses import dataclass

import numpy as np

CATEGORY_NAMES = ("티셔츠", "머그컵", "운동화", "가방", "시계", "모자", "바지", "안경")


@dataclass(frozen=True)
class ProductImages:
    images: np.ndarray    # (N, 3, size, size) float32 RGB in [−0.5, 0.5]
    labels: np.ndarray    # (N,) int64 category index into category_names
    items: np.ndarray     # (N,) int64 product id, unique over the whole data set
    item_rank: np.ndarray  # (N,) int64 index of the item within its category (0 … items_per_category − 1)
    hues: np.ndarray      # (N,) product colour hue in [0, 1) (the main nuisance)
    category_names: tuple


def _box(u, v, u0, u1, v0, v1):
    return (u >= u0) & (u <= u1) & (v >= v0) & (v <= v1)


def _ellipse(u, v, cu, cv, ru, rv):
    return ((u - cu) / ru) ** 2 + ((v - cv) / rv) ** 2 <= 1.0


def _tshirt(u, v, p):
    body = _box(u, v, -0.42, 0.42, -0.45, 0.85)
    sleeves = _box(u, v, -0.42 - p[0], 0.42 + p[0], -0.45, -0.45 + p[1])
    neck = _ellipse(u, v, 0.0, -0.48, 0.2, 0.12)
    return (body | sleeves) & ~neck


def _mug(u, v, p):
    body = _box(u, v, -0.55, 0.3, -0.6 * p[0], 0.7)
    handle = _ellipse(u, v, 0.42, 0.05, 0.32, 0.3 * p[1]) & ~_ellipse(u, v, 0.42, 0.05, 0.17, 0.16 * p[1])
    return body | (handle & (u > 0.3))


def _sneaker(u, v, p):
    sole = _box(u, v, -0.85, 0.85, 0.35, 0.55)
    upper = _ellipse(u, v, -0.15, 0.35, 0.7, 0.55 * p[0]) & (v <= 0.35)
    toe = _ellipse(u, v, 0.55, 0.35, 0.35, 0.3) & (v <= 0.35)
    return sole | upper | toe


def _bag(u, v, p):
    body = _box(u, v, -0.7, 0.7, -0.2 * p[0], 0.75)
    handle = _ellipse(u, v, 0.0, -0.2 * p[0], 0.4 * p[1], 0.55) & ~_ellipse(u, v, 0.0, -0.2 * p[0], 0.4 * p[1] - 0.15, 0.4)
    return body | (handle & (v < -0.2 * p[0]))


def _watch(u, v, p):
    face = _ellipse(u, v, 0.0, 0.0, 0.42 * p[0], 0.42 * p[0]) & ~_ellipse(u, v, 0.0, 0.0, 0.2, 0.2)
    strap = _box(u, v, -0.2 * p[1], 0.2 * p[1], -0.95, 0.95)
    hub = _ellipse(u, v, 0.0, 0.0, 0.08, 0.08)
    return face | strap | hub


def _hat(u, v, p):
    crown = _ellipse(u, v, 0.0, 0.25, 0.5, 0.75 * p[0]) & (v <= 0.25)
    brim = _box(u, v, -0.5 - p[1], 0.5 + p[1], 0.2, 0.38)
    return crown | brim


def _trousers(u, v, p):
    waist = _box(u, v, -0.5, 0.5, -0.85, -0.6)
    legs = _box(u, v, -0.5, 0.5, -0.6, 0.9) & ~_box(u, v, -p[0], p[0], -0.6 + 0.9 * p[1], 0.95)
    return waist | legs


def _glasses(u, v, p):
    ring = lambda cu: _ellipse(u, v, cu, 0.0, 0.34, 0.3 * p[0]) & ~_ellipse(u, v, cu, 0.0, 0.22, 0.3 * p[0] - 0.12)
    bridge = _box(u, v, -0.2, 0.2, -0.06, 0.04)
    arms = _box(u, v, -0.95, 0.95, -0.12 * p[1] - 0.04, -0.12 * p[1] + 0.04) & (np.abs(u) > 0.7)
    return ring(-0.45) | ring(0.45) | bridge | arms


# shape function and the per-category range of its two item parameters
_SHAPES = (
    (_tshirt, ((0.2, 0.45), (0.25, 0.55))),
    (_mug, ((0.6, 1.0), (0.8, 1.2))),
    (_sneaker, ((0.5, 0.9), (0.0, 1.0))),
    (_bag, ((0.0, 1.0), (0.7, 1.1))),
    (_watch, ((0.85, 1.15), (0.7, 1.1))),
    (_hat, ((0.7, 1.1), (0.1, 0.35))),
    (_trousers, ((0.06, 0.16), (0.2, 0.5))),
    (_glasses, ((0.8, 1.1), (0.0, 1.0))),
)


def _hsv_to_rgb(h, s, v):
    k = (np.array([5.0, 3.0, 1.0]) + h * 6.0) % 6.0
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def _draw(rng, shape, params, size, noise):
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) / size * 2.0 - 1.0   # pixel centres in [-1, 1]
    angle = np.deg2rad(rng.uniform(-25, 25))
    scale = rng.uniform(0.75, 1.05)
    shift = rng.uniform(-0.12, 0.12, 2)
    flip = -1.0 if rng.random() < 0.5 else 1.0
    # inverse pose: from a pixel back to canonical item coordinates (u, v)
    x0, y0 = (xx - shift[0]) / scale, (yy - shift[1]) / scale
    u = flip * (np.cos(angle) * x0 + np.sin(angle) * y0)
    v = -np.sin(angle) * x0 + np.cos(angle) * y0
    mask = shape(u, v, params).astype(float)

    hue = rng.uniform()
    colour = _hsv_to_rgb(hue, rng.uniform(0.45, 1.0), rng.uniform(0.45, 1.0))
    shading = 1.0 - 0.15 * (xx + 1.0) / 2.0
    background = _hsv_to_rgb(rng.uniform(), rng.uniform(0.0, 0.35), rng.uniform(0.15, 0.9))
    direction = rng.uniform(0, 2 * np.pi)
    gradient = 0.15 * (np.cos(direction) * xx + np.sin(direction) * yy) / 2.0
    img = (background[:, None, None] + gradient) * (1 - mask) + colour[:, None, None] * shading * mask
    img = img + rng.normal(0.0, noise, img.shape)
    return np.clip(img, 0.0, 1.0) - 0.5, hue


def make_product_images(items_per_category=10, views_per_item=12, size=24, noise=0.04, seed=0):
    """Draw product photos from the process in the module docstring.

    Returns ProductImages with items_per_category × views_per_item images per
    category, ordered by category, then item, then view (split by `item_rank`).
    """
    if items_per_category < 1 or views_per_item < 1:
        raise ValueError(f"need at least one item and one view, got {items_per_category}, {views_per_item}")
    if size < 16:
        raise ValueError(f"size must be at least 16 pixels, got {size}")
    rng = np.random.default_rng(seed)
    n = len(CATEGORY_NAMES) * items_per_category * views_per_item
    images = np.empty((n, 3, size, size), dtype=np.float32)
    labels, items, ranks = (np.empty(n, dtype=np.int64) for _ in range(3))
    hues = np.empty(n)
    i = 0
    for c, (shape, ranges) in enumerate(_SHAPES):
        for r in range(items_per_category):
            params = [rng.uniform(lo, hi) for lo, hi in ranges]
            for _ in range(views_per_item):
                images[i], hues[i] = _draw(rng, shape, params, size, noise)
                labels[i], items[i], ranks[i] = c, c * items_per_category + r, r
                i += 1
    return ProductImages(images, labels, items, ranks, hues, CATEGORY_NAMES)


def sample_pairs(labels, n_pairs, seed=0):
    """Balanced random pairs for a siamese network.

    Returns (idx_a, idx_b, is_similar): int64 index arrays and a float64 array
    with 1.0 for a similar pair (same label, two different images) and 0.0 for a
    dissimilar pair (different labels). The first ⌈n_pairs/2⌉ drawn pairs are
    similar, the rest dissimilar, then all are shuffled (seeded).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or n_pairs < 2:
        raise ValueError("labels must be 1-D and n_pairs at least 2")
    classes = np.unique(labels)
    by_class = {c: np.flatnonzero(labels == c) for c in classes}
    if len(classes) < 2 or min(len(v) for v in by_class.values()) < 2:
        raise ValueError("need at least two labels with two images each")
    rng = np.random.default_rng(seed)
    n_sim = (n_pairs + 1) // 2
    a = rng.integers(len(labels), size=n_pairs)
    b = np.empty(n_pairs, dtype=np.int64)
    for k in range(n_pairs):
        same = by_class[labels[a[k]]]
        if k < n_sim:
            b[k] = rng.choice(same[same != a[k]])
        else:
            b[k] = rng.choice(np.flatnonzero(labels != labels[a[k]]))
    is_similar = (np.arange(n_pairs) < n_sim).astype(np.float64)
    order = rng.permutation(n_pairs)
    return a[order].astype(np.int64), b[order], is_similar[order]
