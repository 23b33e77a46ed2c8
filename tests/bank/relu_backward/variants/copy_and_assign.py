"""Correct: copy, then zero by boolean indexing."""

import numpy as np


def relu_forward(x):
    out = np.array(x, copy=True)
    out[out < 0] = 0
    return out


def relu_backward(grad, inputs):
    out = grad.copy()
    out[inputs <= 0] = 0
    return out
