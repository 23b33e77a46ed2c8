"""Correct but slow: one element at a time (speed shows it, score does not)."""

import numpy as np


def sgd_step(param, grad, lr=0.01):
    out = np.empty(np.shape(param))
    for index in np.ndindex(out.shape):
        out[index] = param[index] - lr * grad[index]
    return out


def momentum_step(param, grad, velocity, lr=0.01, momentum=0.9, nesterov=False):
    new_param = np.empty(np.shape(param))
    new_v = np.empty(np.shape(param))
    for index in np.ndindex(new_param.shape):
        v = momentum * velocity[index] + grad[index]
        step = grad[index] + momentum * v if nesterov else v
        new_v[index] = v
        new_param[index] = param[index] - lr * step
    return new_param, new_v
