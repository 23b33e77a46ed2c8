"""Softmax cross-entropy and its gradient: fill in both functions (see `kata show softmax_cross_entropy`)."""

import numpy as np


def cross_entropy_loss(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean over the N samples of -sum_c y[n, c] * log_softmax(logits)[n, c].

    logits has shape (N, C). labels is either class indices of shape (N,) or probability
    rows of shape (N, C) (one-hot or soft): its number of dimensions says which, whatever
    its dtype. Stable for logits of magnitude 1e4; a label of 0 on a class with logit -inf
    contributes 0.
    """
    raise NotImplementedError("cross_entropy_loss")


def cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dL/dlogits of cross_entropy_loss: (softmax(logits) - y) / N, shape (N, C)."""
    raise NotImplementedError("cross_entropy_grad")
