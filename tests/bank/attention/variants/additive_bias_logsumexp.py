"""Correct: the mask as an additive 0 / -inf bias, log-sum-exp softmax, batched matmul."""

import numpy as np


def _log_weights(Q, K, mask):
    scores = np.matmul(Q, np.transpose(K, (0, 2, 1))) * (1.0 / np.sqrt(Q.shape[2]))
    if mask is not None:
        scores = scores + np.where(mask, 0.0, -np.inf)
    top = np.max(scores, axis=2, keepdims=True)
    return scores - (top + np.log(np.sum(np.exp(scores - top), axis=2, keepdims=True)))


def attention(Q, K, V, mask=None):
    weights = np.exp(_log_weights(Q, K, mask))
    return np.matmul(weights, V), weights


def attention_backward(grad_out, Q, K, V, mask=None):
    out, weights = attention(Q, K, V, mask)
    d_weights = np.matmul(grad_out, np.transpose(V, (0, 2, 1)))
    # sum_k P_k dP_k equals grad_out . out for each query.
    row = np.sum(grad_out * out, axis=2, keepdims=True)
    d_scores = weights * (d_weights - row) / np.sqrt(Q.shape[2])
    dQ = np.matmul(d_scores, K)
    dK = np.matmul(np.transpose(d_scores, (0, 2, 1)), Q)
    dV = np.matmul(np.transpose(weights, (0, 2, 1)), grad_out)
    return dQ, dK, dV
