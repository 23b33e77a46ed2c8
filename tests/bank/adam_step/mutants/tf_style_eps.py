"""Bug: the paper's folded step size, with eps added to sqrt(v) without rescaling it."""
# expect: paper's folded form

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return param - alpha * m / (np.sqrt(v) + eps), m, v
