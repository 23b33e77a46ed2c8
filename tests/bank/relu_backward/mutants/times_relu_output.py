"""Bug: multiplies grad_output by relu(x) instead of the 0/1 mask."""
# expect: not by x or relu(x)

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return grad_output * np.maximum(x, 0)
