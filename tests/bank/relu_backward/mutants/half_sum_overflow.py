"""Bug: relu as (x + |x|) / 2, which overflows for huge x."""
# expect: overflow

import numpy as np


def relu_forward(x):
    return (x + np.abs(x)) / 2


def relu_backward(grad_output, x):
    return grad_output * (x > 0)
