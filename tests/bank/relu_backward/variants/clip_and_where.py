"""Correct: np.clip forward, np.where backward with positional names of its own."""

import numpy as np


def relu_forward(z):
    return np.clip(z, 0, None)


def relu_backward(dout, z):
    return np.where(z > 0, dout, 0).astype(dout.dtype)
