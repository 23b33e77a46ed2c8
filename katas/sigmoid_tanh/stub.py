"""Sigmoid and tanh, forward and backward: fill in all four functions (see `kata show sigmoid_tanh`)."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) elementwise; any shape; keeps x's dtype; never overflows."""
    raise NotImplementedError("sigmoid")


def sigmoid_backward(grad_output: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dx from dL/dy (grad_output) and the forward INPUT x; keeps grad_output's dtype."""
    raise NotImplementedError("sigmoid_backward")


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x) elementwise; any shape; keeps x's dtype; never overflows."""
    raise NotImplementedError("tanh")


def tanh_backward(grad_output: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dx from dL/dy (grad_output) and the forward INPUT x; keeps grad_output's dtype."""
    raise NotImplementedError("tanh_backward")
