"""Correct but slow: one sample and one class at a time with the math module."""

import math

import numpy as np


def _log_softmax_row(row):
    top = max(row)
    log_total = math.log(sum(math.exp(v - top) for v in row))
    return [v - top - log_total for v in row]


def _target_row(labels, n, num_classes):
    if np.ndim(labels) == 1:
        return [1.0 if c == int(labels[n]) else 0.0 for c in range(num_classes)]
    return [float(v) for v in labels[n]]


def cross_entropy_loss(logits, labels):
    n_samples, num_classes = np.shape(logits)
    total = 0.0
    for n in range(n_samples):
        log_probs = _log_softmax_row([float(v) for v in logits[n]])
        for y, log_p in zip(_target_row(labels, n, num_classes), log_probs, strict=True):
            if y != 0.0:
                total -= y * log_p
    return total / n_samples


def cross_entropy_grad(logits, labels):
    n_samples, num_classes = np.shape(logits)
    grad = np.empty((n_samples, num_classes))
    for n in range(n_samples):
        log_probs = _log_softmax_row([float(v) for v in logits[n]])
        targets = _target_row(labels, n, num_classes)
        for c in range(num_classes):
            grad[n, c] = (math.exp(log_probs[c]) - targets[c]) / n_samples
    return grad
