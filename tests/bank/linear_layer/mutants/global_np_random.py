"""Bug: draws the weights from the global np.random instead of the rng argument."""
# expect: instead of the rng argument

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = np.random.uniform(-limit, limit, (out_features, in_features))
        self.b = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_output):
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W
