"""Bug: caches W.T and b on the first forward call; later assignments are ignored."""
# expect: do not cache W.T

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = rng.uniform(-limit, limit, (out_features, in_features))
        self.b = np.zeros(out_features)
        self._params = None

    def forward(self, x):
        if self._params is None:
            self._params = (self.W.T.copy(), self.b.copy())
        W_T, b = self._params
        self.x = x
        return x @ W_T + b

    def backward(self, grad_output):
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self._params[0].T
