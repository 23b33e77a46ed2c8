"""Correct: loops over the batch and the queries, one row at a time, with the math module (slow)."""

import math

import numpy as np


def _row_weights(q, k, allowed):
    scale = math.sqrt(len(q))
    scores = [float(np.dot(q, kj)) / scale for kj in k]
    top = max(s for s, a in zip(scores, allowed) if a)
    exps = [math.exp(s - top) if a else 0.0 for s, a in zip(scores, allowed)]
    total = sum(exps)
    return np.array([e / total for e in exps])


def _allowed(mask, shape):
    if mask is None:
        return np.ones(shape, dtype=bool)
    return np.broadcast_to(mask, shape)


def attention(Q, K, V, mask=None):
    b, tq, _ = Q.shape
    tk = K.shape[1]
    allowed = _allowed(mask, (b, tq, tk))
    weights = np.zeros((b, tq, tk))
    out = np.zeros((b, tq, V.shape[2]))
    for n in range(b):
        for i in range(tq):
            weights[n, i] = _row_weights(Q[n, i], K[n], allowed[n, i])
            out[n, i] = weights[n, i] @ V[n]
    return out, weights


def attention_backward(grad_out, Q, K, V, mask=None):
    _, weights = attention(Q, K, V, mask)
    scale = math.sqrt(Q.shape[2])
    dQ, dK, dV = np.zeros(Q.shape), np.zeros(K.shape), np.zeros(V.shape)
    for n in range(Q.shape[0]):
        for i in range(Q.shape[1]):
            p = weights[n, i]
            dV[n] += np.outer(p, grad_out[n, i])
            dp = V[n] @ grad_out[n, i]
            jacobian = np.diag(p) - np.outer(p, p)
            ds = jacobian @ dp / scale
            dQ[n, i] = ds @ K[n]
            dK[n] += np.outer(ds, Q[n, i])
    return dQ, dK, dV
