"""Reference solution: batch normalisation (Ioffe & Szegedy, 2015) of (N, num_features) inputs."""

import numpy as np


class BatchNorm:
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        self.eps = eps
        self.momentum = momentum
        # A learnable scale and shift per feature; ones and zeros start as the identity, so the
        # layer first outputs the plain normalised features.
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        # Estimates of each feature's mean and variance over the whole data, gathered in
        # training and used in evaluation, when there may be no batch to take statistics of.
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training:
            # Evaluation reads the running statistics and changes nothing (not even what backward
            # remembers), so a sample's output no longer depends on the rest of its batch.
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * x_hat + self.beta
        n = x.shape[0]
        if n < 2:
            raise ValueError(
                f"BatchNorm needs at least 2 samples per batch in training, got {n}: one sample "
                "has no spread to normalise by, and its unbiased variance divides by N - 1 = 0"
            )
        # Statistics per feature, over the batch axis. The biased variance (divide by N) is the
        # one the batch really has: with it, each normalised feature has variance 1 (up to eps).
        # Two passes (centre, then square) keep full precision when the mean is large.
        mean = x.mean(axis=0)
        var = ((x - mean) ** 2).mean(axis=0)
        # eps inside the square root: a feature of variance 0 then gives x_hat = 0, not 0 / 0.
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        # momentum weighs the new batch, as in PyTorch. The running variance estimates the
        # variance of the whole data, so it takes the unbiased estimate (divide by N - 1).
        # Rebinding (not `*=`) builds new arrays; updating in place would be as good.
        m = self.momentum
        self.running_mean = (1 - m) * self.running_mean + m * mean
        self.running_var = (1 - m) * self.running_var + m * var * (n / (n - 1))
        # What backward needs, from this training forward only.
        self.x_hat = x_hat
        self.inv_std = inv_std
        return self.gamma * x_hat + self.beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        n = grad_output.shape[0]
        x_hat = self.x_hat
        # Summed over the batch: a mean loss already put its 1/N into grad_output.
        self.dbeta = grad_output.sum(axis=0)
        self.dgamma = (grad_output * x_hat).sum(axis=0)
        # Each x[n] also moves its feature's mean and variance, and through them every x_hat of
        # that feature. The mean's path takes away the batch mean of grad_output, the
        # variance's path its component along x_hat; with g = grad_output,
        #   dx = gamma / std * (g - mean(g) - x_hat * mean(g * x_hat)),
        # and those two batch means are dbeta / N and dgamma / N.
        return (
            self.gamma * self.inv_std * (grad_output - self.dbeta / n - x_hat * (self.dgamma / n))
        )
