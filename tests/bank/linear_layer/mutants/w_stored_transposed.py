"""Bug: stores W as (in_features, out_features) and computes x @ W (consistent, wrong layout)."""
# expect: W is stored transposed

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = rng.uniform(-limit, limit, (in_features, out_features))
        self.b = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_output):
        self.dW = self.x.T @ grad_output
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W.T
