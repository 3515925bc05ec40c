"""Ad impressions (chapter 6, 소셜 미디어 광고 클릭 예측).

Generative process, per impression i (one ad shown once to one user in the feed;
features drawn independently of each other):
    match_i    ~ Beta(2, 5)             사용자 관심사와 광고의 일치도 (0~1)
    clicks_i   ~ Poisson(0.4)           이 사용자가 지난 30일에 클릭한 광고 수
    top_i      ~ Bernoulli(0.3)         피드 맨 위에 노출되면 1
    mobile_i   ~ Bernoulli(0.7)         모바일 앱에서 노출되면 1
    freq_i     ~ Poisson(2.0)           이 사용자가 같은 광고를 오늘 이미 본 횟수 (광고 피로도)
    z_i        = INTERCEPT + COEF · (match_i, clicks_i, top_i, mobile_i, freq_i)
    p_i        = sigmoid(z_i)           the true click probability P(y = 1 | x_i)
    y_i        ~ Bernoulli(p_i)         1 = 클릭, 0 = 클릭 안 함
INTERCEPT is set so that the overall click-through rate E[p_i] is about 2%.
The log-odds are linear in the features, so logistic regression is the correctly
specified model, and the true probabilities p_i let a chapter measure calibration
against the truth rather than only against sampled labels.
"""

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = ("관심사 일치도", "최근 30일 클릭 수", "피드 상단 노출", "모바일", "오늘 같은 광고 노출 횟수")
INTERCEPT = -5.6
COEF = np.array([4.0, 0.6, 0.9, 0.3, -0.3])


@dataclass(frozen=True)
class AdImpressions:
    X: np.ndarray           # (n, 5) features in FEATURE_NAMES order
    y: np.ndarray           # (n,) labels, 1.0 = click, 0.0 = no click
    true_logit: np.ndarray  # (n,) z_i, the true log-odds of a click
    true_prob: np.ndarray   # (n,) p_i = sigmoid(z_i) = P(y = 1 | x_i)
    feature_names: tuple
    intercept: float
    coef: np.ndarray


def make_ad_impressions(n=50_000, seed=0):
    """Draw n impressions from the process in the module docstring."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.beta(2.0, 5.0, n),
        rng.poisson(0.4, n),
        rng.binomial(1, 0.3, n),
        rng.binomial(1, 0.7, n),
        rng.poisson(2.0, n),
    ]).astype(np.float64)
    z = INTERCEPT + X @ COEF
    p = np.exp(-np.logaddexp(0.0, -z))  # sigmoid without overflow
    y = (rng.uniform(size=n) < p).astype(np.float64)
    return AdImpressions(X=X, y=y, true_logit=z, true_prob=p, feature_names=FEATURE_NAMES,
                         intercept=INTERCEPT, coef=COEF.copy())
