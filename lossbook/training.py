"""Training loops shared by the chapters. The loss gradient is always passed in:
lossbook supplies the loop, the chapter (or the student) supplies the loss."""

import numpy as np
from tqdm.auto import tqdm


def standardize(X, mean=None, std=None):
    """Column-wise z-scores, so that one learning rate suits every feature.
    Returns (Z, mean, std); pass mean/std from the training set to transform others."""
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=0) if mean is None else mean
    std = X.std(axis=0) if std is None else std
    return (X - mean) / std, mean, std


def fit_linear_gd(X, y, loss_grad, lr=0.1, n_steps=500, progress=False):
    """Fit y ≈ X @ w + b by plain gradient descent.

    loss_grad(y_true, y_pred) is the gradient of the loss with respect to the
    predictions (shape (n,)); the chain rule gives dL/dw = Xᵀ g and dL/db = Σ g.
    Returns (w, b, history) where history[t] = (w, b) before step t, as one array
    of shape (n_steps + 1, d + 1) with b in the last column.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1])
    b = 0.0
    history = np.empty((n_steps + 1, X.shape[1] + 1))
    for t in tqdm(range(n_steps), desc="경사 하강", disable=not progress):
        history[t] = np.append(w, b)
        g = loss_grad(y, X @ w + b)
        w = w - lr * (X.T @ g)
        b = b - lr * float(np.sum(g))
    history[n_steps] = np.append(w, b)
    return w, b, history
