"""Bug: beta1 and beta2 swapped in the moment updates (the first new_param is still right)."""
# expect: beta1 and beta2 are swapped

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta2 * m + (1 - beta2) * grad
    v = beta1 * v + (1 - beta1) * grad**2
    m_hat = m / (1 - beta2**t)
    v_hat = v / (1 - beta1**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
