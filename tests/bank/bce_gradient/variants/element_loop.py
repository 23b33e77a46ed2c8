"""Correct but slow: math on one element at a time (speed shows it, score does not)."""

import math

import numpy as np


def bce_loss(y_pred, y_true, eps=1e-7):
    total = 0.0
    for p, y in zip(np.ravel(y_pred), np.ravel(y_true), strict=True):
        p = min(max(float(p), eps), 1 - eps)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / np.size(y_pred)


def bce_grad(y_pred, y_true, eps=1e-7):
    out = np.empty(np.shape(y_pred))
    flat = out.reshape(-1)
    n = flat.size
    for i, (p, y) in enumerate(zip(np.ravel(y_pred), np.ravel(y_true), strict=True)):
        p = min(max(float(p), eps), 1 - eps)
        flat[i] = (p - y) / (p * (1 - p)) / n
    return out


def _softplus(x):
    # log(1 + e^x) without overflow
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def bce_with_logits_loss(logits, y_true):
    pairs = zip(np.ravel(logits), np.ravel(y_true), strict=True)
    return sum(_softplus(float(z)) - float(z) * float(y) for z, y in pairs) / np.size(logits)


def bce_with_logits_grad(logits, y_true):
    out = np.empty(np.shape(logits))
    flat = out.reshape(-1)
    for i, (z, y) in enumerate(zip(np.ravel(logits), np.ravel(y_true), strict=True)):
        z = float(z)
        s = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        flat[i] = (s - y) / flat.size
    return out
