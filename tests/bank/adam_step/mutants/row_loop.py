"""Bug: loops over the rows of param, which breaks on 0-d input."""
# expect: raised TypeError

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    rows = []
    for i in range(len(param)):
        m_i = beta1 * m[i] + (1 - beta1) * grad[i]
        v_i = beta2 * v[i] + (1 - beta2) * grad[i] ** 2
        step = lr * (m_i / (1 - beta1**t)) / (np.sqrt(v_i / (1 - beta2**t)) + eps)
        rows.append((param[i] - step, m_i, v_i))
    new_param, new_m, new_v = (np.array([row[k] for row in rows]) for k in range(3))
    return new_param, new_m, new_v
