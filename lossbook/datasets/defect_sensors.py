"""Sensor measurements of good and defective parts (chapter 4, 제조 라인 불량 검출).

Generative process, per part i (labels are ±1, as the hinge loss needs):
    y_i = +1 (불량, defective) with probability defect_rate, else y_i = −1 (정상, good)
    x_i | y_i ~ N(mu_{y_i}, Sigma)       one Gaussian per class, the SAME covariance Sigma
The first two sensors are
    진동 RMS (mm/s):    정상 평균 2.0,  불량 평균 2.0 + 1.0·separation,  sd 0.5
    온도 편차 (°C):     정상 평균 0.0,  불량 평균 0.0 + 2.0·separation,  sd 1.2
with correlation 0.3 between them. Every further sensor k = 3, ..., n_features
(n_features > 2) is an independent N(0, 1) reading whose mean moves to 0.3·separation
for defective parts (weakly informative).

Because the two classes share Sigma, the true posterior is logistic in x (as in
linear discriminant analysis):
    P(y = +1 | x) = sigmoid(a·x + c),  a = Sigma⁻¹(mu₊ − mu₋),
    c = −½(mu₊ᵀ Sigma⁻¹ mu₊ − mu₋ᵀ Sigma⁻¹ mu₋) + log(defect_rate / (1 − defect_rate)),
so the Bayes classifier is linear and the true probability of each part is known.
"""

from dataclasses import dataclass

import numpy as np

BASE_NAMES = ("진동 RMS(mm/s)", "온도 편차(°C)")
GOOD_MEAN = np.array([2.0, 0.0])
DEFECT_SHIFT = np.array([1.0, 2.0])
BASE_SD = np.array([0.5, 1.2])
BASE_CORRELATION = 0.3
EXTRA_SHIFT = 0.3


@dataclass(frozen=True)
class DefectSensors:
    X: np.ndarray             # (n, n_features) sensor readings in feature_names order
    y: np.ndarray             # (n,) labels: +1 불량, −1 정상 (float64)
    true_prob: np.ndarray     # (n,) P(y = +1 | x_i) under the generative process
    feature_names: tuple
    defect_rate: float
    mean_good: np.ndarray     # mu₋
    mean_defect: np.ndarray   # mu₊
    cov: np.ndarray           # Sigma, shared by both classes
    true_coef: np.ndarray     # a in P(y = +1 | x) = sigmoid(a·x + c)
    true_intercept: float     # c


def defect_sensor_parameters(n_features=2, separation=1.0):
    """(mean_good, mean_defect, cov) of the process in the module docstring."""
    if n_features < 2:
        raise ValueError(f"n_features must be at least 2, got {n_features}")
    extra = n_features - 2
    mean_good = np.concatenate([GOOD_MEAN, np.zeros(extra)])
    mean_defect = mean_good + separation * np.concatenate([DEFECT_SHIFT, np.full(extra, EXTRA_SHIFT)])
    cov = np.eye(n_features)
    cov[:2, :2] = np.outer(BASE_SD, BASE_SD) * np.array([[1.0, BASE_CORRELATION], [BASE_CORRELATION, 1.0]])
    return mean_good, mean_defect, cov


def make_defect_sensors(n=400, n_features=2, defect_rate=0.3, separation=1.0, seed=0):
    """Draw n parts from the process in the module docstring."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if not 0.0 < defect_rate < 1.0:
        raise ValueError(f"defect_rate must be in (0, 1), got {defect_rate}")
    mean_good, mean_defect, cov = defect_sensor_parameters(n_features, separation)
    rng = np.random.default_rng(seed)
    defective = rng.random(n) < defect_rate
    y = np.where(defective, 1.0, -1.0)
    noise = rng.multivariate_normal(np.zeros(n_features), cov, size=n, method="cholesky")
    X = np.where(defective[:, None], mean_defect, mean_good) + noise

    precision = np.linalg.inv(cov)
    coef = precision @ (mean_defect - mean_good)
    intercept = float(-0.5 * (mean_defect @ precision @ mean_defect - mean_good @ precision @ mean_good)
                      + np.log(defect_rate / (1.0 - defect_rate)))
    true_prob = 1.0 / (1.0 + np.exp(-(X @ coef + intercept)))
    names = BASE_NAMES + tuple(f"보조 센서 {k}" for k in range(3, n_features + 1))
    return DefectSensors(
        X=X, y=y, true_prob=true_prob, feature_names=names, defect_rate=defect_rate,
        mean_good=mean_good, mean_defect=mean_defect, cov=cov, true_coef=coef,
        true_intercept=intercept,
    )
