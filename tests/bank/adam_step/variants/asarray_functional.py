"""Correct: np.asarray on entry, NumPy ufuncs throughout, a named tuple-like return."""

import numpy as np


def _moment(previous, sample, beta):
    return np.add(np.multiply(beta, previous), np.multiply(1.0 - beta, sample))


def adam_step(params, gradient, mean, var, timestep, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    params, gradient = np.asarray(params, dtype=float), np.asarray(gradient, dtype=float)
    mean = _moment(np.asarray(mean, dtype=float), gradient, beta1)
    var = _moment(np.asarray(var, dtype=float), np.power(gradient, 2), beta2)
    mean_hat = mean / (1.0 - np.power(beta1, timestep))
    var_hat = var / (1.0 - np.power(beta2, timestep))
    update = lr * mean_hat / np.add(np.sqrt(var_hat), eps)
    return tuple([params - update, mean, var])
