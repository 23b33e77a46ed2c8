"""Bug: casts the logits to float64, losing float32."""
# expect: keep the input's dtype

import numpy as np


def softmax(z, axis=-1):
    z = z.astype(np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(grad_output, probs, axis=-1):
    return probs * (grad_output - np.sum(grad_output * probs, axis=axis, keepdims=True))
