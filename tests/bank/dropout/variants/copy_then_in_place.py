"""Correct: works on a copy, zeroing with a boolean index and scaling in place."""

import numpy as np


class Dropout:
    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError("p out of range")
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self.dropped = None

    def _apply(self, values):
        out = np.array(values, copy=True)
        out[self.dropped] = 0
        if self.p < 1:
            out *= 1.0 / (1.0 - self.p)
        return out

    def forward(self, x, training=True):
        if training:
            self.dropped = self.rng.random(np.shape(x)) < self.p
            return self._apply(x)
        self.dropped = None
        return np.array(x, copy=True)

    def backward(self, grad_output):
        if self.dropped is None:
            return np.array(grad_output, copy=True)
        return self._apply(grad_output)
