"""Batch normalisation: fill in the three methods (see `kata show batchnorm`)."""

import numpy as np


class BatchNorm:
    """Normalises each of num_features features over the batch, then scales and shifts it."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        """Set self.gamma (ones), self.beta (zeros), self.running_mean (zeros) and
        self.running_var (ones), all of shape (num_features,); keep eps and momentum.
        """
        raise NotImplementedError("BatchNorm.__init__")

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x of shape (N, num_features) -> gamma * x_hat + beta, of the same shape.

        Training: x_hat uses the batch mean and the biased batch variance, the running
        statistics take a momentum step (running_var with the unbiased variance), and N = 1
        raises ValueError. Evaluation (training=False): x_hat uses the running statistics,
        and nothing changes. Read self.gamma and self.beta here (they may be assigned).
        """
        raise NotImplementedError("BatchNorm.forward")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """dL/dy of shape (N, num_features) for the last TRAINING forward -> dL/dx, same shape.

        Also set self.dgamma and self.dbeta (shape (num_features,)), summed over the batch,
        overwriting the previous values.
        """
        raise NotImplementedError("BatchNorm.backward")
