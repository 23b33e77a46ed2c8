"""Hidden suite for rnn_bptt.

The oracle is written here independently of the reference: the forward precomputes the
input projection of every step with einsum before the loop over time; the backward first
collects the pre-activation gradients of every step (time-major, walking back in time),
then forms every parameter gradient with one einsum over batch and time. Finite
differences use the oracle forward; the loss is sum(G * hs) for a random G.

Sizes are all different (N, T, input_size, hidden_size) so that a swapped axis shows, and
W_hh, the one square matrix, is random and not symmetric, so a missing transpose shows too.

Gradient checks draw their inputs again until every entry of every oracle gradient is at
least 1e-2 away from 0 (two or three draws on average): finite differences carry an
absolute error near 1e-10, which the contract's relative error would magnify for an entry
that happens to be almost 0. Over 2000 seeds the oracle then agrees with finite
differences within 3.4e-8, 30 times below the contract's 1e-6.

The initial weights are checked as a law (bounds, and a Kolmogorov-Smirnov distance below
deviation_bound(n, 1e-9) for each of the three arrays, so a correct file fails a run with
probability below 3e-9), and for same-seed determinism, never for bit-equality.
"""

import math

import numpy as np
import pytest

from grader.sandbox.parent import RemoteObject
from grader.suite import (
    Mistake,
    declared_mistakes,
    describe,
    deviation_bound,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    hint_on_error,
    ks_distance,
    likely_mistake,
    near,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
    uniform_cdf,
)

named = declared_mistakes(__file__)

P_EACH = 1e-9
PARAMS = ("W_xh", "W_hh", "b_h")
GRADS = ("dW_xh", "dW_hh", "db_h", "dh0")

# ----- likely mistakes, named the way the learner should read them -----

NO_RECURRENCE = named("no-recurrence")
W_HH_UNTRANSPOSED = named("w-hh-untransposed")
NO_TANH = named("no-tanh")
NO_BIAS = named("no-bias")
H0_IGNORED = named("h0-ignored")
SHIFTED = named("shifted")
WITH_H0 = named("with-h0")
LAST_ONLY = named("last-only")
TIME_MAJOR = named("time-major")
STALE_WEIGHTS = named("stale-weights")
FORWARD_SHAPES = named("forward-shapes")
BACKWARD_SHAPES = named("backward-shapes")
SHAPE_ERRORS = ("matmul", "shapes", "broadcast", "aligned", "dimension", "index")

NO_RECURRENT_TERM = named("no-recurrent-term")
RECURRENT_TRANSPOSED = named("recurrent-transposed")
TANH_LOCAL_ONLY = named("tanh-local-only")
SLOPE_WRONG_STEP = named("slope-wrong-step")
SLOPE_FORM = named("slope-form")
DW_HH_CURRENT = named("dw-hh-current")
DW_HH_NO_FIRST = named("dw-hh-no-first")
AVERAGED = named("averaged")
TIME_AVERAGED = named("time-averaged")
LAST_STEP_ONLY = named("last-step-only")
DH0_BEFORE_TANH = named("dh0-before-tanh")
DH0_NO_W_HH = named("dh0-no-w-hh")
DH0_TRANSPOSED = named("dh0-transposed")
DH0_MISSING = named("dh0-missing")
GRAD_MISSING = named("grad-missing")
ACCUMULATED = named("accumulated")
STALE_FORWARD = named("stale-forward")
BIAS_ZEROS = named("bias-zeros")
BOUND_INPUT = named("bound-input")
BOUND_GLOROT = named("bound-glorot")
BOUND_NO_SQRT = named("bound-no-sqrt")
FROM_ZERO = named("from-zero")
NORMAL_DRAW = named("normal-draw")
SATURATION = named("saturation")


# ----- the oracle -----


def oracle_forward(x, W_xh, W_hh, b_h, h0=None) -> np.ndarray:
    """Every state (N, T, hidden); the input projection of all steps is computed first."""
    n, steps, _ = x.shape
    projected = np.einsum("nti,hi->nth", x, W_xh) + b_h
    state = np.zeros((n, len(b_h))) if h0 is None else h0
    states = []
    for t in range(steps):
        state = np.tanh(projected[:, t] + np.einsum("nk,hk->nh", state, W_hh))
        states.append(state)
    return np.stack(states, axis=1)


def previous_states(hs, h0) -> np.ndarray:
    """h_{t-1} for every step: h0, then hs without its last step."""
    first = np.zeros_like(hs[:, 0]) if h0 is None else h0
    return np.concatenate([first[:, None], hs[:, :-1]], axis=1)


def oracle_deltas(g, hs, W_hh) -> tuple:
    """dL/da_t for every step (time-major), walking back in time, and what reaches h0."""
    steps = hs.shape[1]
    deltas = np.zeros((steps,) + hs[:, 0].shape)
    carried = np.zeros_like(hs[:, 0])
    for t in range(steps - 1, -1, -1):
        deltas[t] = (g[:, t] + carried) * (1 - hs[:, t] ** 2)
        carried = np.einsum("nh,hk->nk", deltas[t], W_hh)
    return deltas, carried


def oracle_backward(g, x, W_xh, W_hh, b_h, h0=None) -> dict:
    """dx and the four gradients: step gradients first (backwards in time), then einsums."""
    hs = oracle_forward(x, W_xh, W_hh, b_h, h0)
    deltas, carried = oracle_deltas(g, hs, W_hh)
    return {
        "dx": np.einsum("tnh,hi->nti", deltas, W_xh),
        "dW_xh": np.einsum("tnh,nti->hi", deltas, x),
        "dW_hh": np.einsum("tnh,ntk->hk", deltas, previous_states(hs, h0)),
        "db_h": np.einsum("tnh->h", deltas),
        "dh0": carried,
    }


# ----- the signatures of likely mistakes -----


def textbook_backward(g, x, W_xh, W_hh, b_h, h0=None, **bug) -> dict:
    """The usual loop over time with one classic mistake switched on by ``bug``."""
    hs = oracle_forward(x, W_xh, W_hh, b_h, h0)
    prev = previous_states(hs, h0)
    steps = hs.shape[1]
    dx = np.zeros_like(x, dtype=np.float64)
    grads = {"dW_xh": 0 * W_xh, "dW_hh": 0 * W_hh, "db_h": 0 * b_h}
    back = W_hh.T if bug.get("recurrent_transposed") else W_hh
    dh_next = np.zeros_like(hs[:, 0])
    dh_first = da_first = None
    for t in reversed(range(steps)):
        dh = g[:, t] + (0 if bug.get("no_recurrent") else dh_next)
        h = hs[:, t]
        slope = {
            "previous": 1 - prev[:, t] ** 2,
            "tanh_twice": 1 - np.tanh(h) ** 2,
            "sigmoid": h * (1 - h),
        }.get(bug.get("slope"), 1 - h**2)
        da = g[:, t] * slope + dh_next if bug.get("tanh_local") else dh * slope
        paired = h if bug.get("dw_hh_current") else prev[:, t]
        if not (bug.get("dw_hh_no_first") and t == 0):
            grads["dW_hh"] = grads["dW_hh"] + da.T @ paired
        grads["dW_xh"] = grads["dW_xh"] + da.T @ x[:, t]
        grads["db_h"] = grads["db_h"] + da.sum(axis=0)
        dx[:, t] = da @ W_xh
        dh_next = da @ back
        dh_first, da_first = dh, da
    return {"dx": dx, **grads, "dh0": dh_next, "dh_first": dh_first, "da_first": da_first}


# Each mistake, and the bugs of textbook_backward that make it (any of them).
BACKWARD_BUGS = {
    NO_RECURRENT_TERM: [{"no_recurrent": True}],
    RECURRENT_TRANSPOSED: [{"recurrent_transposed": True}],
    TANH_LOCAL_ONLY: [{"tanh_local": True}],
    SLOPE_WRONG_STEP: [{"slope": "previous"}],
    SLOPE_FORM: [{"slope": "tanh_twice"}, {"slope": "sigmoid"}],
    DW_HH_CURRENT: [{"dw_hh_current": True}],
    DW_HH_NO_FIRST: [{"dw_hh_no_first": True}],
}


def any_of(*alternatives):
    """A predicate: ``got`` matches one of several arrays a single mistake may give."""
    signatures = [near(a) for a in alternatives]
    return lambda got: any(matches(got) for matches in signatures)


def backward_mistakes(g, x, W_xh, W_hh, b_h, h0=None, extra=None):
    """A function building {array name: {message: signature}} (only run when a check fails)."""

    def build() -> dict:
        want = oracle_backward(g, x, W_xh, W_hh, b_h, h0)
        n, steps = g.shape[:2]
        found = {name: {} for name in want}
        with np.errstate(all="ignore"):
            for message, bugs in BACKWARD_BUGS.items():
                wrong = [textbook_backward(g, x, W_xh, W_hh, b_h, h0, **bug) for bug in bugs]
                for name in found:
                    found[name][message] = any_of(*(w[name] for w in wrong))
            right = textbook_backward(g, x, W_xh, W_hh, b_h, h0)
            found["dh0"][DH0_BEFORE_TANH] = near(right["dh_first"])
            found["dh0"][DH0_NO_W_HH] = near(right["da_first"])
            found["dh0"][DH0_TRANSPOSED] = near(right["da_first"] @ W_hh.T)
            hs = oracle_forward(x, W_xh, W_hh, b_h, h0)
            deltas, _ = oracle_deltas(g, hs, W_hh)
            prev = previous_states(hs, h0)
            one_step = {  # the contributions of the first and of the last step alone
                "dW_xh": [deltas[t].T @ x[:, t] for t in (0, -1)],
                "dW_hh": [deltas[t].T @ prev[:, t] for t in (0, -1)],
                "db_h": [deltas[t].sum(axis=0) for t in (0, -1)],
            }
            for name in ("dW_xh", "dW_hh", "db_h", "dx"):
                found[name][AVERAGED.format(name=name)] = near(want[name] / n)
            for name in ("dW_xh", "dW_hh", "db_h"):
                found[name][TIME_AVERAGED.format(name=name)] = near(want[name] / steps)
                if steps > 1:
                    found[name][LAST_STEP_ONLY.format(name=name)] = any_of(*one_step[name])
        for name, more in (extra or {}).items():
            found[name] = {**more, **found[name]}
        return found

    return build


def forward_mistakes(x, W_xh, W_hh, b_h, h0=None, stale=None) -> dict:
    n, steps, _ = x.shape
    hidden = len(b_h)
    with np.errstate(all="ignore"):
        right = oracle_forward(x, W_xh, W_hh, b_h, h0)
        first = np.zeros((n, hidden)) if h0 is None else h0
        found = {
            NO_RECURRENCE: np.tanh(np.einsum("nti,hi->nth", x, W_xh) + b_h),
            W_HH_UNTRANSPOSED: oracle_forward(x, W_xh, W_hh.T, b_h, h0),
            NO_BIAS: oracle_forward(x, W_xh, W_hh, 0 * b_h, h0),
            SHIFTED: np.concatenate([first[:, None], right[:, :-1]], axis=1),
            NO_TANH: no_tanh_forward(x, W_xh, W_hh, b_h, h0),
        }
        if h0 is not None:
            found[H0_IGNORED] = oracle_forward(x, W_xh, W_hh, b_h)
    found = {message: near(value) for message, value in found.items()}
    if stale is not None:
        found = {STALE_WEIGHTS: stale, **found}
    return found


def no_tanh_forward(x, W_xh, W_hh, b_h, h0=None) -> np.ndarray:
    state = np.zeros((x.shape[0], len(b_h))) if h0 is None else h0
    states = []
    for t in range(x.shape[1]):
        state = x[:, t] @ W_xh.T + state @ W_hh.T + b_h
        states.append(state)
    return np.stack(states, axis=1)


def forward_shape_hint(got, x, hidden: int) -> str:
    n, steps, _ = x.shape
    if not isinstance(got, np.ndarray):
        return ""
    hints = {
        (steps, n, hidden): TIME_MAJOR,
        (n, hidden): LAST_ONLY,
        (n, steps + 1, hidden): WITH_H0,
    }
    return hints.get(got.shape, "")


# ----- calling the learner's RNN -----


def seed_of(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def random_params(rng, input_size: int, hidden: int, scale: float = 0.7) -> tuple:
    """Weights of moderate size (tanh neither linear nor saturated); W_hh not symmetric."""
    return (
        scale * rng.uniform(-1, 1, (hidden, input_size)),
        scale * rng.uniform(-1, 1, (hidden, hidden)),
        0.5 * rng.standard_normal(hidden),
    )


def rnn_with(impl, params: tuple, seed: int = 0):
    """A learner RNN with W_xh, W_hh and b_h assigned (as the contract allows)."""
    W_xh, W_hh, b_h = params
    rnn = impl.RNN(W_xh.shape[1], len(b_h), rng=np.random.default_rng(seed))
    rnn.W_xh = W_xh
    rnn.W_hh = W_hh
    rnn.b_h = b_h
    return rnn


def run_forward(rnn, x, h0=None):
    with (
        hint_on_error(FORWARD_SHAPES, error_type="ValueError", contains=SHAPE_ERRORS),
        hint_on_error(FORWARD_SHAPES, error_type="IndexError"),
    ):
        return rnn.forward(x) if h0 is None else rnn.forward(x, h0=h0)


def run_backward(rnn, g, call: str):
    with hint_on_error(BACKWARD_SHAPES, error_type="ValueError", contains=SHAPE_ERRORS):
        dx = rnn.backward(g)
    if dx is None:
        raise Mistake(
            f"{call} returned None: backward must return dL/dx, of shape (N, T, input_size), "
            "besides setting dW_xh, dW_hh, db_h and dh0"
        )
    return dx


def read_grad(rnn, name: str):
    hint = DH0_MISSING if name == "dh0" else GRAD_MISSING
    with hint_on_error(hint, error_type="AttributeError"):
        return getattr(rnn, name)


def expect_values(got, expected, *, call: str, mistakes=None, hint: str = ""):
    """expect_close, naming a known mistake (or ``hint``) for a wrong shape too."""
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if isinstance(got, np.ndarray) and got.shape != expected.shape:
        named = likely_mistake(got, mistakes) or (f" Likely mistake: {hint}" if hint else "")
        if named:
            raise Mistake(f"{call} has shape {got.shape}; expected {expected.shape}.{named}")
    return expect_close(got, expected, call=call, mistakes=mistakes)


def check_forward(rnn, x, params, h0=None, *, call: str, stale=None) -> np.ndarray:
    want = oracle_forward(x, *params, h0)
    got = run_forward(rnn, x, h0)
    expect_values(
        got,
        want,
        call=call,
        mistakes=lambda: forward_mistakes(x, *params, h0, stale),
        hint=forward_shape_hint(got, x, len(params[2])),
    )
    return want


def check_backward(rnn, g, x, params, h0=None, *, call: str, extra=None) -> dict:
    """The returned dx, then db_h, dW_xh, dW_hh and dh0 against the oracle."""
    want = oracle_backward(g, x, *params, h0)
    mistakes = backward_mistakes(g, x, *params, h0, extra)
    got = {"dx": run_backward(rnn, g, call)}
    for name in ("db_h", "dW_xh", "dW_hh", "dh0"):
        got[name] = read_grad(rnn, name)
    for name in ("dx", "db_h", "dW_xh", "dW_hh", "dh0"):
        where = f"{call} (the returned dx)" if name == "dx" else f"{name} after {call}"
        expect_values(got[name], want[name], call=where, mistakes=lambda n=name: mistakes()[n])
    return want


# ----- a hand-checked example -----

HAND = (
    np.array([[1.0], [-0.5]]),
    np.array([[0.5, -1.0], [0.25, 0.0]]),
    np.array([0.0, 0.1]),
)
HAND_X = np.array([[[1.0], [0.0], [-2.0]]])
HAND_CALL = (
    "RNN(1, 2) with W_xh = [[1], [-0.5]], W_hh = [[0.5, -1], [0.25, 0]], b_h = [0, 0.1]: "
    "forward(x = [[[1], [0], [-2]]])"
)


def hand_states() -> np.ndarray:
    """The three states, one scalar formula per unit (math.tanh)."""
    states, p, q = [], 0.0, 0.0
    for x in (1.0, 0.0, -2.0):
        p, q = (
            math.tanh(1.0 * x + 0.5 * p - 1.0 * q + 0.0),
            math.tanh(-0.5 * x + 0.25 * p + 0.0 * q + 0.1),
        )
        states.append([p, q])
    return np.array([states])


@pytest.mark.values
def test_forward_small_example(impl):
    """forward on a hand-checked example (one sequence of three steps, two hidden units)"""
    rnn = impl.RNN(1, 2, rng=np.random.default_rng(0))
    initial = tuple(getattr(rnn, name) for name in PARAMS)
    for name, value in zip(PARAMS, HAND, strict=True):
        setattr(rnn, name, value)
    got = run_forward(rnn, HAND_X)
    expect_values(
        got,
        hand_states(),
        call=HAND_CALL,
        mistakes=forward_mistakes(HAND_X, *HAND, stale=stale_forward(HAND_X, initial, HAND)),
        hint=forward_shape_hint(got, HAND_X, 2),
    )


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """forward returns every state of h_t = tanh(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h)"""
    n, steps, input_size, hidden = 3, 5, 4, 6
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    check_forward(
        rnn_with(impl, params, seed_of(rng)),
        x,
        params,
        call="RNN(4, 6) with weights assigned: forward(x of shape (3, 5, 4))",
    )


@pytest.mark.values
def test_forward_with_h0(impl, rng):
    """forward starts from the given h0"""
    n, steps, input_size, hidden = 4, 3, 2, 5
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    check_forward(
        rnn_with(impl, params, seed_of(rng)),
        x,
        params,
        h0,
        call="RNN(2, 5) with weights assigned: forward(x of shape (4, 3, 2), h0=(4, 5) array)",
    )


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """backward gives dx, dW_xh, dW_hh, db_h and dh0 through every step (with h0 given)"""
    n, steps, input_size, hidden = 3, 4, 5, 2
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x, h0)
    check_backward(
        rnn,
        g,
        x,
        params,
        h0,
        call="RNN(5, 2): forward(x of shape (3, 4, 5), h0=...), then backward(grad_hs)",
    )


@pytest.mark.values
def test_backward_loss_on_last_state_only(impl, rng):
    """a loss on the last state only reaches every earlier step, x and h0 through W_hh"""
    n, steps, input_size, hidden = 2, 5, 3, 4
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    g = np.zeros((n, steps, hidden))
    g[:, -1] = rng.standard_normal((n, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x)
    check_backward(
        rnn,
        g,
        x,
        params,
        call=(
            "RNN(3, 4): forward(x of shape (2, 5, 3)), then backward(grad_hs that is zero "
            "except at the last step)"
        ),
    )


@pytest.mark.values
def test_backward_without_h0(impl, rng):
    """backward after a forward without h0 still sets dh0 (h0 defaulted to zeros)"""
    n, steps, input_size, hidden = 4, 3, 2, 3
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    g = rng.standard_normal((n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x)
    check_backward(
        rnn, g, x, params, call="RNN(2, 3): forward(x of shape (4, 3, 2)), then backward(grad_hs)"
    )


# ----- shapes -----


def expect_attribute_shape(value, shape: tuple, what: str, hints: dict) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise Mistake(f"{what} is {describe(value)}; it must be a NumPy array")
    if value.shape != shape:
        hint = hints.get(value.shape, "")
        raise Mistake(f"{what} has shape {value.shape}; expected {shape}.{hint}")
    return value


@pytest.mark.shapes
def test_init_shapes(impl, rng):
    """W_xh is (hidden, input_size), W_hh (hidden, hidden) and b_h (hidden,)"""
    for input_size, hidden in ((3, 5), (7, 2), (1, 1)):
        rnn = impl.RNN(input_size, hidden, rng=np.random.default_rng(seed_of(rng)))
        name = f"RNN({input_size}, {hidden}, rng=...)"
        expect_attribute_shape(
            rnn.W_xh,
            (hidden, input_size),
            f"{name}.W_xh",
            {(input_size, hidden): " Likely mistake: W_xh is stored transposed"},
        )
        expect_attribute_shape(rnn.W_hh, (hidden, hidden), f"{name}.W_hh", {})
        b_hint = " Likely mistake: b_h must be 1-D, of shape (hidden_size,)"
        expect_attribute_shape(
            rnn.b_h, (hidden,), f"{name}.b_h", {(1, hidden): b_hint, (hidden, 1): b_hint}
        )


SIZES = [(1, 1, 1, 1), (2, 1, 3, 4), (1, 6, 2, 3), (5, 2, 4, 3)]


@pytest.mark.shapes
@pytest.mark.parametrize("sizes", SIZES, ids=shape_id)
def test_other_sizes(impl, rng, sizes):
    """forward and backward for a batch of 1, a single step, and other sizes"""
    n, steps, input_size, hidden = sizes
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    name = f"RNN({input_size}, {hidden})"
    call = f"{name}: forward(x of shape {(n, steps, input_size)}, h0=...)"
    check_forward(rnn, x, params, h0, call=call)
    check_backward(rnn, g, x, params, h0, call=f"{call}, then backward(grad_hs)")


# ----- gradients against finite differences -----

GRAD_SIZES = (2, 6, 3, 4)
GRAD_CALL = "RNN(3, 4): backward(G) after forward(x of shape (2, 6, 3), h0=...)"


def gradient_setup(impl, rng):
    """Random x, h0, weights and G, the oracle's gradients of sum(G * hs), and the learner's.

    Drawn again until every entry of every oracle gradient is at least 1e-2 away from 0
    (see the module docstring); a draw qualifies with probability about 0.4.
    """
    n, steps, input_size, hidden = GRAD_SIZES
    for _ in range(1000):
        params = random_params(rng, input_size, hidden)
        x = rng.standard_normal((n, steps, input_size))
        h0 = rng.uniform(-0.9, 0.9, (n, hidden))
        g = rng.standard_normal((n, steps, hidden))
        want = oracle_backward(g, x, *params, h0)
        if min(np.min(np.abs(part)) for part in want.values()) >= 1e-2:
            break
    else:  # pragma: no cover - a draw qualifies with probability about 0.4
        raise RuntimeError("no gradient setup away from 0 in 1000 draws")
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x, h0)
    dx = run_backward(rnn, g, GRAD_CALL)
    mistakes = backward_mistakes(g, x, *params, h0)
    return rnn, params, x, h0, g, dx, mistakes


def expect_gradient_of(got, numeric, *, call: str, wrt: str, mistakes) -> None:
    if isinstance(got, np.ndarray) and got.shape != numeric.shape:
        named = likely_mistake(got, mistakes)
        if named:
            raise Mistake(f"{call} has shape {got.shape}; expected {numeric.shape}.{named}")
    expect_gradient(got, numeric, call=call, wrt=wrt, mistakes=mistakes)


def loss(g, x, params, h0) -> float:
    return float(np.sum(g * oracle_forward(x, *params, h0)))


@pytest.mark.gradients
def test_dx_matches_finite_differences(impl, rng):
    """dx returned by backward is the gradient of sum(G * forward(x)) (finite differences)"""
    _, params, x, h0, g, dx, mistakes = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda z: loss(g, z, params, h0), x)
    expect_gradient_of(
        dx, numeric, call=f"{GRAD_CALL} (the returned dx)", wrt="x", mistakes=mistakes()["dx"]
    )


@pytest.mark.gradients
@pytest.mark.parametrize("index", range(3), ids=PARAMS)
def test_param_gradient_matches_finite_differences(impl, rng, index):
    """dW_xh, dW_hh and db_h are the gradients of sum(G * hs) (finite differences)"""
    rnn, params, x, h0, g, _, mistakes = gradient_setup(impl, rng)
    name = "d" + PARAMS[index]

    def with_param(value):
        changed = list(params)
        changed[index] = value
        return loss(g, x, changed, h0)

    numeric = numerical_gradient(with_param, params[index])
    expect_gradient_of(
        read_grad(rnn, name),
        numeric,
        call=f"{name} after {GRAD_CALL}",
        wrt=PARAMS[index],
        mistakes=mistakes()[name],
    )


@pytest.mark.gradients
def test_dh0_matches_finite_differences(impl, rng):
    """dh0 is the gradient of sum(G * hs) with respect to h0 (finite differences)"""
    rnn, params, x, h0, g, _, mistakes = gradient_setup(impl, rng)
    numeric = numerical_gradient(lambda h: loss(g, x, params, h), h0)
    expect_gradient_of(
        read_grad(rnn, "dh0"),
        numeric,
        call=f"dh0 after {GRAD_CALL}",
        wrt="h0",
        mistakes=mistakes()["dh0"],
    )


# ----- stability -----


@pytest.mark.stability
def test_saturated_units_stay_finite(impl, rng):
    """inputs of magnitude 1e3 to 1e100 saturate the tanh: finite states, no fp warnings"""
    n, steps, input_size, hidden = 3, 4, 2, 5
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size)) * np.array([1e3, 1e100])
    g = rng.standard_normal((n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    call = "RNN(2, 5) on x of shape (3, 4, 2) with entries near 1e3 and 1e100"
    with no_fp_warnings(rnn, f"{call}: forward / backward", SATURATION):
        hs = run_forward(rnn, x)
        dx = run_backward(rnn, g, f"{call}: backward")
    expect_values(hs, oracle_forward(x, *params), call=f"{call}: forward")
    want = oracle_backward(g, x, *params)
    expect_values(dx, want["dx"], call=f"{call}: backward (the returned dx)")
    for name in GRADS:
        expect_values(read_grad(rnn, name), want[name], call=f"{name} after {call}: backward")


# ----- the contract -----


def law_mistakes(sample: np.ndarray, input_size: int, hidden: int) -> str:
    """The likely mistake whose law the sample fits, or ''."""
    threshold = deviation_bound(sample.size, P_EACH)
    laws = {
        BOUND_INPUT: uniform_cdf(1 / math.sqrt(input_size)),
        BOUND_GLOROT: uniform_cdf(math.sqrt(6 / (input_size + hidden))),
        BOUND_NO_SQRT: uniform_cdf(1 / hidden),
        FROM_ZERO: lambda v: np.clip(np.asarray(v) * math.sqrt(hidden), 0.0, 1.0),
    }
    for message, cdf in laws.items():
        if ks_distance(sample, cdf) <= threshold:
            return f" Likely mistake: {message}"
    return ""


@pytest.mark.contract
def test_init_uniform_law(impl, rng):
    """W_xh, W_hh and b_h start U(-1/sqrt(hidden), 1/sqrt(hidden)) (bounds and KS distance)"""
    input_size, hidden = 25, 64
    bound = 1 / math.sqrt(hidden)
    rnn = impl.RNN(input_size, hidden, rng=np.random.default_rng(seed_of(rng)))
    shapes = {"W_xh": (hidden, input_size), "W_hh": (hidden, hidden), "b_h": (hidden,)}
    for name, shape in shapes.items():
        call = f"RNN({input_size}, {hidden}, rng=...).{name}"
        value = expect_array(getattr(rnn, name), call=call, shape=shape)
        value = value.astype(np.float64)
        if not np.all(np.isfinite(value)):
            raise Mistake(f"{call} contains NaN or inf")
        if np.all(value == 0):
            hint = f" Likely mistake: {BIAS_ZEROS}" if name == "b_h" else ""
            raise Mistake(f"{call} is all zeros; it must start U(-{bound:.4g}, {bound:.4g}).{hint}")
        top = float(np.max(np.abs(value)))
        distance = ks_distance(value, uniform_cdf(bound))
        threshold = deviation_bound(value.size, P_EACH)
        if top > bound * (1 + 1e-12) or distance > threshold:
            seen = (
                f"{call}: largest |entry| {top:.4g}, Kolmogorov-Smirnov distance to "
                f"U(-{bound:.4g}, {bound:.4g}) {distance:.3g} (a correct draw stays below "
                f"{threshold:.3g}); the bound is 1/sqrt(hidden_size) = {bound:.4g}."
            )
            hint = law_mistakes(value, input_size, hidden)
            if not hint and top > 3 * bound:
                hint = f" Likely mistake: {NORMAL_DRAW}"
            raise Mistake(seen + hint)


@pytest.mark.contract
def test_same_seed_same_weights(impl, rng):
    """the same seed gives the same weights, different seeds different ones"""
    seed = seed_of(rng)
    call = "RNN(3, 4, rng=np.random.default_rng(s))"

    def weights(s: int) -> list:
        rnn = impl.RNN(3, 4, rng=np.random.default_rng(s))
        return [np.asarray(getattr(rnn, name)) for name in PARAMS]

    first, again, other = weights(seed), weights(seed), weights(seed + 1)
    for name, a, b, c in zip(PARAMS, first, again, other, strict=True):
        if a.shape != b.shape or not np.array_equal(a, b):
            raise Mistake(
                f"{call} built twice with the same seed s gave different {name}. Likely mistake: "
                "drawing from np.random (the global generator) instead of the rng argument"
            )
        if name != "b_h" and a.shape == c.shape and np.array_equal(a, c):
            raise Mistake(
                f"{call} gave the same {name} for seeds {seed} and {seed + 1}. Likely mistake: "
                "the weights ignore the rng argument (a fixed seed inside __init__?)"
            )


@pytest.mark.contract
def test_default_rng_without_seed(impl):
    """without rng, two RNNs start with different weights within the bound"""
    bound = 1 / math.sqrt(4)
    first, second = impl.RNN(3, 4), impl.RNN(3, 4)
    for name in ("W_xh", "W_hh"):
        a = expect_array(getattr(first, name), call=f"RNN(3, 4).{name}")
        b = expect_array(getattr(second, name), call=f"RNN(3, 4).{name}")
        if np.any(np.abs(a) > bound * (1 + 1e-12)):
            raise Mistake(f"RNN(3, 4).{name} has entries beyond the bound 1/sqrt(4) = 0.5")
        if a.shape == b.shape and np.array_equal(a, b):
            raise Mistake(
                f"RNN(3, 4) built twice without rng gave identical {name}. Likely mistake: a "
                "fixed seed as the default; without rng use a fresh np.random.default_rng()"
            )


def expect_keyword_unchanged(owner, name: str, *args, **kwargs) -> None:
    """Like expect_inputs_unchanged, for arrays passed by keyword (optional parameters).

    grader.suite watches positional arrays only, and the contract passes optional parameters
    by keyword; the arrays go through the same memory the grader reads back itself.
    """
    sandbox = owner._sandbox
    sent = {}
    for key, value in kwargs.items():
        shared = sandbox.share(value)
        sent[key] = shared if shared is not None else sandbox.put(value)
    sandbox.call(owner, name, args, sent)
    for key, original in kwargs.items():
        after = (
            sandbox.fetch(sent[key])
            if isinstance(sent[key], RemoteObject)
            else sandbox.shared_now(sent[key])
        )
        if not (
            isinstance(after, np.ndarray)
            and after.shape == original.shape
            and np.array_equal(after, original)
        ):
            raise Mistake(
                f"{name}() modified its input {key} in place; functions must leave their inputs "
                "untouched (start from h = h0 and rebind h = np.tanh(...) at each step; "
                "h[...] = or h *= would write into the caller's h0)"
            )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward modifies neither x nor h0, and backward does not modify grad_hs"""
    n, steps, input_size, hidden = 3, 4, 2, 5
    rnn = rnn_with(impl, random_params(rng, input_size, hidden), seed_of(rng))
    x = rng.standard_normal((n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    expect_inputs_unchanged(rnn, "forward", x, arg_names=("x",))
    expect_inputs_unchanged(rnn, "backward", g, arg_names=("grad_hs",))
    expect_keyword_unchanged(rnn, "forward", x, h0=h0)
    expect_inputs_unchanged(rnn, "backward", g, arg_names=("grad_hs",))


@pytest.mark.contract
def test_backward_overwrites_gradients(impl, rng):
    """each backward call overwrites the gradients (no accumulation across calls)"""
    n, steps, input_size, hidden = 3, 3, 2, 4
    params = random_params(rng, input_size, hidden)
    x = rng.standard_normal((n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    g1, g2 = rng.standard_normal((2, n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x, h0)
    run_backward(rnn, g1, "RNN(2, 4): backward(g1)")
    first = oracle_backward(g1, x, *params, h0)
    second = oracle_backward(g2, x, *params, h0)
    extra = {name: {ACCUMULATED: near(first[name] + second[name])} for name in GRADS}
    check_backward(
        rnn,
        g2,
        x,
        params,
        h0,
        call="RNN(2, 4): forward(x, h0=...), backward(g1), backward(g2)",
        extra=extra,
    )


@pytest.mark.contract
def test_backward_uses_last_forward(impl, rng):
    """backward follows the last forward: its x, and h0 = zeros when that forward had none"""
    n, steps, input_size, hidden = 2, 4, 3, 5
    params = random_params(rng, input_size, hidden)
    x1, x2 = rng.standard_normal((2, n, steps, input_size))
    h0 = rng.uniform(-0.9, 0.9, (n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    rnn = rnn_with(impl, params, seed_of(rng))
    run_forward(rnn, x1, h0)
    run_forward(rnn, x2)
    stale = [
        oracle_backward(g, x1, *params, h0),
        oracle_backward(g, x2, *params, h0),
        oracle_backward(g, x1, *params),
    ]
    extra = {
        name: {STALE_FORWARD: lambda got, n=name: any(near(s[n])(got) for s in stale)}
        for name in ("dx", *GRADS)
    }
    check_backward(
        rnn,
        g,
        x2,
        params,
        call="RNN(3, 5): forward(x1, h0=...), forward(x2), backward(g)",
        extra=extra,
    )


def stale_forward(x, params0, params, h0=None):
    """A predicate: states of the initial weights (read from the learner), with the initial or
    the assigned bias; None when the initial weights are not arrays of the right shapes."""
    try:
        W_xh, W_hh, b_h = (np.asarray(p, dtype=np.float64) for p in params0)
        return any_of(
            *(oracle_forward(x, W_xh, W_hh, bias, h0) for bias in (b_h, params[2])),
        )
    except (TypeError, ValueError, IndexError):
        return None


@pytest.mark.contract
def test_assigned_weights_used(impl, rng):
    """W_xh, W_hh and b_h assigned after a forward are used by the next forward and backward"""
    n, steps, input_size, hidden = 3, 4, 2, 3
    rnn = impl.RNN(input_size, hidden, rng=np.random.default_rng(seed_of(rng)))
    initial = tuple(getattr(rnn, name) for name in PARAMS)
    x = rng.standard_normal((n, steps, input_size))
    run_forward(rnn, x)
    params = random_params(rng, input_size, hidden)
    for name, value in zip(PARAMS, params, strict=True):
        setattr(rnn, name, value)
    call = "RNN(2, 3): forward(x), then W_xh, W_hh and b_h assigned, forward(x) again"
    check_forward(rnn, x, params, call=call, stale=stale_forward(x, initial, params))
    g = rng.standard_normal((n, steps, hidden))
    check_backward(rnn, g, x, params, call=f"{call}, backward(g)")


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward, backward and every attribute (weights and gradients) are NumPy arrays"""
    rnn = impl.RNN(2, 3, rng=np.random.default_rng(seed_of(rng)))
    x = rng.standard_normal((2, 3, 2))
    results = {"forward(x)": run_forward(rnn, x)}
    results["backward(grad_hs)"] = run_backward(
        rnn, np.ones((2, 3, 3)), "RNN(2, 3): backward(grad_hs of shape (2, 3, 3))"
    )
    for name in (*PARAMS, *GRADS):
        results[name] = read_grad(rnn, name) if name in GRADS else getattr(rnn, name)
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"RNN(2, 3): {name} is {describe(got)}; it must be a NumPy array")
