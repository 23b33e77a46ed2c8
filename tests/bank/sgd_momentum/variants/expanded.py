"""Correct: the step expanded into gradient and old-velocity terms, with NumPy's ufuncs."""

import numpy as np


def sgd_step(w, dw, lr=0.01):
    return np.subtract(w, np.multiply(lr, dw))


def momentum_step(w, dw, buf, lr=0.01, momentum=0.9, nesterov=False):
    new_buf = np.add(np.multiply(momentum, buf), dw)
    if nesterov:
        # dw + momentum * (momentum * buf + dw) = (1 + momentum) dw + momentum**2 buf
        update = (1 + momentum) * dw + momentum**2 * buf
    else:
        update = dw + momentum * buf
    return w - lr * update, new_buf
