"""Correct: copies first, then in-place operators on the copies only."""

import numpy as np


def sgd_step(param, grad, lr=0.01):
    out = np.array(param, dtype=np.float64, copy=True)
    out -= lr * grad
    return out


def momentum_step(param, grad, velocity, lr=0.01, momentum=0.9, nesterov=False):
    v = np.array(velocity, dtype=np.float64, copy=True)
    v *= momentum
    v += grad
    out = np.array(param, dtype=np.float64, copy=True)
    if nesterov:
        out -= lr * grad
        out -= lr * momentum * v
    else:
        out -= lr * v
    return out, v
