"""Reference solution: Xavier (Glorot) and He (Kaiming) initial weights, uniform and normal."""

import math

import numpy as np

# Every function returns W of shape (fan_out, fan_in), the layout of Linear's W: row j holds
# the weights into output unit j. Everything is drawn from `rng`, never from np.random's global
# state, so the same seed gives the same weights.


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    # U(-a, a) has variance a**2 / 3; Xavier wants 2 / (fan_in + fan_out) (the average of
    # what the forward and the backward pass would each want), hence the 6.
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_out, fan_in))


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    # The same variance, 2 / (fan_in + fan_out), from a normal: its square root is the std.
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_out, fan_in))


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    # ReLU zeroes half its inputs, so He doubles the variance of fan_in's share: 2 / fan_in,
    # which for U(-a, a) means a = sqrt(3 * 2 / fan_in). fan_out plays no part.
    a = math.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_out, fan_in))


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    # Variance 2 / fan_in: rng.normal takes the standard deviation, its square root.
    std = math.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_out, fan_in))
