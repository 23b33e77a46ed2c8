"""Correct: Kingma & Ba's folded form (one step size, rescaled eps), own positional names."""

import numpy as np


def adam_step(w, dw, m_prev, v_prev, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_t = beta1 * m_prev + (1.0 - beta1) * dw
    v_t = beta2 * v_prev + (1.0 - beta2) * np.square(dw)
    c2 = np.sqrt(1.0 - beta2**step)
    alpha_t = lr * c2 / (1.0 - beta1**step)
    return w - alpha_t * m_t / (np.sqrt(v_t) + eps * c2), m_t, v_t
