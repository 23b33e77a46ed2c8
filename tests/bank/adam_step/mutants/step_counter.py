"""Bug: keeps its own step counter between calls instead of using t."""
# expect: only on its arguments

import numpy as np

_steps = 0


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    global _steps
    _steps += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**_steps)
    v_hat = v / (1 - beta2**_steps)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
