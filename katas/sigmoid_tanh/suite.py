"""Hidden suite for sigmoid_tanh.

The oracles are written here in another form than the reference, all in float64: the
sigmoid as exp(-logaddexp(0, -x)), tanh from expm1(-2|x|), and both local slopes straight
from e = exp(-|x|): s (1 - s) = e / (1 + e)**2 and 1 - tanh(x)**2 = 4 e**2 / (1 + e**2)**2.
"""

from functools import partial

import numpy as np
import pytest

from grader.suite import (
    ANY_SHAPES,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

# -- likely mistakes ----------------------------------------------------------------------------

SIGMOID_OVERFLOW = named("sigmoid-overflow")
BOTH_BRANCHES = named("both-branches")
FLOAT32_OVERFLOW = named("float32-overflow")
TANH_OVERFLOW = named("tanh-overflow")
SLOPE_OVERFLOW = named("slope-overflow")
SIGMOID_SIGN = named("sigmoid-sign")
BRANCH_POSITIVE = named("branch-positive")
BRANCH_NEGATIVE = named("branch-negative")
TANH_HALF = named("tanh-half")
TANH_SIGN = named("tanh-sign")
TANH_IS_SIGMOID = named("tanh-is-sigmoid")
SIGMOID_IS_TANH = named("sigmoid-is-tanh")
NO_GRAD = named("no-grad")
SIGMOID_X_AS_OUTPUT = named("sigmoid-x-as-output")
TANH_X_AS_OUTPUT = named("tanh-x-as-output")
SIGMOID_PLUS = named("sigmoid-plus")
SIGMOID_NEGATED = named("sigmoid-negated")
SIGMOID_SQUARED = named("sigmoid-squared")
SIGMOID_S_ONLY = named("sigmoid-s-only")
SIGMOID_ONE_MINUS_S = named("sigmoid-one-minus-s")
SIGMOID_TANH_SLOPE = named("sigmoid-tanh-slope")
TANH_NOT_SQUARED = named("tanh-not-squared")
TANH_PLUS = named("tanh-plus")
TANH_NEGATED = named("tanh-negated")
TANH_SQUARE_OUTSIDE = named("tanh-square-outside")
TANH_SIGMOID_SLOPE = named("tanh-sigmoid-slope")
GRAD_DTYPE = named("grad-dtype")

FLOAT32_TOLERANCE = {"rtol": 1e-4, "atol": 1e-6}


# -- oracles ------------------------------------------------------------------------------------


def as64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def oracle_sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        return np.exp(-np.logaddexp(0, -as64(x)))


def oracle_tanh(x: np.ndarray) -> np.ndarray:
    x = as64(x)
    with np.errstate(under="ignore"):
        e = np.exp(-2 * np.abs(x))
        return np.sign(x) * -np.expm1(-2 * np.abs(x)) / (1 + e)


def oracle_sigmoid_slope(x: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(as64(x)))
        return e / (1 + e) ** 2


def oracle_tanh_slope(x: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(as64(x)))
        return 4 * e**2 / (1 + e**2) ** 2


# -- mistake signatures -------------------------------------------------------------------------


def sigmoid_mistakes(x: np.ndarray) -> dict:
    s = oracle_sigmoid(x)
    return {
        SIGMOID_SIGN: 1 - s,
        BRANCH_POSITIVE: np.where(x >= 0, 1 - s, s),
        BRANCH_NEGATIVE: np.where(x < 0, 1 - s, s),
        SIGMOID_IS_TANH: oracle_tanh(x),
    }


def tanh_mistakes(x: np.ndarray) -> dict:
    t = oracle_tanh(x)
    return {
        TANH_HALF: oracle_tanh(as64(x) / 2),
        TANH_SIGN: -t,
        TANH_IS_SIGMOID: oracle_sigmoid(x),
    }


def sigmoid_backward_mistakes(g: np.ndarray, x: np.ndarray) -> dict:
    g, x = as64(g), as64(x)
    s = oracle_sigmoid(x)
    return {
        NO_GRAD: s * (1 - s),
        SIGMOID_X_AS_OUTPUT: g * x * (1 - x),
        SIGMOID_PLUS: g * s * (1 + s),
        SIGMOID_NEGATED: g * s * (s - 1),
        SIGMOID_SQUARED: g * (1 - s) ** 2,
        SIGMOID_S_ONLY: g * s,
        SIGMOID_ONE_MINUS_S: g * (1 - s),
        SIGMOID_TANH_SLOPE: g * (1 - s**2),
    }


def tanh_backward_mistakes(g: np.ndarray, x: np.ndarray) -> dict:
    g, x = as64(g), as64(x)
    t = oracle_tanh(x)
    return {
        NO_GRAD: 1 - t**2,
        TANH_X_AS_OUTPUT: g * (1 - x**2),
        TANH_NOT_SQUARED: g * (1 - t),
        TANH_PLUS: g * (1 + t**2),
        TANH_NEGATED: g * (t**2 - 1),
        TANH_SQUARE_OUTSIDE: g * (1 - t) ** 2,
        TANH_SIGMOID_SLOPE: g * oracle_sigmoid(x) * (1 - oracle_sigmoid(x)),
    }


BACKWARD = {
    "sigmoid_backward": (oracle_sigmoid_slope, sigmoid_backward_mistakes),
    "tanh_backward": (oracle_tanh_slope, tanh_backward_mistakes),
}


def expect_backward(got, name: str, g: np.ndarray, x: np.ndarray, *, call: str, **tolerance):
    """A backward result against grad_output times the oracle slope, naming known mistakes."""
    slope, mistakes = BACKWARD[name]
    return expect_close(
        got, as64(g) * slope(x), call=call, mistakes=partial(mistakes, g, x), **tolerance
    )


def check_backward(impl, name: str, g: np.ndarray, x: np.ndarray, *, call: str, **tolerance):
    return expect_backward(getattr(impl, name)(g, x), name, g, x, call=call, **tolerance)


def expect_within(got: np.ndarray, low: float, high: float, *, call: str) -> None:
    outside = (got < low) | (got > high) | np.isnan(got)
    if np.any(outside):
        value = got.reshape(-1)[int(np.flatnonzero(outside)[0])]
        raise Mistake(f"{call} returned {value}, outside [{low:g}, {high:g}]")


def expect_grad_dtype(got, g: np.ndarray, *, call: str) -> None:
    """The backward result keeps grad_output's dtype (a precise message, before the values)."""
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if isinstance(got, np.ndarray) and got.dtype != g.dtype:
        raise Mistake(
            f"{call} returned dtype {got.dtype}; expected {g.dtype}. Likely mistake: {GRAD_DTYPE}"
        )


def slopes_away_from_zero(rng: np.random.Generator, shape: tuple) -> tuple:
    """(grad_output, x) whose products with the slopes stay well above finite-difference noise."""
    x = rng.uniform(-2.5, 2.5, shape)
    g = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)
    return g, x


# -- values -------------------------------------------------------------------------------------

SMALL_X = np.array([-2.0, 0.0, 1.0, 3.0])
SMALL_G = np.array([2.0, -1.0, 0.5, 4.0])
SMALL_CALL = "x = [-2, 0, 1, 3]"


@pytest.mark.values
def test_sigmoid_small_example(impl):
    """sigmoid on a hand-checked example"""
    expect_close(
        impl.sigmoid(SMALL_X),
        [0.11920292202211755, 0.5, 0.7310585786300049, 0.9525741268224334],
        call=f"sigmoid({SMALL_CALL})",
        mistakes=sigmoid_mistakes(SMALL_X),
    )


@pytest.mark.values
def test_tanh_small_example(impl):
    """tanh on a hand-checked example"""
    expect_close(
        impl.tanh(SMALL_X),
        [-0.9640275800758169, 0.0, 0.7615941559557649, 0.9950547536867305],
        call=f"tanh({SMALL_CALL})",
        mistakes=tanh_mistakes(SMALL_X),
    )


@pytest.mark.values
def test_sigmoid_backward_small_example(impl):
    """sigmoid_backward on a hand-checked example"""
    # g * s * (1 - s): 2 * 0.104994, -1 * 0.25, 0.5 * 0.196612, 4 * 0.045177
    expect_close(
        impl.sigmoid_backward(SMALL_G, SMALL_X),
        [0.209987170807013, -0.25, 0.09830596662074093, 0.180706638923648],
        call=f"sigmoid_backward(grad_output = [2, -1, 0.5, 4], {SMALL_CALL})",
        mistakes=sigmoid_backward_mistakes(SMALL_G, SMALL_X),
    )


@pytest.mark.values
def test_tanh_backward_small_example(impl):
    """tanh_backward on a hand-checked example"""
    # g * (1 - tanh(x)**2): 2 * 0.070651, -1 * 1, 0.5 * 0.419974, 4 * 0.009866
    expect_close(
        impl.tanh_backward(SMALL_G, SMALL_X),
        [0.14130164970632886, -1.0, 0.20998717080701307, 0.03946414866176085],
        call=f"tanh_backward(grad_output = [2, -1, 0.5, 4], {SMALL_CALL})",
        mistakes=tanh_backward_mistakes(SMALL_G, SMALL_X),
    )


@pytest.mark.values
def test_sigmoid_random_values(impl, rng):
    """sigmoid equals 1 / (1 + exp(-x)) on random inputs"""
    x = 4 * rng.standard_normal((5, 7))
    expect_close(
        impl.sigmoid(x),
        oracle_sigmoid(x),
        call="sigmoid(x of shape (5, 7))",
        mistakes=sigmoid_mistakes(x),
    )


@pytest.mark.values
def test_tanh_random_values(impl, rng):
    """tanh equals np.tanh on random inputs"""
    x = 2 * rng.standard_normal((5, 7))
    expect_close(
        impl.tanh(x), oracle_tanh(x), call="tanh(x of shape (5, 7))", mistakes=tanh_mistakes(x)
    )


@pytest.mark.values
@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward"])
def test_backward_random_values(impl, rng, name):
    """the backward functions equal grad_output times the local slope on random inputs"""
    x = 2 * rng.standard_normal((6, 5))
    g = rng.standard_normal((6, 5))
    check_backward(impl, name, g, x, call=f"{name}(grad_output (6, 5), x (6, 5))")


# -- shapes -------------------------------------------------------------------------------------


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_forward_any_shape(impl, rng, shape):
    """sigmoid and tanh work for any shape, including 0-d and empty arrays"""
    x = 2 * rng.standard_normal(shape)
    expect_close(
        impl.sigmoid(x),
        oracle_sigmoid(x),
        call=f"sigmoid(x of shape {shape})",
        dtype=np.float64,
        mistakes=sigmoid_mistakes(x),
    )
    expect_close(
        impl.tanh(x),
        oracle_tanh(x),
        call=f"tanh(x of shape {shape})",
        dtype=np.float64,
        mistakes=tanh_mistakes(x),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_backward_any_shape(impl, rng, shape):
    """sigmoid_backward and tanh_backward work for any shape, including 0-d and empty arrays"""
    x = 2 * rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    for name in BACKWARD:
        check_backward(
            impl, name, g, x, call=f"{name}(grad_output, x) with shape {shape}", dtype=np.float64
        )


@pytest.mark.shapes
def test_forward_keeps_float32(impl, rng):
    """sigmoid and tanh keep float32 as float32"""
    x = (2 * rng.standard_normal((3, 4))).astype(np.float32)
    for name, oracle, mistakes in (
        ("sigmoid", oracle_sigmoid, sigmoid_mistakes),
        ("tanh", oracle_tanh, tanh_mistakes),
    ):
        expect_close(
            getattr(impl, name)(x),
            oracle(x),
            call=f"{name}(float32 x of shape (3, 4))",
            dtype=np.float32,
            mistakes=mistakes(x),
            **FLOAT32_TOLERANCE,
        )


DTYPE_CASES = [
    (np.float32, np.float32),
    (np.float32, np.float64),
    (np.float64, np.float32),
]


@pytest.mark.shapes
@pytest.mark.parametrize(
    ("g_dtype", "x_dtype"),
    DTYPE_CASES,
    ids=[f"grad_{np.dtype(g).name}-x_{np.dtype(x).name}" for g, x in DTYPE_CASES],
)
def test_backward_keeps_grad_dtype(impl, rng, g_dtype, x_dtype):
    """the backward functions keep grad_output's dtype, whatever x's dtype"""
    x = (2 * rng.standard_normal((4, 3))).astype(x_dtype)
    g = rng.standard_normal((4, 3)).astype(g_dtype)
    what = f"{np.dtype(g_dtype).name} grad_output, {np.dtype(x_dtype).name} x"
    for name in BACKWARD:
        call = f"{name}({what})"
        got = getattr(impl, name)(g, x)
        expect_grad_dtype(got, g, call=call)
        expect_backward(got, name, g, x, call=call, dtype=g_dtype, **FLOAT32_TOLERANCE)


# -- gradients ----------------------------------------------------------------------------------


@pytest.mark.gradients
def test_sigmoid_backward_matches_finite_differences(impl, rng):
    """sigmoid_backward is the gradient of the sigmoid (finite differences)"""
    g, x = slopes_away_from_zero(rng, (4, 5))
    numeric = numerical_gradient(lambda z: float(np.sum(oracle_sigmoid(z) * g)), x)
    expect_gradient(
        impl.sigmoid_backward(g, x),
        numeric,
        call="sigmoid_backward(g, x)",
        wrt="x",
        mistakes=sigmoid_backward_mistakes(g, x),
    )


@pytest.mark.gradients
def test_tanh_backward_matches_finite_differences(impl, rng):
    """tanh_backward is the gradient of tanh (finite differences)"""
    g, x = slopes_away_from_zero(rng, (4, 5))
    numeric = numerical_gradient(lambda z: float(np.sum(oracle_tanh(z) * g)), x)
    expect_gradient(
        impl.tanh_backward(g, x),
        numeric,
        call="tanh_backward(g, x)",
        wrt="x",
        mistakes=tanh_backward_mistakes(g, x),
    )


# -- stability ----------------------------------------------------------------------------------

HUGE_64 = np.array([-1e4, -1000.0, -746.0, -710.0, -40.0, 0.0, 40.0, 710.0, 746.0, 1000.0, 1e4])
HUGE_64_CALL = "x = [-1e4, -1000, -746, -710, -40, 0, 40, 710, 746, 1000, 1e4]"
HUGE_32 = np.array([-100.0, -89.0, -88.0, -20.0, 0.0, 20.0, 88.0, 89.0, 100.0], dtype=np.float32)
HUGE_32_CALL = "float32 x = [-100, -89, -88, -20, 0, 20, 88, 89, 100]"


@pytest.mark.stability
def test_sigmoid_huge_inputs_float64(impl):
    """sigmoid is finite, in [0, 1] and warning-free for x = ±1000 and beyond (float64)"""
    call = f"sigmoid({HUGE_64_CALL})"
    with no_fp_warnings(impl, call, hint={"invalid": BOTH_BRANCHES, "overflow": SIGMOID_OVERFLOW}):
        got = impl.sigmoid(HUGE_64)
    got = expect_close(got, oracle_sigmoid(HUGE_64), call=call, dtype=np.float64)
    expect_within(got, 0.0, 1.0, call=call)


@pytest.mark.stability
def test_sigmoid_huge_inputs_float32(impl):
    """sigmoid is finite, in [0, 1] and warning-free for x = ±100 in float32"""
    call = f"sigmoid({HUGE_32_CALL})"
    with no_fp_warnings(impl, call, hint=FLOAT32_OVERFLOW):
        got = impl.sigmoid(HUGE_32)
    got = expect_close(
        got, oracle_sigmoid(HUGE_32), call=call, dtype=np.float32, **FLOAT32_TOLERANCE
    )
    expect_within(got, 0.0, 1.0, call=call)


@pytest.mark.stability
def test_tanh_huge_inputs(impl):
    """tanh is finite, in [-1, 1] and warning-free for x = ±1000 (float64) and ±100 (float32)"""
    for x, what, dtype, tolerance in (
        (HUGE_64, HUGE_64_CALL, np.float64, {}),
        (HUGE_32, HUGE_32_CALL, np.float32, FLOAT32_TOLERANCE),
    ):
        call = f"tanh({what})"
        with no_fp_warnings(impl, call, hint=TANH_OVERFLOW):
            got = impl.tanh(x)
        got = expect_close(got, oracle_tanh(x), call=call, dtype=dtype, **tolerance)
        expect_within(got, -1.0, 1.0, call=call)


@pytest.mark.stability
@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward"])
def test_backward_huge_inputs(impl, rng, name):
    """the backward functions are finite and warning-free for x = ±1000 (float64), ±100 (float32)"""
    for x, what, tolerance in (
        (HUGE_64, HUGE_64_CALL, {}),
        (HUGE_32, HUGE_32_CALL, FLOAT32_TOLERANCE),
    ):
        g = rng.uniform(0.5, 2.0, x.shape).astype(x.dtype)
        call = f"{name}(grad_output, {what})"
        with no_fp_warnings(impl, call, hint=SLOPE_OVERFLOW):
            got = getattr(impl, name)(g, x)
        expect_backward(got, name, g, x, call=call, dtype=x.dtype, **tolerance)


# -- contract -----------------------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """no function modifies its inputs"""
    x = 3 * rng.standard_normal((3, 5))
    g = rng.standard_normal((3, 5))
    for name in ("sigmoid", "tanh"):
        expect_inputs_unchanged(impl, name, x, arg_names=("x",))
    for name in BACKWARD:
        expect_inputs_unchanged(impl, name, g, x, arg_names=("grad_output", "x"))


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """results are NumPy arrays of the input's shape, not lists"""
    x = rng.standard_normal((2, 3))
    for name, args in (
        ("sigmoid", (x,)),
        ("tanh", (x,)),
        ("sigmoid_backward", (np.ones_like(x), x)),
        ("tanh_backward", (np.ones_like(x), x)),
    ):
        got = getattr(impl, name)(*args)
        if not isinstance(got, np.ndarray):
            raise Mistake(f"{name}() returned {describe(got)}; return a NumPy array (not a list)")
        expect_array(got, call=f"{name}(x of shape (2, 3))", shape=(2, 3))
