"""Bug: log-sum-exp without the max shift overflows for logits of 1000."""
# expect: log-sum-exp overflowed

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax_backward(grad_output, probs, axis=-1):
    return probs * (grad_output - np.sum(grad_output * probs, axis=axis, keepdims=True))
