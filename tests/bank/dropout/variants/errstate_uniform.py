"""Correct: uniform draws compared with p, the division silenced with np.errstate for p = 1."""

import numpy as np


class Dropout:
    def __init__(self, p: float = 0.5, rng=None):
        if not (0 <= p <= 1):
            raise ValueError(f"dropout probability {p} is not in [0, 1]")
        self.drop_probability = p
        self.generator = np.random.default_rng() if rng is None else rng
        self.kept = None
        self.training = False

    def forward(self, x, training=True):
        self.training = training
        if not training:
            return x
        self.kept = self.generator.uniform(0.0, 1.0, size=x.shape) >= self.drop_probability
        # With p = 1, x / 0 is computed but never selected: silence its warning.
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = x / x.dtype.type(1.0 - self.drop_probability)
        return np.where(self.kept, scaled, x.dtype.type(0))

    def backward(self, grad_output):
        if not self.training:
            return grad_output
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = grad_output / grad_output.dtype.type(1.0 - self.drop_probability)
        return np.where(self.kept, scaled, grad_output.dtype.type(0))
