"""Bug: returns the prompt's example answers."""
# expect: returned shape

import numpy as np


def relu_forward(x):
    return np.array([[0.0, 0.0, 2.0]])


def relu_backward(grad_output, x):
    return np.array([[0.0, 0.0, 30.0]])
