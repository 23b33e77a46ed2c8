"""Correct: np.where clipping, tanh sigmoid, losses returned as 0-d arrays, sums over size."""

import numpy as np


def _clip(x, eps):
    x = np.where(x < eps, eps, x)
    return np.where(x > 1 - eps, 1 - eps, x)


def bce_loss(pred, labels, eps=1e-7):
    p = _clip(pred, eps)
    terms = labels * np.log(p) + (1 - labels) * np.log(1 - p)
    return np.asarray(-terms.sum() / terms.size)


def bce_grad(pred, labels, eps=1e-7):
    p = _clip(pred, eps)
    n = np.prod(np.shape(pred))
    return (p - labels) / (p - p * p) / n


def bce_with_logits_loss(z, labels):
    # -log sigmoid(z) = softplus(-z) = max(-z, 0) + log1p(exp(-|z|)); BCE = (1 - y) z + softplus(-z)
    softplus_neg = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))
    return np.asarray(np.mean((1 - labels) * z + softplus_neg))


def bce_with_logits_grad(z, labels):
    sigmoid = 0.5 * (1 + np.tanh(0.5 * z))
    return (sigmoid - labels) / np.size(z)
