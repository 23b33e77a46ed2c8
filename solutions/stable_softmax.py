"""Reference solution: a numerically stable softmax, log-softmax and softmax backward."""

import numpy as np


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    # Softmax does not change when a constant is added to a whole slice, so subtract each
    # slice's max: the largest exponent is then exp(0) = 1 (no overflow), the sum is >= 1
    # (no 0 / 0), and -inf entries give exp(-inf) = 0. The max is per slice, kept as a
    # length-1 axis (keepdims) so it broadcasts back: one max for the whole array would push
    # a row that sits 1000 below another to exp(-1000) = 0 everywhere, and then 0 / 0.
    shifted = z - np.max(z, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    # Not log(softmax(z)): a probability that underflowed to 0 has log -inf, while its exact
    # log is a finite number like -1000. Instead log softmax(z) = z - logsumexp(z), and
    # logsumexp(z) = m + log(sum(exp(z - m))) with the same per-slice max m: the sum is
    # >= 1, so its log is finite, and the m cancels out of (z - m) - log(sum).
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(grad_output: np.ndarray, probs: np.ndarray, axis: int = -1) -> np.ndarray:
    # The Jacobian of one slice is dp_i/dz_j = p_i (delta_ij - p_j), so the chain rule gives
    # dL/dz_i = sum_j g_j p_j (delta_ij - p_i) = p_i (g_i - sum_j g_j p_j): each upstream
    # gradient minus their probability-weighted mean, scaled by p. This is the full
    # Jacobian-vector product without building the C x C Jacobian; (probs - labels) is only
    # what it reduces to when a cross-entropy loss sits on top.
    weighted_mean = np.sum(grad_output * probs, axis=axis, keepdims=True)
    return probs * (grad_output - weighted_mean)
