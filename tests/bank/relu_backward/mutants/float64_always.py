"""Bug: casts the result to float64, losing float32."""
# expect: keep the input's dtype

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0).astype(np.float64)


def relu_backward(grad_output, x):
    return grad_output * (x > 0).astype(np.float64)
