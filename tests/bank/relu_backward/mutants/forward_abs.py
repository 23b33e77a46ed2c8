"""Bug: relu_forward returns |x|."""
# expect: returned |x|

import numpy as np


def relu_forward(x):
    return np.abs(x)


def relu_backward(grad_output, x):
    return grad_output * (x > 0)
