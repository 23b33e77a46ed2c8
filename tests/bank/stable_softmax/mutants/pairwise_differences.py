"""Bug: softmax as 1 / sum_j exp(z_j - z_i): -inf - (-inf) is NaN."""
# expect: -inf - (-inf) is nan

import numpy as np


def softmax(z, axis=-1):
    z = np.moveaxis(z, axis, -1)
    with np.errstate(over="ignore"):
        p = 1.0 / np.sum(np.exp(z[..., None, :] - z[..., :, None]), axis=-1)
    return np.moveaxis(p, -1, axis)


def log_softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(grad_output, probs, axis=-1):
    return probs * (grad_output - np.sum(grad_output * probs, axis=axis, keepdims=True))
