"""Correct: everything in float64 (sigmoid from tanh), cast back to the dtype to keep."""

import numpy as np


def _as64(a):
    return np.asarray(a, dtype=np.float64)


def sigmoid(x):
    return (0.5 * (1.0 + np.tanh(0.5 * _as64(x)))).astype(x.dtype)


def tanh(x):
    return np.tanh(_as64(x)).astype(x.dtype)


def sigmoid_backward(grad_output, x):
    s = 0.5 * (1.0 + np.tanh(0.5 * _as64(x)))
    return (_as64(grad_output) * s * (1.0 - s)).astype(grad_output.dtype)


def tanh_backward(grad_output, x):
    sech = 1.0 / np.cosh(np.clip(_as64(x), -350.0, 350.0))
    return (_as64(grad_output) * sech * sech).astype(grad_output.dtype)
