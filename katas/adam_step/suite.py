"""Hidden suite for adam_step.

The oracle is Kingma & Ba's folded form of the update (end of their Section 2): both bias
corrections go into one step size lr * sqrt(1 - beta2**t) / (1 - beta1**t), with eps
rescaled to eps * sqrt(1 - beta2**t), which is algebraically the contract's
m_hat / (sqrt(v_hat) + eps). The moments use the interpolation form m + (1 - beta1) *
(grad - m), and 1 - beta**t is -expm1(t * log(beta)). Updates (new_param - param) are
compared rather than new params, so that a step wrong by 1% is not hidden inside a
param of size 1. Likely mistakes are the textbook formula with one classic error each.
"""

import itertools

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_inputs_unchanged,
    hint_on_error,
    near,
    no_fp_warnings,
    shape_id,
)

named = declared_mistakes(__file__)

DEFAULTS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
NAMES = ("new_param", "new_m", "new_v")

NO_CORRECTION = named("no-bias-correction")
M_NOT_CORRECTED = named("m-not-corrected")
V_NOT_CORRECTED = named("v-not-corrected")
NO_POWER = named("no-power")
T_MINUS_ONE = named("t-minus-one")
T_PLUS_ONE = named("t-plus-one")
CORRECTIONS_SWAPPED = named("corrections-swapped")
EPS_INSIDE = named("eps-inside")
EPS_AFTER = named("eps-after")
NO_EPS = named("no-eps")
EPS_NOT_RESCALED = named("eps-not-rescaled")
NO_SQRT = named("no-sqrt")
SIGN = named("sign")
GRAD_NUMERATOR = named("grad-numerator")
SWAPPED = named("swapped")
V_FROM_GRAD = named("v-from-grad")
RAW_MOMENTS = named("raw-moments")
MOMENTS_RESET = named("moments-reset")
NO_ONE_MINUS_BETA = named("no-one-minus-beta")
IGNORED = named("ignored")
HIDDEN_STATE = named("hidden-state")


def oracle(p, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """(update, new_m, new_v) of one Adam step, where update = new_param - param."""
    new_m = m + (1 - beta1) * (g - m)
    new_v = v + (1 - beta2) * (np.square(g) - v)
    c1 = -np.expm1(t * np.log(beta1))
    c2 = -np.expm1(t * np.log(beta2))
    size = lr * np.sqrt(c2) / c1
    return -size * new_m / (np.sqrt(new_v) + eps * np.sqrt(c2)), new_m, new_v


def expected_results(p, g, m, v, t, **kw):
    """(new_param, new_m, new_v) by the oracle."""
    update, new_m, new_v = oracle(p, g, m, v, t, **kw)
    return p + update, new_m, new_v


def textbook(g, m, v, t, lr, beta1, beta2, eps):
    """The textbook formula, for building the signatures of likely mistakes."""
    m1 = beta1 * m + (1 - beta1) * g
    v1 = beta2 * v + (1 - beta2) * g**2
    return -lr * (m1 / (1 - beta1**t)) / (np.sqrt(v1 / (1 - beta2**t)) + eps), m1, v1


def scale(a) -> float:
    return float(np.max(np.abs(a), initial=0.0)) if np.size(a) else 0.0


def ignored_keywords(g, m, v, t, kw, index):
    """Likely mistakes for non-default keywords: the result of using the default instead."""
    found = {}
    for name, value in kw.items():
        if value != DEFAULTS[name]:
            alternative = textbook(g, m, v, t, **{**DEFAULTS, **kw, name: DEFAULTS[name]})
            found[IGNORED.format(name=name, value=DEFAULTS[name])] = near(alternative[index])
    return found


def update_mistakes(g, m, v, t, kw):
    lr, beta1, beta2, eps = (kw.get(name, DEFAULTS[name]) for name in DEFAULTS)
    with np.errstate(all="ignore"):
        m1 = beta1 * m + (1 - beta1) * g
        v1 = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m1 / (1 - beta1**t), v1 / (1 - beta2**t)

        def update(numerator, variance):
            return -lr * numerator / (np.sqrt(variance) + eps)

        found = {
            NO_CORRECTION: update(m1, v1),
            M_NOT_CORRECTED: update(m1, v_hat),
            V_NOT_CORRECTED: update(m_hat, v1),
            NO_POWER: update(m1 / (1 - beta1), v1 / (1 - beta2)),
            T_MINUS_ONE: update(m1 / (1 - beta1 ** (t - 1)), v1 / (1 - beta2 ** (t - 1))),
            T_PLUS_ONE: update(m1 / (1 - beta1 ** (t + 1)), v1 / (1 - beta2 ** (t + 1))),
            CORRECTIONS_SWAPPED: update(m1 / (1 - beta2**t), v1 / (1 - beta1**t)),
            EPS_INSIDE: -lr * m_hat / np.sqrt(v_hat + eps),
            EPS_AFTER: -lr * m_hat / np.sqrt(v_hat) + eps,
            EPS_NOT_RESCALED: update(m1 / (1 - beta1**t) * np.sqrt(1 - beta2**t), v1),
            NO_EPS: -lr * m_hat / np.sqrt(v_hat),
            NO_SQRT: -lr * m_hat / (v_hat + eps),
            SIGN: -update(m_hat, v_hat),
            GRAD_NUMERATOR: update(g, v_hat),
        }
        # A keyword's default is checked first: with eps=0.1 ignored, the result is also
        # close to "no eps at all", and the ignored keyword is the better diagnosis.
        ignored = ignored_keywords(g, m, v, t, kw, 0)
        return {**ignored, **{message: near(value) for message, value in found.items()}}


def moment_mistakes(g, m, v, t, kw):
    beta1, beta2 = kw.get("beta1", DEFAULTS["beta1"]), kw.get("beta2", DEFAULTS["beta2"])
    with np.errstate(all="ignore"):
        return _moment_mistakes(g, m, v, t, kw, beta1, beta2)


def _moment_mistakes(g, m, v, t, kw, beta1, beta2):
    m1 = beta1 * m + (1 - beta1) * g
    v1 = beta2 * v + (1 - beta2) * g**2
    for_m = {
        SWAPPED: beta2 * m + (1 - beta2) * g,
        RAW_MOMENTS: m1 / (1 - beta1**t),
        MOMENTS_RESET: (1 - beta1) * g,
        NO_ONE_MINUS_BETA: beta1 * m + g,
    }
    for_v = {
        SWAPPED: beta1 * v + (1 - beta1) * g**2,
        V_FROM_GRAD: beta2 * v + (1 - beta2) * g,
        RAW_MOMENTS: v1 / (1 - beta2**t),
        MOMENTS_RESET: (1 - beta2) * g**2,
        NO_ONE_MINUS_BETA: beta2 * v + g**2,
    }
    for_m = {**ignored_keywords(g, m, v, t, kw, 1), **{k: near(a) for k, a in for_m.items()}}
    for_v = {**ignored_keywords(g, m, v, t, kw, 2), **{k: near(a) for k, a in for_v.items()}}
    return for_m, for_v


def call_text(p, t, kw, where=""):
    keywords = "".join(f", {name}={value:g}" for name, value in kw.items())
    return f"adam_step(param of shape {p.shape}, grad, m, v, t={t}{keywords}){where}"


def call_step(impl, p, g, m, v, t, **kw):
    """The learner's step; a ZeroDivisionError at t = 1 gets its likely cause named."""
    if t != 1:
        return impl.adam_step(p, g, m, v, t, **kw)
    with hint_on_error(T_MINUS_ONE, error_type="ZeroDivisionError"):
        return impl.adam_step(p, g, m, v, t, **kw)


def unpack(result, call, shape, expected):
    """Three arrays of param's shape, in the order (new_param, new_m, new_v)."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Mistake(
            f"{call} returned {describe(result)}; it must return the tuple "
            "(new_param, new_m, new_v)"
        )
    got = [
        expect_array(r, call=f"{call}, {name}", shape=shape)
        for r, name in zip(result, NAMES, strict=True)
    ]
    in_order = all(near(want)(have) for have, want in zip(got, expected, strict=True))
    if not in_order:
        for order in itertools.permutations(range(3)):
            if all(near(expected[j])(got[i]) for i, j in enumerate(order)):
                returned = ", ".join(NAMES[j] for j in order)
                raise Mistake(
                    f"{call} returned ({returned}): the results are in the wrong order; "
                    "return (new_param, new_m, new_v)"
                )
    return got


def check_against(result, call, inputs, want, kw):
    """Judge one step's results against ``want`` = (update, new_m, new_v).

    Returns the learner's (new_param, new_m, new_v). Tolerances: 1e-6 relative, plus an
    absolute part tied to the inputs' size (rounding when m + (1 - beta1) * grad cancels).
    """
    p, g, m, v, t = inputs
    update, new_m, new_v = want
    got_p, got_m, got_v = unpack(result, call, p.shape, (p + update, new_m, new_v))
    expect_close(
        got_m,
        new_m,
        call=f"{call}, new_m",
        atol=1e-12 * (scale(m) + scale(g)),
        mistakes=lambda: moment_mistakes(g, m, v, t, kw)[0],
    )
    expect_close(
        got_v,
        new_v,
        call=f"{call}, new_v",
        atol=1e-12 * (scale(v) + scale(g) ** 2),
        mistakes=lambda: moment_mistakes(g, m, v, t, kw)[1],
    )
    expect_close(
        got_p - p,
        update,
        call=f"{call}, the update new_param - param",
        atol=1e-9 * scale(update) + 1e-15 * scale(p),
        mistakes=lambda: update_mistakes(g, m, v, t, kw),
    )
    return got_p, got_m, got_v


def check_step(result, p, g, m, v, t, kw, call):
    """Judge one step against the oracle; returns the learner's (new_param, new_m, new_v)."""
    return check_against(result, call, (p, g, m, v, t), oracle(p, g, m, v, t, **kw), kw)


def step(impl, p, g, m, v, t, where="", **kw):
    """Call and judge one step."""
    call = call_text(p, t, kw, where)
    return check_step(call_step(impl, p, g, m, v, t, **kw), p, g, m, v, t, kw, call)


def state(rng, shape, t):
    """Moments as they could be after t - 1 steps of gradients of size about 1."""
    if t == 1:
        return np.zeros(shape), np.zeros(shape)
    m = 0.5 * rng.standard_normal(shape)
    v = m**2 + rng.uniform(0.1, 1.0, shape)
    return m, v


# -- values ---------------------------------------------------------------------------------


@pytest.mark.values
def test_first_step_hand_checked(impl):
    """the first step (t = 1, zero moments) moves every entry by about lr"""
    p = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    g = np.array([[0.5, -3.0, 2.0], [-0.01, 4.0, 100.0]])
    zeros = np.zeros_like(p)
    call = "adam_step(param, grad=[[0.5, -3, 2], [-0.01, 4, 100]], m=0, v=0, t=1)"
    # Bias-corrected, m_hat = g and v_hat = g**2: the step is lr * g / (|g| + eps).
    want = (-1e-3 * g / (np.abs(g) + 1e-8), 0.1 * g, 1e-3 * g**2)
    check_against(call_step(impl, p, g, zeros, zeros, 1), call, (p, g, zeros, zeros, 1), want, {})


@pytest.mark.values
def test_constant_gradient_moves_by_lr(impl):
    """with a constant gradient every step (t = 1 to 5) moves each entry by about lr"""
    p = np.array([[1.0, -2.0, 0.5, 0.0], [2.0, 1.5, -0.75, 3.0]])
    g = np.array([[0.5, -3.0, 2.0, 1.0], [-0.2, 4.0, 10.0, -1.0]])
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t in range(1, 6):
        # After t steps of the same g, m = (1 - beta1**t) g and v = (1 - beta2**t) g**2,
        # so m_hat = g and v_hat = g**2 at every step.
        call = f"adam_step(param, grad, m, v, t={t}) with the same grad at every step"
        want = (-1e-3 * g / (np.abs(g) + 1e-8), (1 - 0.9**t) * g, (1 - 0.999**t) * g**2)
        result = call_step(impl, p, g, m, v, t)
        p, m, v = check_against(result, call, (p, g, m, v, t), want, {})


@pytest.mark.values
@pytest.mark.parametrize("t", [1, 2, 10, 1000])
def test_single_step_random(impl, rng, t):
    """one step from random moments matches Adam's update"""
    shape = (3, 5)
    p = rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    m, v = state(rng, shape, t)
    step(impl, p, g, m, v, t)


@pytest.mark.values
def test_small_gradients_eps_outside_sqrt(impl, rng):
    """with gradients of about eps, eps sits outside the square root"""
    shape = (2, 5)
    p = rng.standard_normal(shape)
    g = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2e-8, 5e-8, shape)
    zeros = np.zeros(shape)
    got = step(impl, p, g, zeros, zeros, 1, where=" with gradients of size 2e-9 to 5e-8")
    g2 = g * rng.uniform(0.5, 1.5, shape)
    step(impl, got[0], g2, got[1], got[2], 2, where=" with gradients of size 1e-9 to 8e-8")


KEYWORDS = {
    "lr": {"lr": 0.05},
    "beta1": {"beta1": 0.5},
    "beta2": {"beta2": 0.9},
    "eps": {"eps": 0.1},
    "all": {"lr": 0.2, "beta1": 0.8, "beta2": 0.99, "eps": 1e-3},
}


@pytest.mark.values
@pytest.mark.parametrize("which", list(KEYWORDS))
def test_keyword_arguments(impl, rng, which):
    """non-default lr, beta1, beta2 and eps passed by keyword are used"""
    shape = (4, 2)
    p = rng.standard_normal(shape)
    m, v = state(rng, shape, 3)
    got = step(impl, p, rng.standard_normal(shape), m, v, 3, **KEYWORDS[which])
    step(impl, got[0], rng.standard_normal(shape), got[1], got[2], 4, **KEYWORDS[which])


# -- shapes ---------------------------------------------------------------------------------

SHAPES = [(), (0,), (1,), (6,), (3, 7), (2, 3, 4), (2, 1, 3, 2)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_any_shape(impl, rng, shape):
    """param of any shape, including 0-d and empty, gives float64 results of that shape"""
    p = rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    m, v = state(rng, shape, 4)
    call = call_text(p, 4, {})
    result = call_step(impl, p, g, m, v, 4)
    check_step(result, p, g, m, v, 4, {}, call)
    for value, name in zip(result, NAMES, strict=True):
        expect_array(value, call=f"{call}, {name}", dtype=np.float64)


# -- stability ------------------------------------------------------------------------------


@pytest.mark.stability
def test_zero_gradients(impl, rng):
    """zero gradients from zero moments leave those entries unchanged, without warnings"""
    shape = (3, 4)
    p = rng.standard_normal(shape)
    g = rng.standard_normal(shape) * (rng.uniform(size=shape) < 0.5)
    g[0] = 0.0
    zeros = np.zeros(shape)
    with no_fp_warnings(
        impl,
        "adam_step at t=1 with some gradients exactly 0 (so v_hat is 0 "
        "there, and the denominator sqrt(v_hat) + eps is eps)",
    ):
        first = call_step(impl, p, g, zeros, zeros, 1)
        all_zero = call_step(impl, p, zeros, zeros, zeros, 1)
    check_step(first, p, g, zeros, zeros, 1, {}, call_text(p, 1, {}, " with some zero gradients"))
    check_step(
        all_zero, p, zeros, zeros, zeros, 1, {}, call_text(p, 1, {}, " with grad, m and v all 0")
    )


@pytest.mark.stability
def test_extreme_gradient_scales(impl, rng):
    """gradients from 1e-100 to 1e100 give finite steps of at most about lr, without warnings"""
    shape = (2, 6)
    p = rng.standard_normal(shape)
    g = rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-100, 100, shape)
    g[0, :3] = [1e100, -1e-100, 3e-50]
    zeros = np.zeros(shape)
    p1, m1, v1 = expected_results(p, g, zeros, zeros, 1)
    with no_fp_warnings(impl, "adam_step with gradients from 1e-100 to 1e100"):
        first = call_step(impl, p, g, zeros, zeros, 1)
        second = call_step(impl, p1, -g, m1, v1, 2)
    check_step(first, p, g, zeros, zeros, 1, {}, call_text(p, 1, {}, " with huge and tiny grads"))
    check_step(second, p1, -g, m1, v1, 2, {}, call_text(p, 2, {}, " with huge and tiny grads"))


@pytest.mark.stability
def test_late_step(impl, rng):
    """a late step (t = 10**6, where beta1**t underflows to 0) is finite, without warnings"""
    shape = (3, 2)
    p = rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    m, v = state(rng, shape, 2)
    with no_fp_warnings(impl, "adam_step at t=1000000"):
        result = call_step(impl, p, g, m, v, 10**6)
    check_step(result, p, g, m, v, 10**6, {}, call_text(p, 10**6, {}))


# -- contract -------------------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """param, grad, m and v are left untouched"""
    shape = (3, 4)
    m, v = state(rng, shape, 3)
    args = (rng.standard_normal(shape), rng.standard_normal(shape), m, v, 3)
    expect_inputs_unchanged(impl, "adam_step", *args, arg_names=("param", "grad", "m", "v", "t"))
    expect_inputs_unchanged(
        impl,
        "adam_step",
        *args,
        arg_names=("param", "grad", "m", "v", "t"),
        lr=0.01,
        beta1=0.8,
        beta2=0.99,
        eps=1e-6,
    )


@pytest.mark.contract
def test_returns_a_tuple_of_arrays(impl, rng):
    """the result is the tuple (new_param, new_m, new_v) of NumPy arrays"""
    shape = (2, 3)
    m, v = state(rng, shape, 2)
    p, g = rng.standard_normal(shape), rng.standard_normal(shape)
    call = call_text(p, 2, {})
    result = call_step(impl, p, g, m, v, 2)
    if not isinstance(result, tuple) or len(result) != 3:
        raise Mistake(
            f"{call} returned {describe(result)}; return a tuple (new_param, new_m, new_v)"
        )
    for value, name in zip(result, NAMES, strict=True):
        if not isinstance(value, np.ndarray):
            raise Mistake(f"{call} returned {describe(value)} as {name}; it must be a NumPy array")
    check_step(result, p, g, m, v, 2, {}, call)


@pytest.mark.contract
def test_no_state_between_calls(impl, rng):
    """results depend only on the arguments: two interleaved runs, repeated calls"""
    shape = (2, 4)
    runs = []
    for _ in range(2):
        p = rng.standard_normal(shape)
        runs.append([p, np.zeros(shape), np.zeros(shape)])
    for t in range(1, 4):
        for index, (p, m, v) in enumerate(runs):
            g = rng.standard_normal(shape)
            once = call_step(impl, p, g, m, v, t)
            again = call_step(impl, p, g, m, v, t)
            call = call_text(p, t, {}, f" in run {index + 1} of two interleaved runs")
            want = expected_results(p, g, m, v, t)
            first = unpack(once, call, shape, want)
            second = unpack(again, call + " (the same call again)", shape, want)
            if not all(
                np.array_equal(a, b, equal_nan=True) for a, b in zip(first, second, strict=True)
            ):
                raise Mistake(f"{call}: {HIDDEN_STATE}")
            runs[index] = list(check_step(once, p, g, m, v, t, {}, call))


# -- trajectories: the costliest tests (50 calls each) run last -----------------------------


@pytest.mark.values
def test_trajectory_random_gradients(impl, rng):
    """50 steps with random gradients follow Adam exactly, step by step"""
    shape = (4, 3)
    p = rng.standard_normal(shape)
    m, v = np.zeros(shape), np.zeros(shape)
    for t in range(1, 51):
        g = rng.standard_normal(shape) * rng.choice([0.01, 1.0, 100.0], shape)
        p, m, v = step(impl, p, g, m, v, t, where=f" at step {t} of 50 with random gradients")


@pytest.mark.values
def test_trajectory_quadratic(impl, rng):
    """50 steps on a quadratic bowl follow Adam exactly and go downhill"""
    shape = (3, 5)
    a = rng.uniform(0.5, 5.0, shape)
    centre = rng.standard_normal(shape)
    p = centre + rng.choice([-1.0, 1.0], shape) * rng.uniform(1.0, 2.0, shape)
    start_loss = 0.5 * float(np.sum(a * (p - centre) ** 2))
    m, v = np.zeros(shape), np.zeros(shape)
    for t in range(1, 51):
        g = a * (p - centre)
        p, m, v = step(impl, p, g, m, v, t, where=f" at step {t} of 50 on a quadratic", lr=0.05)
    end_loss = 0.5 * float(np.sum(a * (p - centre) ** 2))
    if not end_loss < 0.1 * start_loss:
        raise Mistake(
            f"50 Adam steps (lr=0.05) on the quadratic 0.5 * sum(a * (p - c)**2) took the loss "
            f"from {start_loss:.4g} to {end_loss:.4g}; it should fall below a tenth"
        )
