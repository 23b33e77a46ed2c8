"""A linear (fully connected) layer: fill in the three methods (see `kata show linear_layer`)."""

import numpy as np


class Linear:
    """y = x @ W.T + b, with W of shape (out_features, in_features) and b of (out_features,)."""

    def __init__(
        self, in_features: int, out_features: int, rng: np.random.Generator | None = None
    ) -> None:
        """Set self.W (Glorot-uniform, drawn from rng only) and self.b (zeros).

        Without rng, use a fresh np.random.default_rng().
        """
        raise NotImplementedError("Linear.__init__")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x of shape (N, in_features) -> x @ W.T + b, shape (N, out_features).

        Remember what backward needs; read self.W and self.b here (they may be assigned).
        """
        raise NotImplementedError("Linear.forward")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """dL/dy of shape (N, out_features) for the last forward call -> dL/dx, (N, in_features).

        Also set self.dW (W's shape) and self.db (b's shape), summed over the batch, overwriting
        the previous values.
        """
        raise NotImplementedError("Linear.backward")
