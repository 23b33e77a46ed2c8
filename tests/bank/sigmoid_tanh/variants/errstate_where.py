"""Correct: both textbook branches under np.errstate, the discarded overflow silenced."""

import numpy as np


def sigmoid(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def sigmoid_backward(dout, z):
    s = sigmoid(z)
    return (dout * s * (1 - s)).astype(dout.dtype)


def tanh(z):
    return np.tanh(z)


def tanh_backward(dout, z):
    return (dout * (1 - np.tanh(z) ** 2)).astype(dout.dtype)
