"""Correct: the plain sigmoid with overflow silenced by np.errstate (exp(1000) = inf gives 0)."""

import numpy as np


def bce_loss(y_hat, y, eps=1e-7):
    y_hat = np.clip(y_hat, eps, 1 - eps)
    return float(np.mean(-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)))


def bce_grad(y_hat, y, eps=1e-7):
    p = np.clip(y_hat, eps, 1 - eps)
    return (p - y) / (p * (1 - p)) / y_hat.size


def bce_with_logits_loss(z, y):
    # log(1 + exp(-|z|)) is in [0, log 2]: no overflow; the large part is max(z, 0) - z y.
    return float(np.mean(np.maximum(z, 0) - z * y + np.log(1 + np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y):
    with np.errstate(over="ignore"):
        s = 1.0 / (1.0 + np.exp(-z))
    return (s - y) / z.size
