"""A 2-D convolution layer, NCHW: fill in the two functions (see `kata show conv2d`)."""

import numpy as np


def conv2d_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """x (N, C, H, W), W (F, C, KH, KW), b (F,) -> the output, (N, F, OH, OW).

    A cross-correlation (the kernel is not flipped) over the input zero-padded by `padding`
    on all four sides, the window moving `stride` pixels at a time:
    OH = (H + 2 * padding - KH) // stride + 1, and OW likewise.
    """
    raise NotImplementedError("conv2d_forward")


def conv2d_backward(
    grad_output: np.ndarray,
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    padding: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dout (N, F, OH, OW) and the forward's arguments -> (dx, dW, db).

    Shaped like x, W and b; dW and db are summed over the batch (and over every pixel).
    """
    raise NotImplementedError("conv2d_backward")
