"""Hidden suite for linear_layer.

The oracle is computed here with einsum sums over the batch (a different formulation from
the matrix products a solution would use); finite differences use that oracle forward.
"""

import math

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
    expect_shape,
    hint_on_error,
    no_fp_warnings,
    numerical_gradient,
)

named = declared_mistakes(__file__)

LIMIT_FAN_IN_ONLY = named("limit-fan-in-only")
LIMIT_FAN_OUT_ONLY = named("limit-fan-out-only")
LIMIT_PYTORCH_DEFAULT = named("limit-pytorch-default")
LIMIT_GLOROT_NORMAL_STD = named("limit-glorot-normal-std")
LIMIT_NO_SQRT = named("limit-no-sqrt")

# Likely mistakes, named the way the learner should read them.
NO_BIAS = named("no-bias")
STALE_WEIGHTS = named("stale-weights")
DW_AVERAGED = named("dw-averaged")
DB_AVERAGED = named("db-averaged")
DX_AVERAGED = named("dx-averaged")
DW_TRANSPOSED = named("dw-transposed")
DB_NOT_SUMMED = named("db-not-summed")
DB_NO_AXIS = named("db-no-axis")
DB_KEEPDIMS = named("db-keepdims")
ACCUMULATED = named("accumulated")
STALE_X = named("stale-x")
FORWARD_SHAPES = named("forward-shapes")
BACKWARD_SHAPES = named("backward-shapes")
SHAPE_ERRORS = ("matmul", "shapes", "broadcast", "aligned", "dimension")


def glorot_limit(fan_in: int, fan_out: int) -> float:
    return math.sqrt(6.0 / (fan_in + fan_out))


def oracle_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ni,oi->no", x, W) + b


def oracle_backward(g: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple:
    """(dx, dW, db) as explicit sums over the batch."""
    return np.einsum("no,oi->ni", g, W), np.einsum("no,ni->oi", g, x), np.einsum("no->o", g)


def as_floats(value) -> np.ndarray | None:
    """A learner's attribute as a float array, or None when it is not one."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def stale(x: np.ndarray, W0, b0, b: np.ndarray):
    """A predicate: did forward use the initial W0 (with the initial b0 or the assigned b)?

    W0 and b0 come from the learner, so they may have any shape: a predicate that raises
    counts as no match.
    """
    W0, b0 = as_floats(W0), as_floats(b0)

    def matches(got: np.ndarray) -> bool:
        if W0 is None or b0 is None or W0.ndim != 2 or got.shape != (len(x), len(W0)):
            return False
        return any(np.allclose(got, x @ W0.T + bias) for bias in (b0, b))

    return matches


def seed_of(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def run_forward(layer, x: np.ndarray):
    with hint_on_error(FORWARD_SHAPES, error_type="ValueError", contains=SHAPE_ERRORS):
        return layer.forward(x)


def run_backward(layer, g: np.ndarray, call: str):
    with hint_on_error(BACKWARD_SHAPES, error_type="ValueError", contains=SHAPE_ERRORS):
        dx = layer.backward(g)
    if dx is None:
        raise Mistake(
            f"{call} returned None: backward must return dL/dx, of shape (N, in_features), "
            "besides setting dW and db"
        )
    return dx


def expect_values(got, expected: np.ndarray, *, call: str, mistakes: dict | None = None):
    """expect_close, naming a known mistake for wrong shapes too."""
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    return expect_close(got, expected, call=call, mistakes=mistakes)


def dw_mistakes(expected: np.ndarray, n: int) -> dict:
    return {DW_AVERAGED: expected / n, DW_TRANSPOSED: expected.T}


def db_mistakes(g: np.ndarray) -> dict:
    return {
        DB_AVERAGED: g.mean(axis=0),
        DB_KEEPDIMS: g.sum(axis=0, keepdims=True),
        DB_NOT_SUMMED: g,
        DB_NO_AXIS: np.asarray(g.sum()),
    }


def layer_with(impl, W: np.ndarray, b: np.ndarray, seed: int = 0):
    """A learner layer of W's shape with W and b assigned (as the contract allows)."""
    layer = impl.Linear(W.shape[1], W.shape[0], rng=np.random.default_rng(seed))
    layer.W = W
    layer.b = b
    return layer


def check_backward(layer, x, g, W, *, call: str, earlier: tuple = (0.0, 0.0)) -> tuple:
    """dx, dW and db of one backward call against the oracle.

    ``earlier`` holds the sums of dW and db over this layer's earlier backward calls, to
    recognise accumulation; the updated sums are returned.
    """
    dx_want, dw_want, db_want = oracle_backward(g, x, W)
    dx = run_backward(layer, g, call)
    expect_values(
        dx, dx_want, call=f"{call} (the returned dx)", mistakes={DX_AVERAGED: dx_want / len(x)}
    )
    sum_dw, sum_db = earlier[0] + dw_want, earlier[1] + db_want
    expect_values(
        layer.dW,
        dw_want,
        call=f"dW after {call}",
        mistakes={**dw_mistakes(dw_want, len(x)), ACCUMULATED: sum_dw},
    )
    expect_values(
        layer.db, db_want, call=f"db after {call}", mistakes={**db_mistakes(g), ACCUMULATED: sum_db}
    )
    return sum_dw, sum_db


HAND_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
HAND_B = np.array([0.5, -1.0])
HAND_X = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0], [-1.0, 1.0, 0.0]])
HAND_G = np.array([[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0], [1.0, 1.0]])
HAND_CALL = "Linear(3, 2) with W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1]"


LAYER_SIZES = [(3, 5), (5, 3), (1, 6), (6, 1), (1, 1)]


def expect_attribute_shape(value, shape: tuple, what: str, wrong: dict) -> None:
    if not isinstance(value, np.ndarray):
        raise Mistake(f"{what} is {describe(value)}; it must be a NumPy array")
    if value.shape != shape:
        hint = wrong.get(value.shape, "")
        raise Mistake(f"{what} has shape {value.shape}; expected {shape}.{hint}")


# The layer's shapes first: a bug there breaks every later test with a less telling message.
@pytest.mark.shapes
def test_init_shapes(impl, rng):
    """W has shape (out_features, in_features) and b (out_features,)"""
    for fan_in, fan_out in LAYER_SIZES[:4]:
        layer = impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng)))
        name = f"Linear({fan_in}, {fan_out}, rng=...)"
        w_hint = (
            " Likely mistake: W is stored transposed; it must have shape "
            "(out_features, in_features), as in PyTorch's nn.Linear"
        )
        expect_attribute_shape(layer.W, (fan_out, fan_in), f"{name}.W", {(fan_in, fan_out): w_hint})
        b_hint = " Likely mistake: b must be 1-D, of shape (out_features,)"
        expect_attribute_shape(
            layer.b, (fan_out,), f"{name}.b", {(1, fan_out): b_hint, (fan_out, 1): b_hint}
        )


@pytest.mark.values
def test_forward_small_example(impl):
    """forward on a hand-checked example"""
    layer = impl.Linear(3, 2, rng=np.random.default_rng(0))
    W0, b0 = layer.W, layer.b
    layer.W = HAND_W
    layer.b = HAND_B
    expected = np.array([[-1.5, 3.0], [1.5, 0.0], [1.5, 3.0], [-0.5, -2.0]])
    mistakes = {NO_BIAS: HAND_X @ HAND_W.T, STALE_WEIGHTS: stale(HAND_X, W0, b0, HAND_B)}
    call = f"{HAND_CALL}: forward([[1, 2, 3], [0, 1, -1], [2, 0, 1], [-1, 1, 0]])"
    expect_values(run_forward(layer, HAND_X), expected, call=call, mistakes=mistakes)


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """forward equals x @ W.T + b on random inputs and weights"""
    n, fan_in, fan_out = 5, 7, 4
    layer = impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng)))
    W0, b0 = layer.W, layer.b
    W = rng.standard_normal((fan_out, fan_in))
    b = rng.standard_normal(fan_out)
    x = rng.standard_normal((n, fan_in))
    layer.W = W
    layer.b = b
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, W, b),
        call="Linear(7, 4) with W and b assigned: forward(x of shape (5, 7))",
        mistakes={NO_BIAS: x @ W.T, STALE_WEIGHTS: stale(x, W0, b0, b)},
    )


@pytest.mark.values
def test_backward_small_example(impl):
    """backward on a hand-checked example: dx, dW and db"""
    layer = layer_with(impl, HAND_W, HAND_B)
    run_forward(layer, HAND_X)
    call = f"{HAND_CALL}, after forward(x of shape (4, 3)): backward(grad_output of shape (4, 2))"
    dx = run_backward(layer, HAND_G, call)
    expect_values(
        dx,
        np.array([[1.0, 0, -1], [4, 2, 0], [1, 1, 1], [3, 1, -1]]),
        call=f"{call} (the returned dx)",
    )
    dw_want = np.array([[-2.0, 3, 2], [1, 3, -1]])
    expect_values(
        layer.dW, dw_want, call=f"dW after {call}", mistakes=dw_mistakes(dw_want, len(HAND_X))
    )
    expect_values(
        layer.db, np.array([1.0, 4.0]), call=f"db after {call}", mistakes=db_mistakes(HAND_G)
    )


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """backward gives the summed dW, db and dx = grad_output @ W on random inputs"""
    n, fan_in, fan_out = 5, 7, 4
    W = rng.standard_normal((fan_out, fan_in))
    x = rng.standard_normal((n, fan_in))
    g = rng.standard_normal((n, fan_out))
    layer = layer_with(impl, W, rng.standard_normal(fan_out), seed_of(rng))
    run_forward(layer, x)
    check_backward(layer, x, g, W, call="Linear(7, 4): backward(grad_output (5, 4)) after forward")


# Wrong Glorot limits learners use, as functions of (fan_in, fan_out).
WRONG_LIMITS = {
    LIMIT_FAN_IN_ONLY: lambda i, o: math.sqrt(6 / i),
    LIMIT_FAN_OUT_ONLY: (lambda i, o: math.sqrt(6 / o)),
    LIMIT_PYTORCH_DEFAULT: lambda i, o: 1 / math.sqrt(i),
    LIMIT_GLOROT_NORMAL_STD: (lambda i, o: math.sqrt(2 / (i + o))),
    LIMIT_NO_SQRT: (lambda i, o: 6 / (i + o)),
}


@pytest.mark.values
def test_init_glorot_uniform_law(impl, rng):
    """W starts Glorot-uniform: within ±l, spread over all of it, mean 0, std l / sqrt(3)"""
    fan_in, fan_out = 300, 200
    limit = glorot_limit(fan_in, fan_out)
    call = f"Linear({fan_in}, {fan_out}, rng=...).W"
    W = expect_array(
        impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng))).W,
        call=call,
        shape=(fan_out, fan_in),
    )
    if not np.all(np.isfinite(W)):
        raise Mistake(f"{call} contains NaN or inf")
    W = W.astype(np.float64)
    top, mean, std = float(np.max(np.abs(W))), float(W.mean()), float(W.std())
    seen = (
        f"{call}: largest |entry| {top:.4g}, mean {mean:.3g}, std {std:.4g}; Glorot-uniform "
        f"has limit l = sqrt(6 / ({fan_in} + {fan_out})) = {limit:.4g}, mean 0, "
        f"std l / sqrt(3) = {limit / math.sqrt(3):.4g}."
    )
    if np.all(W >= 0) or np.all(W <= 0):
        raise Mistake(
            f"{seen} Likely mistake: all entries have the same sign: draw from "
            "U(-l, l), not U(0, l)"
        )
    if std > 0 and top / std > 2.5:
        raise Mistake(
            f"{seen} Likely mistake: W looks normally distributed (its largest entry is "
            f"{top / std:.1f} standard deviations out); Glorot-uniform draws from U(-l, l)"
        )
    if abs(mean) > 0.02 * limit:
        raise Mistake(f"{seen} Likely mistake: W is not centred on 0; draw from U(-l, l)")
    if top > limit * (1 + 1e-9) or top < 0.98 * limit:
        hint = next(
            (
                f" Likely mistake: {message}"
                for message, wrong in WRONG_LIMITS.items()
                if abs(top - wrong(fan_in, fan_out)) < 0.02 * wrong(fan_in, fan_out)
            ),
            "",
        )
        raise Mistake(f"{seen}{hint}")
    if abs(std - limit / math.sqrt(3)) > 0.03 * limit / math.sqrt(3):
        raise Mistake(f"{seen} The spread is not that of a uniform draw on [-l, l].")


@pytest.mark.values
def test_init_bias_zero_and_weights_within_limit(impl, rng):
    """b starts at zeros and every |W| is within the Glorot limit, for several layer sizes"""
    for fan_in, fan_out in LAYER_SIZES:
        layer = impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng)))
        name = f"Linear({fan_in}, {fan_out}, rng=...)"
        W = expect_array(layer.W, call=f"{name}.W", shape=(fan_out, fan_in))
        b = expect_array(layer.b, call=f"{name}.b", shape=(fan_out,))
        if np.any(b != 0):
            raise Mistake(f"{name}.b starts at {np.round(b, 4).tolist()}; b must start at zeros")
        limit = glorot_limit(fan_in, fan_out)
        if not np.all(np.abs(W) <= limit * (1 + 1e-9)):
            raise Mistake(
                f"{name}.W has an entry of magnitude {float(np.max(np.abs(W))):.4g}, beyond the "
                f"Glorot-uniform limit sqrt(6 / ({fan_in} + {fan_out})) = {limit:.4g}"
            )


@pytest.mark.shapes
def test_batch_sizes(impl, rng):
    """forward and backward work for batches of 1 and many, changing between calls"""
    fan_in, fan_out = 3, 5
    W = rng.standard_normal((fan_out, fan_in))
    b = rng.standard_normal(fan_out)
    layer = layer_with(impl, W, b, seed_of(rng))
    sums = (0.0, 0.0)
    for n in (1, 16, 2):
        x = rng.standard_normal((n, fan_in))
        g = rng.standard_normal((n, fan_out))
        expect_values(
            run_forward(layer, x),
            oracle_forward(x, W, b),
            call=f"Linear(3, 5): forward(x of shape ({n}, 3))",
        )
        sums = check_backward(
            layer, x, g, W, earlier=sums, call=f"Linear(3, 5): backward(grad_output ({n}, 5))"
        )


@pytest.mark.shapes
@pytest.mark.parametrize("sizes", [(1, 1), (1, 6), (6, 1), (8, 3)], ids=lambda s: f"{s[0]}to{s[1]}")
def test_layer_sizes(impl, rng, sizes):
    """forward and backward give the right shapes and values for other layer sizes"""
    fan_in, fan_out = sizes
    n = 4
    W = rng.standard_normal((fan_out, fan_in))
    b = rng.standard_normal(fan_out)
    x = rng.standard_normal((n, fan_in))
    g = rng.standard_normal((n, fan_out))
    layer = layer_with(impl, W, b, seed_of(rng))
    name = f"Linear({fan_in}, {fan_out})"
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, W, b),
        call=f"{name}: forward(x of shape ({n}, {fan_in}))",
    )
    check_backward(layer, x, g, W, call=f"{name}: backward(grad_output ({n}, {fan_out}))")


def gradient_setup(impl, rng):
    """A layer with random W, b, a forward on random x, and a random upstream gradient G.

    Every entry of dx, dW and db is at least 0.75 away from 0 by construction: finite
    differences carry an absolute rounding error near 1e-9, which the contract's relative
    error would magnify for a gradient entry that happens to be almost 0. Magnitudes are
    drawn from [0.5, 1.5] and the signs follow a random pattern per output (s), per input
    (t) and per input column of x (r): G = s_o |.|, W = s_o t_i |.|, x = r_i |.|, so each
    entry of dx = G @ W, dW = G.T @ x and db = sum(G) is a sum of terms of one sign.
    """
    n, fan_in, fan_out = 3, 5, 4

    def signs(size: int) -> np.ndarray:
        return rng.choice([-1.0, 1.0], size)

    def magnitudes(shape: tuple) -> np.ndarray:
        return rng.uniform(0.5, 1.5, shape)

    s, t, r = signs(fan_out), signs(fan_in), signs(fan_in)
    W = s[:, None] * t * magnitudes((fan_out, fan_in))
    b = rng.standard_normal(fan_out)
    x = r * magnitudes((n, fan_in))
    G = s * magnitudes((n, fan_out))
    layer = layer_with(impl, W, b, seed_of(rng))
    run_forward(layer, x)
    dx = run_backward(layer, G, GRAD_CALL)
    return layer, W, b, x, G, dx


GRAD_CALL = "Linear(5, 4): backward(G) after forward(x of shape (3, 5))"


def expect_gradient_of(got, numeric: np.ndarray, *, call: str, wrt: str, mistakes: dict) -> None:
    expect_shape(got, numeric.shape, call=call, mistakes=mistakes)
    expect_gradient(got, numeric, call=call, wrt=wrt, mistakes=mistakes)


@pytest.mark.gradients
def test_dx_matches_finite_differences(impl, rng):
    """dx returned by backward is the gradient of sum(forward(x) * G) (finite differences)"""
    _, W, b, x, G, dx = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda z: float(np.sum(oracle_forward(z, W, b) * G)), x)
    expect_gradient_of(
        dx,
        numeric,
        call=f"{GRAD_CALL} (the returned dx)",
        wrt="x",
        mistakes={DX_AVERAGED: numeric / len(x)},
    )


@pytest.mark.gradients
def test_dw_matches_finite_differences(impl, rng):
    """dW is the gradient of sum(forward(x) * G) with respect to W (finite differences)"""
    layer, W, b, x, G, _ = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda w: float(np.sum(oracle_forward(x, w, b) * G)), W)
    expect_gradient_of(
        layer.dW,
        numeric,
        call=f"dW after {GRAD_CALL}",
        wrt="W",
        mistakes=dw_mistakes(numeric, len(x)),
    )


@pytest.mark.gradients
def test_db_matches_finite_differences(impl, rng):
    """db is the gradient of sum(forward(x) * G) with respect to b (finite differences)"""
    layer, W, b, x, G, _ = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda c: float(np.sum(oracle_forward(x, W, c) * G)), b)
    expect_gradient_of(
        layer.db, numeric, call=f"db after {GRAD_CALL}", wrt="b", mistakes=db_mistakes(G)
    )


@pytest.mark.stability
def test_huge_inputs_stay_finite(impl, rng):
    """inputs and gradients of magnitude 1e150 give finite results and no fp warnings"""
    n, fan_in, fan_out = 4, 6, 3
    W = rng.standard_normal((fan_out, fan_in))
    b = 1e150 * rng.standard_normal(fan_out)
    x = 1e150 * rng.standard_normal((n, fan_in))
    g = 1e150 * rng.standard_normal((n, fan_out))
    layer = layer_with(impl, W, b, seed_of(rng))
    call = "Linear(6, 3) on x and grad_output of magnitude 1e150"
    with no_fp_warnings(layer, f"{call}: forward / backward"):
        y = run_forward(layer, x)
        dx = run_backward(layer, g, f"{call}: backward")
        dW, db = layer.dW, layer.db
    dx_want, dw_want, db_want = oracle_backward(g, x, W)
    expect_close(y, oracle_forward(x, W, b), call=f"{call}: forward")
    expect_close(dx, dx_want, call=f"{call}: backward (the returned dx)")
    expect_close(dW, dw_want, call=f"dW after {call}: backward")
    expect_close(db, db_want, call=f"db after {call}: backward")


@pytest.mark.contract
def test_forward_uses_assigned_weights(impl, rng):
    """W and b assigned after a forward call are used by the next forward and backward"""
    n, fan_in, fan_out = 3, 4, 6
    layer = impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng)))
    x = rng.standard_normal((n, fan_in))
    W0, b0 = layer.W, layer.b
    run_forward(layer, x)
    W = rng.standard_normal((fan_out, fan_in))
    b = rng.standard_normal(fan_out)
    layer.W = W
    layer.b = b
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, W, b),
        call="Linear(4, 6): forward(x) after assigning new W and b",
        mistakes={STALE_WEIGHTS: stale(x, W0, b0, b), NO_BIAS: x @ W.T},
    )
    g = rng.standard_normal((n, fan_out))
    dx = run_backward(layer, g, "Linear(4, 6): backward after assigning W and forward")
    old_dx = lambda got: np.allclose(got, g @ as_floats(W0))  # noqa: E731
    expect_values(
        dx,
        g @ W,
        call="Linear(4, 6): backward(g) after assigning new W (dx)",
        mistakes={STALE_WEIGHTS: old_dx},
    )


@pytest.mark.contract
def test_backward_overwrites_gradients(impl, rng):
    """each backward call overwrites dW and db (no accumulation across calls)"""
    n, fan_in, fan_out = 5, 3, 4
    W = rng.standard_normal((fan_out, fan_in))
    layer = layer_with(impl, W, rng.standard_normal(fan_out), seed_of(rng))
    x1, x2 = rng.standard_normal((2, n, fan_in))
    g1, g2, g3 = rng.standard_normal((3, n, fan_out))
    run_forward(layer, x1)
    run_backward(layer, g1, "Linear(3, 4): backward(g1)")
    run_backward(layer, g2, "Linear(3, 4): backward(g2)")
    call = "Linear(3, 4): forward(x1), backward(g1), backward(g2)"
    _, dw_want, db_want = oracle_backward(g2, x1, W)
    expect_values(
        layer.dW,
        dw_want,
        call=f"dW after {call}",
        mistakes={ACCUMULATED: dw_want + oracle_backward(g1, x1, W)[1]},
    )
    expect_values(
        layer.db, db_want, call=f"db after {call}", mistakes={ACCUMULATED: db_want + g1.sum(axis=0)}
    )
    run_forward(layer, x2)
    run_backward(layer, g3, "Linear(3, 4): backward(g3)")
    call += ", forward(x2), backward(g3)"
    _, dw_want, db_want = oracle_backward(g3, x2, W)
    summed = oracle_backward(g1, x1, W)[1] + oracle_backward(g2, x1, W)[1]
    expect_values(
        layer.dW,
        dw_want,
        call=f"dW after {call}",
        mistakes={ACCUMULATED: dw_want + summed, STALE_X: g3.T @ x1},
    )
    expect_values(
        layer.db,
        db_want,
        call=f"db after {call}",
        mistakes={ACCUMULATED: db_want + g1.sum(axis=0) + g2.sum(axis=0)},
    )


@pytest.mark.contract
def test_backward_uses_last_forward(impl, rng):
    """backward uses the input of the most recent forward call"""
    n, fan_in, fan_out = 4, 6, 3
    W = rng.standard_normal((fan_out, fan_in))
    layer = layer_with(impl, W, rng.standard_normal(fan_out), seed_of(rng))
    x1, x2 = rng.standard_normal((2, n, fan_in))
    g = rng.standard_normal((n, fan_out))
    run_forward(layer, x1)
    run_forward(layer, x2)
    call = "Linear(6, 3): forward(x1), forward(x2), backward(g)"
    run_backward(layer, g, call)
    _, dw_want, _ = oracle_backward(g, x2, W)
    expect_values(
        layer.dW,
        dw_want,
        call=f"dW after {call}",
        mistakes={STALE_X: g.T @ x1, **dw_mistakes(dw_want, len(x2))},
    )


@pytest.mark.contract
def test_same_seed_same_weights(impl, rng):
    """the same seed gives the same weights, different seeds different ones"""
    seed = seed_of(rng)
    first = np.asarray(impl.Linear(4, 6, rng=np.random.default_rng(seed)).W)
    again = np.asarray(impl.Linear(4, 6, rng=np.random.default_rng(seed)).W)
    other = np.asarray(impl.Linear(4, 6, rng=np.random.default_rng(seed + 1)).W)
    call = "Linear(4, 6, rng=np.random.default_rng(s))"
    if first.shape != again.shape or not np.array_equal(first, again):
        raise Mistake(
            f"{call} built twice with the same seed s gave different W. Likely mistake: drawing "
            "from np.random (the global generator) instead of the rng argument"
        )
    if other.shape == first.shape and np.array_equal(first, other):
        raise Mistake(
            f"{call} gave the same W for seeds {seed} and {seed + 1}. Likely mistake: the weights "
            "ignore the rng argument (a fixed seed inside __init__?)"
        )


@pytest.mark.contract
def test_default_rng_without_seed(impl):
    """without rng, Linear still starts Glorot-uniform, and two layers get different weights"""
    limit = glorot_limit(5, 4)
    layers = [impl.Linear(5, 4), impl.Linear(5, 4)]
    weights = []
    for layer in layers:
        W = expect_array(layer.W, call="Linear(5, 4).W", shape=(4, 5))
        expect_close(layer.b, np.zeros(4), call="Linear(5, 4).b (b must start at zeros)")
        if not np.all(np.abs(W) <= limit * (1 + 1e-9)):
            raise Mistake(f"Linear(5, 4).W has entries beyond the Glorot limit {limit:.4g}")
        weights.append(W)
    if np.array_equal(*weights):
        raise Mistake(
            "Linear(5, 4) built twice without rng gave identical W. Likely mistake: a fixed seed "
            "as the default; without rng use a fresh np.random.default_rng() (unseeded)"
        )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward does not modify x, and backward does not modify grad_output"""
    n, fan_in, fan_out = 5, 4, 3
    layer = layer_with(
        impl, rng.standard_normal((fan_out, fan_in)), rng.standard_normal(fan_out), seed_of(rng)
    )
    x = 3 * rng.standard_normal((n, fan_in))
    g = rng.standard_normal((n, fan_out))
    expect_inputs_unchanged(layer, "forward", x, arg_names=("x",))
    expect_inputs_unchanged(layer, "backward", g, arg_names=("grad_output",))


@pytest.mark.contract
def test_sgd_trajectory(impl, rng):
    """four steps of gradient descent driven from outside follow the expected trajectory"""
    n, fan_in, fan_out, lr = 8, 6, 3, 0.1
    layer = impl.Linear(fan_in, fan_out, rng=np.random.default_rng(seed_of(rng)))
    W = expect_array(layer.W, call="Linear(6, 3, rng=...).W", shape=(fan_out, fan_in))
    W = W.astype(np.float64)
    b = np.zeros(fan_out)
    x = rng.standard_normal((n, fan_in))
    target = rng.standard_normal((n, fan_out))
    sums = (0.0, 0.0)
    for step in range(1, 5):
        call = f"Linear(6, 3), step {step} of W -= lr * dW, b -= lr * db (mean squared error)"
        y = oracle_forward(x, W, b)
        expect_values(run_forward(layer, x), y, call=f"{call}: forward(x)")
        g = 2 * (y - target) / y.size
        sums = check_backward(layer, x, g, W, call=f"{call}: backward", earlier=sums)
        _, dw_want, db_want = oracle_backward(g, x, W)
        W, b = W - lr * dw_want, b - lr * db_want
        layer.W = W
        layer.b = b


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward, backward, W, b, dW and db are NumPy arrays (not lists)"""
    layer = impl.Linear(3, 2, rng=np.random.default_rng(seed_of(rng)))
    x = rng.standard_normal((4, 3))
    results = {"forward(x)": run_forward(layer, x)}
    results["backward(grad_output)"] = run_backward(
        layer, np.ones((4, 2)), "Linear(3, 2): backward(grad_output of shape (4, 2))"
    )
    for name in ("W", "b", "dW", "db"):
        results[name] = getattr(layer, name)
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"Linear(3, 2): {name} is {describe(got)}; it must be a NumPy array")
