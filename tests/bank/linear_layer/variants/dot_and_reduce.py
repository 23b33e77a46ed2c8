"""Correct: np.dot, np.add.reduce, a transposed-product dx and a cache tuple."""

import numpy as np


class Linear:
    def __init__(self, inputs, outputs, rng=None):
        self.rng = np.random.default_rng() if rng is None else rng
        scale = (6.0 / (inputs + outputs)) ** 0.5
        self.W = self.rng.uniform(-scale, scale, (outputs, inputs))
        self.b = np.zeros(outputs, dtype=np.float64)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, X):
        self._cache = (X,)
        return np.dot(X, self.W.T) + self.b[None, :]

    def backward(self, dY):
        (X,) = self._cache
        self.dW = np.dot(dY.T, X)
        self.db = np.add.reduce(dY, axis=0)
        return np.dot(self.W.T, dY.T).T
