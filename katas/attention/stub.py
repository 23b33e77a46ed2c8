"""Scaled dot-product attention: fill in the two functions (see `kata show attention`)."""

import numpy as np


def attention(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Q (B, Tq, d), K (B, Tk, d), V (B, Tk, dv) -> (out (B, Tq, dv), weights (B, Tq, Tk)).

    weights = softmax of the scores Q @ K^T / sqrt(d) over the keys (the last axis); out =
    weights @ V. mask, if given, is boolean and broadcastable to (B, Tq, Tk): True where a
    query may attend to a key, and a False position gets weight exactly 0. Stable for scores
    of magnitude 1e4 (finite, no floating-point warning).
    """
    raise NotImplementedError("attention")


def attention_backward(
    grad_out: np.ndarray,
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dout (B, Tq, dv) -> (dQ, dK, dV), shaped like Q, K and V, for the same mask."""
    raise NotImplementedError("attention_backward")
