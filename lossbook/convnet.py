"""A small convolutional network and a mini-batch training loop for the image chapters.

The loss is always passed in: lossbook supplies the network and the loop, the
chapter (or the student) supplies the loss. Everything runs on the CPU in seconds.
"""

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm


class SmallConvNet(nn.Module):
    """conv(3×3) → ReLU → max-pool, twice, then a linear layer.

    n_outputs is the number of class logits (classification) or the embedding
    dimension (metric learning). Initialised from `seed` without touching the
    global torch random state.
    """

    def __init__(self, in_channels=1, n_outputs=5, width=16, seed=0):
        super().__init__()
        # what the grader needs to rebuild this network from its weights (plain data)
        self.config = dict(in_channels=in_channels, n_outputs=n_outputs, width=width, seed=seed)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                # a 3×3 grid keeps where a structure is, not only whether it is there
                nn.AdaptiveAvgPool2d(3), nn.Flatten(),
            )
            self.head = nn.Linear(2 * width * 9, n_outputs)

    def forward(self, x):
        return self.head(self.features(x))


def _as_tensor(a):
    a = np.asarray(a)
    return torch.from_numpy(a.astype(np.float32) if a.dtype.kind == "f" else a.astype(np.int64))


def train_model(model, arrays, batch_loss, epochs=10, batch_size=64, lr=3e-3, seed=0, progress=False):
    """Adam on mini-batches drawn without replacement from `arrays` (equal-length NumPy arrays).

    batch_loss(model, *batch) returns the scalar loss tensor of one mini-batch
    (floats arrive as float32 tensors, integers as int64). Returns the loss of
    every step as a NumPy array of length epochs × ceil(N / batch_size).
    """
    tensors = [_as_tensor(a) for a in arrays]
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError(f"arrays must have the same length, got {[len(t) for t in tensors]}")
    order = torch.Generator().manual_seed(seed)  # its own generator: shuffling is reproducible
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in tqdm(range(epochs), desc="학습(epoch)", disable=not progress):
        for idx in torch.randperm(n, generator=order).split(batch_size):
            loss = batch_loss(model, *(t[idx] for t in tensors))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    return np.array(losses)


def train_classifier(model, X, y, loss_fn, **kwargs):
    """train_model for classification: loss_fn(logits, labels) -> scalar tensor."""
    return train_model(model, (X, y), lambda m, xb, yb: loss_fn(m(xb), yb), **kwargs)


@torch.no_grad()
def predict_logits(model, X, batch_size=1024):
    """The model's outputs for X as a float64 NumPy array (evaluation mode, no gradients)."""
    model.eval()
    X = _as_tensor(X)
    return torch.cat([model(xb) for xb in X.split(batch_size)]).double().numpy()
