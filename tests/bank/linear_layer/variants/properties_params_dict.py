"""Correct: parameters and gradients live in dicts, exposed as properties with setters."""

import numpy as np


class Linear:
    def __init__(self, fan_in, fan_out, rng=None):
        rng = rng or np.random.default_rng()
        limit = np.sqrt(6 / (fan_in + fan_out))
        self.params = {
            "W": rng.uniform(low=-limit, high=limit, size=(fan_out, fan_in)),
            "b": np.zeros(fan_out),
        }
        self.grads = {}
        self.cache = None

    @property
    def W(self):
        return self.params["W"]

    @W.setter
    def W(self, value):
        self.params["W"] = value

    @property
    def b(self):
        return self.params["b"]

    @b.setter
    def b(self, value):
        self.params["b"] = value

    @property
    def dW(self):
        return self.grads["W"]

    @property
    def db(self):
        return self.grads["b"]

    def forward(self, x):
        self.cache = x
        return np.matmul(x, self.params["W"].T) + self.params["b"]

    def backward(self, dy):
        x = self.cache
        self.grads = {"W": np.matmul(dy.T, x), "b": dy.sum(axis=0)}
        return np.matmul(dy, self.params["W"])
