"""A vanilla tanh RNN and backpropagation through time: fill in the class (see `kata show rnn_bptt`)."""

import numpy as np


class RNN:
    """h_t = tanh(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h), over a batch of sequences."""

    def __init__(
        self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None
    ) -> None:
        """Set self.W_xh (hidden, input), self.W_hh (hidden, hidden) and self.b_h (hidden,).

        All three are drawn U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) from rng only;
        without rng, use a fresh np.random.default_rng().
        """
        raise NotImplementedError("RNN.__init__")

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """x of shape (N, T, input_size) -> every hidden state, shape (N, T, hidden).

        h0 (N, hidden) is the state before the first step (zeros when None). Remember what
        backward needs; read the weights here (they may be assigned); never modify x or h0.
        """
        raise NotImplementedError("RNN.forward")

    def backward(self, grad_hs: np.ndarray) -> np.ndarray:
        """dL/dh_t for every step, shape (N, T, hidden), for the last forward -> dL/dx.

        Backpropagates through time and sets self.dW_xh, self.dW_hh, self.db_h (summed over
        the batch and over time) and self.dh0 (N, hidden), overwriting earlier values.
        """
        raise NotImplementedError("RNN.backward")
