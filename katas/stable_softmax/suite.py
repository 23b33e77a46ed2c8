"""Hidden suite for stable_softmax.

The oracles are computed here in float64 by another route than the reference's max shift:
log-softmax as z - logaddexp.reduce(z), and the backward pass through the explicit
Jacobian diag(p) - p p^T of every slice.
"""

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    declared_mistakes,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    hint_on_error,
    likely_mistake,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

# Likely mistakes, named in failure messages.
NO_SHIFT = named("no-shift")
GLOBAL_MAX = named("global-max")
CLIPPED = named("clipped")
NEG_INF = named("neg-inf")
WHOLE_ARRAY = named("whole-array")
KEEPDIMS = named("keepdims")
LOG_OF_SOFTMAX = named("log-of-softmax")
LSE_OVERFLOW = named("lse-overflow")
MAX_NOT_ADDED_BACK = named("max-not-added-back")
LOG_RETURNED_PROBS = named("log-returned-probs")
BACK_UNCHANGED = named("back-unchanged")
BACK_SHORTCUT = named("back-shortcut")
BACK_DIAGONAL = named("back-diagonal")
BACK_NO_PROBS = named("back-no-probs")
BACK_PLAIN_SUM = named("back-plain-sum")
BACK_SUM_ALL = named("back-sum-all")
WRONG_AXIS = named("wrong-axis")
DEFAULT_AXIS = named("default-axis")


def default_axis_mistake(oracle, *args: np.ndarray) -> dict:
    """The signature of a default axis other than -1: the oracle along any earlier axis."""
    alternatives = [oracle(*args, axis) for axis in range(args[0].ndim - 1)]
    return {DEFAULT_AXIS: lambda got: any(np.allclose(got, alt) for alt in alternatives)}


def ignored_axis(function: str) -> str:
    return f"{function} ignored its axis argument: it worked along the last axis"


# --- Oracles (float64, formulated differently from the reference) -----------------------------


def oracle_log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)


def oracle_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.exp(oracle_log_softmax(z, axis))


def oracle_backward(g: np.ndarray, p: np.ndarray, axis: int = -1) -> np.ndarray:
    """J^T g with the explicit Jacobian J = diag(p) - p p^T of every slice along axis."""
    g_last = np.moveaxis(np.asarray(g, dtype=np.float64), axis, -1)
    p_last = np.moveaxis(np.asarray(p, dtype=np.float64), axis, -1)
    eye = np.eye(p_last.shape[-1])
    jacobian = p_last[..., :, None] * eye - p_last[..., :, None] * p_last[..., None, :]
    return np.moveaxis(np.einsum("...ij,...i->...j", jacobian, g_last), -1, axis)


def softmax_mistakes(z: np.ndarray, axis: int = -1) -> dict:
    slices = z.size // z.shape[axis] if z.ndim else 1
    found = {WHOLE_ARRAY: lambda got: slices > 1 and abs(np.sum(got) - 1) < 1e-6}
    if z.ndim > 1 and axis % z.ndim != z.ndim - 1:
        found[ignored_axis("softmax")] = oracle_softmax(z, -1)
    elif z.ndim > 1:
        found[WRONG_AXIS] = oracle_softmax(z, 0)
    return found


def log_softmax_mistakes(z: np.ndarray, axis: int = -1) -> dict:
    expected = oracle_log_softmax(z, axis)
    found = {
        MAX_NOT_ADDED_BACK: expected + np.max(z, axis=axis, keepdims=True),
        LOG_RETURNED_PROBS: np.exp(expected),
    }
    if z.ndim > 1 and axis % z.ndim != z.ndim - 1:
        found[ignored_axis("log_softmax")] = oracle_log_softmax(z, -1)
    return found


def backward_mistakes(g: np.ndarray, p: np.ndarray, axis: int = -1) -> dict:
    found = {
        BACK_UNCHANGED: g,
        BACK_SHORTCUT: p - g,
        BACK_DIAGONAL: p * g,
        BACK_NO_PROBS: g - np.sum(g * p, axis=axis, keepdims=True),
        BACK_PLAIN_SUM: p * (g - np.sum(g, axis=axis, keepdims=True)),
        BACK_SUM_ALL: p * (g - np.sum(g * p)),
    }
    if g.ndim > 1 and axis % g.ndim != g.ndim - 1:
        found[ignored_axis("softmax_backward")] = oracle_backward(g, p, -1)
    return found


# --- Inputs -----------------------------------------------------------------------------------


def random_probs(rng: np.random.Generator, shape: tuple, axis: int = -1) -> np.ndarray:
    return oracle_softmax(1.5 * rng.standard_normal(shape), axis)


def gradient_problem(rng: np.random.Generator, shape: tuple, axis: int) -> tuple:
    """Logits z, their softmax p and a dL/dp g for which every entry of dL/dz is far from 0.

    The contract's relative error is ill-conditioned where dL/dz is near 0, so the draw is
    built, not filtered. dL/dz = p * e with e = g - sum(g * p) per slice; with logits in
    [-1.5, 1.5] and at most 5 entries per slice every p is above e**-3 / 5 > 0.0099. Each
    slice gets e with both signs, e_i = +-u_i / (the p-weighted sum of u over the entries
    of its sign), u_i in [0.5, 1.5], so that sum(p * e) = 0 and every |e_i| >= 1/3, hence
    |dL/dz| > 3e-3. g is e plus a random constant per slice, which dL/dz does not see.
    """
    z = rng.uniform(-1.5, 1.5, shape)
    p = oracle_softmax(z, axis)
    p_last = np.moveaxis(p, axis, -1)
    alternating = np.arange(p_last.shape[-1]) % 2 == 0
    positive = rng.permuted(np.broadcast_to(alternating, p_last.shape), axis=-1)
    u = rng.uniform(0.5, 1.5, p_last.shape)
    weighted = p_last * u
    mass_positive = np.sum(np.where(positive, weighted, 0.0), axis=-1, keepdims=True)
    mass_negative = np.sum(np.where(positive, 0.0, weighted), axis=-1, keepdims=True)
    e = np.where(positive, u / mass_positive, -u / mass_negative)
    g = e + rng.standard_normal(p_last.shape[:-1] + (1,))
    return z, p, np.moveaxis(g, -1, axis)


def expect_log_probs(got, expected: np.ndarray, *, call: str, mistakes: dict) -> None:
    """expect_close for log-probabilities that include exact -inf entries (from -inf logits)."""
    got = expect_array(got, call=call, shape=expected.shape)
    minus_inf = np.isneginf(expected)
    missed = minus_inf & ~np.isneginf(got)
    if missed.any():
        index = tuple(int(i) for i in np.argwhere(missed)[0])
        raise Mistake(
            f"{call} returned {got[index]} at index {index} where -inf was expected (the log of "
            f"the probability 0 of a -inf logit).{likely_mistake(got, mistakes)}"
        )
    expect_close(
        np.where(minus_inf, 0.0, got),
        np.where(minus_inf, 0.0, expected),
        call=call,
        mistakes=mistakes,
    )


class KeepdimsHint:
    """The learner's module, naming the keepdims mistake when a call fails to broadcast."""

    def __init__(self, impl):
        self._impl = impl

    def __getattr__(self, name: str):
        function = getattr(self._impl, name)

        def call(*args, **kwargs):
            with hint_on_error(KEEPDIMS, contains="could not be broadcast"):
                return function(*args, **kwargs)

        return call


@pytest.fixture
def learner(impl):
    """The learner's module for value checks; ``impl`` itself for the suite.py helpers."""
    return KeepdimsHint(impl)


def case_id(case: tuple) -> str:
    """A test id for a (shape, axis) case: ``2x3-axis-1``."""
    shape, axis = case
    return f"{shape_id(shape)}-axis{axis}"


# --- values -----------------------------------------------------------------------------------


@pytest.mark.values
def test_softmax_small_example(learner):
    """softmax on a hand-checked example"""
    z = np.array([[0.0, np.log(2.0), np.log(5.0)], [3.0, 3.0, 3.0]])
    expect_close(
        learner.softmax(z),
        [[1 / 8, 2 / 8, 5 / 8], [1 / 3, 1 / 3, 1 / 3]],
        call="softmax([[0, ln 2, ln 5], [3, 3, 3]])",
        mistakes=softmax_mistakes(z),
    )


@pytest.mark.values
def test_softmax_random_values(learner, rng):
    """softmax matches the exact values on random logits"""
    z = 3 * rng.standard_normal((5, 7))
    expect_close(
        learner.softmax(z),
        oracle_softmax(z),
        call="softmax(z of shape (5, 7))",
        mistakes=softmax_mistakes(z),
    )


@pytest.mark.values
def test_log_softmax_small_example(learner):
    """log_softmax on a hand-checked example"""
    z = np.array([[0.0, np.log(2.0), np.log(5.0)], [3.0, 3.0, 3.0]])
    expected = np.log([[1 / 8, 2 / 8, 5 / 8], [1 / 3, 1 / 3, 1 / 3]])
    expect_close(
        learner.log_softmax(z),
        expected,
        call="log_softmax([[0, ln 2, ln 5], [3, 3, 3]])",
        mistakes=log_softmax_mistakes(z),
    )


@pytest.mark.values
def test_log_softmax_random_values(learner, rng):
    """log_softmax matches the exact values on random logits"""
    z = 3 * rng.standard_normal((6, 4)) + 5
    expect_close(
        learner.log_softmax(z),
        oracle_log_softmax(z),
        call="log_softmax(z of shape (6, 4))",
        mistakes=log_softmax_mistakes(z),
    )


@pytest.mark.values
def test_backward_small_example(learner):
    """softmax_backward on a hand-checked example"""
    p = np.array([[0.25, 0.25, 0.5], [0.1, 0.2, 0.7]])
    g = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    expect_close(
        learner.softmax_backward(g, p),
        [[0.1875, -0.0625, -0.125], [-0.07, -0.14, 0.21]],
        call="softmax_backward([[1, 0, 0], [0, 0, 1]], probs=[[.25, .25, .5], [.1, .2, .7]])",
        mistakes=backward_mistakes(g, p),
    )


@pytest.mark.values
def test_backward_random_values(learner, rng):
    """softmax_backward matches the Jacobian-vector product on random inputs"""
    p = random_probs(rng, (4, 6))
    g = rng.standard_normal((4, 6))
    expect_close(
        learner.softmax_backward(g, p),
        oracle_backward(g, p),
        call="softmax_backward(grad_output (4, 6), probs (4, 6))",
        mistakes=backward_mistakes(g, p),
    )


# --- shapes -----------------------------------------------------------------------------------

SOFTMAX_CASES = [
    ((7,), -1),
    ((7,), 0),
    ((1, 6), -1),
    ((40, 3), -1),
    ((3, 5), 0),
    ((3, 5), -2),
    ((2, 3, 4), 0),
    ((2, 3, 4), 1),
    ((2, 3, 4), -1),
    ((2, 3, 4), -3),
    ((0, 4), -1),
    ((2, 1, 3, 5), 1),
]
OTHER_CASES = [((6,), 0), ((3, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), -3), ((0, 4), -1)]


@pytest.mark.shapes
@pytest.mark.parametrize("case", SOFTMAX_CASES, ids=case_id)
def test_softmax_any_shape_and_axis(learner, rng, case):
    """softmax works for any shape and any axis, negative too"""
    shape, axis = case
    z = 2 * rng.standard_normal(shape)
    expect_close(
        learner.softmax(z, axis=axis),
        oracle_softmax(z, axis),
        call=f"softmax(z of shape {shape}, axis={axis})",
        mistakes=softmax_mistakes(z, axis),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("case", OTHER_CASES, ids=case_id)
def test_log_softmax_any_shape_and_axis(learner, rng, case):
    """log_softmax works for any shape and any axis, negative too"""
    shape, axis = case
    z = 2 * rng.standard_normal(shape)
    expect_close(
        learner.log_softmax(z, axis=axis),
        oracle_log_softmax(z, axis),
        call=f"log_softmax(z of shape {shape}, axis={axis})",
        mistakes=log_softmax_mistakes(z, axis),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("case", OTHER_CASES, ids=case_id)
def test_backward_any_shape_and_axis(learner, rng, case):
    """softmax_backward works for any shape and any axis, negative too"""
    shape, axis = case
    p = random_probs(rng, shape, axis)
    g = rng.standard_normal(shape)
    expect_close(
        learner.softmax_backward(g, p, axis=axis),
        oracle_backward(g, p, axis),
        call=f"softmax_backward(grad_output, probs of shape {shape}, axis={axis})",
        mistakes=backward_mistakes(g, p, axis),
    )


@pytest.mark.shapes
def test_softmax_keeps_float32(learner, rng):
    """softmax keeps float32 as float32"""
    z = (3 * rng.standard_normal((3, 4))).astype(np.float32)
    expect_close(
        learner.softmax(z),
        oracle_softmax(z),
        call="softmax(float32 z of shape (3, 4))",
        dtype=np.float32,
        rtol=1e-5,
        atol=1e-7,
    )


# --- gradients --------------------------------------------------------------------------------


@pytest.mark.gradients
@pytest.mark.parametrize("case", [((4, 5), -1), ((4, 5), 0), ((2, 3, 4), 1)], ids=case_id)
def test_backward_matches_finite_differences(learner, rng, case):
    """softmax_backward is the gradient of softmax (finite differences)"""
    shape, axis = case
    z, p, g = gradient_problem(rng, shape, axis)
    numeric = numerical_gradient(lambda x: float(np.sum(oracle_softmax(x, axis) * g)), z)
    expect_gradient(
        learner.softmax_backward(g, p, axis=axis),
        numeric,
        wrt="z",
        call=f"softmax_backward(g, probs of shape {shape}, axis={axis})",
        mistakes=backward_mistakes(g, p, axis),
    )


# --- stability --------------------------------------------------------------------------------


@pytest.mark.stability
def test_softmax_huge_logits(impl, learner):
    """softmax of logits like ±1000 and 1e4 is finite and raises no warning"""
    z = np.array(
        [
            [1000.0, 999.0, 998.0, 1000.5],
            [-1000.0, -1001.0, -999.0, -1002.0],
            [1e4, 1e4 - 2, -1e4, 0.0],
        ]
    )
    mistakes = {
        GLOBAL_MAX: lambda got: np.isfinite(got[2]).all() and not np.isfinite(got[:2]).all(),
        NO_SHIFT: lambda got: not np.isfinite(got).all(),
        CLIPPED: lambda got: abs(got[2, 0] - got[2, 1]) < 1e-3,
    }
    call = "softmax([[1000, 999, 998, 1000.5], [-1000, -1001, -999, -1002], [1e4, 1e4-2, -1e4, 0]])"
    with no_fp_warnings(impl, call):
        expect_close(learner.softmax(z), oracle_softmax(z), call=call, mistakes=mistakes)


@pytest.mark.stability
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_slices_far_apart(impl, learner, rng, axis):
    """each slice is shifted by its own max (slices 1000 apart)"""
    z = rng.standard_normal((3, 5)) + np.array([[0.0], [1000.0], [-1000.0]])
    z = z if axis == -1 else z.T
    top = 1  # the slice at +1000: the only one a max over the whole array leaves intact
    slice_axis = 0 if axis == -1 else 1
    mistakes = {
        GLOBAL_MAX: lambda got: (
            np.isfinite(np.take(got, top, axis=slice_axis)).all() and not np.isfinite(got).all()
        ),
        NO_SHIFT: lambda got: not np.isfinite(got).all(),
    }
    where = "rows" if axis == -1 else "columns"
    call = f"softmax(z of shape {z.shape}, axis={axis}) with {where} 1000 apart"
    with no_fp_warnings(impl, call):
        expect_close(
            learner.softmax(z, axis=axis), oracle_softmax(z, axis), call=call, mistakes=mistakes
        )


@pytest.mark.stability
def test_log_softmax_far_below_the_max(impl, learner):
    """log_softmax stays finite for entries far below the max, and for huge logits"""
    z = np.array(
        [[0.0, -1000.0, -5.0, 3.0], [1000.0, 998.0, 990.0, 1001.0], [1e4, -1e4, 0.0, 1e4 - 1]]
    )
    mistakes = {
        LOG_OF_SOFTMAX: lambda got: np.isneginf(got[0, 1]) and np.isfinite(got[0, 0]),
        LSE_OVERFLOW: lambda got: not np.isfinite(got[1]).any(),
        **log_softmax_mistakes(z),
    }
    call = "log_softmax([[0, -1000, -5, 3], [1000, 998, 990, 1001], [1e4, -1e4, 0, 1e4-1]])"
    with no_fp_warnings(impl, call):
        expect_close(learner.log_softmax(z), oracle_log_softmax(z), call=call, mistakes=mistakes)


@pytest.mark.stability
@pytest.mark.parametrize("axis", [-1, 0])
def test_minus_inf_entries(impl, learner, axis):
    """-inf logits give probability 0 (log-probability -inf), without NaN or warnings"""
    inf = np.inf
    z = np.array([[0.0, -inf, 1.0, -inf], [-inf, 2.0, -inf, -inf], [5.0, 5.0, -inf, 0.0]])
    z = z if axis == -1 else z.T
    mistakes = {NEG_INF: lambda got: np.isnan(got).any()}
    text = "[[0, -inf, 1, -inf], [-inf, 2, -inf, -inf], [5, 5, -inf, 0]]"
    text = text if axis == -1 else f"the transpose of {text}"
    with no_fp_warnings(impl, f"softmax / log_softmax with -inf logits, axis={axis}"):
        expect_close(
            learner.softmax(z, axis=axis),
            oracle_softmax(z, axis),
            call=f"softmax({text}, axis={axis})",
            mistakes=mistakes,
        )
        expect_log_probs(
            learner.log_softmax(z, axis=axis),
            oracle_log_softmax(z, axis),
            call=f"log_softmax({text}, axis={axis})",
            mistakes=mistakes,
        )


@pytest.mark.stability
def test_backward_with_probabilities_0_and_1(impl, learner, rng):
    """softmax_backward handles probabilities of exactly 0 and 1"""
    p = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 1.0]])
    g = 100 * rng.standard_normal(p.shape)
    call = "softmax_backward(g, probs=[[1, 0, 0, 0], [0, .5, .5, 0], [0, 0, 0, 1]])"
    with no_fp_warnings(impl, call):
        expect_close(
            learner.softmax_backward(g, p),
            oracle_backward(g, p),
            call=call,
            mistakes=backward_mistakes(g, p),
        )


# --- contract ---------------------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """no function modifies its inputs"""
    z = rng.standard_normal((3, 5))
    p = random_probs(rng, (3, 5))
    g = rng.standard_normal((3, 5))
    for axis in (-1, 0):
        expect_inputs_unchanged(impl, "softmax", z, arg_names=("z",), axis=axis)
        expect_inputs_unchanged(impl, "log_softmax", z, arg_names=("z",), axis=axis)
        expect_inputs_unchanged(
            impl, "softmax_backward", g, p, arg_names=("grad_output", "probs"), axis=axis
        )


@pytest.mark.contract
def test_default_axis_is_last(learner, rng):
    """without axis, all three functions work along the last axis"""
    z = rng.standard_normal((2, 3, 4))
    p = oracle_softmax(z)
    g = rng.standard_normal(z.shape)
    expect_close(
        learner.softmax(z),
        p,
        call="softmax(z of shape (2, 3, 4)) without axis",
        mistakes=default_axis_mistake(oracle_softmax, z),
    )
    expect_close(
        learner.log_softmax(z),
        oracle_log_softmax(z),
        call="log_softmax(z of shape (2, 3, 4)) without axis",
        mistakes=default_axis_mistake(oracle_log_softmax, z),
    )
    expect_close(
        learner.softmax_backward(g, p),
        oracle_backward(g, p),
        call="softmax_backward(g, probs of shape (2, 3, 4)) without axis",
        mistakes=default_axis_mistake(oracle_backward, g, p),
    )
