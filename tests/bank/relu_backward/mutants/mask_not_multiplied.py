"""Bug: returns the local slope (the mask) without the upstream gradient."""
# expect: not multiplied by grad_output

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return (x > 0).astype(grad_output.dtype)
