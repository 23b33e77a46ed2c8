"""Bug: caches W.T at init, so assigning layer.W later has no effect on forward."""
# expect: do not cache W.T

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = rng.uniform(-limit, limit, (out_features, in_features))
        self.b = np.zeros(out_features)
        self.W_T = self.W.T  # saves a transpose per call

    def forward(self, x):
        self.x = x
        return x @ self.W_T + self.b

    def backward(self, grad_output):
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W_T.T
