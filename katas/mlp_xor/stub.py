"""A small MLP that learns XOR: fill in every method (see `kata show mlp_xor`)."""

import numpy as np


class MLP:
    """ReLU on every hidden layer, softmax on the output, mean cross-entropy loss."""

    def __init__(self, layer_sizes: list[int], seed: int = 0):
        """Set self.weights[i] of shape (layer_sizes[i+1], layer_sizes[i]), He-normal
        N(0, 2 / fan_in) from np.random.default_rng(seed), and self.biases[i] of shape
        (layer_sizes[i+1],), zeros."""
        raise NotImplementedError("MLP.__init__")

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities for X of shape (N, layer_sizes[0]): shape (N, C), rows sum to 1."""
        raise NotImplementedError("MLP.forward")

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy for integer labels y of shape (N,)."""
        raise NotImplementedError("MLP.loss")

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(gradients of loss(X, y) w.r.t. each weight, ... w.r.t. each bias), shaped like them."""
        raise NotImplementedError("MLP.gradients")

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int = 500,
        lr: float = 0.01,
        batch_size: int | None = None,
        optimizer: str = "adam",
    ) -> list[float]:
        """Train in place with 'adam' or 'sgd'; return one mean loss per epoch (before updates)."""
        raise NotImplementedError("MLP.fit")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Integer class labels, shape (N,)."""
        raise NotImplementedError("MLP.predict")
