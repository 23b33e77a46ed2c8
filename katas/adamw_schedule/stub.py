"""Clipping, a warm-up + cosine schedule and AdamW: fill in the three functions (see `kata show adamw_schedule`)."""

import numpy as np


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale every array by max_norm / norm when their GLOBAL L2 norm exceeds max_norm.

    Returns (the new list, the global norm before clipping); the inputs are left untouched.
    """
    raise NotImplementedError("clip_grad_norm")


def cosine_lr(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """The learning rate of step (counting from 0): linear warm-up, then cosine to min_lr."""
    raise NotImplementedError("cosine_lr")


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
    """One AdamW update: decoupled weight decay, then Adam's step (t starts at 1).

    Returns the tuple (new_param, new_m, new_v); the inputs are left untouched.
    """
    raise NotImplementedError("adamw_step")
