"""Correct: log-softmax from np.logaddexp.reduce, softmax as its exponential."""

import numpy as np


def log_softmax(scores, axis=-1):
    return scores - np.logaddexp.reduce(scores, axis=axis, keepdims=True)


def softmax(scores, axis=-1):
    return np.exp(log_softmax(scores, axis=axis))


def softmax_backward(upstream, p, axis=-1):
    return p * upstream - p * (p * upstream).sum(axis=axis, keepdims=True)
