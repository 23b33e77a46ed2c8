"""Bug: zeroes grad_output in place and returns it."""
# expect: modified its input grad_output

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    grad_output[x <= 0] = 0
    return grad_output
