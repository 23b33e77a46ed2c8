"""Reference solution: one step of the Adam optimiser (Kingma & Ba, 2015)."""

import numpy as np


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Running averages of the gradient and of its square. Written as new arrays (no `*=`),
    # so the caller's m and v are left as they were: the caller owns the state.
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    # Both averages start at zero, so after t steps they are too small by the factor
    # (1 - beta**t); dividing it out makes the first steps full-sized. That is why t
    # counts from 1: with t = 0 the factor would be 0.
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    # eps outside the square root: it only keeps 0 / 0 away where v_hat is 0, and leaves
    # the step about lr in size whatever the scale of the gradient.
    new_param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_param, m, v
