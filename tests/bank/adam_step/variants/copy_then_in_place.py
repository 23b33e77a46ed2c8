"""Correct: copies the inputs, then updates the copies in place with out= and augmented ops."""

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = np.array(m, dtype=np.float64, copy=True)
    new_m *= beta1
    new_m += (1 - beta1) * grad
    new_v = np.array(v, dtype=np.float64, copy=True)
    new_v *= beta2
    new_v += (1 - beta2) * grad**2
    denom = np.sqrt(new_v / (1 - beta2**t))
    denom += eps
    new_param = np.array(param, dtype=np.float64, copy=True)
    new_param -= lr * (new_m / (1 - beta1**t)) / denom
    return new_param, new_m, new_v
