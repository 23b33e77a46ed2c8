"""Bug: bce_grad returns (y - p) / (p (1 - p)): the sign is flipped."""
# expect: wrong sign

import numpy as np


def bce_loss(y_pred, y_true, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_grad(y_pred, y_true, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (y_true - p) / (p * (1 - p)) / y_pred.size


def bce_with_logits_loss(logits, y_true):
    z = logits
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(logits, y_true):
    e = np.exp(-np.abs(logits))
    sig = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return (sig - y_true) / logits.size
