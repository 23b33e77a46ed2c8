"""Bug: hard-codes the default betas 0.9 and 0.999."""
# expect: beta1= keyword argument was ignored

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad**2
    m_hat = m / (1 - 0.9**t)
    v_hat = v / (1 - 0.999**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
