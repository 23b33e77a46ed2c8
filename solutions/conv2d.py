"""Reference solution: a 2-D convolution layer (NCHW), forward and backward, with im2col."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pad_hw(x: np.ndarray, padding: int) -> np.ndarray:
    """Zero padding on all four sides of the image (a new array: x itself is never touched)."""
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def im2col(x: np.ndarray, kh: int, kw: int, stride: int, padding: int) -> tuple:
    """Every window the kernel visits, as columns: (cols, (OH, OW)).

    cols has shape (N, C * kh * kw, OH * OW): column p of image n holds, flattened in W's
    (C, kh, kw) order, the window that output pixel p reads. Keeping one window in `stride`
    of the padded image leaves exactly OH = (H + 2p - kh) // stride + 1 rows of them (a
    window must fit entirely: rows left over at the end are never read), OW likewise.
    """
    windows = sliding_window_view(pad_hw(x, padding), (kh, kw), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, OH, OW, kh, kw), a view
    n, c, oh, ow = windows.shape[:4]
    # One copy, in the order the matrix product wants: OH * OW last, so the result is NCHW.
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow), (oh, ow)


def conv2d_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    f, _, kh, kw = W.shape
    cols, (oh, ow) = im2col(x, kh, kw, stride, padding)
    # Cross-correlation, as deep-learning libraries compute it: window entry (i, j) meets
    # kernel entry (i, j), no flip. One matrix product per image does every pixel at once.
    out = W.reshape(f, -1) @ cols  # (N, F, OH * OW)
    return (out + b[:, None]).reshape(len(x), f, oh, ow)  # one bias per filter, NCHW


def conv2d_backward(
    grad_output: np.ndarray,
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    padding: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    _, _, oh, ow = grad_output.shape
    g = grad_output.reshape(n, f, oh * ow)
    # out[n, f, p] = b[f] + sum_k W[f, k] cols[n, k, p]: each parameter collects the sum over
    # the batch AND over every output pixel (no 1/N: a mean loss already put it into g).
    db = g.sum(axis=(0, 2))
    cols, _ = im2col(x, kh, kw, stride, padding)
    dW = (g @ cols.transpose(0, 2, 1)).sum(axis=0)
    # dx: each pixel sends W back onto the window it read (col2im). Windows overlap when
    # stride < kernel, so the contributions ADD: one strided slice per kernel entry (i, j)
    # adds them for every pixel at once.
    dcols = (W.reshape(f, -1).T @ g).reshape(n, c, kh, kw, oh, ow)
    dpadded = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    for i in range(kh):
        rows = slice(i, i + stride * oh, stride)
        for j in range(kw):
            columns = slice(j, j + stride * ow, stride)
            dpadded[:, :, rows, columns] += dcols[:, :, i, j]
    # The padding is not part of x: crop it (written so that padding = 0 crops nothing).
    dx = dpadded[:, :, padding : padding + h, padding : padding + w]
    return dx, dW.reshape(W.shape), db
