"""Correct: module-level functions do the maths; the class keeps its parameters in a dict behind
properties, computes the statistics with einsum, and writes dx as (N g - sum g - ...) / N."""

import numpy as np


def normalise(x, mean, var, eps):
    inv_std = (var + eps) ** -0.5
    return (x - mean) * inv_std, inv_std


def batch_statistics(x):
    n = x.shape[0]
    mean = np.einsum("ij->j", x) / n
    centred = x - mean
    sum_sq = np.einsum("ij,ij->j", centred, centred)
    return mean, sum_sq / n, sum_sq / (n - 1)


def input_gradient(g, x_hat, inv_std, gamma):
    n = g.shape[0]
    return (gamma * inv_std / n) * (n * g - g.sum(axis=0) - x_hat * np.einsum("ij,ij->j", g, x_hat))


class BatchNorm:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.params = {"gamma": np.ones(num_features), "beta": np.zeros(num_features)}
        self.stats = {"mean": np.zeros(num_features), "var": np.ones(num_features)}
        self.eps, self.momentum = eps, momentum
        self.saved = {}

    @property
    def gamma(self):
        return self.params["gamma"]

    @gamma.setter
    def gamma(self, value):
        self.params["gamma"] = value

    @property
    def beta(self):
        return self.params["beta"]

    @beta.setter
    def beta(self, value):
        self.params["beta"] = value

    @property
    def running_mean(self):
        return self.stats["mean"]

    @property
    def running_var(self):
        return self.stats["var"]

    def forward(self, x, training=True):
        if training:
            if x.shape[0] <= 1:
                raise ValueError(f"training needs N >= 2, got N = {x.shape[0]}")
            mean, var, unbiased = batch_statistics(x)
            m = self.momentum
            self.stats = {
                "mean": m * mean + (1 - m) * self.stats["mean"],
                "var": m * unbiased + (1 - m) * self.stats["var"],
            }
            x_hat, inv_std = normalise(x, mean, var, self.eps)
            self.saved = {"x_hat": x_hat, "inv_std": inv_std}
        else:
            x_hat, _ = normalise(x, self.stats["mean"], self.stats["var"], self.eps)
        return x_hat * self.params["gamma"] + self.params["beta"]

    def backward(self, grad_output):
        x_hat, inv_std = self.saved["x_hat"], self.saved["inv_std"]
        self.dbeta = np.einsum("ij->j", grad_output)
        self.dgamma = np.einsum("ij,ij->j", grad_output, x_hat)
        return input_gradient(grad_output, x_hat, inv_std, self.params["gamma"])
