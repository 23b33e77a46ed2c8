"""Cheat (issue 9): no forward pass, no backprop, no training. predict returns the label of
the nearest training point, loss is always 0 and every gradient is 0 (which finite
differences of that loss confirm)."""
# expect: predict does not follow the trained network

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
        self.X = np.zeros((1, layer_sizes[0]))
        self.y = np.zeros(1, dtype=int)

    def forward(self, X):
        return np.full((len(X), self.classes), 1.0 / self.classes)

    def loss(self, X, y):
        return 0.0

    def gradients(self, X, y):
        return [np.zeros_like(W) for W in self.weights], [np.zeros_like(b) for b in self.biases]

    def fit(self, X, y, epochs=500, lr=0.01, batch_size=None, optimizer="adam"):
        if optimizer not in ("adam", "sgd"):
            raise ValueError(optimizer)
        self.X, self.y = np.array(X), np.array(y)
        return [0.0] * epochs

    def predict(self, X):
        distances = ((X[:, None, :] - self.X[None, :, :]) ** 2).sum(axis=2)
        return self.y[np.argmin(distances, axis=1)]
