"""Reference solution: scaled dot-product attention (Vaswani et al., 2017) and its backward."""

import numpy as np


def attention(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    d = Q.shape[-1]
    # K^T swaps K's last two axes only (K.T would reverse the batch axis too). Dividing by
    # sqrt(d) keeps the scores' spread near 1 whatever d is, so the softmax does not saturate.
    scores = Q @ K.swapaxes(-1, -2) / np.sqrt(d)
    if mask is not None:
        # A disallowed key gets score -inf, hence weight exp(-inf) = 0 exactly. This happens
        # before the softmax, so the allowed weights still sum to 1 (a 0 score would still
        # get weight, and zeroing weights afterwards would leave rows that do not sum to 1).
        scores = np.where(mask, scores, -np.inf)
    # Softmax over the keys (the last axis): each query's weights sum to 1. Subtracting the
    # row's max (finite: every row has an allowed key) keeps exp from overflowing.
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_backward(
    grad_out: np.ndarray,
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = Q.shape[-1]
    _, P = attention(Q, K, V, mask)
    # out = P @ V: each value row is used by every query, weighted by P.
    dV = P.swapaxes(-1, -2) @ grad_out
    dP = grad_out @ V.swapaxes(-1, -2)
    # The softmax's Jacobian-vector product, row by row: dS = P * (dP - sum(dP * P)). A masked
    # key has P = 0, so its score gets no gradient: the mask needs no extra handling here.
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
    # scores = Q @ K^T / sqrt(d): the scale comes back in both gradients.
    dS = dS / np.sqrt(d)
    dQ = dS @ K
    dK = dS.swapaxes(-1, -2) @ Q
    return dQ, dK, dV
