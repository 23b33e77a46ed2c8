"""Correct: indices never become one-hot (take_along_axis for the loss, a scatter for the grad)."""

import numpy as np


def _log_softmax(z):
    m = z.max(axis=-1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def cross_entropy_loss(logits, labels):
    log_p = _log_softmax(logits)
    if labels.ndim == 1:
        index = labels.astype(int)[:, None]
        return float(-np.take_along_axis(log_p, index, axis=1).mean())
    y = labels.astype(float)
    # Products only where the label is non-zero: the `where=` of a ufunc skips the others.
    terms = np.multiply(y, log_p, out=np.zeros_like(log_p), where=y != 0)
    return float(-terms.sum() / len(logits))


def cross_entropy_grad(logits, labels):
    grad = np.exp(_log_softmax(logits))
    n = len(logits)
    if labels.ndim == 1:
        grad[np.arange(n), labels.astype(int)] -= 1.0
    else:
        grad -= labels
    return grad / n
