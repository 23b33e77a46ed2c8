"""Reference solution: a fully connected (linear) layer, y = x @ W.T + b."""

import numpy as np


class Linear:
    def __init__(
        self, in_features: int, out_features: int, rng: np.random.Generator | None = None
    ) -> None:
        # Without a generator, a fresh unseeded one: two layers then start different.
        rng = np.random.default_rng() if rng is None else rng
        # Glorot-uniform: U(-l, l) has variance l**2 / 3 = 2 / (fan_in + fan_out), which keeps
        # activations and gradients at the same scale going forward and backward.
        limit = np.sqrt(6.0 / (in_features + out_features))
        # (out, in), as in PyTorch: row j holds the weights of output unit j.
        self.W = rng.uniform(-limit, limit, size=(out_features, in_features))
        self.b = np.zeros(out_features)

    def forward(self, x: np.ndarray) -> np.ndarray:
        # Backward needs the input (dW depends on it); keep the latest one only.
        self.x = x
        # Read self.W here, never a transpose cached earlier: W may be assigned between calls.
        return x @ self.W.T + self.b

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        # y[n, j] = sum_i x[n, i] W[j, i] + b[j], so each sample n contributes
        # grad_output[n, j] * x[n, i] to dW[j, i] and grad_output[n, j] to db[j]. The batch sum
        # is the matrix product; no 1/N here: a mean loss already put it into grad_output.
        # Plain assignment, not +=: each call reports the gradient of this call's loss.
        self.dW = grad_output.T @ self.x
        self.db = grad_output.sum(axis=0)
        return grad_output @ self.W
