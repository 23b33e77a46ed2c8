"""Correct: module-level functions with np.std, the layer a thin wrapper, the 1/d folded in."""

import numpy as np


def layer_norm(x, gamma, beta, eps):
    mean = np.mean(x, axis=-1, keepdims=True)
    std = np.sqrt(np.var(x, axis=-1, keepdims=True) + eps)
    x_hat = (x - mean) / std
    return gamma * x_hat + beta, (x_hat, std)


def layer_norm_backward(dy, gamma, cache):
    x_hat, std = cache
    d = x_hat.shape[-1]
    axes = tuple(range(dy.ndim - 1))
    dgamma = np.sum(dy * x_hat, axis=axes)
    dbeta = np.sum(dy, axis=axes)
    g = dy * gamma
    dx = (
        d * g
        - np.sum(g, axis=-1, keepdims=True)
        - x_hat * np.sum(g * x_hat, axis=-1, keepdims=True)
    ) / (d * std)
    return dx, dgamma, dbeta


class LayerNorm:
    def __init__(self, dim, eps=1e-5):
        self.eps = eps
        self.gamma = np.ones(dim)
        self.beta = np.zeros(dim)
        self.cache = None

    def forward(self, x):
        y, self.cache = layer_norm(x, self.gamma, self.beta, self.eps)
        return y

    def backward(self, grad_output):
        dx, self.dgamma, self.dbeta = layer_norm_backward(grad_output, self.gamma, self.cache)
        return dx
