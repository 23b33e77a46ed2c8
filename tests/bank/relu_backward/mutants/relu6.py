"""Bug: clips from above too (ReLU6)."""
# expect: ReLU6

import numpy as np


def relu_forward(x):
    return np.clip(x, 0, 6)


def relu_backward(grad_output, x):
    return grad_output * (x > 0)
