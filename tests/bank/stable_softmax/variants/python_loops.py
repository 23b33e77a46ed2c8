"""Correct but slow: a Python loop over every slice and element, with math.exp and math.log."""

import math

import numpy as np


def _slices(array, axis):
    """The array with axis moved last, flattened to (number of slices, slice length)."""
    moved = np.moveaxis(np.asarray(array), axis, -1)
    return moved, moved.reshape(-1, moved.shape[-1])


def _back(rows, moved, axis, dtype):
    return np.moveaxis(np.array(rows, dtype=dtype).reshape(moved.shape), -1, axis)


def softmax(values, axis=-1):
    moved, rows = _slices(values, axis)
    out = []
    for row in rows:
        top = max(float(v) for v in row)
        exps = [math.exp(float(v) - top) for v in row]
        total = sum(exps)
        out.append([e / total for e in exps])
    return _back(out, moved, axis, moved.dtype)


def log_softmax(values, axis=-1):
    moved, rows = _slices(values, axis)
    out = []
    for row in rows:
        top = max(float(v) for v in row)
        log_total = math.log(sum(math.exp(float(v) - top) for v in row))
        out.append([float(v) - top - log_total for v in row])
    return _back(out, moved, axis, np.float64)


def softmax_backward(grads, probs, axis=-1):
    moved, prob_rows = _slices(probs, axis)
    _, grad_rows = _slices(grads, axis)
    out = []
    for g, p in zip(grad_rows, prob_rows):
        dot = sum(float(a) * float(b) for a, b in zip(g, p))
        out.append([float(b) * (float(a) - dot) for a, b in zip(g, p)])
    return _back(out, moved, axis, np.float64)
