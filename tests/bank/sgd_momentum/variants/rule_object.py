"""Correct: a small frozen rule object built afresh at every call (no state kept)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _Momentum:
    lr: float
    momentum: float
    nesterov: bool

    def velocity(self, velocity, grad):
        return self.momentum * np.asarray(velocity) + grad

    def apply(self, param, grad, velocity):
        v = self.velocity(velocity, grad)
        direction = grad + self.momentum * v if self.nesterov else v
        return param - self.lr * direction, v


def sgd_step(param, grad, lr=0.01):
    # Plain SGD is momentum 0: v = grad.
    return _Momentum(lr, 0.0, False).apply(param, grad, np.zeros_like(param))[0]


def momentum_step(param, grad, velocity, lr=0.01, momentum=0.9, nesterov=False):
    return _Momentum(lr, momentum, nesterov).apply(param, grad, velocity)
