"""Reference solution: mean squared error and its gradient."""

import numpy as np


def check_same_shape(y_pred: np.ndarray, y_true: np.ndarray) -> None:
    # NumPy would broadcast mismatched shapes without a word: (N, 1) against (N,) gives an
    # (N, N) matrix of every prediction minus every target, and a loss that looks plausible.
    if np.shape(y_pred) != np.shape(y_true):
        raise ValueError(
            f"y_pred has shape {np.shape(y_pred)} but y_true has shape {np.shape(y_true)}; "
            "they must be the same"
        )


def mse_loss(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    check_same_shape(y_pred, y_true)
    # The mean over every element, not only the batch axis: the loss must not grow with the
    # number of outputs per sample.
    return float(np.mean((y_pred - y_true) ** 2))


def mse_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    check_same_shape(y_pred, y_true)
    # d/dp of (p - y)**2 is 2 (p - y); the 1/size is the derivative of the mean over all elements.
    return 2 * (y_pred - y_true) / np.size(y_pred)
