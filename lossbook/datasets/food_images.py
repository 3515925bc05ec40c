"""Colour food photos (chapter 10, 음식 사진 분류), with annotator votes for soft labels.

Generative process, per image i (size × size pixels, three channels R, G, B in [0, 1]
before centring):
    class       c_i uniform over the K = 6 dishes, in a seeded random order
    table       a background colour from TABLE_COLOURS (나무, 회색, 흰색, 어두운 색), jittered
                by ±0.06 per channel, plus a linear brightness gradient
    dish        drawn at a random centre (±3 pixels) and scale s_i ~ Uniform(0.8, 1.2):
        0 피자(pizza)        orange-red disc inside a golden crust ring, 5-9 dark-red
                             pepperoni dots
        1 김밥(kimbap)       2-4 round slices: black seaweed ring, white rice, a yellow,
                             orange or green filling dot in the centre
        2 샐러드(salad)      a white bowl filled with 25-40 leaf blobs in varying greens
                             and 1-3 red cherry-tomato dots
        3 라면(ramen)        a dark bowl of orange-brown broth with 3-5 pale-yellow wavy
                             noodle lines and a few green onion specks
        4 초밥(sushi)        2-3 white rice blocks, each topped by a salmon (orange, with
                             light stripes) or tuna (deep red) slice
        5 떡볶이(tteokbokki) a red sauce patch with 4-7 cream-coloured rice-cake rods at
                             random angles
    ambiguity   with probability p_blend the image is a blend w·A + (1 − w)·B of the dish
                drawn on the table (A) and a confusable partner dish on the same table (B,
                PARTNERS), w ~ Uniform(0.5, 0.9); otherwise w = 1. The image's soft label
                q_i puts w on c_i and 1 − w on the partner.
    lighting    the whole image is multiplied by a brightness b ~ Uniform(0.75, 1.2) and a
                per-channel tint ~ Uniform(0.92, 1.08)
    noise       independent Gaussian pixel noise with standard deviation `noise`
    votes       `n_annotators` people label each image independently: each picks a class
                from 0.96·q_i + 0.04/K (a 4 % lapse spread over all classes); votes_i counts them
    label       the first annotator's vote: a draw from that same distribution, so a blend
                with w = 0.6 is labelled as its partner dish about 38 % of the time (the data
                set's one-hot labels are noisy exactly where the image is ambiguous); `dish`
                keeps c_i, the dish with the larger blend weight
The label distribution given the image is therefore known: 0.96·q_i + 0.04/K. Returned images are centred:
image = (pixel − 0.5) / 0.25; `as_rgb()` undoes this for display. Classes differ by
visible structure and colour pattern; blends near w = 0.5 make some images genuinely
ambiguous, so a good classifier is accurate but not perfect.
"""

from dataclasses import dataclass

import numpy as np

CLASS_NAMES = ("피자", "김밥", "샐러드", "라면", "초밥", "떡볶이")
PARTNERS = {0: (5, 3), 1: (4,), 2: (1, 0), 3: (5,), 4: (1,), 5: (0, 3)}
TABLE_COLOURS = np.array([[0.55, 0.40, 0.25], [0.50, 0.50, 0.52], [0.86, 0.85, 0.82], [0.22, 0.21, 0.23]])
LAPSE = 0.04


@dataclass(frozen=True)
class FoodImages:
    images: np.ndarray        # (N, 3, size, size) float32, centred: (pixel − 0.5) / 0.25
    labels: np.ndarray        # (N,) int64 the first annotator's vote (index into class_names)
    dish: np.ndarray          # (N,) int64 c_i, the dish drawn with the larger blend weight
    soft_labels: np.ndarray   # (N, K) the blend weights q_i (one-hot for unblended images)
    votes: np.ndarray         # (N, K) int64 annotator vote counts, rows sum to n_annotators
    blend_weight: np.ndarray  # (N,) w_i (1.0 for unblended images)
    class_names: tuple

    def label_distribution(self):
        """The true distribution of a label given the image: 0.96·q_i + 0.04/K."""
        return (1 - LAPSE) * self.soft_labels + LAPSE / len(self.class_names)

    def vote_distribution(self):
        """Votes as a probability distribution per image (rows sum to 1)."""
        return self.votes / self.votes.sum(axis=1, keepdims=True)

    def as_rgb(self):
        """(N, size, size, 3) pixels in [0, 1] for plt.imshow."""
        return np.clip(0.5 + 0.25 * self.images.transpose(0, 2, 3, 1), 0.0, 1.0)


def _disc(yy, xx, cy, cx, r, soft=0.6):
    """Soft-edged disc mask (anti-aliased): 1 inside, 0 outside."""
    return 1.0 / (1.0 + np.exp((np.hypot(yy - cy, xx - cx) - r) / soft))


def _paint(img, mask, colour):
    """Alpha-composite a flat colour through mask (in place)."""
    img *= 1.0 - mask[..., None]
    img += mask[..., None] * np.asarray(colour)


def _rod(yy, xx, cy, cx, angle, half_len, half_width):
    """Soft mask of a rounded rod (a rice cake or a rice block) centred at (cy, cx)."""
    u = np.cos(angle) * (xx - cx) + np.sin(angle) * (yy - cy)
    v = -np.sin(angle) * (xx - cx) + np.cos(angle) * (yy - cy)
    d = np.hypot(np.maximum(np.abs(u) - half_len, 0.0), v)
    return 1.0 / (1.0 + np.exp((d - half_width) / 0.5))


def _pizza(img, rng, yy, xx, cy, cx, s):
    r = 9.0 * s
    _paint(img, _disc(yy, xx, cy, cx, r), (0.86, 0.62, 0.30))
    _paint(img, _disc(yy, xx, cy, cx, r - 1.8 * s), (0.93, 0.48, 0.20))
    for _ in range(rng.integers(5, 10)):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, r - 3.5 * s)
        _paint(img, _disc(yy, xx, cy + d * np.sin(a), cx + d * np.cos(a), 1.3 * s, 0.4), (0.55, 0.08, 0.08))


def _kimbap(img, rng, yy, xx, cy, cx, s):
    n = rng.integers(2, 5)
    start = rng.uniform(0, 2 * np.pi)
    filling = ((0.95, 0.82, 0.20), (0.95, 0.50, 0.15), (0.25, 0.60, 0.20))
    for k in range(n):
        a = start + 2 * np.pi * k / n
        py, px = cy + 4.8 * s * np.sin(a), cx + 4.8 * s * np.cos(a)
        _paint(img, _disc(yy, xx, py, px, 3.8 * s, 0.45), (0.07, 0.09, 0.07))
        _paint(img, _disc(yy, xx, py, px, 2.9 * s, 0.45), (0.96, 0.95, 0.90))
        _paint(img, _disc(yy, xx, py, px, 1.0 * s, 0.4), filling[rng.integers(3)])


def _salad(img, rng, yy, xx, cy, cx, s):
    r = 9.0 * s
    _paint(img, _disc(yy, xx, cy, cx, r), (0.93, 0.93, 0.95))
    for _ in range(rng.integers(25, 41)):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, r - 2.0 * s)
        green = (rng.uniform(0.15, 0.5), rng.uniform(0.55, 0.85), rng.uniform(0.10, 0.30))
        _paint(img, _disc(yy, xx, cy + d * np.sin(a), cx + d * np.cos(a), rng.uniform(1.0, 2.0) * s, 0.4), green)
    for _ in range(rng.integers(1, 4)):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, r - 3.0 * s)
        _paint(img, _disc(yy, xx, cy + d * np.sin(a), cx + d * np.cos(a), 1.3 * s, 0.4), (0.85, 0.15, 0.10))


def _ramen(img, rng, yy, xx, cy, cx, s):
    r = 9.5 * s
    _paint(img, _disc(yy, xx, cy, cx, r), (0.16, 0.10, 0.10))
    broth = _disc(yy, xx, cy, cx, r - 1.5 * s)
    _paint(img, broth, (0.80, 0.50, 0.22))
    for _ in range(rng.integers(3, 6)):
        row = cy + rng.uniform(-0.6, 0.6) * r
        wave = row + 1.2 * s * np.sin(xx * rng.uniform(0.9, 1.5) + rng.uniform(0, 2 * np.pi))
        noodle = np.exp(-((yy - wave) ** 2) / (2 * (0.55 * s) ** 2)) * broth
        _paint(img, noodle, (0.97, 0.90, 0.55))
    for _ in range(rng.integers(2, 5)):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, r - 3.0 * s)
        _paint(img, _disc(yy, xx, cy + d * np.sin(a), cx + d * np.cos(a), 0.8 * s, 0.3), (0.30, 0.70, 0.20))


def _sushi(img, rng, yy, xx, cy, cx, s):
    n = rng.integers(2, 4)
    angle = rng.uniform(-0.4, 0.4)
    for k in range(n):
        off = (k - (n - 1) / 2) * 5.5 * s
        py, px = cy + off * np.cos(angle), cx - off * np.sin(angle)
        _paint(img, _rod(yy, xx, py + 0.8 * s, px, angle, 4.5 * s, 2.2 * s), (0.96, 0.96, 0.92))
        salmon = rng.random() < 0.6
        top = _rod(yy, xx, py - 0.4 * s, px, angle, 5.0 * s, 1.6 * s)
        _paint(img, top, (0.96, 0.52, 0.28) if salmon else (0.72, 0.12, 0.18))
        if salmon:  # the light fat stripes of salmon
            stripes = top * (np.sin(1.8 * (np.cos(angle) * xx + np.sin(angle) * yy)) > 0.6)
            _paint(img, 0.6 * stripes, (0.99, 0.85, 0.75))


def _tteokbokki(img, rng, yy, xx, cy, cx, s):
    sauce = _disc(yy, xx, cy, cx, 9.0 * s * (1 + 0.08 * np.sin(3 * np.arctan2(yy - cy, xx - cx) + rng.uniform(0, 6))))
    _paint(img, sauce, (0.78, 0.14, 0.10))
    for _ in range(rng.integers(4, 8)):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, 5.5 * s)
        rod = _rod(yy, xx, cy + d * np.sin(a), cx + d * np.cos(a), rng.uniform(0, np.pi), 2.0 * s, 1.0 * s)
        _paint(img, rod, (0.95, 0.88, 0.78))


_DISHES = (_pizza, _kimbap, _salad, _ramen, _sushi, _tteokbokki)


def _table(rng, yy, size):
    colour = TABLE_COLOURS[rng.integers(len(TABLE_COLOURS))] + rng.uniform(-0.06, 0.06, 3)
    gradient = rng.uniform(-0.12, 0.12) * (yy / size - 0.5)
    return np.clip(colour[None, None, :] + gradient[..., None], 0.0, 1.0)


def make_food_images(n_per_class=250, size=24, noise=0.08, p_blend=0.4, n_annotators=5, seed=0):
    """Draw n_per_class images of each of the six dishes from the process in the module
    docstring. Returns FoodImages in a seeded random order."""
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be positive, got {n_per_class}")
    if size < 20:
        raise ValueError(f"size must be at least 20 pixels, got {size}")
    if not 0.0 <= p_blend <= 1.0:
        raise ValueError(f"p_blend must be in [0, 1], got {p_blend}")
    if n_annotators < 1:
        raise ValueError(f"n_annotators must be positive, got {n_annotators}")
    rng = np.random.default_rng(seed)
    k = len(CLASS_NAMES)
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    labels = np.repeat(np.arange(k), n_per_class)
    rng.shuffle(labels)
    n = len(labels)
    images = np.empty((n, 3, size, size), dtype=np.float32)
    soft = np.zeros((n, k))
    weight = np.ones(n)
    for i, c in enumerate(labels):
        table = _table(rng, yy, size)

        def dish(cls):
            img = table.copy()
            cy, cx = size / 2 + rng.uniform(-3, 3, 2)
            _DISHES[cls](img, rng, yy, xx, cy, cx, rng.uniform(0.8, 1.2) * size / 24)
            return img

        img = dish(c)
        soft[i, c] = 1.0
        if rng.random() < p_blend:
            partner = rng.choice(PARTNERS[c])
            weight[i] = rng.uniform(0.5, 0.9)
            img = weight[i] * img + (1 - weight[i]) * dish(partner)
            soft[i, c], soft[i, partner] = weight[i], 1 - weight[i]
        img = img * rng.uniform(0.75, 1.2) * rng.uniform(0.92, 1.08, 3)
        img = img + rng.normal(0, noise, img.shape)
        images[i] = ((img - 0.5) / 0.25).transpose(2, 0, 1)
    label_prob = (1 - LAPSE) * soft + LAPSE / k
    # each annotator's choice by inverse-CDF sampling, one uniform per (image, annotator)
    u = rng.random((n, n_annotators))
    choices = np.minimum((u[:, :, None] > np.cumsum(label_prob, axis=1)[:, None, :]).sum(axis=2), k - 1)
    votes = np.stack([np.bincount(row, minlength=k) for row in choices])
    return FoodImages(images, choices[:, 0].astype(np.int64), labels.astype(np.int64), soft,
                      votes.astype(np.int64), weight, CLASS_NAMES)
