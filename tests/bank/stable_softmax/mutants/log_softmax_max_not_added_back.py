"""Bug: subtracts log(sum(exp(z - m))) from z instead of from z - m."""
# expect: add the max back

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    m = np.max(z, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def softmax_backward(grad_output, probs, axis=-1):
    return probs * (grad_output - np.sum(grad_output * probs, axis=axis, keepdims=True))
