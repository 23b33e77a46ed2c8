"""Correct but slow: one entry at a time, normals by the Box-Muller transform of uniforms."""

import math

import numpy as np


def _fill(fan_in, fan_out, draw):
    w = np.empty((fan_out, fan_in))
    for j in range(fan_out):
        for i in range(fan_in):
            w[j, i] = draw()
    return w


def _box_muller(rng):
    u1 = 1.0 - rng.random()  # in (0, 1]: log is finite
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def xavier_uniform(fan_in, fan_out, rng):
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(fan_in, fan_out, lambda: rng.uniform(-a, a))


def xavier_normal(fan_in, fan_out, rng):
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(fan_in, fan_out, lambda: std * _box_muller(rng))


def he_uniform(fan_in, fan_out, rng):
    a = math.sqrt(6.0 / fan_in)
    return _fill(fan_in, fan_out, lambda: -a + 2 * a * rng.random())


def he_normal(fan_in, fan_out, rng):
    std = math.sqrt(2.0 / fan_in)
    return _fill(fan_in, fan_out, lambda: std * _box_muller(rng))
