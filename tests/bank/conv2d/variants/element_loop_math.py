"""Correct: plain loops over every output element with math.fsum (slow, but right)."""

import math

import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    xp[:, :, padding : padding + h, padding : padding + w] = x
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for s in range(n):
        for k in range(f):
            for r in range(oh):
                for q in range(ow):
                    window = xp[s, :, r * stride : r * stride + kh, q * stride : q * stride + kw]
                    out[s, k, r, q] = math.fsum((window * W[k]).ravel()) + b[k]
    return out


def conv2d_backward(grad_output, x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    xp[:, :, padding : padding + h, padding : padding + w] = x
    dxp = np.zeros_like(xp)
    dW = np.zeros(W.shape)
    db = np.zeros(f)
    for s in range(n):
        for k in range(f):
            for r in range(grad_output.shape[2]):
                for q in range(grad_output.shape[3]):
                    g = grad_output[s, k, r, q]
                    rows = slice(r * stride, r * stride + kh)
                    cols = slice(q * stride, q * stride + kw)
                    dxp[s, :, rows, cols] += g * W[k]
                    dW[k] += g * xp[s, :, rows, cols]
                    db[k] += g
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, db
