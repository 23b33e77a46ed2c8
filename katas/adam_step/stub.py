"""One Adam step: fill in adam_step (see `kata show adam_step`)."""

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
    """One Adam update of param (any shape) given its gradient and the previous moments.

    t is the number of this step, starting at 1 (m and v are zeros before the first).
    Returns the tuple (new_param, new_m, new_v); the inputs are left untouched.
    """
    raise NotImplementedError("adam_step")
