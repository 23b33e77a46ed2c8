"""Inverted dropout: fill in the three methods (see `kata show dropout`)."""

import numpy as np


class Dropout:
    """Zeroes each element with probability p in training and scales the rest by 1 / (1 - p)."""

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        """p is the probability of zeroing an element; raise ValueError unless 0 <= p <= 1.

        rng is the only source of randomness; without it, use np.random.default_rng().
        """
        raise NotImplementedError("Dropout.__init__")

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Training: a fresh mask, kept elements times 1 / (1 - p). Evaluation: x's values.

        Any shape; keeps x's dtype; never modifies x.
        """
        raise NotImplementedError("Dropout.forward")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """dL/dx: grad_output through the last training forward's mask and scale.

        After an evaluation forward, grad_output unchanged.
        """
        raise NotImplementedError("Dropout.backward")
