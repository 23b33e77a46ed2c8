"""Reference solution: binary cross-entropy on probabilities and on logits, with gradients."""

import numpy as np


def bce_loss(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> float:
    # log(0) is -inf, and a prediction of exactly 0 or 1 happens (a saturated sigmoid, rounding):
    # clip into [eps, 1 - eps] first so that every log is finite.
    p = np.clip(y_pred, eps, 1 - eps)
    # The mean over every element, not only the batch axis: the loss (and the step size it
    # implies) must not grow with the number of outputs.
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_grad(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    p = np.clip(y_pred, eps, 1 - eps)
    # d/dp of -(y log p + (1 - y) log(1 - p)) is -y/p + (1 - y)/(1 - p) = (p - y) / (p (1 - p)).
    # It is evaluated at the clipped p, not replaced by the clipped function's zero slope: a
    # confidently wrong prediction (p = 0 for y = 1) must still get the strongest push back.
    # The 1/size is the derivative of the mean.
    return (p - y_true) / (p * (1 - p)) / np.size(y_pred)


def bce_with_logits_loss(logits: np.ndarray, y_true: np.ndarray) -> float:
    # With p = sigmoid(z), -y log p - (1 - y) log(1 - p) = max(z, 0) - z y + log(1 + exp(-|z|)).
    # exp(-|z|) lies in (0, 1], so it never overflows, and log1p keeps its precision when tiny;
    # going through sigmoid and log instead saturates p to 0 or 1 for |z| ~ 40 and beyond.
    z = logits
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(logits: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    # The sigmoid's slope p (1 - p) cancels the denominator of bce_grad: d/dz = sigmoid(z) - y.
    return (sigmoid(logits) - y_true) / np.size(logits)


def sigmoid(z: np.ndarray) -> np.ndarray:
    # Only ever exponentiate -|z| <= 0: 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0 are the
    # same sigmoid, and neither branch can overflow (np.where evaluates both).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
