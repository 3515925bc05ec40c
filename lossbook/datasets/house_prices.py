"""House prices (chapter 1, 주택 가격 예측).

Generative process, per house i (prices in 억 원):
    area_i  ~ Uniform(40, 140)      전용 면적 (m²)
    age_i   ~ Uniform(0, 40)        건축 연수 (년)
    dist_i  ~ Uniform(0.2, 3.0)     역까지 거리 (km)
    mu_i    = INTERCEPT + COEF · (area_i, age_i, dist_i)        the true conditional mean
    price_i = mu_i + noise_sd · e_i
with e_i ~ N(0, 1) for noise="gaussian", or e_i = Exp(1) − 1 for noise="skewed"
(mean 0, median ln 2 − 1: the conditional mean and median then differ by a known amount).
"""

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = ("면적(m²)", "연식(년)", "역까지 거리(km)")
INTERCEPT = 1.5
COEF = np.array([0.06, -0.03, -0.5])
NOISE_MEDIAN = {"gaussian": 0.0, "skewed": np.log(2.0) - 1.0}


@dataclass(frozen=True)
class HousePrices:
    X: np.ndarray            # (n, 3) features in FEATURE_NAMES order
    y: np.ndarray            # (n,) observed prices
    true_mean: np.ndarray    # (n,) E[y | x]
    true_median: np.ndarray  # (n,) median of y given x
    feature_names: tuple
    intercept: float
    coef: np.ndarray
    noise_sd: float


def make_house_prices(n=500, noise="gaussian", noise_sd=0.6, seed=0):
    """Draw n houses from the process in the module docstring."""
    if noise not in NOISE_MEDIAN:
        raise ValueError(f"noise must be one of {sorted(NOISE_MEDIAN)}, got {noise!r}")
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.uniform(40, 140, n),
        rng.uniform(0, 40, n),
        rng.uniform(0.2, 3.0, n),
    ])
    mu = INTERCEPT + X @ COEF
    if noise == "gaussian":
        e = rng.standard_normal(n)
    else:
        e = rng.exponential(1.0, n) - 1.0
    y = mu + noise_sd * e
    return HousePrices(
        X=X, y=y, true_mean=mu, true_median=mu + noise_sd * NOISE_MEDIAN[noise],
        feature_names=FEATURE_NAMES, intercept=INTERCEPT, coef=COEF.copy(), noise_sd=noise_sd,
    )
