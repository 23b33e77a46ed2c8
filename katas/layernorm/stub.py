"""Layer normalisation: fill in the three methods (see `kata show layernorm`)."""

import numpy as np


class LayerNorm:
    """Normalises every position of an input (..., dim) over its last axis, then scales and
    shifts it with gamma and beta."""

    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        """Set self.gamma (ones) and self.beta (zeros), both of shape (dim,); keep eps."""
        raise NotImplementedError("LayerNorm.__init__")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x of shape (..., dim) -> gamma * x_hat + beta, of the same shape.

        x_hat normalises each position over the LAST axis with its mean and its biased
        variance (divide by dim), eps inside the square root. Read self.gamma and self.beta
        here (they may be assigned). Remember what backward needs.
        """
        raise NotImplementedError("LayerNorm.forward")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """dL/dy of the last forward's shape (..., dim) -> dL/dx, same shape.

        Also set self.dgamma and self.dbeta (shape (dim,)), summed over every leading axis,
        overwriting the previous values.
        """
        raise NotImplementedError("LayerNorm.backward")
