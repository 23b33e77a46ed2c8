"""SGD and SGD with momentum: fill in both functions (see `kata show sgd_momentum`)."""

import numpy as np


def sgd_step(param: np.ndarray, grad: np.ndarray, lr: float = 0.01) -> np.ndarray:
    """One plain gradient-descent step: param - lr * grad, as a new array (any shape)."""
    raise NotImplementedError("sgd_step")


def momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float = 0.01,
    momentum: float = 0.9,
    nesterov: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """One SGD-with-momentum step (PyTorch's convention); returns the tuple (new_param, v).

    v = momentum * velocity + grad; new_param = param - lr * v, or with nesterov=True
    param - lr * (grad + momentum * v). velocity is zeros before the first step. The
    inputs are left untouched.
    """
    raise NotImplementedError("momentum_step")
