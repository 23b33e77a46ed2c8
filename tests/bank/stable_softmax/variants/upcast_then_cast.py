"""Correct: compute in float64 and cast the result back to the input's dtype."""

import numpy as np


def softmax(a, axis=-1):
    a64 = np.asarray(a, dtype=np.float64)
    shifted = a64 - a64.max(axis, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis, keepdims=True)
    return probs.astype(np.asarray(a).dtype)


def log_softmax(a, axis=-1):
    a64 = np.asarray(a, dtype=np.float64)
    m = a64.max(axis, keepdims=True)
    lse = m + np.log(np.exp(a64 - m).sum(axis, keepdims=True))
    return (a64 - lse).astype(np.asarray(a).dtype)


def softmax_backward(d_probs, probs, axis=-1):
    s = (d_probs * probs).sum(axis, keepdims=True)
    return (probs * (d_probs - s)).astype(np.result_type(d_probs, probs))
