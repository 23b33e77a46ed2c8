"""Bug: returns Python lists."""
# expect: must return a NumPy array

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0).tolist()


def relu_backward(grad_output, x):
    return (grad_output * (x > 0)).tolist()
