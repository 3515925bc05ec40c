"""Independent references built from library code: PyTorch autograd and finite differences."""

import numpy as np
import torch


def torch_loss(loss_fn):
    """NumPy-in, float-out wrapper of a PyTorch loss `loss_fn(pred, target)` (float64)."""
    def value(target, pred):
        return float(loss_fn(torch.as_tensor(pred, dtype=torch.float64),
                             torch.as_tensor(target, dtype=torch.float64)))
    return value


def torch_grad(loss_fn):
    """Gradient of `loss_fn(pred, target)` with respect to the prediction, by autograd."""
    def grad(target, pred):
        p = torch.tensor(np.asarray(pred, dtype=np.float64), requires_grad=True)
        loss_fn(p, torch.as_tensor(target, dtype=torch.float64)).backward()
        return p.grad.numpy()
    return grad


def central_difference(f, x, h=1e-6):
    """Numerical gradient of scalar f at array x, one coordinate at a time."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
