"""Hidden suite for layernorm.

The oracle is written here independently of the reference: every input is flattened to
rows (M, dim), the statistics are einsum sums over each row, and the backward pass goes
through the computational graph one node at a time (x -> mean -> centred -> var -> std ->
x_hat -> y), where the reference uses the compact closed form. Finite differences use the
oracle forward.

Gradient checks draw their inputs again until every entry of dx, dgamma and dbeta is at
least 0.02 away from 0 (by the oracle) and every row's variance is at least 0.25: finite
differences carry an absolute error near 1e-10, which the contract's relative error would
magnify for an entry that happens to be almost 0 (dx sums to 0 over each row, so small
entries are common), and a row whose entries crowd together has large third derivatives
(they grow like 1 / std**3). Over 1500 seeds the oracle's relative error against finite
differences (dx, dgamma and dbeta) then stayed below 8.1e-9, 100 times below the contract's
1e-6.
"""

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    declared_mistakes,
    describe,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_shape,
    hint_on_error,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

EPS = 1e-5

# Likely mistakes, named the way the learner should read them.
BATCH_AXIS = named("batch-axis")
MIDDLE_AXIS = named("middle-axis")
WHOLE_ARRAY = named("whole-array")
RMS_NORM = named("rms-norm")
UNBIASED = named("unbiased")
EPS_OUTSIDE = named("eps-outside")
EPS_MISSING = named("eps-missing")
NO_SQRT = named("no-sqrt")
PARAMS_IGNORED = named("params-ignored")
PARAMS_SWAPPED = named("params-swapped")
EPS_IGNORED = named("eps-ignored")
KEEPDIMS_HINT = named("keepdims-hint")
DX_NO_STATS = named("dx-no-stats")
DX_NO_VAR = named("dx-no-var")
DX_NO_MEAN = named("dx-no-mean")
DX_GAMMA_OUTSIDE = named("dx-gamma-outside")
DX_NO_GAMMA = named("dx-no-gamma")
DX_BATCH_AXIS = named("dx-batch-axis")
DX_AVERAGED = named("dx-averaged")
SUM_FIRST_AXIS = named("sum-first-axis")
SUM_AVERAGED = named("sum-averaged")
SUM_MISSING = named("sum-missing")
SUM_KEEPDIMS = named("sum-keepdims")
SUM_EVERYTHING = named("sum-everything")
DGAMMA_NO_XHAT = named("dgamma-no-xhat")
DGAMMA_USES_X = named("dgamma-uses-x")
DGAMMA_USES_Y = named("dgamma-uses-y")
ACCUMULATED = named("accumulated")
ONE_PASS_VAR = named("one-pass-var")
ROW_SHAPE = named("row-shape")
SHAPE_ERRORS = ("broadcast", "shapes", "aligned", "dimension")


# ----- the oracle -----


def rows_of(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, x.shape[-1])


def oracle_forward(x, gamma, beta, eps=EPS) -> np.ndarray:
    r = rows_of(x)
    d = r.shape[1]
    mean = np.einsum("md->m", r)[:, None] / d
    centred = r - mean
    var = np.einsum("md,md->m", centred, centred)[:, None] / d
    return (gamma * centred / np.sqrt(var + eps) + beta).reshape(x.shape)


def oracle_backward(g, x, gamma, eps=EPS) -> tuple:
    """(dx, dgamma, dbeta), node by node back through the forward's graph, row by row."""
    r, gr = rows_of(x), rows_of(g)
    d = r.shape[1]
    mean = np.einsum("md->m", r)[:, None] / d
    centred = r - mean
    var = np.einsum("md,md->m", centred, centred)[:, None] / d
    std = np.sqrt(var + eps)
    x_hat = centred / std
    dbeta = np.einsum("md->d", gr)
    dgamma = np.einsum("md,md->d", gr, x_hat)
    d_x_hat = gr * gamma
    # x_hat = centred / std: centred is one path, std (through var) the other.
    d_std = -np.einsum("md,md->m", d_x_hat, centred)[:, None] / std**2
    d_var = d_std / (2 * std)
    d_centred = d_x_hat / std + d_var * 2 * centred / d
    d_mean = -np.einsum("md->m", d_centred)[:, None]
    return (d_centred + d_mean / d).reshape(x.shape), dgamma, dbeta


# ----- likely mistakes -----


def any_of(*alternatives):
    """A predicate: ``got`` matches one of several arrays a single mistake may give."""

    def matches(got: np.ndarray) -> bool:
        return any(
            got.shape == np.shape(a) and np.allclose(got, a, rtol=1e-6, atol=1e-9)
            for a in alternatives
        )

    return matches


def normalise_over(x, axis, eps=EPS, ddof=0):
    centred = x - x.mean(axis=axis, keepdims=True)
    return centred / np.sqrt(x.var(axis=axis, keepdims=True, ddof=ddof) + eps)


def forward_mistakes(x, gamma, beta, eps=EPS):
    def build() -> dict:
        with np.errstate(all="ignore"):
            centred = x - x.mean(axis=-1, keepdims=True)
            var = x.var(axis=-1, keepdims=True)
            found = {
                BATCH_AXIS: gamma * normalise_over(x, 0, eps) + beta,
                WHOLE_ARRAY: gamma * normalise_over(x, None, eps) + beta,
                RMS_NORM: gamma * x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) + beta,
                UNBIASED: gamma * normalise_over(x, -1, eps, ddof=1) + beta,
                EPS_OUTSIDE: gamma * centred / (np.sqrt(var) + eps) + beta,
                EPS_MISSING: gamma * centred / np.sqrt(var) + beta,
                NO_SQRT: gamma * centred / (var + eps) + beta,
                PARAMS_IGNORED: centred / np.sqrt(var + eps),
                PARAMS_SWAPPED: beta * centred / np.sqrt(var + eps) + gamma,
            }
            if x.ndim > 2:
                found = {MIDDLE_AXIS: gamma * normalise_over(x, 1, eps) + beta, **found}
            if eps != EPS:
                found[EPS_IGNORED] = oracle_forward(x, gamma, beta)
        return found

    return build


def sum_mistakes(name: str, per_position: np.ndarray) -> dict:
    """The ways to reduce a (..., dim) array of per-position terms to dgamma or dbeta wrongly."""
    leading = tuple(range(per_position.ndim - 1))
    found = {}
    if per_position.ndim > 2:
        found[f"{name} {SUM_FIRST_AXIS}"] = per_position.sum(axis=0)
    if per_position.ndim > 1 and per_position.shape[0] > 1:
        found[f"{name} {SUM_AVERAGED}"] = per_position.mean(axis=leading)
    found[f"{name} {SUM_KEEPDIMS}"] = per_position.sum(axis=leading, keepdims=True)
    found[f"{name} {SUM_EVERYTHING}"] = np.asarray(per_position.sum())
    if per_position.ndim > 1:
        found[f"{name} {SUM_MISSING}"] = per_position
    return found


def dbeta_mistakes(g) -> dict:
    return sum_mistakes("dbeta", g)


def dgamma_mistakes(g, x, gamma, beta, eps=EPS):
    def build() -> dict:
        x_hat = normalise_over(x, -1, eps)
        leading = tuple(range(g.ndim - 1))
        return {
            DGAMMA_NO_XHAT: g.sum(axis=leading),
            DGAMMA_USES_X: (g * x).sum(axis=leading),
            DGAMMA_USES_Y: (g * (gamma * x_hat + beta)).sum(axis=leading),
            **sum_mistakes("dgamma", g * x_hat),
        }

    return build


def dx_mistakes(g, x, gamma, eps=EPS):
    def build() -> dict:
        x_hat = normalise_over(x, -1, eps)
        inv_std = 1 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
        dx = oracle_backward(g, x, gamma, eps)[0]
        gg = g * gamma

        def means(a):
            return a.mean(axis=-1, keepdims=True)

        found = {
            DX_NO_STATS: gamma * inv_std * g,
            DX_GAMMA_OUTSIDE: gamma * inv_std * (g - means(g) - x_hat * means(g * x_hat)),
            DX_NO_VAR: inv_std * (gg - means(gg)),
            DX_NO_MEAN: inv_std * (gg - x_hat * means(gg * x_hat)),
            DX_NO_GAMMA: inv_std * (g - means(g) - x_hat * means(g * x_hat)),
            DX_AVERAGED: dx / x.shape[-1],
        }
        if x.ndim > 1 and x.shape[0] > 1:
            xb = normalise_over(x, 0, eps)
            sb = 1 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
            found[DX_BATCH_AXIS] = any_of(
                inv_std * (gg - gg.mean(axis=0) - x_hat * (gg * x_hat).mean(axis=0)),
                sb * (gg - gg.mean(axis=0) - xb * (gg * xb).mean(axis=0)),
                gamma * sb * (g - g.mean(axis=0) - xb * (g * xb).mean(axis=0)),
            )
        return found

    return build


# ----- calling the learner's layer -----


def expect_values(got, expected: np.ndarray, *, call: str, mistakes=None, atol: float = 1e-9):
    """expect_close, naming a known mistake for wrong shapes too."""
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    return expect_close(got, expected, call=call, mistakes=mistakes, atol=atol)


def run_forward(layer, x: np.ndarray):
    with hint_on_error(KEEPDIMS_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        return layer.forward(x)


def run_backward(layer, g: np.ndarray, call: str):
    with hint_on_error(KEEPDIMS_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        dx = layer.backward(g)
    if dx is None:
        raise Mistake(
            f"{call} returned None: backward must return dL/dx, of the shape of x, besides "
            "setting dgamma and dbeta"
        )
    return dx


def layer_with(impl, gamma: np.ndarray, beta: np.ndarray, **options):
    """A learner layer with gamma and beta assigned (as the contract allows)."""
    layer = impl.LayerNorm(len(gamma), **options)
    layer.gamma = gamma
    layer.beta = beta
    return layer


def random_params(rng: np.random.Generator, dim: int) -> tuple:
    """gamma of magnitude in [0.5, 1.5] with random signs (never near 0), beta standard normal."""
    gamma = rng.choice([-1.0, 1.0], dim) * rng.uniform(0.5, 1.5, dim)
    return gamma, rng.standard_normal(dim)


def random_input(rng: np.random.Generator, shape: tuple, low=0.5, high=2.0) -> np.ndarray:
    """Rows with their own offset (up to about +-3) and spread (in [low, high])."""
    lead = shape[:-1] + (1,)
    return 2 * rng.standard_normal(lead) + rng.uniform(low, high, lead) * rng.standard_normal(shape)


def check_backward(layer, x, g, gamma, beta, *, call: str, mistakes=None) -> tuple:
    """dbeta, dgamma and the returned dx of one backward call against the oracle."""
    dx_want, dgamma_want, dbeta_want = oracle_backward(g, x, gamma)
    dx = run_backward(layer, g, call)
    extra = mistakes or {}
    expect_values(
        layer.dbeta,
        dbeta_want,
        call=f"dbeta after {call}",
        mistakes={**extra.get("dbeta", {}), **dbeta_mistakes(g)},
    )
    expect_values(
        layer.dgamma,
        dgamma_want,
        call=f"dgamma after {call}",
        mistakes=lambda: {**extra.get("dgamma", {}), **dgamma_mistakes(g, x, gamma, beta)()},
    )
    expect_values(
        dx,
        dx_want,
        call=f"{call} (the returned dx)",
        mistakes=lambda: {**extra.get("dx", {}), **dx_mistakes(g, x, gamma)()},
    )
    return dx_want, dgamma_want, dbeta_want


# ----- hand-checked examples -----

HAND_X = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0]])
HAND_GAMMA = np.array([2.0, 1.0, 0.5])
HAND_BETA = np.array([0.0, 1.0, -1.0])
HAND_G = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 1.0]])
# Row 0 has mean 2 and variance 2/3, row 1 mean 3 and variance 2, so x_hat is
# [-1, 0, 1] * A and [-1, -1, 2] * B, with A = 1 / sqrt(2/3 + eps) and B = 1 / sqrt(2 + eps).
HAND_A = 1 / np.sqrt(2 / 3 + EPS)
HAND_B = 1 / np.sqrt(2 + EPS)
HAND_X_HAT = np.array([[-HAND_A, 0.0, HAND_A], [-HAND_B, -HAND_B, 2 * HAND_B]])
HAND_CALL = "LayerNorm(3) with gamma = [2, 1, 0.5], beta = [0, 1, -1]"
HAND_FORWARD = f"{HAND_CALL}: forward([[1, 2, 3], [2, 2, 5]])"


@pytest.mark.values
def test_forward_small_example(impl):
    """forward on a hand-checked example"""
    layer = layer_with(impl, HAND_GAMMA, HAND_BETA)
    expect_values(
        run_forward(layer, HAND_X),
        HAND_GAMMA * HAND_X_HAT + HAND_BETA,
        call=HAND_FORWARD,
        mistakes=forward_mistakes(HAND_X, HAND_GAMMA, HAND_BETA),
    )


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """forward normalises each row over the last axis with its mean and biased variance"""
    shape = (5, 6)
    gamma, beta = random_params(rng, shape[-1])
    # Small spreads make eps visible: it shifts x_hat by about eps / (2 var) relatively.
    x = random_input(rng, shape, low=0.1, high=0.5)
    expect_values(
        run_forward(layer_with(impl, gamma, beta), x),
        oracle_forward(x, gamma, beta),
        call="LayerNorm(6) with gamma and beta assigned: forward(x of shape (5, 6))",
        mistakes=forward_mistakes(x, gamma, beta),
    )


@pytest.mark.values
def test_forward_three_axes(impl, rng):
    """forward on (batch, time, dim) normalises each position over the last axis"""
    shape = (3, 4, 5)
    gamma, beta = random_params(rng, shape[-1])
    x = random_input(rng, shape)
    expect_values(
        run_forward(layer_with(impl, gamma, beta), x),
        oracle_forward(x, gamma, beta),
        call="LayerNorm(5) with gamma and beta assigned: forward(x of shape (3, 4, 5))",
        mistakes=forward_mistakes(x, gamma, beta),
    )


@pytest.mark.values
def test_small_variance_eps_inside_sqrt(impl, rng):
    """rows of variance well below eps: eps goes inside the square root"""
    shape = (4, 5)
    x = 1e-3 * rng.standard_normal(shape) + rng.standard_normal((4, 1))
    gamma, beta = np.ones(5), np.zeros(5)
    expect_values(
        run_forward(impl.LayerNorm(5), x),
        oracle_forward(x, gamma, beta),
        call="LayerNorm(5): forward(x of shape (4, 5) with spreads near 1e-3, variances near 1e-6)",
        mistakes=forward_mistakes(x, gamma, beta),
    )


@pytest.mark.values
def test_backward_small_example(impl):
    """backward on a hand-checked example: dbeta, dgamma and dx"""
    layer = layer_with(impl, HAND_GAMMA, HAND_BETA)
    run_forward(layer, HAND_X)
    call = f"{HAND_FORWARD}, then backward([[1, 0, -1], [0, 2, 1]])"
    a, b = HAND_A, HAND_B
    # g = grad_output * gamma is [2, 0, -0.5] and [0, 2, 0.5]; per row,
    # dx = (g - mean(g) - x_hat * mean(g * x_hat)) / std.
    g0, g1 = np.array([2.0, 0.0, -0.5]), np.array([0.0, 2.0, 0.5])
    dx0 = a * (g0 - 0.5 - HAND_X_HAT[0] * (-2.5 * a / 3))
    dx1 = b * (g1 - 2.5 / 3 - HAND_X_HAT[1] * (-b / 3))
    check_expected = (
        np.stack([dx0, dx1]),
        np.array([-a, -2 * b, 2 * b - a]),
        np.array([1.0, 2, 0]),
    )
    dx = run_backward(layer, HAND_G, call)
    expect_values(
        layer.dbeta, check_expected[2], call=f"dbeta after {call}", mistakes=dbeta_mistakes(HAND_G)
    )
    expect_values(
        layer.dgamma,
        check_expected[1],
        call=f"dgamma after {call}",
        mistakes=dgamma_mistakes(HAND_G, HAND_X, HAND_GAMMA, HAND_BETA),
    )
    expect_values(
        dx,
        check_expected[0],
        call=f"{call} (the returned dx)",
        mistakes=dx_mistakes(HAND_G, HAND_X, HAND_GAMMA),
    )


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """backward on (batch, time, dim): dx with the row statistics, dgamma and dbeta summed"""
    shape = (3, 4, 5)
    gamma, beta = random_params(rng, shape[-1])
    x = random_input(rng, shape)
    g = rng.standard_normal(shape)
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    check_backward(
        layer,
        x,
        g,
        gamma,
        beta,
        call="LayerNorm(5): forward(x of shape (3, 4, 5)), then backward(grad_output)",
    )


# ----- shapes -----

LEADING = [(), (1,), (0,), (6,), (3, 1), (2, 1, 3)]


@pytest.mark.shapes
@pytest.mark.parametrize("lead", LEADING, ids=lambda lead: shape_id(lead + (4,)))
def test_any_leading_shape(impl, rng, lead):
    """forward and backward work for any leading shape, a single row (dim,) and none included"""
    shape = lead + (4,)
    gamma, beta = random_params(rng, 4)
    x = random_input(rng, shape)
    g = rng.standard_normal(shape)
    layer = layer_with(impl, gamma, beta)
    name = f"LayerNorm(4): forward(x of shape {shape})"
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta),
        call=name,
        mistakes=forward_mistakes(x, gamma, beta) if x.size else None,
    )
    check_backward(layer, x, g, gamma, beta, call=f"{name}, then backward(grad_output)")


def expect_attribute(value, shape: tuple, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise Mistake(f"{what} is {describe(value)}; it must be a NumPy array")
    if value.shape != shape:
        hint = f" Likely mistake: {ROW_SHAPE}" if value.size == shape[0] else ""
        raise Mistake(f"{what} has shape {value.shape}; expected {shape}.{hint}")
    return value


@pytest.mark.shapes
def test_parameters_start_as_identity(impl):
    """gamma starts at ones and beta at zeros, both float arrays of shape (dim,)"""
    layer = impl.LayerNorm(7)
    for name, start in (("gamma", 1.0), ("beta", 0.0)):
        value = expect_attribute(getattr(layer, name), (7,), f"LayerNorm(7).{name}")
        expect_close(value, np.full(7, start), call=f"LayerNorm(7).{name}")


# ----- gradients -----

GRAD_SHAPE = (2, 3, 5)
GRAD_CALL = "LayerNorm(5): forward(x of shape (2, 3, 5)), backward(w)"


def loss(w, x, gamma, beta) -> float:
    return float(np.sum(w * oracle_forward(x, gamma, beta)))


def gradient_setup(impl, rng):
    """Inputs whose gradients are all well away from 0, the learner's backward already run."""
    for _ in range(200):
        gamma, beta = random_params(rng, GRAD_SHAPE[-1])
        x = random_input(rng, GRAD_SHAPE)
        w = rng.standard_normal(GRAD_SHAPE)
        wanted = oracle_backward(w, x, gamma)
        smallest = min(float(np.min(np.abs(a))) for a in wanted)
        if smallest >= 0.02 and np.min(x.var(axis=-1)) >= 0.25:
            break
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    dx = run_backward(layer, w, GRAD_CALL)
    return layer, x, gamma, beta, w, dx


def expect_gradient_of(got, numeric, *, call: str, wrt: str, mistakes) -> None:
    expect_shape(got, numeric.shape, call=call, mistakes=mistakes)
    expect_gradient(got, numeric, call=call, wrt=wrt, mistakes=mistakes)


@pytest.mark.gradients
def test_dx_matches_finite_differences(impl, rng):
    """dx is the gradient of sum(w * forward(x)) with respect to x (finite differences)"""
    _, x, gamma, beta, w, dx = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda c: loss(w, c, gamma, beta), x)
    expect_gradient_of(dx, numeric, call=GRAD_CALL, wrt="x", mistakes=dx_mistakes(w, x, gamma))


@pytest.mark.gradients
def test_dgamma_matches_finite_differences(impl, rng):
    """dgamma is the gradient of sum(w * forward(x)) with respect to gamma (finite differences)"""
    layer, x, gamma, beta, w, _ = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda c: loss(w, x, c, beta), gamma)
    expect_gradient_of(
        layer.dgamma,
        numeric,
        call=f"dgamma after {GRAD_CALL}",
        wrt="gamma",
        mistakes=dgamma_mistakes(w, x, gamma, beta),
    )


@pytest.mark.gradients
def test_dbeta_matches_finite_differences(impl, rng):
    """dbeta is the gradient of sum(w * forward(x)) with respect to beta (finite differences)"""
    layer, x, gamma, beta, w, _ = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda c: loss(w, x, gamma, c), beta)
    expect_gradient_of(
        layer.dbeta,
        numeric,
        call=f"dbeta after {GRAD_CALL}",
        wrt="beta",
        mistakes=dbeta_mistakes(w),
    )


# ----- stability -----


@pytest.mark.stability
def test_constant_row(impl, rng):
    """a row whose entries are all equal gives y = beta, finite dx, no fp warnings"""
    shape = (3, 4)
    gamma, beta = random_params(rng, 4)
    x = random_input(rng, shape)
    x[1] = 2.5  # variance exactly 0
    g = rng.standard_normal(shape)
    layer = layer_with(impl, gamma, beta)
    call = "LayerNorm(4) on x of shape (3, 4) whose row 1 is constant"
    warnings = {"invalid": EPS_MISSING, "divide": EPS_MISSING}
    with no_fp_warnings(layer, f"{call}: forward", warnings):
        y = run_forward(layer, x)
    expect_values(y, oracle_forward(x, gamma, beta), call=f"{call}: forward")
    with no_fp_warnings(layer, f"{call}: backward", warnings):
        dx = run_backward(layer, g, f"{call}: backward")
    want = oracle_backward(g, x, gamma)
    expect_values(dx, want[0], call=f"{call}: backward (the returned dx)")
    expect_values(layer.dgamma, want[1], call=f"dgamma after {call}")


def close_but_imprecise(expected: np.ndarray):
    """A predicate: right to 1e-2 (or NaN), so the formula is right but its precision is lost."""

    def matches(got: np.ndarray) -> bool:
        return bool(np.any(np.isnan(got))) or np.allclose(got, expected, rtol=1e-2, atol=1e-2)

    return matches


@pytest.mark.stability
def test_large_offset_keeps_precision(impl, rng):
    """rows with a mean near 1e6 and a spread near 1 are normalised to full precision"""
    shape = (3, 8)
    gamma, beta = random_params(rng, 8)
    x = rng.choice([-1.0, 1.0], (3, 1)) * 1e6 + random_input(rng, shape)
    expected = oracle_forward(x, gamma, beta)
    # x itself is only known to about 1e-10 (its rounding at 1e6): allow 1e-8 absolute.
    expect_values(
        run_forward(layer_with(impl, gamma, beta), x),
        expected,
        call="LayerNorm(8): forward(x of shape (3, 8), row means near +-1e6, spreads near 1)",
        mistakes={ONE_PASS_VAR: close_but_imprecise(expected)},
        atol=1e-8,
    )


# ----- the contract -----


@pytest.mark.contract
def test_keyword_eps(impl, rng):
    """eps given by keyword is used in the forward and the backward"""
    shape, eps = (4, 5), 0.01
    gamma, beta = random_params(rng, 5)
    # Spreads near 0.1: variances near eps, so the value of eps shows.
    x = random_input(rng, shape, low=0.05, high=0.15)
    g = rng.standard_normal(shape)
    layer = layer_with(impl, gamma, beta, eps=eps)
    name = "LayerNorm(5, eps=0.01)"
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta, eps),
        call=f"{name}: forward(x of shape (4, 5))",
        mistakes=forward_mistakes(x, gamma, beta, eps),
    )
    expect_values(
        run_backward(layer, g, f"{name}: backward(grad_output)"),
        oracle_backward(g, x, gamma, eps)[0],
        call=f"{name}: forward(x), backward(grad_output) (the returned dx)",
        mistakes={EPS_IGNORED: oracle_backward(g, x, gamma)[0], **dx_mistakes(g, x, gamma, eps)()},
    )


@pytest.mark.contract
def test_assigned_gamma_beta_used(impl, rng):
    """gamma and beta assigned after a forward call are used by the next forward and backward"""
    shape = (4, 5)
    layer = impl.LayerNorm(5)
    x = random_input(rng, shape)
    run_forward(layer, x)
    gamma, beta = random_params(rng, 5)
    layer.gamma = gamma
    layer.beta = beta
    call = "LayerNorm(5): forward(x), then gamma and beta assigned, forward(x) again"
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta),
        call=call,
        mistakes=forward_mistakes(x, gamma, beta),
    )
    g = rng.standard_normal(shape)
    expect_values(
        run_backward(layer, g, f"{call}, backward(g)"),
        oracle_backward(g, x, gamma)[0],
        call=f"{call}, backward(g) (the returned dx)",
        mistakes=dx_mistakes(g, x, gamma),
    )


@pytest.mark.contract
def test_backward_follows_last_forward(impl, rng):
    """backward uses the last forward, even when an earlier one had another shape"""
    gamma, beta = random_params(rng, 4)
    x1 = random_input(rng, (2, 3, 4))
    x2 = random_input(rng, (5, 4))
    g = rng.standard_normal((5, 4))
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x1)
    run_forward(layer, x2)
    check_backward(
        layer,
        x2,
        g,
        gamma,
        beta,
        call="LayerNorm(4): forward(x1 of shape (2, 3, 4)), forward(x2 of shape (5, 4)), backward(g)",
    )


@pytest.mark.contract
def test_backward_overwrites_gradients(impl, rng):
    """each backward call overwrites dgamma and dbeta (no accumulation across calls)"""
    shape = (4, 3)
    gamma, beta = random_params(rng, 3)
    x = random_input(rng, shape)
    g1, g2 = rng.standard_normal((2,) + shape)
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    run_backward(layer, g1, "LayerNorm(3): backward(g1)")
    first = oracle_backward(g1, x, gamma)
    want = oracle_backward(g2, x, gamma)
    check_backward(
        layer,
        x,
        g2,
        gamma,
        beta,
        call="LayerNorm(3): forward(x), backward(g1), backward(g2)",
        mistakes={
            "dbeta": {ACCUMULATED: want[2] + first[2]},
            "dgamma": {ACCUMULATED: want[1] + first[1]},
        },
    )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward does not modify x, backward not grad_output"""
    shape = (2, 3, 4)
    layer = layer_with(impl, *random_params(rng, 4))
    x = random_input(rng, shape)
    g = rng.standard_normal(shape)
    expect_inputs_unchanged(layer, "forward", x, arg_names=("x",))
    expect_inputs_unchanged(layer, "backward", g, arg_names=("grad_output",))


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward, backward, gamma, beta, dgamma and dbeta are NumPy arrays"""
    layer = impl.LayerNorm(3)
    x = random_input(rng, (4, 3))
    results = {"forward(x)": run_forward(layer, x)}
    results["backward(grad_output)"] = run_backward(
        layer, np.ones((4, 3)), "LayerNorm(3): backward(grad_output of shape (4, 3))"
    )
    for name in ("gamma", "beta", "dgamma", "dbeta"):
        results[name] = getattr(layer, name)
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"LayerNorm(3): {name} is {describe(got)}; it must be a NumPy array")
