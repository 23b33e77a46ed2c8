"""Binary cross-entropy and its gradient: fill in all four functions (see `kata show bce_gradient`)."""

import numpy as np


def bce_loss(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> float:
    """Mean BCE over all elements; clip y_pred to [eps, 1 - eps] before any log."""
    raise NotImplementedError("bce_loss")


def bce_grad(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """dL/dy_pred: (p - y_true) / (p * (1 - p)) / y_pred.size at p = clip(y_pred, eps, 1 - eps)."""
    raise NotImplementedError("bce_grad")


def bce_with_logits_loss(logits: np.ndarray, y_true: np.ndarray) -> float:
    """Mean BCE of sigmoid(logits) over all elements, stable for |logits| of 1e3 and beyond."""
    raise NotImplementedError("bce_with_logits_loss")


def bce_with_logits_grad(logits: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """dL/dlogits of bce_with_logits_loss; finite and warning-free for huge logits."""
    raise NotImplementedError("bce_with_logits_grad")
