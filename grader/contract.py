"""Rules every learner's file is held to, shared by the static scan and the child."""

from __future__ import annotations

# Top-level packages a kata file may not import (kata contract: no deep-learning
# or scientific shortcuts, nothing of this project).
FORBIDDEN_MODULES: dict[str, str] = {
    "torch": "PyTorch",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "jax": "JAX",
    "jaxlib": "JAX",
    "flax": "JAX",
    "scipy": "SciPy",
    "sklearn": "scikit-learn",
    "autograd": "an autograd library",
    "micrograd": "an autograd library",
    "tinygrad": "an autograd library",
    "mxnet": "MXNet",
    "theano": "Theano",
    "cupy": "CuPy",
    "grader": "the grader itself",
    "katas": "the hidden suites",
    "solutions": "the reference solutions",
}


def forbidden_reason(module: str) -> str | None:
    """Why importing ``module`` is not allowed, or None if it is."""
    root = module.split(".")[0]
    what = FORBIDDEN_MODULES.get(root)
    if what is None:
        return None
    return f"'{module}' ({what}) may not be imported in a kata: write it with NumPy"
