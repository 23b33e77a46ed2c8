"""Correct but slow: an explicit loop over every element (speed shows it, score does not)."""

import numpy as np


def relu_forward(x):
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = flat_in[i] if flat_in[i] > 0 else 0
    return out


def relu_backward(grad_output, x):
    out = np.empty_like(grad_output)
    g, xs, o = grad_output.reshape(-1), x.reshape(-1), out.reshape(-1)
    for i in range(xs.size):
        o[i] = g[i] if xs[i] > 0 else 0
    return out
