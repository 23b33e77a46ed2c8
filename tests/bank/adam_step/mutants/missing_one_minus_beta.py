"""Bug: adds the whole gradient to the moments (no 1 - beta factor)."""
# expect: (1 - beta) factor on the new gradient is missing

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + grad
    v = beta2 * v + grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
