"""A relu_backward with two classic mistakes, bundled for `kata demo`."""

import numpy as np


def relu_forward(x):
    return np.maximum(0, x)


def relu_backward(grad_output, x):
    # Bug 1: >= gives slope 1 at exactly 0. Bug 2: the mask is not multiplied by grad_output.
    return (x >= 0).astype(float)
