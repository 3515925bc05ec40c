"""Spam e-mails (chapter 3, 스팸 메일 분류).

Generative process, per e-mail i (features drawn independently of each other):
    links_i    ~ Poisson(1.5)           본문의 링크 수
    exclaim_i  ~ Poisson(1.0)           느낌표 수
    ad_words_i ~ Poisson(0.8)           광고성 단어 수 ("무료", "당첨", "(광고)" …)
    known_i    ~ Bernoulli(0.45)        발신자가 주소록에 있으면 1
    length_i   ~ Normal(6.0, 0.8)       본문 길이 (log 글자 수)
    z_i        = INTERCEPT + COEF · (links_i, exclaim_i, ad_words_i, known_i, length_i)
    p_i        = sigmoid(z_i)           the true spam probability P(y = 1 | x_i)
    y_i        ~ Bernoulli(p_i)         1 = 스팸, 0 = 정상 메일
The log-odds are linear in the features, so logistic regression is the correctly
specified model: its maximum-likelihood fit estimates INTERCEPT and COEF, and the
true probabilities p_i let a chapter compare estimated probabilities with the truth.
"""

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = ("링크 수", "느낌표 수", "광고성 단어 수", "주소록 발신자", "본문 길이(log 글자 수)")
INTERCEPT = 1.8
COEF = np.array([0.45, 0.35, 1.1, -2.2, -0.5])


@dataclass(frozen=True)
class SpamEmails:
    X: np.ndarray           # (n, 5) features in FEATURE_NAMES order
    y: np.ndarray           # (n,) labels, 1.0 = spam, 0.0 = not spam
    true_logit: np.ndarray  # (n,) z_i, the true log-odds of spam
    true_prob: np.ndarray   # (n,) p_i = sigmoid(z_i) = P(y = 1 | x_i)
    feature_names: tuple
    intercept: float
    coef: np.ndarray


def _sigmoid(z):
    # Written for each sign separately so that exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def make_spam_emails(n=2000, seed=0):
    """Draw n e-mails from the process in the module docstring."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.poisson(1.5, n),
        rng.poisson(1.0, n),
        rng.poisson(0.8, n),
        rng.binomial(1, 0.45, n),
        rng.normal(6.0, 0.8, n),
    ]).astype(np.float64)
    z = INTERCEPT + X @ COEF
    p = _sigmoid(z)
    y = (rng.uniform(size=n) < p).astype(np.float64)
    return SpamEmails(X=X, y=y, true_logit=z, true_prob=p, feature_names=FEATURE_NAMES,
                      intercept=INTERCEPT, coef=COEF.copy())
