"""Hidden suite for bce_gradient.

The oracles are written here in another form than the reference: clipping by
minimum/maximum, the loss with log1p(-p), the gradient as -y/p + (1 - y)/(1 - p),
the logits loss as logaddexp(0, z) - z y and the sigmoid as exp(-logaddexp(0, -z)).
"""

from typing import Any

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
    expect_scalar,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

SUMMED = named("summed")
BATCH_AXIS = named("batch-axis")
MISSING_SIZE = named("missing-size")
LOSS_SIGN = named("loss-sign")
GRAD_SIGN = named("grad-sign")
LOGITS_GRAD_SIGN = named("logits-grad-sign")
ROUNDED = named("rounded")
NOT_CLIPPED_LOSS = named("not-clipped-loss")
NOT_CLIPPED_GRAD = named("not-clipped-grad")
ZERO_SLOPE = named("zero-slope")
UNCLIPPED_NUMERATOR = named("unclipped-numerator")
EPS_IGNORED = named("eps-ignored")
LOG_PLUS_EPS = named("log-plus-eps")
STABLE_FORM = "max(z, 0) - z * y + log1p(exp(-|z|))"
LOGITS_SATURATED = (
    "the loss saturates for large |logits| (sigmoid, then a clipped log): use the stable "
    f"{STABLE_FORM}"
)
LOGITS_OVERFLOW = (
    "exp overflowed or log(0) appeared for large |logits|: use the stable " + STABLE_FORM
)
MISSING_ABS = named("missing-abs")
SIGMOID_OVERFLOW = named("sigmoid-overflow")
DIVIDE_BY_ZERO = named("divide-by-zero")
SIGMOID_NOT_FINITE = named("sigmoid-not-finite")

TINY_EPS = (1e-7, 1e-8, 1e-10, 1e-12, 1e-15, 1e-16)


# -- oracles ----------------------------------------------------------------------------------


def clipped(y_pred: np.ndarray, eps: float) -> np.ndarray:
    return np.minimum(np.maximum(y_pred, eps), 1 - eps)


def oracle_loss(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> float:
    p = clipped(y_pred, eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)))


def oracle_grad(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    p = clipped(y_pred, eps)
    return (-y_true / p + (1 - y_true) / (1 - p)) / y_pred.size


def oracle_logits_loss(z: np.ndarray, y_true: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0, z) - z * y_true))


def oracle_sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        return np.exp(-np.logaddexp(0, -z))


def oracle_logits_grad(z: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    return (oracle_sigmoid(z) - y_true) / z.size


# -- likely mistakes --------------------------------------------------------------------------


def hard(y_true: np.ndarray) -> np.ndarray:
    return (y_true > 0.5).astype(np.float64)


def batch_factor(x: np.ndarray) -> float | None:
    """How much bigger a mean over the first axis only comes out, if it differs."""
    if x.ndim < 2 or x.shape[0] in (0, x.size):
        return None
    return x.size / x.shape[0]


def with_batch_axis(mistakes: dict, x: np.ndarray, value: Any) -> dict:
    factor = batch_factor(x)
    if factor is not None:
        mistakes[BATCH_AXIS] = value * factor
    return mistakes


def loss_mistakes(loss: float, x: np.ndarray, rounded: float) -> dict:
    mistakes = {SUMMED: loss * x.size, LOSS_SIGN: -loss, ROUNDED: rounded}
    return with_batch_axis(mistakes, x, loss)


def bce_loss_mistakes(y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7) -> dict:
    loss = oracle_loss(y_pred, y_true, eps)
    mistakes = loss_mistakes(loss, y_pred, oracle_loss(y_pred, hard(y_true), eps))
    others = [oracle_loss(y_pred, y_true, e) for e in TINY_EPS if e != eps]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_plus_eps = -np.mean(
            y_true * np.log(y_pred + eps) + (1 - y_true) * np.log(1 - y_pred + eps)
        )
    mistakes[LOG_PLUS_EPS] = float(log_plus_eps)
    mistakes[EPS_IGNORED] = lambda v: any(abs(v - o) <= 1e-6 * abs(o) for o in others)
    return mistakes


def bce_grad_mistakes(
    y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-7, edges: bool = False
) -> dict:
    grad = oracle_grad(y_pred, y_true, eps)
    p = clipped(y_pred, eps)
    mistakes: dict[str, Any] = {
        MISSING_SIZE: grad * y_pred.size,
        GRAD_SIGN: -grad,
        ROUNDED: oracle_grad(y_pred, hard(y_true), eps),
        ZERO_SLOPE: np.where((y_pred < eps) | (y_pred > 1 - eps), 0.0, grad),
        UNCLIPPED_NUMERATOR: (y_pred - y_true) / (p * (1 - p)) / y_pred.size,
        LOG_PLUS_EPS: (-y_true / (y_pred + eps) + (1 - y_true) / (1 - y_pred + eps)) / y_pred.size,
        EPS_IGNORED: lambda got: any(
            np.allclose(got, oracle_grad(y_pred, y_true, e), rtol=1e-6, atol=1e-9)
            for e in TINY_EPS
            if e != eps
        ),
    }
    if edges:
        mistakes[NOT_CLIPPED_GRAD] = lambda got: not np.all(np.isfinite(got))
    return with_batch_axis(mistakes, y_pred, grad)


def logits_loss_mistakes(z: np.ndarray, y_true: np.ndarray) -> dict:
    loss = oracle_logits_loss(z, y_true)
    mistakes = loss_mistakes(loss, z, oracle_logits_loss(z, hard(y_true)))
    with np.errstate(over="ignore"):
        no_abs = np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-z)))
    if np.isfinite(no_abs):
        mistakes[MISSING_ABS] = float(no_abs)
    return mistakes


def logits_grad_mistakes(z: np.ndarray, y_true: np.ndarray) -> dict:
    grad = oracle_logits_grad(z, y_true)
    mistakes = {
        MISSING_SIZE: grad * z.size,
        LOGITS_GRAD_SIGN: -grad,
        ROUNDED: oracle_logits_grad(z, hard(y_true)),
        SIGMOID_NOT_FINITE: lambda got: not np.all(np.isfinite(got)),
    }
    return with_batch_axis(mistakes, z, grad)


def probabilities(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Probabilities well inside (0, 1), so clipping plays no part."""
    return np.asarray(rng.uniform(0.03, 0.97, shape), dtype=np.float64)


def soft_labels(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.uniform(0.0, 1.0, shape), dtype=np.float64)


def logits_like(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(4.0 * rng.standard_normal(shape), dtype=np.float64)


# -- values -----------------------------------------------------------------------------------

EXAMPLE_P = np.array([0.9, 0.2, 0.6])
EXAMPLE_Y = np.array([1.0, 0.0, 1.0])
EXAMPLE_Z = np.array([2.0, -1.0, 0.0])
EXAMPLE_ZY = np.array([1.0, 0.0, 0.5])


@pytest.mark.values
def test_loss_small_example(impl):
    """bce_loss on a hand-checked example"""
    # -(log 0.9 + log 0.8 + log 0.6) / 3
    expect_scalar(
        impl.bce_loss(EXAMPLE_P, EXAMPLE_Y),
        0.2797765635793423,
        call="bce_loss([0.9, 0.2, 0.6], [1, 0, 1])",
        mistakes=bce_loss_mistakes(EXAMPLE_P, EXAMPLE_Y),
    )


@pytest.mark.values
def test_grad_small_example(impl):
    """bce_grad on a hand-checked example"""
    # (p - y) / (p (1 - p)) / 3 = [-0.1 / 0.09, 0.2 / 0.16, -0.4 / 0.24] / 3
    expect_close(
        impl.bce_grad(EXAMPLE_P, EXAMPLE_Y),
        [-10 / 27, 5 / 12, -5 / 9],
        call="bce_grad([0.9, 0.2, 0.6], [1, 0, 1])",
        mistakes=bce_grad_mistakes(EXAMPLE_P, EXAMPLE_Y),
    )


@pytest.mark.values
def test_loss_random_soft_labels(impl, rng):
    """bce_loss is the mean over all elements, with soft labels"""
    p, y = probabilities(rng, (5, 3)), soft_labels(rng, (5, 3))
    expect_scalar(
        impl.bce_loss(p, y),
        oracle_loss(p, y),
        call="bce_loss(y_pred of shape (5, 3), soft y_true in [0, 1])",
        mistakes=bce_loss_mistakes(p, y),
    )


@pytest.mark.values
def test_grad_random_soft_labels(impl, rng):
    """bce_grad equals (p - y) / (p (1 - p)) / size, with soft labels"""
    p, y = probabilities(rng, (5, 3)), soft_labels(rng, (5, 3))
    expect_close(
        impl.bce_grad(p, y),
        oracle_grad(p, y),
        call="bce_grad(y_pred of shape (5, 3), soft y_true in [0, 1])",
        mistakes=bce_grad_mistakes(p, y),
    )


EPS_P = np.array([[0.0, 0.05, 0.3], [0.7, 0.95, 1.0]])
EPS_Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


@pytest.mark.values
def test_loss_honours_eps(impl):
    """bce_loss clips to [eps, 1 - eps] with the eps it is given"""
    eps = 0.1
    expect_scalar(
        impl.bce_loss(EPS_P, EPS_Y, eps=eps),
        oracle_loss(EPS_P, EPS_Y, eps),
        call="bce_loss([[0, 0.05, 0.3], [0.7, 0.95, 1]], y_true, eps=0.1)",
        mistakes=bce_loss_mistakes(EPS_P, EPS_Y, eps),
        not_finite=NOT_CLIPPED_LOSS,
    )


@pytest.mark.values
def test_grad_honours_eps(impl):
    """bce_grad clips to [eps, 1 - eps] with the eps it is given"""
    eps = 0.1
    expect_close(
        impl.bce_grad(EPS_P, EPS_Y, eps=eps),
        oracle_grad(EPS_P, EPS_Y, eps),
        call="bce_grad([[0, 0.05, 0.3], [0.7, 0.95, 1]], y_true, eps=0.1)",
        mistakes=bce_grad_mistakes(EPS_P, EPS_Y, eps, edges=True),
    )


@pytest.mark.values
def test_logits_loss_small_example(impl):
    """bce_with_logits_loss on a hand-checked example"""
    # (log(1 + e^-2) + log(1 + e^-1) + log 2) / 3
    expect_scalar(
        impl.bce_with_logits_loss(EXAMPLE_Z, EXAMPLE_ZY),
        0.3777789597070469,
        call="bce_with_logits_loss([2, -1, 0], [1, 0, 0.5])",
        mistakes=logits_loss_mistakes(EXAMPLE_Z, EXAMPLE_ZY),
    )


@pytest.mark.values
def test_logits_grad_small_example(impl):
    """bce_with_logits_grad on a hand-checked example"""
    # (sigmoid(z) - y) / 3 = [sigmoid(2) - 1, sigmoid(-1), 0.5 - 0.5] / 3
    expected = [(1 / (1 + np.exp(-2.0)) - 1) / 3, 1 / (1 + np.exp(1.0)) / 3, 0.0]
    expect_close(
        impl.bce_with_logits_grad(EXAMPLE_Z, EXAMPLE_ZY),
        expected,
        call="bce_with_logits_grad([2, -1, 0], [1, 0, 0.5])",
        mistakes=logits_grad_mistakes(EXAMPLE_Z, EXAMPLE_ZY),
    )


@pytest.mark.values
def test_logits_loss_random(impl, rng):
    """bce_with_logits_loss matches the mean BCE of sigmoid(logits) on random inputs"""
    z, y = logits_like(rng, (3, 7)), soft_labels(rng, (3, 7))
    expect_scalar(
        impl.bce_with_logits_loss(z, y),
        oracle_logits_loss(z, y),
        call="bce_with_logits_loss(logits of shape (3, 7), soft y_true)",
        mistakes=logits_loss_mistakes(z, y),
    )


@pytest.mark.values
def test_logits_grad_random(impl, rng):
    """bce_with_logits_grad equals (sigmoid(z) - y) / size on random inputs"""
    z, y = logits_like(rng, (3, 7)), soft_labels(rng, (3, 7))
    expect_close(
        impl.bce_with_logits_grad(z, y),
        oracle_logits_grad(z, y),
        call="bce_with_logits_grad(logits of shape (3, 7), soft y_true)",
        mistakes=logits_grad_mistakes(z, y),
    )


# -- shapes -----------------------------------------------------------------------------------

SHAPES = [(), (1,), (6,), (1, 4), (5, 2), (2, 3, 4)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_loss_any_shape(impl, rng, shape):
    """bce_loss averages over every element, for any shape (0-d included)"""
    p, y = probabilities(rng, shape), soft_labels(rng, shape)
    expect_scalar(
        impl.bce_loss(p, y),
        oracle_loss(p, y),
        call=f"bce_loss(y_pred, y_true) with shape {shape}",
        mistakes=bce_loss_mistakes(p, y),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_grad_any_shape(impl, rng, shape):
    """bce_grad has y_pred's shape, for any shape (0-d included)"""
    p, y = probabilities(rng, shape), soft_labels(rng, shape)
    expect_close(
        impl.bce_grad(p, y),
        oracle_grad(p, y),
        call=f"bce_grad(y_pred, y_true) with shape {shape}",
        mistakes=bce_grad_mistakes(p, y),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_logits_loss_any_shape(impl, rng, shape):
    """bce_with_logits_loss averages over every element, for any shape (0-d included)"""
    z, y = logits_like(rng, shape), soft_labels(rng, shape)
    expect_scalar(
        impl.bce_with_logits_loss(z, y),
        oracle_logits_loss(z, y),
        call=f"bce_with_logits_loss(logits, y_true) with shape {shape}",
        mistakes=logits_loss_mistakes(z, y),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_logits_grad_any_shape(impl, rng, shape):
    """bce_with_logits_grad has the logits' shape, for any shape (0-d included)"""
    z, y = logits_like(rng, shape), soft_labels(rng, shape)
    expect_close(
        impl.bce_with_logits_grad(z, y),
        oracle_logits_grad(z, y),
        call=f"bce_with_logits_grad(logits, y_true) with shape {shape}",
        mistakes=logits_grad_mistakes(z, y),
    )


@pytest.mark.shapes
def test_integer_labels(impl, rng):
    """hard labels given as an integer array work in all four functions"""
    p, z = probabilities(rng, (4, 3)), logits_like(rng, (4, 3))
    y = rng.integers(0, 2, (4, 3))
    y64 = y.astype(np.float64)
    what = "y_true an int64 array of 0/1 of shape (4, 3)"
    expect_scalar(
        impl.bce_loss(p, y),
        oracle_loss(p, y64),
        call=f"bce_loss with {what}",
        mistakes=bce_loss_mistakes(p, y64),
    )
    expect_close(
        impl.bce_grad(p, y),
        oracle_grad(p, y64),
        call=f"bce_grad with {what}",
        mistakes=bce_grad_mistakes(p, y64),
    )
    expect_scalar(
        impl.bce_with_logits_loss(z, y),
        oracle_logits_loss(z, y64),
        call=f"bce_with_logits_loss with {what}",
        mistakes=logits_loss_mistakes(z, y64),
    )
    expect_close(
        impl.bce_with_logits_grad(z, y),
        oracle_logits_grad(z, y64),
        call=f"bce_with_logits_grad with {what}",
        mistakes=logits_grad_mistakes(z, y64),
    )


# -- gradients --------------------------------------------------------------------------------


@pytest.mark.gradients
def test_grad_matches_finite_differences(impl, rng):
    """bce_grad is the gradient of the BCE loss (finite differences)"""
    p, y = probabilities(rng, (3, 4)), soft_labels(rng, (3, 4))
    numeric = numerical_gradient(lambda q: oracle_loss(q, y), p)
    expect_gradient(
        impl.bce_grad(p, y),
        numeric,
        call="bce_grad(y_pred (3, 4), soft y_true)",
        wrt="y_pred",
        mistakes=bce_grad_mistakes(p, y),
    )


@pytest.mark.gradients
def test_logits_grad_matches_finite_differences(impl, rng):
    """bce_with_logits_grad is the gradient of the logits loss (finite differences)"""
    z, y = logits_like(rng, (2, 5)), soft_labels(rng, (2, 5))
    numeric = numerical_gradient(lambda q: oracle_logits_loss(q, y), z)
    expect_gradient(
        impl.bce_with_logits_grad(z, y),
        numeric,
        call="bce_with_logits_grad(logits (2, 5), soft y_true)",
        wrt="logits",
        mistakes=logits_grad_mistakes(z, y),
    )


# -- stability --------------------------------------------------------------------------------

EDGE_P = np.array([[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1e-12, 0.5]])
EDGE_Y = np.array([[0.0, 1.0, 1.0, 0.0], [0.3, 0.8, 1.0, 1.0]])
EDGE_CALL = "y_pred = [[0, 1, 0, 1], [1, 0, 1e-12, 0.5]]"


@pytest.mark.stability
def test_loss_at_probabilities_0_and_1(impl):
    """bce_loss is finite, clipped and warning-free at probabilities 0 and 1"""
    with no_fp_warnings(impl, f"bce_loss({EDGE_CALL}, y_true)", hint=DIVIDE_BY_ZERO):
        expect_scalar(
            impl.bce_loss(EDGE_P, EDGE_Y),
            oracle_loss(EDGE_P, EDGE_Y),
            call=f"bce_loss({EDGE_CALL}, y_true)",
            mistakes=bce_loss_mistakes(EDGE_P, EDGE_Y),
            not_finite=NOT_CLIPPED_LOSS,
        )


@pytest.mark.stability
def test_grad_at_probabilities_0_and_1(impl):
    """bce_grad at probabilities 0 and 1 is the formula's finite value at the clipped p"""
    with no_fp_warnings(impl, f"bce_grad({EDGE_CALL}, y_true)", hint=DIVIDE_BY_ZERO):
        expect_close(
            impl.bce_grad(EDGE_P, EDGE_Y),
            oracle_grad(EDGE_P, EDGE_Y),
            call=f"bce_grad({EDGE_CALL}, y_true)",
            mistakes=bce_grad_mistakes(EDGE_P, EDGE_Y, edges=True),
        )


HUGE_Z = np.array([[1e3, -1e3, 1e4, -1e4], [1e3, -1e3, 3e5, 0.5]])
HUGE_Y = np.array([[1.0, 1.0, 0.0, 0.5], [0.0, 0.3, 0.9, 1.0]])
HUGE_CALL = "logits = [[1e3, -1e3, 1e4, -1e4], [1e3, -1e3, 3e5, 0.5]]"


@pytest.mark.stability
def test_logits_loss_huge_logits(impl):
    """bce_with_logits_loss is exact, finite and warning-free for logits of ±1e3 and beyond"""
    expected = oracle_logits_loss(HUGE_Z, HUGE_Y)
    mistakes: dict[str, Any] = {
        LOGITS_SATURATED: lambda v: np.isfinite(v) and v < 0.5 * expected,
        **logits_loss_mistakes(HUGE_Z, HUGE_Y),
    }
    with no_fp_warnings(impl, f"bce_with_logits_loss({HUGE_CALL}, y_true)", hint=LOGITS_OVERFLOW):
        expect_scalar(
            impl.bce_with_logits_loss(HUGE_Z, HUGE_Y),
            expected,
            call=f"bce_with_logits_loss({HUGE_CALL}, y_true)",
            mistakes=mistakes,
            not_finite=LOGITS_OVERFLOW,
        )


@pytest.mark.stability
def test_logits_grad_huge_logits(impl):
    """bce_with_logits_grad is finite and warning-free for logits of ±1e3 and beyond"""
    with no_fp_warnings(impl, f"bce_with_logits_grad({HUGE_CALL}, y_true)", hint=SIGMOID_OVERFLOW):
        expect_close(
            impl.bce_with_logits_grad(HUGE_Z, HUGE_Y),
            oracle_logits_grad(HUGE_Z, HUGE_Y),
            call=f"bce_with_logits_grad({HUGE_CALL}, y_true)",
            mistakes=logits_grad_mistakes(HUGE_Z, HUGE_Y),
        )


# -- contract ---------------------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """no function modifies its inputs (probabilities 0 and 1 included)"""
    p = np.concatenate([[0.0, 1.0, 1e-9], probabilities(rng, (5,))])
    y = soft_labels(rng, p.shape)
    z = logits_like(rng, p.shape)
    expect_inputs_unchanged(impl, "bce_loss", p, y, arg_names=("y_pred", "y_true"))
    expect_inputs_unchanged(impl, "bce_grad", p, y, arg_names=("y_pred", "y_true"))
    expect_inputs_unchanged(impl, "bce_with_logits_loss", z, y, arg_names=("logits", "y_true"))
    expect_inputs_unchanged(impl, "bce_with_logits_grad", z, y, arg_names=("logits", "y_true"))


@pytest.mark.contract
def test_return_types(impl, rng):
    """losses are single floats, gradients are NumPy arrays of the input's shape"""
    p, y, z = probabilities(rng, (4, 2)), soft_labels(rng, (4, 2)), logits_like(rng, (4, 2))
    for name, args in (("bce_loss", (p, y)), ("bce_with_logits_loss", (z, y))):
        got = getattr(impl, name)(*args)
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]
        if isinstance(got, bool) or not isinstance(got, (float, np.floating)):
            raise Mistake(
                f"{name}(inputs of shape (4, 2)) returned {describe(got)}; it must "
                "return a single float (the mean over all elements)"
            )
    for name, args in (("bce_grad", (p, y)), ("bce_with_logits_grad", (z, y))):
        got = getattr(impl, name)(*args)
        if not isinstance(got, np.ndarray):
            raise Mistake(f"{name}() returned {describe(got)}; return a NumPy array (not a list)")
        expect_array(got, call=f"{name}(inputs of shape (4, 2))", shape=(4, 2))


@pytest.mark.contract
def test_gradient_descent_trajectory(impl, rng):
    """ten steps of gradient descent on logits follow the exact trajectory and lower the loss"""
    z, y = logits_like(rng, (6, 2)), soft_labels(rng, (6, 2))
    ours, losses = z.copy(), []
    lr = 0.5 * z.size  # the gradient carries 1/size; this is a step of 0.5 per element
    for step in range(1, 11):
        losses.append(
            expect_scalar(
                impl.bce_with_logits_loss(z, y),
                oracle_logits_loss(ours, y),
                call=f"bce_with_logits_loss before descent step {step}",
            )
        )
        grad = expect_close(
            impl.bce_with_logits_grad(z, y),
            oracle_logits_grad(ours, y),
            call=f"bce_with_logits_grad at descent step {step}",
            mistakes=logits_grad_mistakes(ours, y),
        )
        z = z - lr * grad
        ours = ours - lr * oracle_logits_grad(ours, y)
    if not losses[-1] < losses[0]:
        raise Mistake(
            f"ten descent steps along bce_with_logits_grad did not lower "
            f"bce_with_logits_loss ({losses[0]:.6g} -> {losses[-1]:.6g})"
        )
