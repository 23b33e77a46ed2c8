"""Bug: builds the mask from grad_output instead of the forward input."""
# expect: mask must come from the forward input x

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return grad_output * (grad_output > 0)
