"""Correct: moments as interpolations toward the new gradient, corrections with math.pow."""

import math

import numpy as np


def adam_step(theta, g, first, second, k, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    first = first + (1 - beta1) * (g - first)
    second = second + (1 - beta2) * (g * g - second)
    bias1 = 1.0 - math.pow(beta1, k)
    bias2 = 1.0 - math.pow(beta2, k)
    direction = np.divide(first / bias1, np.sqrt(second / bias2) + eps)
    return (np.subtract(theta, lr * direction), first, second)
