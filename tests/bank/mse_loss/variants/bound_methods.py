"""Correct: a small loss object whose bound methods are the required functions; 0-d results."""

import numpy as np


class MeanSquaredError:
    def _difference(self, y_pred, y_true):
        y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
        if y_pred.shape != y_true.shape:
            raise ValueError(
                "y_pred and y_true differ in shape: "
                + " and ".join(str(a.shape) for a in (y_pred, y_true))
            )
        return np.subtract(y_pred, y_true)

    def loss(self, y_pred, y_true):
        return np.asarray(np.square(self._difference(y_pred, y_true)).mean())

    def grad(self, y_pred, y_true):
        d = self._difference(y_pred, y_true)
        return (d + d) / d.size


_MSE = MeanSquaredError()
mse_loss = _MSE.loss
mse_grad = _MSE.grad
