"""Hidden suite for relu_backward. The oracle is np.maximum / np.where, computed here."""

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    jittered,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

FORWARD_ABS = named("forward-abs")
FORWARD_MASK = named("forward-mask")
FORWARD_RELU6 = named("forward-relu6")

AT_ZERO = named("derivative-at-zero")
MASK_ONLY = named("mask-only")
GRAD_SIGN = named("grad-sign")
TIMES_X = named("times-x")
UNCHANGED = named("unchanged")


def backward_mistakes(g: np.ndarray, x: np.ndarray) -> dict:
    return {
        MASK_ONLY: (x > 0).astype(np.float64),
        AT_ZERO: g * (x >= 0),
        GRAD_SIGN: g * (g > 0),
        TIMES_X: g * np.maximum(x, 0),
        UNCHANGED: g,
    }


@pytest.mark.values
def test_forward_small_example(impl):
    """relu_forward on a hand-checked example"""
    x = np.array([[-1.0, 0.0, 2.0], [3.5, -0.5, 1e-3]])
    expect_close(
        impl.relu_forward(x),
        [[0.0, 0.0, 2.0], [3.5, 0.0, 1e-3]],
        call="relu_forward([[-1, 0, 2], [3.5, -0.5, 0.001]])",
    )


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """relu_forward equals max(0, x) on random inputs"""
    x = 10 * rng.standard_normal((5, 7))
    expect_close(
        impl.relu_forward(x),
        np.maximum(x, 0),
        call="relu_forward(x of shape (5, 7))",
        mistakes={
            FORWARD_ABS: np.abs(x),
            FORWARD_MASK: (x > 0) * 1.0,
            FORWARD_RELU6: np.clip(x, 0, 6),
        },
    )


@pytest.mark.values
def test_backward_small_example(impl):
    """relu_backward on a hand-checked example"""
    x = np.array([[-1.0, 0.5, 2.0]])
    g = np.array([[10.0, 20.0, 30.0]])
    expect_close(
        impl.relu_backward(g, x),
        [[0.0, 20.0, 30.0]],
        call="relu_backward([[10, 20, 30]], x=[[-1, 0.5, 2]])",
        mistakes=backward_mistakes(g, x),
    )


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """relu_backward equals grad_output * 1[x > 0] on random inputs"""
    x = jittered(rng, (6, 9))
    g = rng.standard_normal((6, 9))
    expect_close(
        impl.relu_backward(g, x),
        g * (x > 0),
        call="relu_backward(grad_output (6, 9), x (6, 9))",
        mistakes=backward_mistakes(g, x),
    )


@pytest.mark.values
def test_backward_at_zero_is_zero(impl, rng):
    """the derivative at exactly 0 is 0"""
    x = np.array([0.0, -2.0, 0.0, 3.0, 0.0])
    g = rng.uniform(1.0, 2.0, x.shape)
    expect_close(
        impl.relu_backward(g, x),
        np.where(x > 0, g, 0.0),
        call="relu_backward(g, x=[0, -2, 0, 3, 0])",
        mistakes={AT_ZERO: np.where(x >= 0, g, 0.0), MASK_ONLY: (x > 0) * 1.0},
    )


SHAPES = [(), (0,), (4,), (1, 5), (3, 0), (2, 3, 4), (2, 1, 3, 2)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_forward_any_shape(impl, rng, shape):
    """relu_forward works for any shape, including 0-d and empty arrays"""
    x = rng.standard_normal(shape)
    expect_close(impl.relu_forward(x), np.maximum(x, 0), call=f"relu_forward(x of shape {shape})")


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_backward_any_shape(impl, rng, shape):
    """relu_backward works for any shape, including 0-d and empty arrays"""
    x = jittered(rng, shape)
    g = rng.standard_normal(shape)
    expect_close(
        impl.relu_backward(g, x),
        np.where(x > 0, g, 0.0),
        call=f"relu_backward(grad_output, x) with shape {shape}",
        mistakes=backward_mistakes(g, x),
    )


@pytest.mark.shapes
def test_forward_keeps_float32(impl, rng):
    """relu_forward keeps float32 as float32"""
    x = rng.standard_normal((3, 4)).astype(np.float32)
    expect_close(
        impl.relu_forward(x), np.maximum(x, 0), call="relu_forward(float32 x)", dtype=np.float32
    )


@pytest.mark.shapes
def test_backward_keeps_grad_dtype(impl, rng):
    """relu_backward keeps the dtype of grad_output"""
    x = jittered(rng, (4, 3))
    g = rng.standard_normal((4, 3)).astype(np.float32)
    expect_close(
        impl.relu_backward(g, x),
        np.where(x > 0, g, 0),
        dtype=np.float32,
        call="relu_backward(float32 grad_output, float64 x)",
    )


@pytest.mark.gradients
def test_backward_matches_finite_differences(impl, rng):
    """relu_backward is the gradient of relu_forward (finite differences)"""
    x = jittered(rng, (4, 5))
    g = rng.standard_normal((4, 5))
    numeric = numerical_gradient(lambda z: float(np.sum(np.maximum(z, 0) * g)), x)
    expect_gradient(
        impl.relu_backward(g, x),
        numeric,
        call="relu_backward(g, x)",
        wrt="x",
        mistakes=backward_mistakes(g, x),
    )


@pytest.mark.stability
def test_huge_values_stay_finite(impl):
    """huge inputs give finite results and no floating-point warnings"""
    x = np.array([1e308, -1e308, 1.7e308, -5.0])
    g = np.array([1e300, 1e300, -1e300, 2.0])
    with no_fp_warnings(impl, "relu_forward / relu_backward on values near ±1e308"):
        forward = impl.relu_forward(x)
        backward = impl.relu_backward(g, x)
    expect_close(forward, np.maximum(x, 0), call="relu_forward([1e308, -1e308, 1.7e308, -5])")
    expect_close(backward, np.where(x > 0, g, 0.0), call="relu_backward(g, x near ±1e308)")


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """neither function modifies its inputs"""
    x = jittered(rng, (3, 5))
    g = rng.standard_normal((3, 5))
    expect_inputs_unchanged(impl, "relu_forward", x, arg_names=("x",))
    expect_inputs_unchanged(impl, "relu_backward", g, x, arg_names=("grad_output", "x"))


@pytest.mark.contract
def test_results_are_new_arrays(impl, rng):
    """results are NumPy arrays of the input's shape, not lists"""
    x = jittered(rng, (2, 3))
    for name, args in (("relu_forward", (x,)), ("relu_backward", (np.ones_like(x), x))):
        got = getattr(impl, name)(*args)
        if not isinstance(got, np.ndarray):
            raise Mistake(f"{name}() returned {describe(got)}; return a NumPy array (not a list)")
        expect_array(got, call=f"{name}(x of shape (2, 3))", shape=(2, 3))
