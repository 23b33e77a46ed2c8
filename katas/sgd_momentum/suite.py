"""Hidden suite for sgd_momentum.

The oracle writes the steps in another form than the reference: the velocity as
grad + momentum * velocity, the Nesterov step expanded to (1 + momentum) * grad +
momentum**2 * velocity, and multi-step runs against closed forms (geometric sums) where
the gradient is constant or zero. Updates (new_param - param) are compared rather than
new params, so that a step wrong by 1% is not hidden inside a param of size 1. Likely
mistakes are the other momentum conventions and the textbook formula with one classic
error each.
"""

import itertools

import numpy as np
import pytest

from grader.suite import (
    ANY_SHAPES,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_inputs_unchanged,
    near,
    shape_id,
)

named = declared_mistakes(__file__)

DEFAULTS = {"lr": 0.01, "momentum": 0.9, "nesterov": False}
NAMES = ("new_param", "v")

SGD_SIGN = named("sgd-sign")
SGD_NO_LR = named("sgd-no-lr")
IGNORED = named("ignored")
DAMPENED = named("dampened")
SUTSKEVER = named("sutskever")
LR_IN_VELOCITY = named("lr-in-velocity")
VELOCITY_IGNORED = named("velocity-ignored")
OLD_VELOCITY_RETURNED = named("old-velocity-returned")
OLD_VELOCITY_STEP = named("old-velocity-step")
MOMENTUM_ON_GRAD = named("momentum-on-grad")
MOMENTUM_SIGN = named("momentum-sign")
NO_LR = named("no-lr")
NESTEROV_IGNORED = named("nesterov-ignored")
NESTEROV_NOT_ASKED = named("nesterov-not-asked")
NESTEROV_NO_GRAD = named("nesterov-no-grad")
NESTEROV_VELOCITY = named("nesterov-velocity")
NESTEROV_LR = named("nesterov-lr")
HIDDEN_STATE = named("hidden-state")


# --- Oracle -----------------------------------------------------------------------------------


def oracle(g, vel, lr=0.01, momentum=0.9, nesterov=False):
    """(update, v) of one step, where update = new_param - param."""
    v = g + momentum * vel
    if nesterov:
        return -lr * ((1 + momentum) * g + momentum**2 * vel), v
    return -lr * v, v


def settings(kw: dict) -> tuple[float, float, bool]:
    return tuple(kw.get(name, DEFAULTS[name]) for name in DEFAULTS)


# --- Likely mistakes --------------------------------------------------------------------------


def alternatives(g, vel, lr, m, nesterov):
    """(update, v) of the other conventions and of classic slips, by message."""
    v = m * vel + g
    step = g + m * v if nesterov else v
    sutskever_v = m * vel - lr * g
    # CS231n's Nesterov is param + (1 + m) * v_new - m * v_old, reading velocity as its v.
    sutskever_update = (1 + m) * sutskever_v - m * vel if nesterov else sutskever_v
    dampened_v = m * vel + (1 - m) * g
    found = {
        SUTSKEVER: (sutskever_update, sutskever_v),
        DAMPENED: (-lr * (g + m * dampened_v if nesterov else dampened_v), dampened_v),
        LR_IN_VELOCITY: (
            -(lr * g + m * (m * vel + lr * g)) if nesterov else -(m * vel + lr * g),
            m * vel + lr * g,
        ),
        VELOCITY_IGNORED: (-lr * ((1 + m) * g if nesterov else g), g),
        MOMENTUM_ON_GRAD: (None, vel + m * g),
        OLD_VELOCITY_RETURNED: (None, vel),
        OLD_VELOCITY_STEP: (None if nesterov else -lr * vel, None),
        MOMENTUM_SIGN: (lr * step, None),
        NO_LR: (-step, None),
    }
    if nesterov:
        found[NESTEROV_IGNORED] = (-lr * v, None)
        found[NESTEROV_NO_GRAD] = (-lr * m * v, None)
        found[NESTEROV_VELOCITY] = (None, g + m * v)
        found[NESTEROV_LR] = (-lr * g - m * v, None)
    else:
        found[NESTEROV_NOT_ASKED] = (-lr * (g + m * v), None)
    return found


def ignored_keywords(g, vel, kw, index):
    """The signature of a keyword left at its default, for the update (0) or v (1)."""
    found = {}
    for name, value in kw.items():
        # An ignored nesterov=True has its own message (it also covers the old velocity).
        if value != DEFAULTS[name] and name != "nesterov":
            other = oracle(g, vel, **{**DEFAULTS, **kw, name: DEFAULTS[name]})[index]
            found[IGNORED.format(name=name, value=DEFAULTS[name])] = near(other)
    return found


def mistakes_for(g, vel, kw, index):
    lr, m, nesterov = settings(kw)
    with np.errstate(all="ignore"):
        found = {
            message: near(pair[index])
            for message, pair in alternatives(g, vel, lr, m, nesterov).items()
            if pair[index] is not None
        }
    return {**ignored_keywords(g, vel, kw, index), **found}


# --- Checks -----------------------------------------------------------------------------------


def scale(a) -> float:
    return float(np.max(np.abs(a), initial=0.0)) if np.size(a) else 0.0


def call_text(p, kw, where=""):
    keywords = "".join(f", {name}={value!r}" for name, value in kw.items())
    return f"momentum_step(param of shape {p.shape}, grad, velocity{keywords}){where}"


def unpack(result, call, shape, expected):
    """Two arrays of param's shape, in the order (new_param, v)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mistake(
            f"{call} returned {describe(result)}; it must return the tuple (new_param, v)"
        )
    got = [
        expect_array(r, call=f"{call}, {name}", shape=shape)
        for r, name in zip(result, NAMES, strict=True)
    ]
    if not all(near(want)(have) for have, want in zip(got, expected, strict=True)):
        swapped = near(expected[1])(got[0]) and near(expected[0])(got[1])
        if swapped:
            raise Mistake(
                f"{call} returned (v, new_param): the results are in the wrong order; "
                "return (new_param, v)"
            )
    return got


def check_step(result, p, g, vel, kw, call):
    """Judge one momentum step against the oracle; returns the learner's (new_param, v)."""
    update, v = oracle(g, vel, **kw)
    got_p, got_v = unpack(result, call, p.shape, (p + update, v))
    expect_close(
        got_v,
        v,
        call=f"{call}, the velocity v",
        atol=1e-12 * (scale(vel) + scale(g)),
        mistakes=lambda: mistakes_for(g, vel, kw, 1),
    )
    lr = settings(kw)[0]
    expect_close(
        got_p - p,
        update,
        call=f"{call}, the update new_param - param",
        atol=1e-12 * lr * (scale(vel) + scale(g)) + 1e-15 * scale(p),
        mistakes=lambda: mistakes_for(g, vel, kw, 0),
    )
    return got_p, got_v


def step(impl, p, g, vel, where="", **kw):
    """Call and judge one momentum step."""
    call = call_text(p, kw, where)
    return check_step(impl.momentum_step(p, g, vel, **kw), p, g, vel, kw, call)


def check_sgd(impl, p, g, where="", **kw):
    lr = kw.get("lr", DEFAULTS["lr"])
    keywords = f", lr={lr!r}" if kw else ""
    call = f"sgd_step(param of shape {p.shape}, grad{keywords}){where}"
    got = expect_array(impl.sgd_step(p, g, **kw), call=call, shape=p.shape)
    found = {SGD_SIGN: near(lr * g), SGD_NO_LR: near(-g)}
    if lr != DEFAULTS["lr"]:
        found = {IGNORED.format(name="lr", value=DEFAULTS["lr"]): near(-0.01 * g), **found}
    expect_close(
        got - p,
        -lr * g,
        call=f"{call}, the update new_param - param",
        atol=1e-12 * lr * scale(g) + 1e-15 * scale(p),
        mistakes=found,
    )
    return got


# --- values: sgd_step -------------------------------------------------------------------------


@pytest.mark.values
def test_sgd_small_example(impl):
    """sgd_step on a hand-checked example, with the default lr and with lr=0.1"""
    p, g = np.array([1.0, -2.0, 0.5]), np.array([10.0, -20.0, 0.5])
    found = {SGD_SIGN: near(p + 0.01 * g), SGD_NO_LR: near(p - g)}
    expect_close(
        impl.sgd_step(p, g),
        [0.9, -1.8, 0.495],
        call="sgd_step(param=[1, -2, 0.5], grad=[10, -20, 0.5])",
        mistakes=found,
    )
    found = {IGNORED.format(name="lr", value=0.01): near(p - 0.01 * g), SGD_SIGN: near(p + 0.1 * g)}
    expect_close(
        impl.sgd_step(p, g, lr=0.1),
        [0.0, 0.0, 0.45],
        call="sgd_step(param=[1, -2, 0.5], grad=[10, -20, 0.5], lr=0.1)",
        mistakes=found,
    )


@pytest.mark.values
@pytest.mark.parametrize("lr", [None, 0.3, 1e-4])
def test_sgd_random(impl, rng, lr):
    """sgd_step on random values, with the default lr and non-default ones by keyword"""
    p, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    check_sgd(impl, p, g, **({} if lr is None else {"lr": lr}))


# --- values: momentum_step --------------------------------------------------------------------


@pytest.mark.values
def test_momentum_first_step(impl):
    """from zero velocity, the first step sets v = grad and moves param by -lr * grad"""
    p, g, zeros = np.array([1.0, -2.0, 0.5]), np.array([0.5, -3.0, 10.0]), np.zeros(3)
    call = "momentum_step(param=[1, -2, 0.5], grad=[0.5, -3, 10], velocity=[0, 0, 0])"
    got_p, got_v = unpack(impl.momentum_step(p, g, zeros), call, (3,), (p - 0.01 * g, g))
    expect_close(
        got_v, g, call=f"{call}, the velocity v", mistakes=lambda: mistakes_for(g, zeros, {}, 1)
    )
    expect_close(
        got_p - p,
        [-0.005, 0.03, -0.1],
        call=f"{call}, the update new_param - param",
        mistakes=lambda: mistakes_for(g, zeros, {}, 0),
    )


SMALL_P = np.array([1.0, -2.0, 0.5])
SMALL_G = np.array([0.5, 2.0, -1.0])
SMALL_VEL = np.array([1.0, -1.0, 4.0])
SMALL_TEXT = "momentum_step(param=[1, -2, 0.5], grad=[0.5, 2, -1], velocity=[1, -1, 4], lr=0.1, "
# v = 0.5 * velocity + grad = [1, 1.5, 1]; the Nesterov step grad + 0.5 * v = [1, 2.75, -0.5]
SMALL_V = np.array([1.0, 1.5, 1.0])


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_momentum_small_example(impl, nesterov):
    """one step from a non-zero velocity, hand-checked (lr=0.1, momentum=0.5)"""
    kw = {"lr": 0.1, "momentum": 0.5, "nesterov": nesterov}
    call = f"{SMALL_TEXT}momentum=0.5, nesterov={nesterov})"
    update = -0.1 * (np.array([1.0, 2.75, -0.5]) if nesterov else SMALL_V)
    result = impl.momentum_step(SMALL_P, SMALL_G, SMALL_VEL, **kw)
    got_p, got_v = unpack(result, call, (3,), (SMALL_P + update, SMALL_V))
    expect_close(
        got_v,
        SMALL_V,
        call=f"{call}, the velocity v",
        mistakes=lambda: mistakes_for(SMALL_G, SMALL_VEL, kw, 1),
    )
    expect_close(
        got_p - SMALL_P,
        update,
        call=f"{call}, the update new_param - param",
        mistakes=lambda: mistakes_for(SMALL_G, SMALL_VEL, kw, 0),
    )


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_momentum_random_step(impl, rng, nesterov):
    """one step from a random velocity matches the update"""
    p, g, vel = (rng.standard_normal((3, 5)) for _ in range(3))
    step(impl, p, g, vel, **({"nesterov": True} if nesterov else {}))


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_constant_gradient_builds_up(impl, rng, nesterov):
    """10 steps with the same gradient: v grows to g (1 - m**k) / (1 - m), step by step"""
    m, lr = 0.8, 0.05
    p0 = rng.standard_normal((2, 3))
    g = rng.standard_normal((2, 3))
    p, v = p0, np.zeros_like(p0)
    kw = {"lr": lr, "momentum": m, "nesterov": nesterov}
    for k in range(1, 11):
        # v_k = g (1 + m + ... + m**(k-1)); param moves by -lr * (v_1 + ... + v_k), plus
        # -lr * m * (v_1 + ... + v_k) + ... for Nesterov's step g + m v_k.
        v_k = g * (1 - m**k) / (1 - m)
        total = g * (k - m * (1 - m**k) / (1 - m)) / (1 - m)
        moved = -lr * (k * g + m * total) if nesterov else -lr * total
        call = call_text(p, kw, f" at step {k} of 10 with the same grad at every step")
        result = impl.momentum_step(p, g, v, **kw)
        check_against_closed_form(result, call, (p, g, v, kw), (p0 + moved, v_k))
        p, v = result


def check_against_closed_form(result, call, inputs, want):
    """Judge a step of a run whose params and velocities follow a closed form."""
    p, g, vel, kw = inputs
    new_p, new_v = want
    got_p, got_v = unpack(result, call, p.shape, want)
    expect_close(
        got_v,
        new_v,
        call=f"{call}, the velocity v",
        atol=1e-12 * (scale(vel) + scale(g)),
        mistakes=lambda: mistakes_for(g, vel, kw, 1),
    )
    lr = settings(kw)[0]
    expect_close(
        got_p - p,
        new_p - p,
        call=f"{call}, the update new_param - param",
        atol=1e-12 * lr * (scale(vel) + scale(g)) + 1e-14 * scale(p),
        mistakes=lambda: mistakes_for(g, vel, kw, 0),
    )


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_zero_gradient_coasts(impl, rng, nesterov):
    """with zero gradients the velocity decays by momentum each step, and param coasts"""
    m, lr = 0.9, 0.1
    p0 = rng.standard_normal(4)
    v0 = rng.standard_normal(4)
    zeros = np.zeros(4)
    p, v = p0, v0
    kw = {"lr": lr, "momentum": m, "nesterov": nesterov}
    for k in range(1, 7):
        # v_k = m**k v0; param moves by -lr * (m + ... + m**k) v0 (times m for Nesterov).
        geometric = m * (1 - m**k) / (1 - m)
        moved = -lr * (m if nesterov else 1.0) * geometric * v0
        call = call_text(p, kw, f" at step {k} of 6 with zero gradients")
        result = impl.momentum_step(p, zeros, v, **kw)
        check_against_closed_form(result, call, (p, zeros, v, kw), (p0 + moved, m**k * v0))
        p, v = result


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_trajectory_random_gradients(impl, rng, nesterov):
    """12 steps with random gradients follow the update exactly, step by step"""
    shape = (3, 4)
    p, v = rng.standard_normal(shape), np.zeros(shape)
    kw = {"nesterov": True} if nesterov else {}
    for k in range(1, 13):
        g = rng.standard_normal(shape) * rng.choice([0.01, 1.0, 100.0], shape)
        p, v = step(impl, p, g, v, where=f" at step {k} of 12 with random gradients", **kw)


@pytest.mark.values
@pytest.mark.parametrize("nesterov", [False, True], ids=["plain", "nesterov"])
def test_trajectory_quadratic(impl, rng, nesterov):
    """20 steps on a quadratic bowl follow the update exactly and go downhill"""
    # Each coordinate follows linear dynamics, so its loss after 20 steps is a fixed
    # fraction of its start that depends on its curvature a alone: at most 0.012 (plain)
    # and 0.004 (Nesterov) for any a in [0.5, 2], with lr=0.1 and momentum=0.8. A tenth
    # is a safe bound for a correct file.
    shape = (2, 5)
    a = rng.uniform(0.5, 2.0, shape)
    centre = rng.standard_normal(shape)
    p = centre + rng.choice([-1.0, 1.0], shape) * rng.uniform(1.0, 2.0, shape)
    start_loss = 0.5 * float(np.sum(a * (p - centre) ** 2))
    v = np.zeros(shape)
    kw = {"lr": 0.1, "momentum": 0.8, "nesterov": nesterov}
    for k in range(1, 21):
        g = a * (p - centre)
        p, v = step(impl, p, g, v, where=f" at step {k} of 20 on a quadratic", **kw)
    end_loss = 0.5 * float(np.sum(a * (p - centre) ** 2))
    if not end_loss < 0.1 * start_loss:
        raise Mistake(
            f"20 momentum steps (lr=0.1, momentum=0.8, nesterov={nesterov}) on the quadratic "
            f"0.5 * sum(a * (p - c)**2) took the loss from {start_loss:.4g} to "
            f"{end_loss:.4g}; it should fall below a tenth"
        )


KEYWORDS = {
    "lr": {"lr": 0.2},
    "momentum": {"momentum": 0.5},
    "momentum-0": {"momentum": 0.0},
    "nesterov": {"nesterov": True},
    "all": {"lr": 0.3, "momentum": 0.7, "nesterov": True},
}


@pytest.mark.values
@pytest.mark.parametrize("which", list(KEYWORDS))
def test_keyword_arguments(impl, rng, which):
    """non-default lr, momentum and nesterov passed by keyword are used"""
    shape = (4, 2)
    p, vel = rng.standard_normal(shape), rng.standard_normal(shape)
    got = step(impl, p, rng.standard_normal(shape), vel, **KEYWORDS[which])
    step(impl, got[0], rng.standard_normal(shape), got[1], **KEYWORDS[which])


# --- shapes -----------------------------------------------------------------------------------


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_any_shape(impl, rng, shape):
    """param of any shape, including 0-d and empty, gives float64 results of that shape"""
    p, g, vel = (rng.standard_normal(shape) for _ in range(3))
    got = check_sgd(impl, p, g)
    expect_array(got, call=f"sgd_step(param of shape {shape}, grad)", dtype=np.float64)
    kw = {"nesterov": True} if len(shape) % 2 else {}
    call = call_text(p, kw)
    result = check_step(impl.momentum_step(p, g, vel, **kw), p, g, vel, kw, call)
    for value, name in zip(result, NAMES, strict=True):
        expect_array(value, call=f"{call}, {name}", dtype=np.float64)


# --- contract ---------------------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """param, grad and velocity are left untouched"""
    shape = (3, 4)
    p, g, vel = (rng.standard_normal(shape) for _ in range(3))
    expect_inputs_unchanged(impl, "sgd_step", p, g, arg_names=("param", "grad"), lr=0.1)
    names = ("param", "grad", "velocity")
    expect_inputs_unchanged(impl, "momentum_step", p, g, vel, arg_names=names)
    expect_inputs_unchanged(impl, "momentum_step", p, g, vel, arg_names=names, nesterov=True)


@pytest.mark.contract
def test_return_types(impl, rng):
    """sgd_step returns an array; momentum_step the tuple (new_param, v) of arrays"""
    shape = (2, 3)
    p, g, vel = (rng.standard_normal(shape) for _ in range(3))
    got = impl.sgd_step(p, g)
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"sgd_step(param of shape {shape}, grad) returned {describe(got)}; return a NumPy "
            "array (not a list)"
        )
    call = call_text(p, {})
    result = impl.momentum_step(p, g, vel)
    if not isinstance(result, tuple) or len(result) != 2:
        raise Mistake(f"{call} returned {describe(result)}; return a tuple (new_param, v)")
    for value, name in zip(result, NAMES, strict=True):
        if not isinstance(value, np.ndarray):
            raise Mistake(f"{call} returned {describe(value)} as {name}; it must be a NumPy array")
    check_step(result, p, g, vel, {}, call)


@pytest.mark.contract
def test_no_state_between_calls(impl, rng):
    """results depend only on the arguments: two interleaved runs, repeated calls"""
    shape = (2, 4)
    runs = [[rng.standard_normal(shape), np.zeros(shape)] for _ in range(2)]
    for k, index in itertools.product(range(1, 4), range(2)):
        p, v = runs[index]
        g = rng.standard_normal(shape)
        once = impl.momentum_step(p, g, v)
        again = impl.momentum_step(p, g, v)
        call = call_text(p, {}, f" at step {k} of run {index + 1} of two interleaved runs")
        update, new_v = oracle(g, v)
        first = unpack(once, call, shape, (p + update, new_v))
        second = unpack(again, call + " (the same call again)", shape, (p + update, new_v))
        if not all(
            np.array_equal(a, b, equal_nan=True) for a, b in zip(first, second, strict=True)
        ):
            raise Mistake(f"{call}: {HIDDEN_STATE}")
        runs[index] = list(check_step(once, p, g, v, {}, call))
