"""Correct but slow: one draw and one product per element, in a Python loop."""

import numpy as np


class Dropout:
    def __init__(self, p=0.5, rng=None):
        if p < 0.0 or p > 1.0:
            raise ValueError("p must be between 0 and 1")
        self.p = p
        self.rng = rng or np.random.default_rng()
        self.factors = None

    def forward(self, x, training=True):
        if not training:
            self.factors = None
            return x
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        factors = np.empty(x.shape, dtype=x.dtype)
        flat = factors.reshape(-1)
        for i in range(flat.size):
            flat[i] = 0.0 if self.rng.random() < self.p else scale
        self.factors = factors
        return x * factors

    def backward(self, grad_output):
        if self.factors is None:
            return grad_output
        return grad_output * self.factors.astype(grad_output.dtype)
