"""Bug: backward rescales grad_output in place (and so averages every gradient)."""
# expect: modified its input grad_output

import numpy as np


class Linear:
    def __init__(self, in_features, out_features, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        limit = np.sqrt(6 / (in_features + out_features))
        self.W = rng.uniform(-limit, limit, (out_features, in_features))
        self.b = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_output):
        grad_output /= len(grad_output)
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W
