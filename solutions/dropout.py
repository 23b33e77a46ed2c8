"""Reference solution: inverted dropout, with its backward pass."""

import numpy as np


class Dropout:
    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        # p is the probability of DROPPING an element (PyTorch's convention), not of keeping it.
        # p = 1 is allowed: it zeroes everything.
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.p = p
        # The mask's only source of randomness; without one, a fresh unseeded generator.
        self.rng = np.random.default_rng() if rng is None else rng
        self.keep = None  # the mask of the last training forward; None after an evaluation one

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training:
            # Inverted dropout already scaled at training time, so evaluation is the identity.
            self.keep = None
            return x
        # One independent draw per element, a fresh mask on every training forward.
        self.keep = self.rng.random(x.shape) >= self.p
        return np.where(self.keep, x * self._scale(), 0).astype(x.dtype, copy=False)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        if self.keep is None:
            return grad_output
        # y = x * keep / (1 - p), so dy/dx is the same mask and the same scale.
        return np.where(self.keep, grad_output * self._scale(), 0).astype(
            grad_output.dtype, copy=False
        )

    def _scale(self) -> float:
        # Kept elements are scaled by 1 / (1 - p) so that the expected output equals x. With
        # p = 1 nothing is kept: the scale is never used, and 1 / 0 must not be computed.
        return 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
