"""Reference solution: sigmoid and tanh, forward and backward."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + exp(-x)) overflows once -x passes about 709 in float64 (88 in float32). Only
    # ever exponentiate -|x| <= 0, whose exp lies in (0, 1]: with e = exp(-|x|) the sigmoid is
    # 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0 (the same function, multiplied through
    # by exp(x)). np.where evaluates both branches, which is why the guard sits on exp's
    # argument rather than on the choice of branch. Integer constants keep float32 as float32.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(grad_output: np.ndarray, x: np.ndarray) -> np.ndarray:
    # x is the forward INPUT (as in relu_backward), so the sigmoid is recomputed here; the local
    # slope is s (1 - s). Casting the slope to grad_output's dtype keeps that dtype even when
    # x is float64 and grad_output float32.
    s = sigmoid(x)
    slope = s * (1 - s)
    return grad_output * slope.astype(grad_output.dtype, copy=False)


def tanh(x: np.ndarray) -> np.ndarray:
    # np.tanh saturates to +-1 without overflowing; the textbook
    # (exp(x) - exp(-x)) / (exp(x) + exp(-x)) is inf / inf once |x| passes about 710.
    return np.tanh(x)


def tanh_backward(grad_output: np.ndarray, x: np.ndarray) -> np.ndarray:
    # d tanh(x) / dx = 1 - tanh(x)**2, from the forward input x like sigmoid_backward.
    t = np.tanh(x)
    slope = 1 - t**2
    return grad_output * slope.astype(grad_output.dtype, copy=False)
