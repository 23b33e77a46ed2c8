"""Correct: standard draws scaled by hand (2 * random - 1 for the uniform), math.sqrt."""

import math


def _uniform(a, fan_in, fan_out, rng):
    return a * (2.0 * rng.random((fan_out, fan_in)) - 1.0)


def _normal(std, fan_in, fan_out, rng):
    return std * rng.standard_normal((fan_out, fan_in))


def xavier_uniform(fan_in, fan_out, rng):
    return _uniform(math.sqrt(6 / (fan_in + fan_out)), fan_in, fan_out, rng)


def xavier_normal(fan_in, fan_out, rng):
    return _normal(math.sqrt(2 / (fan_in + fan_out)), fan_in, fan_out, rng)


def he_uniform(fan_in, fan_out, rng):
    return _uniform(math.sqrt(6 / fan_in), fan_in, fan_out, rng)


def he_normal(fan_in, fan_out, rng):
    return _normal(math.sqrt(2 / fan_in), fan_in, fan_out, rng)
