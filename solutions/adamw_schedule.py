"""Reference solution: the modern optimiser set-up, global-norm clipping, warm-up then cosine
decay, and AdamW (Adam with decoupled weight decay, Loshchilov & Hutter, 2019)."""

import math

import numpy as np


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    # ONE norm over every entry of every array, as if they were a single vector: scaling all
    # arrays by the same factor keeps the direction of the whole update.
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if norm <= max_norm:
        # Already short enough: the gradients are returned as they are (new list, same arrays).
        return list(grads), norm
    scale = max_norm / norm
    # New arrays (no `g *= scale`): the caller's gradients are left untouched.
    return [g * scale for g in grads], norm


def cosine_lr(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    if step < warmup_steps:
        # (step + 1): steps count from 0, and the first step must not have a learning rate
        # of 0 (a wasted step); the last warm-up step reaches base_lr.
        return base_lr * (step + 1) / warmup_steps
    # From base_lr at step = warmup_steps to min_lr at step = total_steps - 1, then flat. The
    # max(1, ...) keeps a schedule with no decay steps left from dividing by 0.
    decay_steps = max(1, total_steps - 1 - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / decay_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Decoupled weight decay: shrink the parameter directly, scaled by lr, before the Adam
    # update. Added to the gradient instead (L2), the decay would be divided by sqrt(v_hat)
    # like everything else, so parameters with large gradients would hardly be decayed.
    decayed = param * (1 - lr * weight_decay)
    # The moments see the raw gradient only: the decay is no part of them.
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    # Bias correction, as in Adam: t counts from 1, so 1 - beta**t is never 0.
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return decayed - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
