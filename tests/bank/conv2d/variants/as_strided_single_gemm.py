"""Correct: im2col with as_strided in channels-last order, one matrix product per pass."""

import numpy as np
from numpy.lib.stride_tricks import as_strided


class _Cols:
    """The (N * OH * OW, KH * KW * C) patch matrix of a channels-last padded input."""

    def __init__(self, x, kh, kw, stride, padding):
        xp = np.pad(
            x.transpose(0, 2, 3, 1), ((0, 0), (padding, padding), (padding, padding), (0, 0))
        )
        xp = np.ascontiguousarray(xp)
        n, hp, wp, c = xp.shape
        self.oh, self.ow = (hp - kh) // stride + 1, (wp - kw) // stride + 1
        sn, sh, sw, sc = xp.strides
        patches = as_strided(
            xp,
            shape=(n, self.oh, self.ow, kh, kw, c),
            strides=(sn, sh * stride, sw * stride, sh, sw, sc),
            writeable=False,
        )
        self.matrix = patches.reshape(n * self.oh * self.ow, kh * kw * c)


def _w_matrix(W):
    # (F, C, KH, KW) -> (KH * KW * C, F), matching the patch order (kh, kw, c)
    return W.transpose(2, 3, 1, 0).reshape(-1, W.shape[0])


def conv2d_forward(x, W, b, stride=1, padding=0):
    cols = _Cols(x, W.shape[2], W.shape[3], stride, padding)
    out = cols.matrix @ _w_matrix(W) + b
    return out.reshape(x.shape[0], cols.oh, cols.ow, -1).transpose(0, 3, 1, 2)


def conv2d_backward(grad_output, x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    cols = _Cols(x, kh, kw, stride, padding)
    g = grad_output.transpose(0, 2, 3, 1).reshape(-1, f)
    dW = (cols.matrix.T @ g).reshape(kh, kw, c, f).transpose(3, 2, 0, 1)
    db = g.sum(axis=0)
    dpatches = (g @ _w_matrix(W).T).reshape(n, cols.oh, cols.ow, kh, kw, c)
    dxp = np.zeros((n, h + 2 * padding, w + 2 * padding, c))
    for i in range(kh):
        for j in range(kw):
            dxp[:, i : i + stride * cols.oh : stride, j : j + stride * cols.ow : stride] += (
                dpatches[:, :, :, i, j]
            )
    dx = dxp[:, padding : padding + h, padding : padding + w].transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dx), np.ascontiguousarray(dW), db
