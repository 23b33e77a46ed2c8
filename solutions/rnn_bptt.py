"""Reference solution: a vanilla tanh RNN and backpropagation through time (BPTT)."""

import numpy as np


class RNN:
    def __init__(
        self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None
    ) -> None:
        # Without a generator, a fresh unseeded one: two RNNs then start different.
        rng = np.random.default_rng() if rng is None else rng
        # PyTorch's nn.RNN initialisation: every parameter, the bias too, from
        # U(-1/sqrt(hidden), 1/sqrt(hidden)). The bound depends on hidden_size only.
        bound = 1.0 / np.sqrt(hidden_size)
        self.W_xh = rng.uniform(-bound, bound, size=(hidden_size, input_size))
        self.W_hh = rng.uniform(-bound, bound, size=(hidden_size, hidden_size))
        self.b_h = rng.uniform(-bound, bound, size=hidden_size)

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        n, steps, _ = x.shape
        hidden = self.b_h.shape[0]
        h0 = np.zeros((n, hidden)) if h0 is None else h0
        h = h0
        hs = np.empty((n, steps, hidden))
        for t in range(steps):
            # Batch-first: step t reads x[:, t]. W_hh is square, so a missing transpose here
            # would raise nothing: h_{t-1} @ W_hh.T, as for W_xh.
            h = np.tanh(x[:, t] @ self.W_xh.T + h @ self.W_hh.T + self.b_h)
            hs[:, t] = h
        # Backward needs the inputs, the initial state and every state (tanh' = 1 - h**2).
        self.x, self.h0, self.hs = x, h0, hs
        return hs

    def backward(self, grad_hs: np.ndarray) -> np.ndarray:
        x, hs = self.x, self.hs
        steps = hs.shape[1]
        dx = np.empty_like(x, dtype=np.float64)
        dW_xh = np.zeros_like(self.W_xh)
        dW_hh = np.zeros_like(self.W_hh)
        db_h = np.zeros_like(self.b_h)
        # dL/dh_t has two parts: the loss's own grad_hs[:, t], and what flows back from
        # step t + 1 through h_t @ W_hh.T (the recurrent term). Nothing flows into the last step.
        dh_next = np.zeros_like(hs[:, 0])
        for t in reversed(range(steps)):
            dh = grad_hs[:, t] + dh_next
            # Through the tanh: its slope at step t is 1 - h_t**2, applied to the whole dh.
            da = dh * (1.0 - hs[:, t] ** 2)
            h_prev = hs[:, t - 1] if t > 0 else self.h0
            # Summed over the batch and over time: the same weights act at every step.
            dW_xh += da.T @ x[:, t]
            dW_hh += da.T @ h_prev
            db_h += da.sum(axis=0)
            dx[:, t] = da @ self.W_xh
            dh_next = da @ self.W_hh
        # Plain assignment, not +=: each backward reports the gradient of its own loss.
        self.dW_xh, self.dW_hh, self.db_h = dW_xh, dW_hh, db_h
        # What reached h0 is the gradient of the initial state, set even when h0 defaulted.
        self.dh0 = dh_next
        return dx
