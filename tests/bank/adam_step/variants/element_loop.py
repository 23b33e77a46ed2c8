"""Correct but slow: an explicit loop over every entry (speed shows it, score does not)."""

import math

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_p, new_m, new_v = np.empty_like(param), np.empty_like(m), np.empty_like(v)
    fp, fg, fm, fv = param.reshape(-1), grad.reshape(-1), m.reshape(-1), v.reshape(-1)
    op, om, ov = new_p.reshape(-1), new_m.reshape(-1), new_v.reshape(-1)
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    for i in range(fp.size):
        om[i] = beta1 * fm[i] + (1 - beta1) * fg[i]
        ov[i] = beta2 * fv[i] + (1 - beta2) * fg[i] ** 2
        op[i] = fp[i] - lr * (om[i] / c1) / (math.sqrt(ov[i] / c2) + eps)
    return new_p, new_m, new_v
