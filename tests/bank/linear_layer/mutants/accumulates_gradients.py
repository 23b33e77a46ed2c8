"""Bug: accumulates dW and db with += across backward calls (PyTorch-style .grad)."""
# expect: accumulated across backward calls

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = rng.uniform(-limit, limit, (out_features, in_features))
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_output):
        self.dW += grad_output.T @ self.x
        self.db += grad_output.sum(axis=0)
        return grad_output @ self.W
