"""Reference solution: layer normalisation (Ba, Kiros & Hinton, 2016) over the last axis."""

import numpy as np


class LayerNorm:
    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        self.eps = eps
        # One scale and one shift per feature of the last axis, shared by every position;
        # ones and zeros start as the identity on the normalised features.
        self.gamma = np.ones(dim)
        self.beta = np.zeros(dim)

    def forward(self, x: np.ndarray) -> np.ndarray:
        # Statistics of each position over its own features (the last axis), whatever the
        # leading axes are: no batch statistics, so training and evaluation are the same.
        # keepdims leaves them shaped (..., 1), ready to broadcast against x.
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        # The biased variance (divide by dim), in two passes: mean((x - mean)**2) keeps full
        # precision when a row's mean is large compared to its spread.
        var = (centred**2).mean(axis=-1, keepdims=True)
        # eps inside the square root: a constant row gives x_hat = 0, not 0 / 0.
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = centred * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x_hat = self.x_hat
        # gamma and beta are shared by every position, so their gradients sum over every
        # leading axis (all but the last), leaving shape (dim,).
        leading = tuple(range(grad_output.ndim - 1))
        self.dbeta = grad_output.sum(axis=leading)
        self.dgamma = (grad_output * x_hat).sum(axis=leading)
        # Through x_hat: g = dL/dx_hat. Each x[..., i] also moves its row's mean and variance,
        # which take away the row mean of g and its component along x_hat:
        #   dx = (g - mean(g) - x_hat * mean(g * x_hat)) / std, means over the last axis.
        # gamma varies along that axis, so it goes into g, not in front of the means.
        g = grad_output * self.gamma
        g_mean = g.mean(axis=-1, keepdims=True)
        gx_mean = (g * x_hat).mean(axis=-1, keepdims=True)
        return (g - g_mean - x_hat * gx_mean) * self.inv_std
