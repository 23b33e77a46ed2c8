"""Correct: the sigmoid through logaddexp, tanh through the sigmoid, slopes from the outputs."""

import numpy as np


def sigmoid(x):
    # log(1 + exp(-x)) = logaddexp(0, -x), computed without overflow.
    return np.exp(-np.logaddexp(0, -x))


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def sigmoid_backward(grad_output, x):
    s = sigmoid(x).astype(grad_output.dtype)
    return grad_output * (s - s * s)


def tanh_backward(grad_output, x):
    t = tanh(x).astype(grad_output.dtype)
    return grad_output * (1 - t) * (1 + t)
