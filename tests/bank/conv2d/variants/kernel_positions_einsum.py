"""Correct: a loop over the KH x KW kernel entries, each one einsum over a strided slice."""

import numpy as np


def _geometry(x, W, stride, padding):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)], mode="constant")
    return xp, oh, ow


def _slice(i, j, oh, ow, stride):
    return (
        slice(None),
        slice(None),
        slice(i, i + stride * oh, stride),
        slice(j, j + stride * ow, stride),
    )


def conv2d_forward(x, W, b, stride=1, padding=0):
    xp, oh, ow = _geometry(x, W, stride, padding)
    out = np.zeros((x.shape[0], W.shape[0], oh, ow))
    for i in range(W.shape[2]):
        for j in range(W.shape[3]):
            out += np.einsum("nchw,fc->nfhw", xp[_slice(i, j, oh, ow, stride)], W[:, :, i, j])
    return out + b.reshape(-1, 1, 1)


def conv2d_backward(grad_output, x, W, b, stride=1, padding=0):
    xp, oh, ow = _geometry(x, W, stride, padding)
    dxp = np.zeros(xp.shape)
    dW = np.empty(W.shape)
    for i in range(W.shape[2]):
        for j in range(W.shape[3]):
            where = _slice(i, j, oh, ow, stride)
            dW[:, :, i, j] = np.einsum("nfhw,nchw->fc", grad_output, xp[where])
            dxp[where] = dxp[where] + np.einsum("nfhw,fc->nchw", grad_output, W[:, :, i, j])
    h, w = x.shape[2:]
    dx = dxp[:, :, padding : padding + h, padding : padding + w].copy()
    return dx, dW, np.einsum("nfhw->f", grad_output)
