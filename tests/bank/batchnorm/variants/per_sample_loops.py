"""Correct: loops over the samples of the batch, one row at a time (slow, still right)."""

import math

import numpy as np


class BatchNorm:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.f = num_features
        self.eps = eps
        self.momentum = momentum
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)

    def forward(self, x, training=True):
        n = len(x)
        out = np.empty((n, self.f))
        if not training:
            std = np.array([math.sqrt(v + self.eps) for v in self.running_var])
            for i in range(n):
                out[i] = self.gamma * (x[i] - self.running_mean) / std + self.beta
            return out
        if n < 2:
            raise ValueError("need two or more samples to train")
        total = np.zeros(self.f)
        for i in range(n):
            total = total + x[i]
        mean = total / n
        squares = np.zeros(self.f)
        for i in range(n):
            squares = squares + (x[i] - mean) ** 2
        std = np.sqrt(squares / n + self.eps)
        x_hat = np.empty((n, self.f))
        for i in range(n):
            x_hat[i] = (x[i] - mean) / std
            out[i] = self.gamma * x_hat[i] + self.beta
        keep = 1 - self.momentum
        self.running_mean = keep * self.running_mean + self.momentum * mean
        self.running_var = keep * self.running_var + self.momentum * squares / (n - 1)
        self.saved = (x_hat, std)
        return out

    def backward(self, grad_output):
        x_hat, std = self.saved
        n = len(grad_output)
        dbeta = np.zeros(self.f)
        dgamma = np.zeros(self.f)
        for i in range(n):
            dbeta = dbeta + grad_output[i]
            dgamma = dgamma + grad_output[i] * x_hat[i]
        dx = np.empty((n, self.f))
        for i in range(n):
            dx[i] = self.gamma / std * (grad_output[i] - dbeta / n - x_hat[i] * dgamma / n)
        self.dgamma, self.dbeta = dgamma, dbeta
        return dx
