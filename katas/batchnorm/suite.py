"""Hidden suite for batchnorm.

The oracle is written here independently of the reference: the statistics are einsum sums
over the batch, and the backward pass goes through the computational graph one node at a
time (x -> mean -> centred -> var -> std -> x_hat -> y), where the reference uses the
compact closed form. Finite differences use the oracle forward, in training mode.

Gradient checks draw their inputs again until every entry of dx, dgamma and dbeta is at
least 0.05 away from 0 (by the oracle) and every feature's batch variance is at least 0.25:
finite differences carry an absolute error near 1e-10, which the contract's relative error
would magnify for an entry that happens to be almost 0 (dx sums to 0 over the batch for each
feature, so near-zero entries are common), and a batch whose samples happen to crowd together
has large third derivatives (they grow like 1 / std**3). Over 6000 seeds the oracle's dx then
stays within 2.5e-9 of finite differences, 400 times below the contract's 1e-6.
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
    expect_raises,
    expect_shape,
    hint_on_error,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

EPS = 1e-5
MOMENTUM = 0.1

# Likely mistakes, named the way the learner should read them.
UNBIASED_NORMALISE = named("unbiased-normalise")
EPS_OUTSIDE = named("eps-outside")
EPS_MISSING = named("eps-missing")
WRONG_AXIS = named("wrong-axis")
AXIS_HINT = named("axis-hint")
PARAMS_IGNORED = named("params-ignored")
PARAMS_SWAPPED = named("params-swapped")
TRAINING_USES_RUNNING = named("training-uses-running")
RUNNING_VAR_BIASED = named("running-var-biased")
MOMENTUM_REVERSED = named("momentum-reversed")
RUNNING_NOT_UPDATED = named("running-not-updated")
RUNNING_REPLACED = named("running-replaced")
RUNNING_VAR_EPS = named("running-var-eps")
MOMENTUM_IGNORED = named("momentum-ignored")
EPS_IGNORED = named("eps-ignored")
EVAL_BATCH_STATS = named("eval-batch-stats")
EVAL_CHANGED = named("eval-changed")
EVAL_NO_EPS = named("eval-no-eps")
EVAL_NO_SQRT = named("eval-no-sqrt")
EVAL_SINGLE_SAMPLE = named("eval-single-sample")
EVAL_REPLACED_CACHE = named("eval-replaced-cache")
STALE_X = named("stale-x")
DX_NO_STATS = named("dx-no-stats")
DX_NO_VAR = named("dx-no-var")
DX_NO_MEAN = named("dx-no-mean")
DX_AVERAGED = named("dx-averaged")
DX_NO_GAMMA = named("dx-no-gamma")
BACKWARD_RUNNING = named("backward-running")
DGAMMA_AVERAGED = named("dgamma-averaged")
DBETA_AVERAGED = named("dbeta-averaged")
DGAMMA_NO_XHAT = named("dgamma-no-xhat")
DGAMMA_USES_X = named("dgamma-uses-x")
DGAMMA_USES_Y = named("dgamma-uses-y")
DGAMMA_NOT_SUMMED = named("dgamma-not-summed")
DBETA_NOT_SUMMED = named("dbeta-not-summed")
GRAD_KEEPDIMS = named("grad-keepdims")
DBETA_NO_AXIS = named("dbeta-no-axis")
ACCUMULATED = named("accumulated")
ONE_PASS_VAR = named("one-pass-var")
ROW_SHAPE = named("row-shape")
SHAPE_ERRORS = ("broadcast", "shapes", "aligned", "dimension")


# ----- the oracle -----


def stats(x: np.ndarray) -> tuple:
    """Per-feature batch mean, biased variance and unbiased variance (NaN for N = 1)."""
    n = x.shape[0]
    mean = np.einsum("nf->f", x) / n
    centred = x - mean
    squares = np.einsum("nf,nf->f", centred, centred)
    unbiased = squares / (n - 1) if n > 1 else np.full(x.shape[1], np.nan)
    return mean, squares / n, unbiased


def oracle_forward(x, gamma, beta, eps=EPS) -> np.ndarray:
    mean, var, _ = stats(x)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def oracle_eval(x, gamma, beta, running_mean, running_var, eps=EPS) -> np.ndarray:
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


def oracle_backward(g, x, gamma, eps=EPS) -> tuple:
    """(dx, dgamma, dbeta), node by node back through the training forward's graph."""
    n = x.shape[0]
    mean = np.einsum("nf->f", x) / n
    centred = x - mean
    var = np.einsum("nf,nf->f", centred, centred) / n
    std = np.sqrt(var + eps)
    x_hat = centred / std
    dbeta = np.einsum("nf->f", g)
    dgamma = np.einsum("nf,nf->f", g, x_hat)
    d_x_hat = g * gamma
    # x_hat = centred / std: centred is one path, std (through var) the other.
    d_std = -np.einsum("nf,nf->f", d_x_hat, centred) / std**2
    d_var = d_std / (2 * std)
    # var = sum(centred**2) / n
    d_centred = d_x_hat / std + d_var * 2 * centred / n
    # centred = x - mean, mean = sum(x) / n
    d_mean = -np.einsum("nf->f", d_centred)
    return d_centred + d_mean / n, dgamma, dbeta


def running_step(running_mean, running_var, x, momentum=MOMENTUM) -> tuple:
    mean, _, unbiased = stats(x)
    return (
        (1 - momentum) * running_mean + momentum * mean,
        (1 - momentum) * running_var + momentum * unbiased,
    )


def initial_stats(f: int) -> tuple:
    return np.zeros(f), np.ones(f)


# ----- likely mistakes -----


def any_of(*alternatives):
    """A predicate: ``got`` matches one of several arrays a single mistake may give."""

    def matches(got: np.ndarray) -> bool:
        return any(
            got.shape == np.shape(a) and np.allclose(got, a, rtol=1e-6, atol=1e-9)
            for a in alternatives
        )

    return matches


def forward_mistakes(x, gamma, beta, eps=EPS, before=None, after=None):
    """Mistakes of a training forward; ``before``/``after`` are the running stats around it."""

    def build() -> dict:
        with np.errstate(all="ignore"):
            mean, var, unbiased = stats(x)
            centred = x - mean
            rows = x - x.mean(axis=1, keepdims=True)
            row_var = (rows**2).mean(axis=1, keepdims=True)
            found = {
                UNBIASED_NORMALISE: gamma * centred / np.sqrt(unbiased + eps) + beta,
                EPS_OUTSIDE: gamma * centred / (np.sqrt(var) + eps) + beta,
                EPS_MISSING: gamma * centred / np.sqrt(var) + beta,
                WRONG_AXIS: gamma * rows / np.sqrt(row_var + eps) + beta,
                PARAMS_IGNORED: centred / np.sqrt(var + eps),
                PARAMS_SWAPPED: beta * centred / np.sqrt(var + eps) + gamma,
            }
            if eps != EPS:
                found[EPS_IGNORED] = oracle_forward(x, gamma, beta, EPS)
            running = [s for s in (before, after) if s is not None]
            found[TRAINING_USES_RUNNING] = any_of(
                *(oracle_eval(x, gamma, beta, *s, eps) for s in running)
            )
        return found

    return build


def running_mean_mistakes(previous, x, momentum=MOMENTUM) -> dict:
    mean = stats(x)[0]
    found = {
        MOMENTUM_REVERSED: momentum * previous + (1 - momentum) * mean,
        RUNNING_NOT_UPDATED: previous,
        RUNNING_REPLACED: mean,
    }
    if momentum != MOMENTUM:
        found[MOMENTUM_IGNORED] = (1 - MOMENTUM) * previous + MOMENTUM * mean
    return found


def running_var_mistakes(previous, x, momentum=MOMENTUM, eps=EPS) -> dict:
    _, biased, unbiased = stats(x)

    def blend(batch, m=momentum):
        return (1 - m) * previous + m * batch

    found = {
        RUNNING_VAR_BIASED: blend(biased),
        MOMENTUM_REVERSED: any_of(blend(unbiased, 1 - momentum), blend(biased, 1 - momentum)),
        RUNNING_NOT_UPDATED: previous,
        RUNNING_REPLACED: any_of(unbiased, biased),
        RUNNING_VAR_EPS: any_of(blend(unbiased + eps), blend(biased + eps)),
    }
    if momentum != MOMENTUM:
        found[MOMENTUM_IGNORED] = any_of(blend(unbiased, MOMENTUM), blend(biased, MOMENTUM))
    return found


def eval_mistakes(x, gamma, beta, running, eps=EPS):
    running_mean, running_var = running

    def build() -> dict:
        centred = x - running_mean
        found = {
            EPS_OUTSIDE: gamma * centred / (np.sqrt(running_var) + eps) + beta,
            EVAL_NO_EPS: gamma * centred / np.sqrt(running_var) + beta,
            EVAL_NO_SQRT: gamma * centred / (running_var + eps) + beta,
            PARAMS_IGNORED: centred / np.sqrt(running_var + eps),
        }
        if eps != EPS:
            found[EPS_IGNORED] = oracle_eval(x, gamma, beta, running_mean, running_var)
        if len(x) > 1:
            found = {EVAL_BATCH_STATS: oracle_forward(x, gamma, beta, eps), **found}
        else:
            found = {EVAL_BATCH_STATS: beta + 0 * x, **found}
        return found

    return build


def normalised(x, eps=EPS) -> tuple:
    mean, var, _ = stats(x)
    inv_std = 1 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def dbeta_mistakes(g) -> dict:
    return {
        DBETA_AVERAGED: g.mean(axis=0),
        f"dbeta {GRAD_KEEPDIMS}": g.sum(axis=0, keepdims=True),
        DBETA_NOT_SUMMED: g,
        DBETA_NO_AXIS: np.asarray(g.sum()),
    }


def dgamma_mistakes(g, x, gamma, beta, running=None, eps=EPS):
    def build() -> dict:
        x_hat, _ = normalised(x, eps)
        found = {
            DGAMMA_AVERAGED: (g * x_hat).mean(axis=0),
            DGAMMA_NO_XHAT: g.sum(axis=0),
            DGAMMA_USES_X: (g * x).sum(axis=0),
            DGAMMA_USES_Y: (g * (gamma * x_hat + beta)).sum(axis=0),
            f"dgamma {GRAD_KEEPDIMS}": (g * x_hat).sum(axis=0, keepdims=True),
            DGAMMA_NOT_SUMMED: g * x_hat,
        }
        if running is not None:
            x_run = (x - running[0]) / np.sqrt(running[1] + eps)
            found[BACKWARD_RUNNING] = (g * x_run).sum(axis=0)
        return found

    return build


def dx_mistakes(g, x, gamma, running=None, eps=EPS):
    def build() -> dict:
        n = len(x)
        x_hat, inv_std = normalised(x, eps)
        dx = oracle_backward(g, x, gamma, eps)[0]
        found = {
            DX_NO_STATS: gamma * inv_std * g,
            DX_NO_VAR: gamma * inv_std * (g - g.mean(axis=0)),
            DX_NO_MEAN: gamma * inv_std * (g - x_hat * (g * x_hat).mean(axis=0)),
            DX_AVERAGED: dx / n,
            DX_NO_GAMMA: dx / gamma,
        }
        if running is not None:
            run_inv_std = 1 / np.sqrt(running[1] + eps)
            x_run = (x - running[0]) * run_inv_std
            found[BACKWARD_RUNNING] = any_of(
                dx * run_inv_std / inv_std,
                gamma * run_inv_std * g,
                gamma * run_inv_std * (g - g.mean(axis=0) - x_run * (g * x_run).mean(axis=0)),
            )
        return found

    return build


# ----- calling the learner's layer -----


def expect_values(got, expected: np.ndarray, *, call: str, mistakes=None, atol: float = 1e-9):
    """expect_close, naming a known mistake for wrong shapes too."""
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    return expect_close(got, expected, call=call, mistakes=mistakes, atol=atol)


def run_forward(layer, x: np.ndarray, **training):
    with hint_on_error(AXIS_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        return layer.forward(x, **training)


def run_backward(layer, g: np.ndarray, call: str):
    with hint_on_error(AXIS_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        dx = layer.backward(g)
    if dx is None:
        raise Mistake(
            f"{call} returned None: backward must return dL/dx, of shape (N, num_features), "
            "besides setting dgamma and dbeta"
        )
    return dx


def layer_with(impl, gamma: np.ndarray, beta: np.ndarray, **options):
    """A learner layer with gamma and beta assigned (as the contract allows)."""
    layer = impl.BatchNorm(len(gamma), **options)
    layer.gamma = gamma
    layer.beta = beta
    return layer


def random_params(rng: np.random.Generator, f: int) -> tuple:
    """gamma of magnitude in [0.5, 1.5] with random signs (never near 0), beta standard normal."""
    gamma = rng.choice([-1.0, 1.0], f) * rng.uniform(0.5, 1.5, f)
    return gamma, rng.standard_normal(f)


def random_batch(rng: np.random.Generator, n: int, f: int, low=0.5, high=2.0) -> np.ndarray:
    """Features with their own offset (up to about +-3) and spread (in [low, high])."""
    return 2 * rng.standard_normal(f) + rng.uniform(low, high, f) * rng.standard_normal((n, f))


def check_running(layer, expected: tuple, previous: tuple, x, *, call: str, **options) -> None:
    """running_mean, then running_var, against the oracle after one training forward on x."""
    momentum = options.get("momentum", MOMENTUM)
    eps = options.get("eps", EPS)
    expect_values(
        layer.running_mean,
        expected[0],
        call=f"running_mean after {call}",
        mistakes=running_mean_mistakes(previous[0], x, momentum),
    )
    expect_values(
        layer.running_var,
        expected[1],
        call=f"running_var after {call}",
        mistakes=running_var_mistakes(previous[1], x, momentum, eps),
    )


RUNNING = ("running_mean", "running_var")


def running_of(layer) -> tuple:
    """The learner's running statistics as they are now (copies, read through the proxy)."""
    return tuple(getattr(layer, name) for name in RUNNING)


def expect_running_unchanged(layer, before: tuple, *, call: str) -> None:
    """The running statistics read after ``call`` are exactly those read before it."""
    for name, old in zip(RUNNING, before, strict=True):
        new = getattr(layer, name)
        if not (isinstance(old, np.ndarray) and isinstance(new, np.ndarray)):
            continue  # other tests say that they must be arrays
        if old.shape != new.shape or not np.array_equal(old, new, equal_nan=True):
            raise Mistake(
                f"{name} changed during {call}: it was {np.round(old, 6).tolist()} before and "
                f"is {np.round(new, 6).tolist()} after. Likely mistake: {EVAL_CHANGED}"
            )


def check_backward(layer, x, g, gamma, beta, *, call: str, running=None, mistakes=None) -> tuple:
    """dbeta, dgamma and the returned dx of one backward call against the oracle.

    ``running`` holds the running statistics after the forward (to recognise a backward that
    uses them); ``mistakes`` adds known mistakes to those of dgamma and dx.
    """
    dx_want, dgamma_want, dbeta_want = oracle_backward(g, x, gamma)
    dx = run_backward(layer, g, call)
    extra = mistakes or {}
    expect_values(
        layer.dbeta,
        dbeta_want,
        call=f"dbeta after {call}",
        mistakes={**dbeta_mistakes(g), **extra.get("dbeta", {})},
    )
    expect_values(
        layer.dgamma,
        dgamma_want,
        call=f"dgamma after {call}",
        mistakes=lambda: {
            **extra.get("dgamma", {}),
            **dgamma_mistakes(g, x, gamma, beta, running)(),
        },
    )
    expect_values(
        dx,
        dx_want,
        call=f"{call} (the returned dx)",
        mistakes=lambda: {**extra.get("dx", {}), **dx_mistakes(g, x, gamma, running)()},
    )
    return dx_want, dgamma_want, dbeta_want


# ----- a hand-checked example -----

HAND_X = np.array([[1.0, 0.0], [1.0, 4.0], [3.0, 4.0], [3.0, 0.0]])
HAND_GAMMA = np.array([2.0, 0.5])
HAND_BETA = np.array([0.0, 1.0])
HAND_G = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])
# Feature 0 has mean 2 and variance 1, feature 1 mean 2 and variance 4, so x_hat is
# [-1, -1, 1, 1] * A and [-1, 1, 1, -1] * B, with A = 1 / sqrt(1 + eps) and B = 2 / sqrt(4 + eps).
HAND_A = 1 / np.sqrt(1 + EPS)
HAND_B = 2 / np.sqrt(4 + EPS)
HAND_CALL = "BatchNorm(2) with gamma = [2, 0.5], beta = [0, 1]"
HAND_FORWARD = f"{HAND_CALL}: forward([[1, 0], [1, 4], [3, 4], [3, 0]])"


@pytest.mark.values
def test_forward_small_example(impl):
    """a training forward on a hand-checked example"""
    layer = layer_with(impl, HAND_GAMMA, HAND_BETA)
    signs = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    x_hat = signs * [HAND_A, HAND_B]
    expect_values(
        run_forward(layer, HAND_X),
        HAND_GAMMA * x_hat + HAND_BETA,
        call=HAND_FORWARD,
        mistakes=forward_mistakes(
            HAND_X,
            HAND_GAMMA,
            HAND_BETA,
            before=initial_stats(2),
            after=running_step(*initial_stats(2), HAND_X),
        ),
    )


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """a training forward normalises each feature with its batch mean and biased variance"""
    n, f = 6, 4
    gamma, beta = random_params(rng, f)
    # Small spreads make eps visible: it shifts x_hat by about eps / (2 var) relatively.
    x = random_batch(rng, n, f, low=0.1, high=0.5)
    layer = layer_with(impl, gamma, beta)
    before = initial_stats(f)
    expect_values(
        run_forward(layer, x, training=True),
        oracle_forward(x, gamma, beta),
        call="BatchNorm(4) with gamma and beta assigned: forward(x of shape (6, 4), training=True)",
        mistakes=forward_mistakes(x, gamma, beta, before=before, after=running_step(*before, x)),
    )


@pytest.mark.values
def test_small_variance_eps_inside_sqrt(impl, rng):
    """features of variance well below eps: eps goes inside the square root"""
    n, f = 5, 3
    x = 1e-3 * rng.standard_normal((n, f)) + rng.standard_normal(f)
    gamma, beta = np.ones(f), np.zeros(f)
    expect_values(
        run_forward(impl.BatchNorm(f), x),
        oracle_forward(x, gamma, beta),
        call="BatchNorm(3): forward(x of shape (5, 3) with spreads near 1e-3, variances near 1e-6)",
        mistakes=forward_mistakes(x, gamma, beta, before=initial_stats(f)),
    )


@pytest.mark.values
def test_running_stats_after_one_step(impl, rng):
    """one training forward moves the running statistics by momentum (running_var unbiased)"""
    n, f = 5, 4
    x = random_batch(rng, n, f)
    layer = impl.BatchNorm(f)
    run_forward(layer, x)
    before = initial_stats(f)
    check_running(
        layer, running_step(*before, x), before, x, call="BatchNorm(4): forward(x of shape (5, 4))"
    )


@pytest.mark.values
def test_running_stats_follow_momentum(impl, rng):
    """with momentum=0.3, three training forwards of different batch sizes update the stats"""
    f, momentum = 3, 0.3
    layer = impl.BatchNorm(f, momentum=momentum)
    running = initial_stats(f)
    call = "BatchNorm(3, momentum=0.3)"
    for step, n in enumerate((4, 2, 7), 1):
        x = random_batch(rng, n, f)
        call += f", forward(x{step} of shape ({n}, 3))"
        run_forward(layer, x)
        after = running_step(*running, x, momentum)
        check_running(layer, after, running, x, call=call, momentum=momentum)
        running = after


@pytest.mark.values
def test_eval_fresh_layer(impl, rng):
    """evaluation on a fresh layer normalises with running_mean = 0 and running_var = 1"""
    n, f = 4, 3
    gamma, beta = random_params(rng, f)
    x = random_batch(rng, n, f)
    layer = layer_with(impl, gamma, beta)
    call = "BatchNorm(3) with gamma and beta assigned: forward(x of shape (4, 3), training=False)"
    running = initial_stats(f)
    before = running_of(layer)
    y = run_forward(layer, x, training=False)
    expect_running_unchanged(layer, before, call=call)
    expect_values(
        y,
        oracle_eval(x, gamma, beta, *running),
        call=call,
        mistakes=eval_mistakes(x, gamma, beta, running),
    )


@pytest.mark.values
def test_eval_after_training(impl, rng):
    """after two training forwards, evaluation normalises with the running statistics"""
    n, f = 5, 4
    gamma, beta = random_params(rng, f)
    layer = layer_with(impl, gamma, beta)
    running = initial_stats(f)
    for _ in range(2):
        x = random_batch(rng, n, f)
        run_forward(layer, x)
        running = running_step(*running, x)
    x = random_batch(rng, n, f)
    call = "BatchNorm(4): forward(x1), forward(x2), then forward(x3, training=False)"
    before = running_of(layer)
    y = run_forward(layer, x, training=False)
    expect_running_unchanged(layer, before, call="forward(x3, training=False)")
    expect_values(
        y,
        oracle_eval(x, gamma, beta, *running),
        call=call,
        mistakes=eval_mistakes(x, gamma, beta, running),
    )


@pytest.mark.values
def test_backward_small_example(impl):
    """backward on a hand-checked example: dbeta, dgamma and dx"""
    layer = layer_with(impl, HAND_GAMMA, HAND_BETA)
    run_forward(layer, HAND_X)
    call = f"{HAND_FORWARD}, then backward([[1, 0], [0, 2], [0, 0], [-1, 1]])"
    dx = run_backward(layer, HAND_G, call)
    a, b = HAND_A, HAND_B
    expect_values(
        layer.dbeta,
        np.array([0.0, 3.0]),
        call=f"dbeta after {call}",
        mistakes=dbeta_mistakes(HAND_G),
    )
    expect_values(
        layer.dgamma,
        np.array([-2 * a, b]),
        call=f"dgamma after {call}",
        mistakes=dgamma_mistakes(HAND_G, HAND_X, HAND_GAMMA, HAND_BETA, initial_stats(2)),
    )
    dx0 = 2 * a * (np.array([1, 0, 0, -1]) + a**2 / 2 * np.array([-1, -1, 1, 1]))
    dx1 = b / 4 * (np.array([0, 2, 0, 1]) - 0.75 - b**2 / 4 * np.array([-1, 1, 1, -1]))
    running = running_step(*initial_stats(2), HAND_X)
    expect_values(
        dx,
        np.stack([dx0, dx1], axis=1),
        call=f"{call} (the returned dx)",
        mistakes=dx_mistakes(HAND_G, HAND_X, HAND_GAMMA, running),
    )


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """backward gives dx with the full dependence of mean and variance on x, dgamma and dbeta"""
    n, f = 5, 3
    gamma, beta = random_params(rng, f)
    x = random_batch(rng, n, f)
    g = rng.standard_normal((n, f))
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    check_backward(
        layer,
        x,
        g,
        gamma,
        beta,
        call="BatchNorm(3): forward(x of shape (5, 3)), then backward(grad_output)",
        running=running_step(*initial_stats(f), x),
    )


# ----- shapes -----


def expect_attribute(value, shape: tuple, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise Mistake(f"{what} is {describe(value)}; it must be a NumPy array")
    if value.shape != shape:
        hint = f" Likely mistake: {ROW_SHAPE}" if value.size == shape[0] else ""
        raise Mistake(f"{what} has shape {value.shape}; expected {shape}.{hint}")
    return value


ATTRIBUTES = {"gamma": 1.0, "beta": 0.0, "running_mean": 0.0, "running_var": 1.0}


@pytest.mark.shapes
def test_init_shapes(impl):
    """gamma, beta, running_mean and running_var have shape (num_features,)"""
    for f in (1, 6):
        layer = impl.BatchNorm(f)
        for name in ATTRIBUTES:
            expect_attribute(getattr(layer, name), (f,), f"BatchNorm({f}).{name}")


@pytest.mark.values
def test_init_values(impl):
    """gamma starts at ones, beta at zeros, running_mean at zeros and running_var at ones"""
    f = 4
    layer = impl.BatchNorm(f)
    for name, value in ATTRIBUTES.items():
        got = expect_attribute(getattr(layer, name), (f,), f"BatchNorm({f}).{name}")
        if got.dtype.kind != "f" or np.any(got != value):
            raise Mistake(
                f"BatchNorm({f}).{name} starts as {got.tolist()} ({got.dtype}); it must start "
                f"as {'ones' if value else 'zeros'} (floats)"
            )


BATCH_SHAPES = [(2, 1), (9, 3), (3, 9)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", BATCH_SHAPES, ids=shape_id)
def test_batch_and_feature_sizes(impl, rng, shape):
    """training forward, running statistics, evaluation and backward for other sizes"""
    n, f = shape
    gamma, beta = random_params(rng, f)
    x = random_batch(rng, n, f)
    g = rng.standard_normal((n, f))
    layer = layer_with(impl, gamma, beta)
    name = f"BatchNorm({f})"
    before = initial_stats(f)
    after = running_step(*before, x)
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta),
        call=f"{name}: forward(x of shape {shape})",
        mistakes=forward_mistakes(x, gamma, beta, before=before, after=after),
    )
    check_running(layer, after, before, x, call=f"{name}: forward(x of shape {shape})")
    call = f"{name}: backward(grad_output of shape {shape})"
    check_backward(layer, x, g, gamma, beta, call=call, running=after)
    x_eval = random_batch(rng, n, f)
    expect_values(
        run_forward(layer, x_eval, training=False),
        oracle_eval(x_eval, gamma, beta, *after),
        call=f"{name}: forward(x of shape {shape}, training=False) after one training forward",
        mistakes=eval_mistakes(x_eval, gamma, beta, after),
    )


# ----- gradients against finite differences -----

GRAD_CALL = "BatchNorm(3): backward(w) after forward(x of shape (4, 3))"


def gradient_setup(impl, rng):
    """Random x, gamma, beta, weights w, the oracle's gradients of sum(w * y), the learner's.

    Drawn again until every entry of the oracle's dx, dgamma and dbeta is at least 0.05 away
    from 0 and every batch variance at least 0.25 (see the module docstring); about one draw
    in six qualifies.
    """
    n, f = 4, 3
    for _ in range(1000):
        x = random_batch(rng, n, f)
        gamma, beta = random_params(rng, f)
        w = rng.standard_normal((n, f))
        far_from_zero = min(np.min(np.abs(part)) for part in oracle_backward(w, x, gamma))
        if far_from_zero >= 0.05 and np.min(stats(x)[1]) >= 0.25:
            break
    else:  # pragma: no cover - a draw qualifies with probability about 0.18
        raise RuntimeError("no gradient setup away from 0 in 1000 draws")
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    dx = run_backward(layer, w, GRAD_CALL)
    return layer, x, gamma, beta, w, dx


def loss(w, x, gamma, beta) -> float:
    return float(np.sum(w * oracle_forward(x, gamma, beta)))


def expect_gradient_of(got, numeric: np.ndarray, *, call: str, wrt: str, mistakes) -> None:
    expect_shape(got, numeric.shape, call=call, mistakes=mistakes)
    expect_gradient(got, numeric, call=call, wrt=wrt, mistakes=mistakes)


@pytest.mark.gradients
def test_dx_matches_finite_differences(impl, rng):
    """dx returned by backward is the gradient of sum(w * forward(x)) (finite differences)"""
    _, x, gamma, beta, w, dx = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda z: loss(w, z, gamma, beta), x)
    expect_gradient_of(
        dx,
        numeric,
        call=f"{GRAD_CALL} (the returned dx)",
        wrt="x",
        mistakes=dx_mistakes(w, x, gamma, running_step(*initial_stats(3), x)),
    )


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
        mistakes=dgamma_mistakes(w, x, gamma, beta, running_step(*initial_stats(3), x)),
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
def test_constant_feature(impl, rng):
    """a feature with the same value in every sample gives y = beta, finite dx, no fp warnings"""
    n, f = 5, 3
    gamma, beta = random_params(rng, f)
    x = random_batch(rng, n, f)
    x[:, 1] = 2.5  # variance exactly 0
    g = rng.standard_normal((n, f))
    layer = layer_with(impl, gamma, beta)
    call = "BatchNorm(3) on x of shape (5, 3) whose column 1 is constant"
    warnings = {"invalid": EPS_MISSING, "divide": EPS_MISSING}
    with no_fp_warnings(layer, f"{call}: forward", warnings):
        y = run_forward(layer, x)
    expect_values(y, oracle_forward(x, gamma, beta), call=f"{call}: forward")
    with no_fp_warnings(layer, f"{call}: backward", warnings):
        dx = run_backward(layer, g, f"{call}: backward")
    expect_values(dx, oracle_backward(g, x, gamma)[0], call=f"{call}: backward (the returned dx)")
    expect_values(layer.dgamma, oracle_backward(g, x, gamma)[1], call=f"dgamma after {call}")


def close_but_imprecise(expected: np.ndarray):
    """A predicate: right to 1e-2 (or NaN), so the formula is right but its precision is lost."""

    def matches(got: np.ndarray) -> bool:
        return bool(np.any(np.isnan(got))) or np.allclose(got, expected, rtol=1e-2, atol=1e-2)

    return matches


@pytest.mark.stability
def test_large_offset_keeps_precision(impl, rng):
    """features with a mean near 1e6 and a spread near 1 are normalised to full precision"""
    n, f = 8, 3
    gamma, beta = random_params(rng, f)
    x = rng.choice([-1.0, 1.0], f) * 1e6 + random_batch(rng, n, f)
    layer = layer_with(impl, gamma, beta)
    expected = oracle_forward(x, gamma, beta)
    # x itself is only known to about 1e-10 (its rounding at 1e6): allow 1e-8 absolute.
    expect_values(
        run_forward(layer, x),
        expected,
        call="BatchNorm(3): forward(x of shape (8, 3), means near +-1e6, spreads near 1)",
        mistakes={ONE_PASS_VAR: close_but_imprecise(expected)},
        atol=1e-8,
    )


# ----- the contract -----


@pytest.mark.contract
def test_training_single_sample_raises(impl, rng):
    """a training forward on a single sample raises ValueError"""
    layer = impl.BatchNorm(3)
    expect_raises(
        lambda: layer.forward(rng.standard_normal((1, 3))),
        "ValueError",
        call="BatchNorm(3): forward(x of shape (1, 3)) in training",
        why=(
            "(one sample has no spread to normalise by, and the unbiased running variance "
            "would divide by N - 1 = 0)"
        ),
    )


@pytest.mark.contract
def test_eval_single_sample(impl, rng):
    """evaluation works on a single sample, with the running statistics"""
    f = 4
    gamma, beta = random_params(rng, f)
    layer = layer_with(impl, gamma, beta)
    x = random_batch(rng, 6, f)
    run_forward(layer, x)
    running = running_step(*initial_stats(f), x)
    one = random_batch(rng, 1, f)
    call = (
        "BatchNorm(4): forward(x of shape (6, 4)), then forward(x of shape (1, 4), training=False)"
    )
    before = running_of(layer)
    with hint_on_error(EVAL_SINGLE_SAMPLE, error_type="ValueError"):
        y = run_forward(layer, one, training=False)
    expect_running_unchanged(layer, before, call="forward(x of shape (1, 4), training=False)")
    expect_values(
        y,
        oracle_eval(one, gamma, beta, *running),
        call=call,
        mistakes=eval_mistakes(one, gamma, beta, running),
    )


@pytest.mark.contract
def test_backward_follows_last_training_forward(impl, rng):
    """backward uses the last TRAINING forward, not an earlier one nor a later evaluation"""
    n, f = 5, 3
    gamma, beta = random_params(rng, f)
    x1, x2, x3 = (random_batch(rng, n, f) for _ in range(3))
    g = rng.standard_normal((n, f))
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x1)
    run_forward(layer, x2)
    running = running_step(*running_step(*initial_stats(f), x1), x2)
    run_forward(layer, x3, training=False)
    # What a forward would have remembered: x1's batch statistics, or x3's evaluation.
    x3_hat = (x3 - running[0]) / np.sqrt(running[1] + EPS)
    x3_dx = gamma / np.sqrt(running[1] + EPS) * (g - g.mean(0) - x3_hat * (g * x3_hat).mean(0))
    earlier = oracle_backward(g, x1, gamma)
    eval_dx = any_of(x3_dx, gamma / np.sqrt(running[1] + EPS) * g)
    mistakes = {
        "dgamma": {EVAL_REPLACED_CACHE: (g * x3_hat).sum(axis=0), STALE_X: earlier[1]},
        "dx": {EVAL_REPLACED_CACHE: eval_dx, STALE_X: earlier[0]},
    }
    check_backward(
        layer,
        x2,
        g,
        gamma,
        beta,
        call="BatchNorm(3): forward(x1), forward(x2), forward(x3, training=False), backward(g)",
        running=running,
        mistakes=mistakes,
    )


@pytest.mark.contract
def test_backward_overwrites_gradients(impl, rng):
    """each backward call overwrites dgamma and dbeta (no accumulation across calls)"""
    n, f = 4, 3
    gamma, beta = random_params(rng, f)
    x = random_batch(rng, n, f)
    g1, g2 = rng.standard_normal((2, n, f))
    layer = layer_with(impl, gamma, beta)
    run_forward(layer, x)
    run_backward(layer, g1, "BatchNorm(3): backward(g1)")
    first = oracle_backward(g1, x, gamma)
    want = oracle_backward(g2, x, gamma)
    check_backward(
        layer,
        x,
        g2,
        gamma,
        beta,
        call="BatchNorm(3): forward(x), backward(g1), backward(g2)",
        mistakes={
            "dbeta": {ACCUMULATED: want[2] + first[2]},
            "dgamma": {ACCUMULATED: want[1] + first[1]},
        },
    )


@pytest.mark.contract
def test_keyword_eps_and_momentum(impl, rng):
    """eps and momentum given by keyword are used in training, the running stats and evaluation"""
    n, f, eps, momentum = 4, 3, 0.01, 0.25
    gamma, beta = random_params(rng, f)
    # Spreads near 0.1: variances near eps, so the value of eps shows.
    x = random_batch(rng, n, f, low=0.05, high=0.15)
    layer = layer_with(impl, gamma, beta, eps=eps, momentum=momentum)
    name = "BatchNorm(3, eps=0.01, momentum=0.25)"
    before = initial_stats(f)
    after = running_step(*before, x, momentum)
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta, eps),
        call=f"{name}: forward(x of shape (4, 3))",
        mistakes=forward_mistakes(x, gamma, beta, eps, before=before, after=after),
    )
    check_running(layer, after, before, x, call=f"{name}: forward(x)", eps=eps, momentum=momentum)
    x_eval = random_batch(rng, n, f, low=0.05, high=0.15)
    expect_values(
        run_forward(layer, x_eval, training=False),
        oracle_eval(x_eval, gamma, beta, *after, eps),
        call=f"{name}: forward(x2, training=False) after forward(x)",
        mistakes=eval_mistakes(x_eval, gamma, beta, after, eps),
    )


@pytest.mark.contract
def test_assigned_gamma_beta_used(impl, rng):
    """gamma and beta assigned after a forward call are used by the next forward and backward"""
    n, f = 5, 4
    layer = impl.BatchNorm(f)
    x = random_batch(rng, n, f)
    run_forward(layer, x)
    gamma, beta = random_params(rng, f)
    layer.gamma = gamma
    layer.beta = beta
    call = "BatchNorm(4): forward(x), then gamma and beta assigned, forward(x) again"
    expect_values(
        run_forward(layer, x),
        oracle_forward(x, gamma, beta),
        call=call,
        mistakes=forward_mistakes(x, gamma, beta),
    )
    g = rng.standard_normal((n, f))
    dx = run_backward(layer, g, f"{call}, backward(g)")
    expect_values(
        dx,
        oracle_backward(g, x, gamma)[0],
        call=f"{call}, backward(g) (the returned dx)",
        mistakes=dx_mistakes(g, x, gamma),
    )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward (training and evaluation) does not modify x, backward not grad_output"""
    n, f = 5, 3
    layer = layer_with(impl, *random_params(rng, f))
    x = random_batch(rng, n, f)
    g = rng.standard_normal((n, f))
    expect_inputs_unchanged(layer, "forward", x, arg_names=("x",))
    expect_inputs_unchanged(layer, "backward", g, arg_names=("grad_output",))
    expect_inputs_unchanged(layer, "forward", x, arg_names=("x",), training=False)


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward, backward and every attribute (gamma, beta, running stats, gradients) are arrays"""
    layer = impl.BatchNorm(3)
    x = random_batch(rng, 4, 3)
    results = {"forward(x)": run_forward(layer, x)}
    results["backward(grad_output)"] = run_backward(
        layer, np.ones((4, 3)), "BatchNorm(3): backward(grad_output of shape (4, 3))"
    )
    results["forward(x, training=False)"] = run_forward(layer, x, training=False)
    for name in ("gamma", "beta", "running_mean", "running_var", "dgamma", "dbeta"):
        results[name] = getattr(layer, name)
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"BatchNorm(3): {name} is {describe(got)}; it must be a NumPy array")


@pytest.mark.contract
def test_training_loop(impl, rng):
    """three steps of gradient descent on gamma and beta, then evaluation, follow the oracle"""
    n, f, lr = 6, 3, 0.5
    layer = impl.BatchNorm(f)
    gamma, beta = np.ones(f), np.zeros(f)
    running = initial_stats(f)
    target = rng.standard_normal((n, f))
    for step in range(1, 4):
        x = random_batch(rng, n, f)
        call = f"BatchNorm(3), step {step} of gamma -= lr * dgamma, beta -= lr * dbeta (MSE)"
        after = running_step(*running, x)
        y = oracle_forward(x, gamma, beta)
        expect_values(
            run_forward(layer, x),
            y,
            call=f"{call}: forward(x)",
            mistakes=forward_mistakes(x, gamma, beta, before=running, after=after),
        )
        running = after
        g = 2 * (y - target) / y.size
        _, dgamma, dbeta = check_backward(
            layer, x, g, gamma, beta, call=f"{call}: backward", running=running
        )
        gamma, beta = gamma - lr * dgamma, beta - lr * dbeta
        layer.gamma = gamma
        layer.beta = beta
    x = random_batch(rng, n, f)
    expect_values(
        run_forward(layer, x, training=False),
        oracle_eval(x, gamma, beta, *running),
        call="BatchNorm(3) after three training steps: forward(x, training=False)",
        mistakes=eval_mistakes(x, gamma, beta, running),
    )
