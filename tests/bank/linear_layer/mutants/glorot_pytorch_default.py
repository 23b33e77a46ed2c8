"""Bug: PyTorch's default nn.Linear init, U(-1/sqrt(in), 1/sqrt(in)), instead of Glorot."""
# expect: PyTorch's default nn.Linear init

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        bound = 1 / np.sqrt(in_features)
        self.W = rng.uniform(-bound, bound, (out_features, in_features))
        self.b = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_output):
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W
