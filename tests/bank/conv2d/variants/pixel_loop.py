"""conv2d with a Python loop over every output pixel (h, w), vectorised over batch and filters."""

import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    out = np.empty((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = patch.reshape(n, -1) @ W.reshape(f, -1).T + b
    return out


def conv2d_backward(grad_output, x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    wf = W.reshape(f, -1)
    for i in range(grad_output.shape[2]):
        for j in range(grad_output.shape[3]):
            rows = slice(i * stride, i * stride + kh)
            cols = slice(j * stride, j * stride + kw)
            g = grad_output[:, :, i, j]
            dW += (g.T @ xp[:, :, rows, cols].reshape(n, -1)).reshape(W.shape)
            dxp[:, :, rows, cols] += (g @ wf).reshape(n, c, kh, kw)
    db = grad_output.sum(axis=(0, 2, 3))
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, db
