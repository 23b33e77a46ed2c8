"""Correct: a loop over the samples of the batch, summing outer products (slower, still right)."""

import math

import numpy as np


class Linear:
    def __init__(self, i, o, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        a = math.sqrt(6 / (i + o))
        # drawn as (in, out) then transposed: a non-contiguous W is still a valid W
        self.W = rng.uniform(-a, a, size=(i, o)).T
        self.b = np.zeros(o)

    def forward(self, x):
        self.last_x = x
        out = np.empty((x.shape[0], self.W.shape[0]))
        for n, row in enumerate(x):
            out[n] = self.W @ row + self.b
        return out

    def backward(self, g):
        dW = np.zeros(self.W.shape)
        db = np.zeros(self.b.shape)
        dx = np.empty(self.last_x.shape)
        for n in range(g.shape[0]):
            dW += np.outer(g[n], self.last_x[n])
            db += g[n]
            dx[n] = self.W.T @ g[n]
        self.dW, self.db = dW, db
        return dx
