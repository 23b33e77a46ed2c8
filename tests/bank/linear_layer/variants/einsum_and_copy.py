"""Correct: einsum everywhere, a copied input, a scaled rng.random() draw, names of its own."""

import math

import numpy as np


class Linear:
    def __init__(self, n_in, n_out, rng=None):
        generator = rng if rng is not None else np.random.default_rng()
        bound = math.sqrt(6.0 / (n_in + n_out))
        self.W = (2.0 * generator.random((n_out, n_in)) - 1.0) * bound
        self.b = np.zeros((n_out,))

    def forward(self, inputs):
        self.saved = np.array(inputs, copy=True)
        return np.einsum("bi,oi->bo", inputs, self.W) + self.b

    def backward(self, upstream):
        self.dW = np.einsum("bo,bi->oi", upstream, self.saved)
        self.db = np.einsum("bo->o", upstream)
        return np.einsum("bo,oi->bi", upstream, self.W)
