"""Correct: works on the transpose (one row per feature), np.mean / np.std with errstate, and
running statistics updated in place with out= arguments."""

import numpy as np


class BatchNorm:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.eps = float(eps)
        self.momentum = float(momentum)
        self.gamma = np.full(num_features, 1.0)
        self.beta = np.full(num_features, 0.0)
        self.running_mean = np.full(num_features, 0.0)
        self.running_var = np.full(num_features, 1.0)

    def forward(self, x, training=True):
        rows = x.T  # (F, N): a view, never written to
        if not training:
            scale = self.gamma / np.sqrt(self.running_var + self.eps)
            return (scale[:, None] * (rows - self.running_mean[:, None]) + self.beta[:, None]).T
        n = rows.shape[1]
        if n < 2:
            raise ValueError("BatchNorm: a training batch needs at least two samples")
        with np.errstate(all="raise"):
            mean = rows.mean(axis=1, keepdims=True)
            var = rows.var(axis=1, keepdims=True)
            std = np.sqrt(var + self.eps)
            x_hat = (rows - mean) / std
        np.multiply(self.running_mean, 1 - self.momentum, out=self.running_mean)
        np.add(self.running_mean, self.momentum * mean[:, 0], out=self.running_mean)
        np.multiply(self.running_var, 1 - self.momentum, out=self.running_var)
        np.add(self.running_var, self.momentum * var[:, 0] * n / (n - 1), out=self.running_var)
        self._x_hat, self._std = x_hat, std
        return (self.gamma[:, None] * x_hat + self.beta[:, None]).T

    def backward(self, grad_output):
        g = grad_output.T
        x_hat, std = self._x_hat, self._std
        self.dbeta = g.sum(axis=1)
        self.dgamma = (g * x_hat).sum(axis=1)
        g_mean = g.mean(axis=1, keepdims=True)
        proj = (g * x_hat).mean(axis=1, keepdims=True)
        dx = self.gamma[:, None] / std * (g - g_mean - x_hat * proj)
        return dx.T
