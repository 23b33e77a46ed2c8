"""Bug: averages over the batch axis only (sum / len(y_pred), grad / shape[0])."""
# expect: batch axis only

import numpy as np


def bce_loss(y_pred, y_true, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    per_element = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return float(np.sum(per_element) / len(y_pred))


def bce_grad(y_pred, y_true, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (p - y_true) / (p * (1 - p)) / y_pred.shape[0]


def bce_with_logits_loss(logits, y_true):
    z = logits
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(logits, y_true):
    e = np.exp(-np.abs(logits))
    sig = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return (sig - y_true) / logits.size
