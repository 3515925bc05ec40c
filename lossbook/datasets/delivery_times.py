"""Delivery times (chapter 2, 배달 시간 예측).

Generative process, per order i (times in minutes):
    dist_i  ~ Uniform(0.5, 6.0)                 가게에서 고객까지 거리 (km)
    base_i  = INTERCEPT + SLOPE · dist_i         평소 배달 시간의 중앙값 (조리 + 이동)
    late_i  ~ Bernoulli(outlier_share)           비·라이더 부족·주문 폭주로 크게 늦는 주문
    log F_i ~ N(0, NORMAL_LOG_SD²)               if not late (평소 배달: 약간 오른쪽으로 치우침)
    log F_i ~ N(log LATE_FACTOR, LATE_LOG_SD²)    if late (중앙값이 두 배, 긴 오른쪽 꼬리)
    time_i  = base_i · F_i
The delay factor F does not depend on x, so every conditional quantile is a line:
    median(time | x) = m(p) · base(x),   E[time | x] = M(p) · base(x),
with M(p) = (1 − p)·exp(s₀²/2) + p·LATE_FACTOR·exp(s₁²/2) in closed form and m(p)
the root of the mixture's CDF at 1/2, (1 − p)·Φ(log m / s₀) + p·Φ((log m − log LATE_FACTOR) / s₁) = 1/2,
found to machine precision by bracketing (m(0) = 1 exactly).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

FEATURE_NAMES = ("거리(km)",)
INTERCEPT = 12.0      # 분: 조리와 픽업
SLOPE = 3.5           # 분/km: 이동
NORMAL_LOG_SD = 0.2
LATE_FACTOR = 2.0
LATE_LOG_SD = 0.5


def _check_share(outlier_share):
    if not 0.0 <= outlier_share < 1.0:
        raise ValueError(f"outlier_share must be in [0, 1), got {outlier_share}")


def median_factor(outlier_share):
    """m(p): median of the delay factor F, so median(time | x) = m(p) · base(x)."""
    _check_share(outlier_share)
    p = outlier_share

    def cdf_minus_half(log_m):
        return ((1 - p) * norm.cdf(log_m / NORMAL_LOG_SD)
                + p * norm.cdf((log_m - np.log(LATE_FACTOR)) / LATE_LOG_SD) - 0.5)

    if p == 0.0:
        return 1.0
    return float(np.exp(brentq(cdf_minus_half, -5.0, 5.0, xtol=1e-15, rtol=1e-15)))


def mean_factor(outlier_share):
    """M(p): mean of the delay factor F, so E[time | x] = M(p) · base(x)."""
    _check_share(outlier_share)
    p = outlier_share
    return float((1 - p) * np.exp(NORMAL_LOG_SD**2 / 2)
                 + p * LATE_FACTOR * np.exp(LATE_LOG_SD**2 / 2))


def base_time(distance):
    """Median time of an ordinary (not late) delivery at `distance` km."""
    return INTERCEPT + SLOPE * np.asarray(distance, dtype=float)


@dataclass(frozen=True)
class DeliveryTimes:
    X: np.ndarray            # (n, 1) distance in km
    y: np.ndarray            # (n,) observed delivery time in minutes
    late: np.ndarray         # (n,) bool: the order was one of the late ones
    true_median: np.ndarray  # (n,) median of y given x
    true_mean: np.ndarray    # (n,) E[y | x]
    feature_names: tuple
    outlier_share: float

    def median_line(self):
        """(intercept, slope) of the true conditional median line."""
        m = median_factor(self.outlier_share)
        return m * INTERCEPT, m * SLOPE

    def mean_line(self):
        """(intercept, slope) of the true conditional mean line."""
        m = mean_factor(self.outlier_share)
        return m * INTERCEPT, m * SLOPE


def make_delivery_times(n=1000, outlier_share=0.1, seed=0):
    """Draw n orders from the process in the module docstring."""
    _check_share(outlier_share)
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    distance = rng.uniform(0.5, 6.0, n)
    late = rng.random(n) < outlier_share
    log_factor = np.where(late,
                          np.log(LATE_FACTOR) + LATE_LOG_SD * rng.standard_normal(n),
                          NORMAL_LOG_SD * rng.standard_normal(n))
    base = base_time(distance)
    return DeliveryTimes(
        X=distance[:, None], y=base * np.exp(log_factor), late=late,
        true_median=median_factor(outlier_share) * base, true_mean=mean_factor(outlier_share) * base,
        feature_names=FEATURE_NAMES, outlier_share=float(outlier_share),
    )
