"""Hidden suite for mse_loss.

The oracle is written here in another form than the reference: the loss as a dot product
of the flattened differences with themselves divided by the size, the gradient as the
difference scaled by 2 / size; finite differences use that oracle loss.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grader.suite import (
    LearnerRaised,
    Mistake,
    declared_mistakes,
    describe,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_scalar,
    hint_on_error,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

# -- likely mistakes ----------------------------------------------------------------------------

SUMMED = named("summed")
BATCH_AXIS = named("batch-axis")
HALF = named("half")
RMSE = named("rmse")
ABSOLUTE = named("absolute")
NOT_REDUCED = named("not-reduced")
GRAD_MISSING_TWO = named("grad-missing-two")
GRAD_SIGN = named("grad-sign")
GRAD_BY_N = named("grad-by-n")
GRAD_NOT_DIVIDED = named("grad-not-divided")
GRAD_ABSOLUTE = named("grad-absolute")
GRAD_RMSE = named("grad-rmse")
GRAD_REDUCED = named("grad-reduced")
ZERO_D = named("zero-d")
SILENT_BROADCAST = named("silent-broadcast")
NAME_BOTH = named("name-both")
ASSERTED = named("asserted")


# -- oracles ------------------------------------------------------------------------------------


def differences(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    return np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)


def oracle_loss(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    d = differences(y_pred, y_true).reshape(-1)
    return float(np.dot(d, d) / d.size)


def oracle_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    d = differences(y_pred, y_true)
    return d * (2.0 / d.size)


# -- mistake signatures -------------------------------------------------------------------------


def batch_size(d: np.ndarray) -> int | None:
    """N = shape[0] when dividing by it differs from dividing by the size."""
    if d.ndim < 2 or d.shape[0] in (0, d.size):
        return None
    return d.shape[0]


def loss_mistakes(y_pred: np.ndarray, y_true: np.ndarray) -> dict:
    d = differences(y_pred, y_true)
    total = float(np.sum(d**2))
    loss = total / d.size
    mistakes = {
        SUMMED: total,
        HALF: loss / 2,
        RMSE: math.sqrt(loss),
        ABSOLUTE: float(np.mean(np.abs(d))),
    }
    n = batch_size(d)
    if n is not None:
        mistakes[BATCH_AXIS] = total / n
    return mistakes


def grad_mistakes(y_pred: np.ndarray, y_true: np.ndarray) -> dict:
    d = differences(y_pred, y_true)
    grad = 2 * d / d.size
    mistakes = {
        GRAD_MISSING_TWO: d / d.size,
        GRAD_SIGN: -grad,
        GRAD_NOT_DIVIDED: 2 * d,
        GRAD_ABSOLUTE: np.sign(d) / d.size,
        GRAD_RMSE: d / (d.size * math.sqrt(np.mean(d**2))),
    }
    n = batch_size(d)
    if n is not None:
        mistakes[GRAD_BY_N] = 2 * d / n
    return mistakes


def expect_loss(got: Any, y_pred: np.ndarray, y_true: np.ndarray, *, call: str) -> float:
    """A single float equal to the oracle loss; an unreduced array names that mistake."""
    if isinstance(got, np.ndarray) and got.ndim > 0:
        raise Mistake(f"{call} returned {describe(got)}. Likely mistake: {NOT_REDUCED}")
    return expect_scalar(
        got, oracle_loss(y_pred, y_true), call=call, mistakes=loss_mistakes(y_pred, y_true)
    )


def expect_grad(got: Any, y_pred: np.ndarray, y_true: np.ndarray, *, call: str) -> np.ndarray:
    """An array equal to the oracle gradient; a single number names the reduction mistake."""
    reduced = isinstance(got, (float, np.generic)) or (
        isinstance(got, np.ndarray) and got.ndim == 0
    )
    if reduced and np.ndim(y_pred) > 0:
        raise Mistake(
            f"{call} returned {describe(got)}; expected shape {np.shape(y_pred)}. "
            f"Likely mistake: {GRAD_REDUCED}"
        )
    return expect_close(
        got,
        oracle_grad(y_pred, y_true),
        call=call,
        dtype=np.float64,
        mistakes=lambda: grad_mistakes(y_pred, y_true),
    )


def regression_pair(rng: np.random.Generator, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets whose differences are at least 0.25 in size, with either sign.

    Every gradient entry then stays far above the noise of finite differences.
    """
    y_true = 2 * rng.standard_normal(shape)
    gap = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.25, 2.0, shape)
    return np.asarray(y_true + gap, dtype=np.float64), np.asarray(y_true, dtype=np.float64)


# -- values -------------------------------------------------------------------------------------

SMALL_PRED = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
SMALL_TRUE = np.array([[1.0, 0.0, 3.0], [2.0, 5.0, 9.0]])
SMALL_CALL = "y_pred = [[1, 2, 3], [4, 5, 6]], y_true = [[1, 0, 3], [2, 5, 9]]"


@pytest.mark.values
def test_loss_small_example(impl):
    """mse_loss on a hand-checked example"""
    # differences [[0, 2, 0], [2, 0, -3]]: (4 + 4 + 9) / 6
    expect_loss(
        impl.mse_loss(SMALL_PRED, SMALL_TRUE),
        SMALL_PRED,
        SMALL_TRUE,
        call=f"mse_loss({SMALL_CALL})",
    )


@pytest.mark.values
def test_grad_small_example(impl):
    """mse_grad on a hand-checked example"""
    # 2 * [[0, 2, 0], [2, 0, -3]] / 6
    call = f"mse_grad({SMALL_CALL})"
    got = impl.mse_grad(SMALL_PRED, SMALL_TRUE)
    expect_grad(got, SMALL_PRED, SMALL_TRUE, call=call)
    expect_close(got, [[0.0, 2 / 3, 0.0], [2 / 3, 0.0, -1.0]], call=call)


@pytest.mark.values
def test_loss_random_values(impl, rng):
    """mse_loss is the mean of the squared differences on random inputs"""
    y_pred, y_true = regression_pair(rng, (4, 3))
    expect_loss(
        impl.mse_loss(y_pred, y_true),
        y_pred,
        y_true,
        call="mse_loss(y_pred, y_true of shape (4, 3))",
    )


@pytest.mark.values
def test_grad_random_values(impl, rng):
    """mse_grad equals 2 * (y_pred - y_true) / size on random inputs"""
    y_pred, y_true = regression_pair(rng, (4, 3))
    expect_grad(
        impl.mse_grad(y_pred, y_true),
        y_pred,
        y_true,
        call="mse_grad(y_pred, y_true of shape (4, 3))",
    )


@pytest.mark.values
def test_equal_inputs_give_zero(impl, rng):
    """equal predictions and targets give a loss of 0 and a zero gradient"""
    y = rng.standard_normal((3, 2))
    expect_scalar(impl.mse_loss(y, y.copy()), 0.0, call="mse_loss(y, y) for y of shape (3, 2)")
    expect_close(
        impl.mse_grad(y, y.copy()), np.zeros_like(y), call="mse_grad(y, y) for y of shape (3, 2)"
    )


# -- shapes -------------------------------------------------------------------------------------

SHAPES = [(), (1,), (6,), (1, 4), (5, 1), (5, 2), (2, 3, 4)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_loss_any_shape(impl, rng, shape):
    """mse_loss averages over every element, for any non-empty shape (0-d included)"""
    y_pred, y_true = regression_pair(rng, shape)
    with hint_on_error(ZERO_D, contains=("unsized", "tuple index out of range")):
        got = impl.mse_loss(y_pred, y_true)
    expect_loss(got, y_pred, y_true, call=f"mse_loss(y_pred, y_true) with shape {shape}")


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_grad_any_shape(impl, rng, shape):
    """mse_grad has y_pred's shape, for any non-empty shape (0-d included)"""
    y_pred, y_true = regression_pair(rng, shape)
    with hint_on_error(ZERO_D, contains=("unsized", "tuple index out of range")):
        got = impl.mse_grad(y_pred, y_true)
    expect_grad(got, y_pred, y_true, call=f"mse_grad(y_pred, y_true) with shape {shape}")


# -- gradients ----------------------------------------------------------------------------------


@pytest.mark.gradients
def test_grad_matches_finite_differences(impl, rng):
    """mse_grad is the gradient of the MSE (finite differences)"""
    y_pred, y_true = regression_pair(rng, (3, 4))
    numeric = numerical_gradient(lambda p: oracle_loss(p, y_true), y_pred)
    expect_gradient(
        impl.mse_grad(y_pred, y_true),
        numeric,
        call="mse_grad(y_pred (3, 4), y_true (3, 4))",
        wrt="y_pred",
        mistakes=grad_mistakes(y_pred, y_true),
    )


# -- contract -----------------------------------------------------------------------------------


def shape_spellings(shape: tuple) -> set[str]:
    """Ways a message may write a shape, once spaces are removed: (5,1), [5, 1], 5x1, (5,)."""
    inner = ",".join(map(str, shape))
    spellings = {f"({inner},)" if len(shape) == 1 else f"({inner})", f"[{inner}]"}
    if len(shape) == 1:
        spellings.add(f"({inner})")
    if len(shape) >= 2:
        spellings.add("x".join(map(str, shape)))
    return spellings


def names_shape(message: str, shape: tuple) -> bool:
    text = message.replace(" ", "")
    return any(spelling in text for spelling in shape_spellings(shape))


def expect_shape_error(run: Callable[[], Any], shapes: tuple, *, call: str) -> None:
    """``run()`` must raise ValueError whose message names both shapes."""
    want = "it must raise ValueError naming both shapes"
    try:
        got = run()
    except LearnerRaised as raised:
        kind = str(raised.error.get("type"))
        message = str(raised.error.get("message", ""))
        if kind != "ValueError":
            hint = f" Likely mistake: {ASSERTED}" if kind == "AssertionError" else ""
            raise Mistake(f"{call} raised {kind}; {want}.{hint}") from None
        missing = [str(shape) for shape in shapes if not names_shape(message, shape)]
        if missing:
            raise Mistake(
                f"{call} raised ValueError({message[:200]!r}), which does not name the shape "
                f"{' or '.join(missing)}. Likely mistake: {NAME_BOTH}"
            ) from None
        return
    broadcast = np.broadcast_shapes(*shapes)
    raise Mistake(
        f"{call} returned {describe(got)}; {want} (NumPy broadcasts {shapes[0]} against "
        f"{shapes[1]} to {broadcast}). Likely mistake: {SILENT_BROADCAST}"
    )


MISMATCHES = [((5, 1), (5,)), ((5,), (5, 1)), ((3, 4), (4,)), ((), (3,))]


@pytest.mark.contract
@pytest.mark.parametrize(
    ("pred_shape", "true_shape"),
    MISMATCHES,
    ids=[f"{shape_id(a)}-vs-{shape_id(b)}" for a, b in MISMATCHES],
)
def test_mismatched_shapes_raise_value_error(impl, rng, pred_shape, true_shape):
    """both functions raise ValueError naming both shapes when the shapes differ"""
    y_pred = rng.standard_normal(pred_shape)
    y_true = rng.standard_normal(true_shape)
    for name in ("mse_loss", "mse_grad"):
        expect_shape_error(
            lambda name=name: getattr(impl, name)(y_pred, y_true),
            (pred_shape, true_shape),
            call=f"{name}(y_pred of shape {pred_shape}, y_true of shape {true_shape})",
        )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """neither function modifies its inputs"""
    y_pred, y_true = regression_pair(rng, (4, 3))
    for name in ("mse_loss", "mse_grad"):
        expect_inputs_unchanged(impl, name, y_pred, y_true, arg_names=("y_pred", "y_true"))


@pytest.mark.contract
def test_return_types(impl, rng):
    """the loss is a single float, the gradient a NumPy array of y_pred's shape"""
    y_pred, y_true = regression_pair(rng, (4, 2))
    loss = impl.mse_loss(y_pred, y_true)
    if isinstance(loss, np.ndarray) and loss.ndim == 0:
        loss = loss[()]
    if isinstance(loss, bool) or not isinstance(loss, (float, np.floating)):
        raise Mistake(
            f"mse_loss(inputs of shape (4, 2)) returned {describe(loss)}; it must return a "
            "single float (the mean over all elements)"
        )
    grad = impl.mse_grad(y_pred, y_true)
    if not isinstance(grad, np.ndarray):
        raise Mistake(f"mse_grad() returned {describe(grad)}; return a NumPy array (not a list)")
    expect_grad(grad, y_pred, y_true, call="mse_grad(inputs of shape (4, 2))")
