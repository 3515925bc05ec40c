"""Household energy consumption (chapter 9, 가정 에너지 소비 예측).

Generative process, per household i (monthly electricity use in kWh):
    area_i    ~ LogNormal(log 80, 0.9), clipped to [10, 1000]   면적 (m²)
    people_i  ~ Uniform{1, ..., 6}                              가구원 수
    heat_i    ~ Bernoulli(0.3)                                  전기 난방 (히트펌프 등)
    ev_i      ~ Bernoulli(0.2)                                  전기차 충전
    occ_i     ~ Uniform(0.03, 0.3) with probability 0.2 (빈집·세컨드 하우스),
                otherwise Uniform(0.7, 1.0)                     한 달 중 거주 비율
    m_i = 3.0 · area_i^0.85 · people_i^0.35 · exp(1.1·heat_i + 0.9·ev_i) · occ_i
    y_i = m_i · exp(noise_sd · e_i),   e_i ~ N(0, 1)            multiplicative noise

So log m_i is linear in the features (log area, log people, heat, ev, log occ) and
y_i spans about three orders of magnitude (a few kWh to several thousand kWh).
Exposed truths, given x_i:
    true_median          m_i
    true_mean            m_i · exp(noise_sd² / 2)
    true_log1p_mean      E[log(1 + y_i)], by Gauss–Hermite quadrature; the prediction
                         minimising the expected MSLE is expm1(true_log1p_mean).
"""

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = ("면적(m²)", "가구원 수", "전기 난방", "전기차", "거주 비율")
SCALE = 3.0
AREA_POWER = 0.85
PEOPLE_POWER = 0.35
HEAT_EFFECT = 1.1
EV_EFFECT = 0.9
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(60)  # for E[f(e)], e ~ N(0, 1)


@dataclass(frozen=True)
class EnergyConsumption:
    X: np.ndarray                # (n, 5) raw features in FEATURE_NAMES order
    y: np.ndarray                # (n,) observed monthly consumption (kWh), always > 0
    true_median: np.ndarray      # (n,) median of y given x (= m)
    true_mean: np.ndarray        # (n,) E[y | x]
    true_log1p_mean: np.ndarray  # (n,) E[log1p(y) | x]
    feature_names: tuple
    noise_sd: float


def household_features(X):
    """The features in which log m is linear: (log area, log people, heat, ev, log occupancy)."""
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([np.log(X[:, 0]), np.log(X[:, 1]), X[:, 2], X[:, 3], np.log(X[:, 4])])


def make_energy_consumption(n=2000, noise_sd=0.4, seed=0):
    """Draw n households from the process in the module docstring."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if noise_sd < 0:
        raise ValueError(f"noise_sd must be non-negative, got {noise_sd}")
    rng = np.random.default_rng(seed)
    area = np.clip(np.exp(rng.normal(np.log(80.0), 0.9, n)), 10.0, 1000.0)
    people = rng.integers(1, 7, n).astype(np.float64)
    heat = (rng.random(n) < 0.3).astype(np.float64)
    ev = (rng.random(n) < 0.2).astype(np.float64)
    vacant = rng.random(n) < 0.2
    occ = np.where(vacant, rng.uniform(0.03, 0.3, n), rng.uniform(0.7, 1.0, n))
    median = (SCALE * area**AREA_POWER * people**PEOPLE_POWER
              * np.exp(HEAT_EFFECT * heat + EV_EFFECT * ev) * occ)
    y = median * np.exp(noise_sd * rng.standard_normal(n))
    log1p_mean = (np.log1p(median[:, None] * np.exp(noise_sd * _GH_NODES[None, :])) @ _GH_WEIGHTS
                  / np.sqrt(2.0 * np.pi))
    return EnergyConsumption(
        X=np.column_stack([area, people, heat, ev, occ]), y=y, true_median=median,
        true_mean=median * np.exp(noise_sd**2 / 2.0), true_log1p_mean=log1p_mean,
        feature_names=FEATURE_NAMES, noise_sd=noise_sd,
    )
