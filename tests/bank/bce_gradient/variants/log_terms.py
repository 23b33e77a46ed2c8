"""Correct: min/max clipping, the gradient as two log terms, logaddexp and its own names."""

import numpy as np


def bce_loss(probs, target, eps=1e-7):
    p = np.minimum(np.maximum(probs, eps), 1.0 - eps)
    return -np.mean(target * np.log(p) + (1.0 - target) * np.log1p(-p))


def bce_grad(probs, target, eps=1e-7):
    p = np.minimum(np.maximum(probs, eps), 1.0 - eps)
    return (-target / p + (1.0 - target) / (1.0 - p)) / probs.size


def bce_with_logits_loss(scores, target):
    # softplus(z) = log(1 + e^z) = logaddexp(0, z); BCE = softplus(z) - y z
    return np.mean(np.logaddexp(0.0, scores) - target * scores)


def bce_with_logits_grad(scores, target):
    sigmoid = np.exp(-np.logaddexp(0.0, -scores))
    return (sigmoid - target) / scores.size
