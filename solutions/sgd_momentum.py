"""Reference solution: plain SGD and SGD with (Nesterov) momentum, PyTorch's convention."""

import numpy as np


def sgd_step(param: np.ndarray, grad: np.ndarray, lr: float = 0.01) -> np.ndarray:
    # A new array: the caller's param is left as it was (no `-=`).
    return param - lr * grad


def momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float = 0.01,
    momentum: float = 0.9,
    nesterov: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    # The velocity is a running sum of gradients, decayed by `momentum`, with no lr and no
    # (1 - momentum) factor in it (the seed notebook's and PyTorch's convention): lr scales
    # only the step, so changing lr mid-training takes effect at once, and a constant
    # gradient g builds up to the velocity g / (1 - momentum).
    v = momentum * velocity + grad
    # Nesterov looks ahead: the step uses the gradient plus the decayed NEW velocity,
    # grad + momentum * v. (With the old velocity, grad + momentum * velocity, it would
    # be v itself: plain momentum again.)
    step = grad + momentum * v if nesterov else v
    return param - lr * step, v
