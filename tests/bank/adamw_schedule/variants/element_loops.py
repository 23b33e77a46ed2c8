"""Correct but slow: every entry in a Python loop, with the math module."""

import math

import numpy as np


def clip_grad_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        for value in np.ravel(g):
            total += float(value) * float(value)
    norm = math.sqrt(total)
    out = []
    for g in grads:
        g = np.array(g, dtype=float)
        if norm > max_norm:
            flat = g.reshape(-1)
            for i in range(flat.size):
                flat[i] = flat[i] * max_norm / norm
        out.append(g)
    return out, norm


def cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return (step + 1) * base_lr / warmup_steps
    span = max(1, total_steps - 1 - warmup_steps)
    done = step - warmup_steps
    progress = 1.0 if done >= span else done / span
    return min_lr + (base_lr - min_lr) * (1 + math.cos(progress * math.pi)) / 2


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    new_p = np.array(param, dtype=float)
    new_m = np.array(m, dtype=float)
    new_v = np.array(v, dtype=float)
    fp, fm, fv, fg = new_p.reshape(-1), new_m.reshape(-1), new_v.reshape(-1), np.ravel(grad)
    for i in range(fp.size):
        fm[i] = beta1 * fm[i] + (1 - beta1) * fg[i]
        fv[i] = beta2 * fv[i] + (1 - beta2) * fg[i] ** 2
        m_hat = fm[i] / (1 - beta1**t)
        v_hat = fv[i] / (1 - beta2**t)
        fp[i] = fp[i] * (1 - lr * weight_decay) - lr * m_hat / (math.sqrt(v_hat) + eps)
    return new_p, new_m, new_v
