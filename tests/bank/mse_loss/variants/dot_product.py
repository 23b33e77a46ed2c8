"""Correct: the loss as a dot product of the flattened differences, the check in each function."""

import numpy as np


def mse_loss(pred, target):
    if pred.shape != target.shape:
        raise ValueError(f"shape mismatch: {pred.shape} vs {target.shape}")
    diff = (pred - target).ravel()
    return diff @ diff / diff.size


def mse_grad(pred, target):
    if pred.shape != target.shape:
        raise ValueError(f"shape mismatch: {pred.shape} vs {target.shape}")
    return np.multiply(pred - target, 2.0 / pred.size)
