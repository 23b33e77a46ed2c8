"""Correct: an unconditional scale under np.errstate, a NumPy schedule, in-place ops on copies."""

import numpy as np


def clip_grad_norm(grads, max_norm):
    norm = np.sqrt(np.sum([np.vdot(g, g) for g in grads]))
    with np.errstate(divide="ignore"):
        scale = np.minimum(1.0, max_norm / norm)  # inf (then 1) when the norm is 0
    return [np.multiply(g, scale) for g in grads], norm


def cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    warm = base_lr * (step + 1) / max(warmup_steps, 1)
    progress = np.clip((step - warmup_steps) / max(1, total_steps - 1 - warmup_steps), 0.0, 1.0)
    decayed = min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * progress)) / 2
    return float(warm if step < warmup_steps else decayed)


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    p, m, v = np.copy(param), np.copy(m), np.copy(v)
    p *= 1 - lr * weight_decay
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    denom = np.sqrt(v / (1 - beta2**t))
    denom += eps
    p -= lr * (m / (1 - beta1**t)) / denom
    return p, m, v
