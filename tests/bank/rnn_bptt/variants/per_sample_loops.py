"""Correct but slow: loops over samples and steps, one vector at a time."""

import math

import numpy as np


class RNN:
    def __init__(self, input_size, hidden_size, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        bound = 1 / math.sqrt(hidden_size)
        self.W_xh = rng.uniform(-bound, bound, size=(hidden_size, input_size))
        self.W_hh = rng.uniform(-bound, bound, size=(hidden_size, hidden_size))
        self.b_h = rng.uniform(-bound, bound, size=(hidden_size,))

    def forward(self, x, h0=None):
        n, steps, _ = x.shape
        hidden = len(self.b_h)
        start = np.zeros((n, hidden)) if h0 is None else np.array(h0, dtype=float)
        out = np.zeros((n, steps, hidden))
        for i in range(n):
            h = start[i]
            for t in range(steps):
                h = np.tanh(self.W_xh.dot(x[i, t]) + self.W_hh.dot(h) + self.b_h)
                out[i, t] = h
        self.x, self.start, self.out = np.array(x, dtype=float), start, out
        return out

    def backward(self, grad_hs):
        x, start, out = self.x, self.start, self.out
        n, steps, _ = x.shape
        self.dW_xh = np.zeros(self.W_xh.shape)
        self.dW_hh = np.zeros(self.W_hh.shape)
        self.db_h = np.zeros(self.b_h.shape)
        self.dh0 = np.zeros(start.shape)
        dx = np.zeros(x.shape)
        for i in range(n):
            future = np.zeros(len(self.b_h))
            for t in range(steps - 1, -1, -1):
                h = out[i, t]
                prev = out[i, t - 1] if t else start[i]
                da = (grad_hs[i, t] + future) * (1 - h * h)
                self.dW_xh += np.outer(da, x[i, t])
                self.dW_hh += np.outer(da, prev)
                self.db_h += da
                dx[i, t] = self.W_xh.T.dot(da)
                future = self.W_hh.T.dot(da)
            self.dh0[i] = future
        return dx
