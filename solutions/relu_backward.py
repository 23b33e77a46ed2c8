"""Reference solution: ReLU forward and backward."""

import numpy as np


def relu_forward(x: np.ndarray) -> np.ndarray:
    # np.maximum with a 0 of x's dtype keeps float32 as float32.
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def relu_backward(grad_output: np.ndarray, x: np.ndarray) -> np.ndarray:
    # The chain rule for an elementwise function: upstream gradient times the local slope,
    # which is 1 where x > 0 and 0 elsewhere. `>` (not `>=`) makes the slope at 0 zero,
    # the same subgradient PyTorch picks. A boolean mask keeps grad_output's dtype, and
    # one multiplication is the fastest idiomatic form (np.where is about 2.5x slower).
    return grad_output * (x > 0)
