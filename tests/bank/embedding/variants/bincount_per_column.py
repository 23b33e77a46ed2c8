"""Correct: np.take for the lookup, one np.bincount per column for the backward."""

import numpy as np


class Embedding:
    def __init__(self, num_embeddings, dim, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        self.weight = rng.normal(0.0, 1.0, size=(num_embeddings, dim))

    def forward(self, ids):
        ids = np.asarray(ids)
        n = self.weight.shape[0]
        if np.any(ids < 0) or np.any(ids >= n):
            raise IndexError("id out of range")
        self._ids = ids.ravel().astype(np.intp)
        return np.take(self.weight, ids, axis=0)

    def backward(self, grad_output):
        n, dim = self.weight.shape
        g = np.reshape(grad_output, (-1, dim))
        self.dweight = (
            np.stack(
                [np.bincount(self._ids, weights=g[:, k], minlength=n) for k in range(dim)], axis=1
            )
            .astype(np.float64)
            .reshape(n, dim)
        )
