"""Bug: Glorot-normal, N(0, 2 / (in + out)), instead of Glorot-uniform."""
# expect: W looks normally distributed

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        std = np.sqrt(2 / (in_features + out_features))
        self.W = rng.normal(0.0, std, (out_features, in_features))
        self.b = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_output):
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W
