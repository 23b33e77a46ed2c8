"""Correct but slow: an explicit loop over every element with the math module."""

import math

import numpy as np


def _scalar_sigmoid(v):
    e = math.exp(-abs(v))
    return 1 / (1 + e) if v >= 0 else e / (1 + e)


def sigmoid(x):
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = _scalar_sigmoid(float(flat_in[i]))
    return out


def sigmoid_backward(grad_output, x):
    out = np.empty_like(grad_output)
    g, xs, o = grad_output.reshape(-1), x.reshape(-1), out.reshape(-1)
    for i in range(xs.size):
        s = _scalar_sigmoid(float(xs[i]))
        o[i] = g[i] * s * (1 - s)
    return out


def tanh(x):
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = math.tanh(float(flat_in[i]))
    return out


def tanh_backward(grad_output, x):
    out = np.empty_like(grad_output)
    g, xs, o = grad_output.reshape(-1), x.reshape(-1), out.reshape(-1)
    for i in range(xs.size):
        t = math.tanh(float(xs[i]))
        o[i] = g[i] * (1 - t * t)
    return out
