"""Correct: one variance per law, drawn as (fan_in, fan_out) and transposed to (fan_out, fan_in)."""

import numpy as np


def _draw(variance, uniform, fan_in, fan_out, rng):
    if uniform:
        a = np.sqrt(3.0 * variance)  # U(-a, a) has variance a**2 / 3
        w = rng.uniform(low=-a, high=a, size=(fan_in, fan_out))
    else:
        w = rng.normal(loc=0.0, scale=np.sqrt(variance), size=(fan_in, fan_out))
    return w.T


def xavier_uniform(n_in, n_out, generator):
    return _draw(2.0 / (n_in + n_out), True, n_in, n_out, generator)


def xavier_normal(n_in, n_out, generator):
    return _draw(2.0 / (n_in + n_out), False, n_in, n_out, generator)


def he_uniform(n_in, n_out, generator):
    return _draw(2.0 / n_in, True, n_in, n_out, generator)


def he_normal(n_in, n_out, generator):
    return _draw(2.0 / n_in, False, n_in, n_out, generator)
