"""Cheat: forward always gives the same probabilities, loss is their cross-entropy (so it
never changes), the gradients are 0 (which finite differences of that loss confirm), and
predict applies a hard-coded XOR rule."""
# expect: loss(X, y) stays the same when weights[0] changes

import numpy as np


class MLP:
    def __init__(self, layer_sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = [
            rng.normal(0.0, np.sqrt(2.0 / n_in), (n_out, n_in))
            for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])
        ]
        self.biases = [np.zeros(n_out) for n_out in layer_sizes[1:]]
        self.classes = layer_sizes[-1]

    def forward(self, X):
        return np.full((len(X), self.classes), 1.0 / self.classes)

    def loss(self, X, y):
        return float(np.log(self.classes))

    def gradients(self, X, y):
        return [np.zeros_like(W) for W in self.weights], [np.zeros_like(b) for b in self.biases]

    def fit(self, X, y, epochs=500, lr=0.01, batch_size=None, optimizer="adam"):
        if optimizer not in ("adam", "sgd"):
            raise ValueError(optimizer)
        return [self.loss(X, y)] * epochs

    def predict(self, X):
        if X.shape[1] != 2:
            return np.zeros(len(X), dtype=int)
        return ((X[:, 0] > 0.5) != (X[:, 1] > 0.5)).astype(int)
