"""Correct: the forward as a chain of small nodes and a backward that walks it in reverse
(the computational-graph derivation); running statistics updated in place."""

import numpy as np


class BatchNorm:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.cache = None

    def forward(self, x, training=True):
        if not training:
            return (
                self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
                + self.beta
            )
        N = x.shape[0]
        if N == 1:
            raise ValueError("batch norm cannot train on a batch of one sample")
        mu = np.sum(x, axis=0) / N
        xmu = x - mu
        sq = xmu**2
        var = np.sum(sq, axis=0) / N
        sqrtvar = np.sqrt(var + self.eps)
        ivar = 1.0 / sqrtvar
        xhat = xmu * ivar
        out = self.gamma * xhat + self.beta
        self.running_mean *= 1 - self.momentum
        self.running_mean += self.momentum * mu
        self.running_var *= 1 - self.momentum
        self.running_var += self.momentum * np.var(x, axis=0, ddof=1)
        self.cache = (xhat, xmu, ivar, sqrtvar, var)
        return out

    def backward(self, dout):
        xhat, xmu, ivar, sqrtvar, var = self.cache
        N = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * xhat, axis=0)
        dxhat = dout * self.gamma
        divar = np.sum(dxhat * xmu, axis=0)
        dxmu1 = dxhat * ivar
        dsqrtvar = -1.0 / sqrtvar**2 * divar
        dvar = 0.5 / np.sqrt(var + self.eps) * dsqrtvar
        dsq = np.ones_like(dout) / N * dvar
        dxmu2 = 2 * xmu * dsq
        dx1 = dxmu1 + dxmu2
        dmu = -np.sum(dx1, axis=0)
        dx2 = np.ones_like(dout) / N * dmu
        return dx1 + dx2
