"""Bug: loops over rows with a list comprehension, which breaks on 0-d input."""
# expect: relu_forward(0-d float64 array) raised TypeError

import numpy as np


def relu_forward(x):
    return np.array([np.maximum(row, 0) for row in x])


def relu_backward(grad_output, x):
    return np.array([g * (r > 0) for g, r in zip(grad_output, x)])
