"""Bug: uses x >= 0, so the slope at exactly 0 is 1."""
# expect: derivative at exactly 0

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return grad_output * (x >= 0)
