"""Bug: the max and sum drop the reduced axis, so they do not broadcast back along axis -1."""
# expect: keepdims

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis))
    return e / np.sum(e, axis=axis)


def log_softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(grad_output, probs, axis=-1):
    return probs * (grad_output - np.sum(grad_output * probs, axis=axis, keepdims=True))
