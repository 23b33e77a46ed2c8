"""Correct: clipping through one flat vector, the cosine as a squared half-angle, folded Adam."""

import math

import numpy as np


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    norm = float(np.linalg.norm(flat))
    factor = max_norm / norm if norm > max_norm else 1.0
    clipped = np.split(flat * factor, np.cumsum([np.size(g) for g in grads])[:-1])
    return [part.reshape(np.shape(g)) for part, g in zip(clipped, grads, strict=True)], norm


def cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - 1 - warmup_steps))
    return min_lr + (base_lr - min_lr) * math.cos(math.pi * progress / 2) ** 2


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    m_new = m + (1 - beta1) * (grad - m)
    v_new = v + (1 - beta2) * (grad**2 - v)
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    step_size = lr * math.sqrt(c2) / c1
    adam = step_size * m_new / (np.sqrt(v_new) + eps * math.sqrt(c2))
    return param - lr * weight_decay * param - adam, m_new, v_new
