"""Hourly traffic counts at one road sensor (chapter 7, 시간대별 교통량 예측).

Generative process, for hours t = 0, …, 24·7·n_weeks − 1 (vehicles per hour, 대/시간):
    hour_t = t mod 24                     시각 (0-23)
    day_t  = (t // 24) mod 7              요일, 0 = 월요일 … 6 = 일요일
    weekend_t = 1 if day_t ≥ 5 else 0

The clean pattern mu_t (the quantity a model should recover) is a smooth daily profile
that depends on the hour and on weekday/weekend, plus a fixed offset per weekday:
    weekday:  mu = 120 + 820·b(hour; 8, 2.0) + 700·b(hour; 18, 2.2) + 260·b(hour; 13, 3.0) + DAY_OFFSET[day]
    weekend:  mu = 120 + 520·b(hour; 14, 3.5) + 150·b(hour; 20, 2.5)                      + DAY_OFFSET[day]
where b(h; c, s) = exp(−d(h, c)² / (2 s²)) is a bump at hour c of width s hours and
d(h, c) is the distance on the 24-hour circle (so 23시 and 0시 are neighbours).

Observed counts: y_t = mu_t + noise_sd · z_t with z_t ~ N(0, 1), except on a set of
exactly round(outlier_rate · n) hours (chosen uniformly at random) whose reading is
replaced by one of three kinds of outlier, chosen with probabilities 1/2, 1/4, 1/4:
    INCIDENT (사고·공사)   y_t = mu_t · U(0.05, 0.35)       flow collapses behind a blockage
    DROPOUT  (센서 0 기록) y_t = 0                          a dead loop detector reports zero
    SPIKE    (센서 튐)     y_t = mu_t + U(1000, 2500)       double counting / electrical glitch
For one seed the noise, the order in which hours become outliers and the outlier values
are drawn once, so raising outlier_rate only adds outliers: the 10 % data set contains
the outliers of the 5 % data set.
"""

from dataclasses import dataclass

import numpy as np

HOURS_PER_WEEK = 24 * 7
BASE = 120.0
WEEKDAY_BUMPS = ((820.0, 8.0, 2.0), (700.0, 18.0, 2.2), (260.0, 13.0, 3.0))  # (height, hour, width)
WEEKEND_BUMPS = ((520.0, 14.0, 3.5), (150.0, 20.0, 2.5))
DAY_OFFSET = np.array([0.0, 10.0, 15.0, 20.0, 60.0, 40.0, 0.0])  # 월 … 일
DAY_NAMES = ("월", "화", "수", "목", "금", "토", "일")
OUTLIER_KINDS = ("정상", "사고", "센서 0 기록", "센서 튐")  # codes 0, 1, 2, 3 of TrafficFlow.outlier_kind


@dataclass(frozen=True)
class TrafficFlow:
    hour: np.ndarray          # (n,) hour of day 0-23
    day: np.ndarray           # (n,) day of week, 0 = Monday
    y: np.ndarray             # (n,) observed count (대/시간)
    clean: np.ndarray         # (n,) true clean pattern mu_t
    is_outlier: np.ndarray    # (n,) bool
    outlier_kind: np.ndarray  # (n,) int code into OUTLIER_KINDS (0 = not an outlier)
    noise_sd: float
    outlier_rate: float


def _bump(hour, centre, width):
    d = np.abs(hour - centre)
    d = np.minimum(d, 24.0 - d)  # distance on the 24-hour circle
    return np.exp(-d**2 / (2.0 * width**2))


def clean_pattern(hour, day):
    """The true clean pattern mu for arrays of hour (0-23, may be fractional) and day (0-6)."""
    hour = np.asarray(hour, dtype=float)
    day = np.asarray(day, dtype=int)
    weekday = BASE + sum(h * _bump(hour, c, s) for h, c, s in WEEKDAY_BUMPS)
    weekend = BASE + sum(h * _bump(hour, c, s) for h, c, s in WEEKEND_BUMPS)
    return np.where(day >= 5, weekend, weekday) + DAY_OFFSET[day]


def make_traffic_flow(n_weeks=16, outlier_rate=0.0, noise_sd=50.0, seed=0):
    """Draw n_weeks of hourly counts from the process in the module docstring."""
    if n_weeks < 1:
        raise ValueError(f"n_weeks must be positive, got {n_weeks}")
    if not 0.0 <= outlier_rate <= 1.0:
        raise ValueError(f"outlier_rate must be in [0, 1], got {outlier_rate}")
    if noise_sd < 0:
        raise ValueError(f"noise_sd must be non-negative, got {noise_sd}")
    n = HOURS_PER_WEEK * n_weeks
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    hour, day = t % 24, (t // 24) % 7
    mu = clean_pattern(hour, day)
    y = mu + noise_sd * rng.standard_normal(n)

    order = rng.permutation(n)                          # hours become outliers in this order
    kind_all = rng.choice([1, 2, 3], size=n, p=[0.5, 0.25, 0.25])
    incident = mu * rng.uniform(0.05, 0.35, n)
    spike = mu + rng.uniform(1000.0, 2500.0, n)

    chosen = order[: int(round(outlier_rate * n))]
    kind = np.zeros(n, dtype=int)
    kind[chosen] = kind_all[chosen]
    y = np.where(kind == 1, incident, y)
    y = np.where(kind == 2, 0.0, y)
    y = np.where(kind == 3, spike, y)
    return TrafficFlow(hour=hour, day=day, y=y, clean=mu, is_outlier=kind > 0, outlier_kind=kind,
                       noise_sd=float(noise_sd), outlier_rate=float(outlier_rate))


def traffic_features(hour, day, n_harmonics=6):
    """Design matrix of the chapter's linear model, without an intercept column:
    cos/sin(2π k·hour/24) for k = 1..n_harmonics, the same multiplied by the weekend
    indicator (a separate weekend profile), and one-hot day indicators for Tuesday-Sunday
    (Monday is the baseline absorbed by the intercept)."""
    hour = np.asarray(hour, dtype=float)
    day = np.asarray(day, dtype=int)
    weekend = (day >= 5).astype(float)[:, None]
    angle = 2.0 * np.pi * hour[:, None] * np.arange(1, n_harmonics + 1)[None, :] / 24.0
    fourier = np.hstack([np.cos(angle), np.sin(angle)])
    days = (day[:, None] == np.arange(1, 7)[None, :]).astype(float)
    return np.hstack([fourier, fourier * weekend, days])
