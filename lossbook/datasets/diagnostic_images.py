"""Diagnostic-style images (chapter 5, 진단 이미지 다중 클래스 분류; chapter 8 reuses it imbalanced).

Generative process, per image i of class c_i (size × size pixels, one grey channel):
    background  a smooth tissue field: a random low-frequency cosine pattern
                (amplitude 0.25) plus a vertical brightness gradient
    lesion      drawn for c_i ≠ 0 with contrast a_i ~ Uniform(0.35, 1.0) × LESION_GAIN:
        0 정상(normal)          nothing
        1 결절(nodule)          one round bright blob, radius ~ Uniform(1.5, 3.5), anywhere
        2 섬유화(fibrosis)      2-3 thin parallel bright streaks at a random angle
        3 석회화(calcification)  5-9 tiny very bright dots in a small cluster
        4 흉수(effusion)        a bright band filling the lower 25-45 % with a curved upper edge
    noise       independent Gaussian pixel noise, standard deviation `noise`
Classes differ by visible structure (shape, texture, extent), never by a single
pixel; lesions add light, so mean brightness alone separates them only partly
(tests/test_image_helpers.py measures both). Low-contrast lesions under noise make some
images genuinely ambiguous, so a good classifier is accurate but not perfect.
"""

from dataclasses import dataclass

import numpy as np

CLASS_NAMES = ("정상", "결절", "섬유화", "석회화", "흉수")
LESION_GAIN = 1.0


@dataclass(frozen=True)
class DiagnosticImages:
    images: np.ndarray    # (N, 1, size, size) float32, roughly zero-centred
    labels: np.ndarray    # (N,) int64 class index into class_names
    contrast: np.ndarray  # (N,) lesion contrast a_i (0 for 정상)
    class_names: tuple


def _background(rng, yy, xx, size):
    fy, fx = rng.uniform(0.5, 2.0, 2) * np.pi / size
    phase = rng.uniform(0, 2 * np.pi, 2)
    field = 0.25 * np.cos(fy * yy + phase[0]) * np.cos(fx * xx + phase[1])
    return field + rng.uniform(-0.15, 0.15) * (yy / size - 0.5)


def _nodule(rng, yy, xx, size):
    cy, cx = rng.uniform(3, size - 3, 2)
    r = rng.uniform(1.5, 3.5)
    return np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r**2))


def _fibrosis(rng, yy, xx, size):
    angle = rng.uniform(0, np.pi)
    # distance of each pixel along the normal of the streak direction
    d = -np.sin(angle) * (xx - size / 2) + np.cos(angle) * (yy - size / 2)
    spacing = rng.uniform(3.0, 5.0)
    offsets = (np.arange(rng.integers(2, 4)) - 1) * spacing + rng.uniform(-2, 2)
    return sum(np.exp(-((d - o) ** 2) / (2 * 0.6**2)) for o in offsets)


def _calcification(rng, yy, xx, size):
    centre = rng.uniform(5, size - 5, 2)
    out = np.zeros_like(yy)
    for _ in range(rng.integers(5, 10)):
        cy, cx = centre + rng.normal(0, 2.0, 2)
        out += 1.6 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 0.5**2))
    return out


def _effusion(rng, yy, xx, size):
    level = size * (1 - rng.uniform(0.25, 0.45))
    curve = rng.uniform(1.0, 3.0) * np.cos(np.pi * (xx / size - 0.5))
    return 0.6 / (1 + np.exp(-(yy - (level - curve)) / 0.8))


_LESIONS = (None, _nodule, _fibrosis, _calcification, _effusion)


def make_diagnostic_images(counts=400, size=24, noise=0.3, seed=0):
    """Draw images from the process in the module docstring.

    counts: images per class, either one int for all five classes or a sequence
    whose length (2-5) is the number of classes (the first len(counts) of
    CLASS_NAMES), e.g. (1000, 100, 10) for a 100:10:1 imbalance.
    Returns DiagnosticImages in a seeded random order.
    """
    counts = [counts] * len(CLASS_NAMES) if np.isscalar(counts) else list(counts)
    if not 2 <= len(counts) <= len(CLASS_NAMES) or min(counts) < 1:
        raise ValueError(f"counts must be 2-{len(CLASS_NAMES)} positive class sizes, got {counts}")
    if size < 12:
        raise ValueError(f"size must be at least 12 pixels, got {size}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    labels = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(labels)
    images = np.empty((len(labels), 1, size, size), dtype=np.float32)
    contrast = np.zeros(len(labels))
    for i, c in enumerate(labels):
        img = _background(rng, yy, xx, size)
        if c > 0:
            contrast[i] = rng.uniform(0.35, 1.0) * LESION_GAIN
            img = img + contrast[i] * _LESIONS[c](rng, yy, xx, size)
        images[i, 0] = img + rng.normal(0, noise, (size, size))
    return DiagnosticImages(images, labels.astype(np.int64), contrast, CLASS_NAMES[: len(counts)])
