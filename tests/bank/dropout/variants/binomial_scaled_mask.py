"""Correct: a Bernoulli mask from rng.binomial, stored already scaled, eval returns a copy."""

import numpy as np


class Dropout:
    def __init__(self, p=0.5, rng=None):
        if p < 0 or p > 1:
            raise ValueError("p must lie in [0, 1]")
        self.p = float(p)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.mask = None

    def forward(self, x, training=True):
        if not training:
            self.mask = None
            return x.copy()
        keep = self.rng.binomial(1, 1.0 - self.p, size=x.shape)
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        self.mask = np.asarray(keep, dtype=x.dtype) * x.dtype.type(scale)
        return x * self.mask

    def backward(self, grad_output):
        if self.mask is None:
            return grad_output.copy()
        return grad_output * self.mask.astype(grad_output.dtype)
