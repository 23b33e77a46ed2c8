"""Xavier and He initial weights: fill in the four functions (see `kata show weight_init`)."""

import numpy as np


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W of shape (fan_out, fan_in) from U(-a, a), a = sqrt(6 / (fan_in + fan_out)).

    Drawn from rng only; float64.
    """
    raise NotImplementedError("xavier_uniform")


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W of shape (fan_out, fan_in) from N(0, std**2), std = sqrt(2 / (fan_in + fan_out)).

    Drawn from rng only; float64.
    """
    raise NotImplementedError("xavier_normal")


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W of shape (fan_out, fan_in) from U(-a, a), a = sqrt(6 / fan_in).

    Drawn from rng only; float64.
    """
    raise NotImplementedError("he_uniform")


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W of shape (fan_out, fan_in) from N(0, std**2), std = sqrt(2 / fan_in).

    Drawn from rng only; float64.
    """
    raise NotImplementedError("he_normal")
