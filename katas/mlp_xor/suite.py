"""Hidden suite for mlp_xor.

The oracles live here and are plain NumPy in a formulation of their own: log-probabilities
by np.logaddexp.reduce, layers by einsum, backprop, SGD and Adam written out, and finite
differences of both the learner's loss and the oracle's. Fixed-law parts (the initial
weights) are tested by their law; training is compared against the oracle started from
the same assigned (or the learner's own initial) weights.

Tests run from the cheapest to the costliest (a buggy file's check stops at its first
failure): initial weights, forward and loss, gradients, predict, stability, fit's contract,
training for a few epochs, and last the finite differences of the learner's own loss and
learning XOR with the defaults.
"""

import numpy as np
import pytest

from grader.results import Figure
from grader.suite import (
    LearnerFailure,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_raises,
    expect_scalar,
    no_fp_warnings,
    numerical_gradient,
    relative_error,
)

named = declared_mistakes(__file__)

INIT_LECUN = named("init-lecun")
INIT_FAN_OUT = named("init-fan-out")
INIT_GLOROT = named("init-glorot")
INIT_VARIANCE_AS_STD = named("init-variance-as-std")
INIT_UNIT_STD = named("init-unit-std")

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])
XOR_SIZES = [2, 16, 2]

# Likely mistakes, by name (the bank's buggy versions check that messages name them).
SOFTMAX_TWICE = named("softmax-twice")
LOGITS = named("logits")
OUTPUT_RELU = named("output-relu")
NO_HIDDEN_RELU = named("no-hidden-relu")
SOFTMAX_AXIS0 = named("softmax-axis0")
LOSS_SUM = named("loss-sum")
LOSS_INDEX = named("loss-index")
LOSS_OVER_C = named("loss-over-c")
GRAD_N_TWICE = named("grad-n-twice")
GRAD_NO_N = named("grad-no-n")
GRAD_SIGN = named("grad-sign")
GRAD_NO_MASK = named("grad-no-mask")
GRAD_BIAS_SHAPE = named("grad-bias-shape")
GRAD_TRANSPOSED = named("grad-transposed")
W_TRANSPOSED = named("w-transposed")
IGNORED_ADAM = named("ignored-adam")
IGNORED_SGD = named("ignored-sgd")
NO_BIAS_CORRECTION = named("no-bias-correction")
HISTORY_AFTER = named("history-after")
NOT_FRESH = named("not-fresh")
ADAM_NAN = named("adam-nan")
T_NOT_RESET = named("t-not-reset")
PREDICT_PROBS = named("predict-probs")
PREDICT_AXIS0 = named("predict-axis0")
PREDICT_FLOAT = named("predict-float")
NOT_FROM_NETWORK = named("not-from-network")
NOT_TRAINED = named("not-trained")
LOSS_IGNORES_PARAMS = named("loss-ignores-params")
REMEMBERED = named("remembered")
UNSTABLE = named("unstable")
LOG_ZERO = named("log-zero")
NOT_SHUFFLED = named("not-shuffled")
IGNORED_BATCH = named("ignored-batch")
GLOBAL_RNG = named("global-rng")
SEED_IGNORED = named("seed-ignored")
BIASES_ZERO = named("biases-zero")
UNIFORM = named("uniform")
INIT_SPREADS = {
    INIT_LECUN: lambda i, o: 1 / i,
    INIT_FAN_OUT: lambda i, o: 2 / o,
    INIT_GLOROT: lambda i, o: 2 / (i + o),
    INIT_VARIANCE_AS_STD: lambda i, o: 4 / i**2,
    INIT_UNIT_STD: lambda i, o: 1.0,
}


# -- the oracle --------------------------------------------------------------------------


def oracle_layers(Ws, bs, X, *, hidden_relu=True, output_relu=False):
    """Pre-activations and activations of every layer (activations[0] is X)."""
    pre, acts = [], [np.asarray(X, dtype=np.float64)]
    for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = np.einsum("nd,hd->nh", acts[-1], W) + b
        pre.append(z)
        relu = output_relu if i == len(Ws) - 1 else hidden_relu
        acts.append(np.where(z > 0, z, 0.0) if relu else z)
    return pre, acts


def log_probs(logits):
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def oracle_probs(Ws, bs, X, **mistake):
    return np.exp(log_probs(oracle_layers(Ws, bs, X, **mistake)[1][-1]))


def oracle_loss(Ws, bs, X, y):
    return oracle_loss_and_gradients(Ws, bs, X, y, backward=False)[0]


def oracle_gradients(Ws, bs, X, y, *, relu_mask=True):
    return oracle_loss_and_gradients(Ws, bs, X, y, relu_mask=relu_mask)[1:]


def oracle_loss_and_gradients(Ws, bs, X, y, *, relu_mask=True, backward=True):
    pre, acts = oracle_layers(Ws, bs, X)
    n, classes = len(X), Ws[-1].shape[0]
    one_hot = np.eye(classes)[y]
    logp = log_probs(acts[-1])
    loss = float(-np.sum(one_hot * logp) / n) + 0.0  # + 0.0: a perfect fit reads 0, not -0
    if not backward:
        return loss, None, None
    delta = (np.exp(logp) - one_hot) / n
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for i in reversed(range(len(Ws))):
        dWs[i] = np.einsum("nh,nd->hd", delta, acts[i])
        dbs[i] = delta.sum(axis=0)
        if i:
            delta = np.einsum("nh,hd->nd", delta, Ws[i])
            if relu_mask:
                delta = delta * (pre[i - 1] > 0)
    return loss, dWs, dbs


def oracle_sgd_in_data_order(Ws, bs, X, y, epochs, lr, batch_size):
    """Mini-batch SGD that never shuffles: the parameters a forgotten shuffle leads to."""
    params = [np.array(p, dtype=np.float64) for p in list(Ws) + list(bs)]
    layers = len(Ws)
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            rows = slice(start, start + batch_size)
            _, dWs, dbs = oracle_loss_and_gradients(
                params[:layers], params[layers:], X[rows], y[rows]
            )
            params = [p - lr * g for p, g in zip(params, dWs + dbs, strict=True)]
    return params


def not_finite(values):
    return not np.all(np.isfinite(values))


def fresh_adam(params):
    return {
        "m": [np.zeros_like(p) for p in params],
        "v": [np.zeros_like(p) for p in params],
        "t": 0,
    }


def oracle_fit(Ws, bs, X, y, epochs, lr, optimizer, *, bias_correction=True, state=None):
    """Full-batch training: the loss history (before each update), final params, Adam state."""
    params = [np.array(p, dtype=np.float64) for p in list(Ws) + list(bs)]
    layers = len(Ws)
    state = fresh_adam(params) if state is None else state
    history = []
    for _ in range(epochs):
        loss, dWs, dbs = oracle_loss_and_gradients(params[:layers], params[layers:], X, y)
        history.append(loss)
        if optimizer == "sgd":
            params = [p - lr * g for p, g in zip(params, dWs + dbs, strict=True)]
            continue
        state["t"] += 1
        t = state["t"]
        for k, g in enumerate(dWs + dbs):
            state["m"][k] = BETA1 * state["m"][k] + (1 - BETA1) * g
            state["v"][k] = BETA2 * state["v"][k] + (1 - BETA2) * g**2
            m_hat, v_hat = state["m"][k], state["v"][k]
            if bias_correction:
                m_hat, v_hat = m_hat / (1 - BETA1**t), v_hat / (1 - BETA2**t)
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + EPS)
    return np.array(history), params[:layers], params[layers:], state


# -- problems ---------------------------------------------------------------------------


def random_problem(rng, sizes, n):
    """Random non-zero weights and biases, inputs and labels, away from every ReLU kink.

    Every hidden pre-activation is at least 0.02 from 0, every probability is in
    [1e-3, 0.999] and every gradient entry is exactly 0 (a unit that is off for the whole
    batch) or at least 1e-4 in size, so finite differences (step 1e-5) are accurate and no
    common clipping of the loss matters. Draws are tried until one qualifies, at most 500:
    for every size used here at least a quarter of them do (measured), so the bound is
    reached with probability below 1e-60, and it keeps a bad size from looping for ever.
    """
    for _ in range(500):
        Ws = [
            rng.normal(0.0, 1.2 / np.sqrt(i), (o, i))
            for i, o in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        bs = [rng.uniform(0.1, 0.6, o) * rng.choice([-1.0, 1.0], o) for o in sizes[1:]]
        X = rng.standard_normal((n, sizes[0]))
        y = rng.integers(0, sizes[-1], n)
        pre, acts = oracle_layers(Ws, bs, X)
        p = np.exp(log_probs(acts[-1]))
        if any(np.abs(z).min() <= 0.02 for z in pre[:-1]) or p.min() <= 1e-3 or p.max() >= 0.999:
            continue
        grads = np.concatenate([g.ravel() for g in sum(oracle_gradients(Ws, bs, X, y), [])])
        if np.all((grads == 0) | (np.abs(grads) >= 1e-4)):
            return Ws, bs, X, y
    raise RuntimeError(f"no well-conditioned random problem for sizes {sizes}")


def shape_text(X):
    return "x".join(map(str, X.shape))


def built(impl, sizes, Ws=None, bs=None, seed=0):
    """A learner's MLP, with the given weights and biases assigned (whole attributes)."""
    model = impl.MLP(list(sizes), seed=seed)
    if Ws is not None:
        model.weights = [np.array(W) for W in Ws]
        model.biases = [np.array(b) for b in bs]
    return model


# -- checks with messages ---------------------------------------------------------------


def read_params(model, sizes, call):
    """The model's weights and biases, checked against the contract's shapes."""
    layers = len(sizes) - 1
    found = {}
    for name in ("weights", "biases"):
        got = getattr(model, name)
        if not isinstance(got, (list, tuple)) or len(got) != layers:
            raise Mistake(
                f"{call}.{name} is {describe(got)}; expected a list of {layers} arrays "
                "(one per layer)"
            )
        found[name] = got
    for i in range(layers):
        want = (sizes[i + 1], sizes[i])
        W = found["weights"][i]
        if not isinstance(W, np.ndarray) or W.shape != want:
            shape = getattr(W, "shape", None)
            hint = f" Likely mistake: {W_TRANSPOSED}" if shape == want[::-1] else ""
            raise Mistake(
                f"{call}.weights[{i}] is {describe(W)}; expected shape {want} = "
                f"(layer_sizes[{i + 1}], layer_sizes[{i}]).{hint}"
            )
        b = found["biases"][i]
        if not isinstance(b, np.ndarray) or b.shape != (sizes[i + 1],):
            raise Mistake(f"{call}.biases[{i}] is {describe(b)}; expected shape ({sizes[i + 1]},)")
    return (
        [np.asarray(W, dtype=np.float64) for W in found["weights"]],
        [np.asarray(b, dtype=np.float64) for b in found["biases"]],
    )


def as_float(got, call):
    """A loss: a Python or NumPy float (or a 0-d array)."""
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, bool) or not isinstance(got, (int, float, np.floating, np.integer)):
        raise Mistake(f"{call} returned {describe(got)}; it must return a single float")
    return float(got)


def gradient_lists(got, Ws, bs, call):
    """The (weight gradients, bias gradients) pair, checked for structure and shapes."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mistake(
            f"{call} returned {describe(got)}; it must return two lists: "
            "(gradients of the weights, gradients of the biases)"
        )
    checked = []
    for name, grads, params in (("weights", got[0], Ws), ("biases", got[1], bs)):
        if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
            raise Mistake(
                f"{call} returned {describe(grads)} for the {name}; expected a list of "
                f"{len(params)} arrays shaped like {name}"
            )
        for i, (g, p) in enumerate(zip(grads, params, strict=True)):
            g = expect_array(g, call=f"{call}, gradient of {name}[{i}],")
            if g.shape != p.shape:
                hint = ""
                if name == "weights" and g.shape == p.shape[::-1]:
                    hint = f" Likely mistake: {GRAD_TRANSPOSED}"
                elif name == "biases":
                    hint = f" Likely mistake: {GRAD_BIAS_SHAPE}"
                raise Mistake(
                    f"{call}: the gradient of {name}[{i}] has shape {g.shape}; "
                    f"expected {p.shape}, the shape of {name}[{i}].{hint}"
                )
        checked.append(list(grads))
    return checked[0], checked[1]


def gradient_mistakes(numeric, n, no_mask=None):
    def near(target):
        return lambda g: relative_error(g, target) < 1e-4

    found = {
        GRAD_N_TWICE: near(numeric / n),
        GRAD_NO_N: near(numeric * n),
        GRAD_SIGN: near(-numeric),
    }
    if no_mask is not None:
        found[GRAD_NO_MASK] = near(no_mask)
    return found


def expect_gradients(got, numeric_W, numeric_b, n, call, no_mask=None):
    for name, grads, numerics, alternatives in (
        ("weights", got[0], numeric_W, no_mask[0] if no_mask else None),
        ("biases", got[1], numeric_b, no_mask[1] if no_mask else None),
    ):
        for i, (g, numeric) in enumerate(zip(grads, numerics, strict=True)):
            other = alternatives[i] if alternatives is not None else None
            expect_gradient(
                g,
                numeric,
                call=call,
                wrt=f"{name}[{i}]",
                threshold=1e-5,
                mistakes=gradient_mistakes(numeric, n, other),
            )


def forward_mistakes(Ws, bs, X):
    logits = oracle_layers(Ws, bs, X)[1][-1]
    probs = np.exp(log_probs(logits))
    return {
        SOFTMAX_TWICE: np.exp(log_probs(probs)),
        OUTPUT_RELU: oracle_probs(Ws, bs, X, output_relu=True),
        NO_HIDDEN_RELU: oracle_probs(Ws, bs, X, hidden_relu=False),
        LOGITS: logits,
        SOFTMAX_AXIS0: np.exp(logits - np.logaddexp.reduce(logits, axis=0, keepdims=True)),
    }


def loss_mistakes(Ws, bs, X, y):
    n, classes = len(X), Ws[-1].shape[0]
    logits = oracle_layers(Ws, bs, X)[1][-1]
    logp = log_probs(logits)
    right = float(-np.mean(logp[np.arange(n), y]))
    over_batch = logits - np.logaddexp.reduce(logits, axis=0, keepdims=True)
    return {
        LOSS_SUM: n * right,
        SOFTMAX_TWICE: float(-np.mean(log_probs(np.exp(logp))[np.arange(n), y])),
        LOSS_INDEX: float(-np.mean(logp[:, y])),
        LOSS_OVER_C: right / classes,
        SOFTMAX_AXIS0: float(-np.mean(over_batch[np.arange(n), y])),
        OUTPUT_RELU: float(-np.mean(log_probs(np.maximum(logits, 0))[np.arange(n), y])),
        NO_HIDDEN_RELU: float(
            -np.mean(log_probs(oracle_layers(Ws, bs, X, hidden_relu=False)[1][-1])[np.arange(n), y])
        ),
    }


def expect_labels(got, n, classes, call):
    """predict's result: integer labels of shape (N,)."""
    got = expect_array(got, call=call)
    if got.shape == (n, classes):
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n},). Likely mistake: {PREDICT_PROBS}"
        )
    if got.shape == (classes,) and n != classes:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n},). Likely mistake: {PREDICT_AXIS0}"
        )
    expect_array(got, call=call, shape=(n,))
    if got.dtype.kind not in "iu":
        raise Mistake(f"{call} returned dtype {got.dtype}. Likely mistake: {PREDICT_FLOAT}")
    return got


def history_array(got, epochs, call):
    """fit's loss history as an array (the strict list-of-floats check is its own test)."""
    if not isinstance(got, (list, tuple, np.ndarray)) or np.ndim(got) != 1 or len(got) != epochs:
        raise Mistake(
            f"{call} returned {describe(got)}; expected a list of {epochs} floats, "
            "one mean loss per epoch"
        )
    try:
        values = np.array([as_float(v, call) for v in got], dtype=np.float64)
    except Mistake:
        raise Mistake(f"{call} returned a history whose entries are not all floats") from None
    return values


def warning_free(owner, call):
    """no_fp_warnings, naming the likely mistake by the kind of warning."""
    return no_fp_warnings(
        owner, call, hint={"overflow": UNSTABLE, "divide": LOG_ZERO, "invalid": UNSTABLE}
    )


def fit_call(X, epochs, lr, optimizer, batch_size=None):
    batch = "" if batch_size is None else f", batch_size={batch_size}"
    return f"fit(X ({shape_text(X)}), y, epochs={epochs}, lr={lr}{batch}, optimizer={optimizer!r})"


def expect_trained(model, sizes, initial, call):
    """The parameters after ``call``, which must have moved: a test of how fit trains needs
    fit to train (a fit that changes nothing is deterministic and never in data order)."""
    got_W, got_b = read_params(model, sizes, f"the MLP after {call}")
    before = list(initial[0]) + list(initial[1])
    if all(np.array_equal(a, b) for a, b in zip(got_W + got_b, before, strict=True)):
        raise Mistake(f"{call} left every weight and bias unchanged. Likely mistake: {NOT_TRAINED}")
    return got_W, got_b


def expect_params_close(model, sizes, Ws, bs, call, rtol=1e-6, atol=1e-9):
    got_W, got_b = read_params(model, sizes, call)
    for i in range(len(Ws)):
        expect_close(got_W[i], Ws[i], call=f"weights[{i}] {call}", rtol=rtol, atol=atol)
        expect_close(got_b[i], bs[i], call=f"biases[{i}] {call}", rtol=rtol, atol=atol)


# -- initial weights --------------------------------------------------------------------

NETS = [[2, 16, 2], [3, 8, 6, 4], [5, 3]]


@pytest.mark.shapes
@pytest.mark.parametrize("sizes", NETS, ids=lambda s: "-".join(map(str, s)))
def test_initial_shapes_and_zero_biases(impl, sizes):
    """weights[i] has shape (layer_sizes[i+1], layer_sizes[i]); biases start at zeros"""
    call = f"MLP({sizes})"
    _, bs = read_params(impl.MLP(list(sizes)), sizes, call)
    for i, b in enumerate(bs):
        if np.any(b != 0):
            raise Mistake(f"{call}.biases[{i}] starts at {b[:4].tolist()}...; {BIASES_ZERO}")


@pytest.mark.contract
def test_he_normal_initial_weights(impl, rng):
    """initial weights follow He-normal N(0, 2 / fan_in); biases start at zeros"""
    sizes = [64, 300, 200, 10]
    seed = int(rng.integers(0, 10_000))
    call = f"MLP({sizes}, seed={seed})"
    Ws, bs = read_params(impl.MLP(sizes, seed=seed), sizes, call)
    standardised = []
    for i, W in enumerate(Ws):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        want = np.sqrt(2.0 / fan_in)
        mean, std = float(W.mean()), float(W.std())
        bound = 5 * want / np.sqrt(W.size)
        if abs(mean) > bound:
            raise Mistake(
                f"{call}.weights[{i}] has mean {mean:.3g}; He-normal weights have "
                f"mean 0 (|mean| below {bound:.2g} expected)"
            )
        if abs(std / want - 1) > 0.1:
            hint = ""
            for message, variance in INIT_SPREADS.items():
                if abs(std / np.sqrt(variance(fan_in, fan_out)) - 1) < 0.1:
                    hint = f" Likely mistake: {message}"
                    break
            raise Mistake(
                f"{call}.weights[{i}] (fan_in {fan_in}) has standard deviation {std:.4g}; "
                f"expected sqrt(2 / {fan_in}) = {want:.4g} (within 10%).{hint}"
            )
        standardised.append(W.ravel() / want)
    inside = float(np.mean(np.abs(np.concatenate(standardised)) < 1))
    if abs(inside - 0.6827) > 0.02:
        raise Mistake(
            f"{call}: {100 * inside:.1f}% of the weights lie within one standard "
            "deviation of 0; a normal law puts 68.3% there. "
            f"Likely mistake: {UNIFORM}"
        )
    for i, b in enumerate(bs):
        if np.any(b != 0):
            raise Mistake(f"{call}.biases[{i}] starts at {b[:4].tolist()}...; {BIASES_ZERO}")


@pytest.mark.contract
def test_same_seed_same_initial_weights(impl, rng):
    """the same seed gives the same weights, another seed other weights, and seed defaults to 0"""
    sizes = [3, 8, 6, 4]
    seed = int(rng.integers(1, 10_000))

    def params(**kwargs):
        call = f"MLP({sizes}{''.join(f', {k}={v}' for k, v in kwargs.items())})"
        Ws, bs = read_params(impl.MLP(list(sizes), **kwargs), sizes, call)
        return Ws + bs, call

    first, call = params(seed=seed)
    again, _ = params(seed=seed)
    if not all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)):
        raise Mistake(f"two {call} got different initial weights. Likely mistake: {SEED_IGNORED}")
    other, other_call = params(seed=seed + 1)
    if all(np.array_equal(a, b) for a, b in zip(first, other, strict=True)):
        raise Mistake(
            f"{call} and {other_call} got the same initial weights. Likely mistake: {SEED_IGNORED}"
        )
    default, default_call = params()
    zero, _ = params(seed=0)
    if not all(np.array_equal(a, b) for a, b in zip(default, zero, strict=True)):
        raise Mistake(
            f"{default_call} and MLP({sizes}, seed=0) got different initial weights; "
            "the seed defaults to 0"
        )


# -- forward and loss -------------------------------------------------------------------

HAND_W = [
    np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
    np.array([[1.0, 0.0, 7.0], [0.0, 1.0, 0.0]]),
]


HAND_B = [np.zeros(3), np.array([np.log(3.0) - 3.0, -4.0])]


@pytest.mark.values
def test_forward_hand_checked_example(impl):
    """forward on a hand-checked [2, 3, 2] network"""
    model = built(impl, [2, 3, 2], HAND_W, HAND_B)
    X = np.array([[1.0, 2.0]])
    # hidden: relu([1, 2, -1]) = [1, 2, 0]; logits: [ln 3 - 2, -2]; softmax: [3/4, 1/4]
    expect_close(
        model.forward(X),
        [[0.75, 0.25]],
        call="forward([[1, 2]]) (weights in the prompt)",
        mistakes=forward_mistakes(HAND_W, HAND_B, X),
    )


@pytest.mark.values
def test_forward_random_values(impl, rng):
    """forward equals ReLU layers then softmax on random weights (N=6, D=3, H=7, C=5)"""
    sizes = [3, 7, 5]
    Ws, bs, X, _ = random_problem(rng, sizes, 6)
    model = built(impl, sizes, Ws, bs)
    expect_close(
        model.forward(X),
        oracle_probs(Ws, bs, X),
        call=f"forward(X ({shape_text(X)})) of MLP({sizes}) with assigned weights",
        mistakes=forward_mistakes(Ws, bs, X),
    )


@pytest.mark.values
def test_forward_deeper_net_values(impl, rng):
    """forward on a deeper net [3, 8, 6, 4] with random weights"""
    sizes = [3, 8, 6, 4]
    Ws, bs, X, _ = random_problem(rng, sizes, 5)
    model = built(impl, sizes, Ws, bs)
    expect_close(
        model.forward(X),
        oracle_probs(Ws, bs, X),
        call=f"forward(X ({shape_text(X)})) of MLP({sizes}) with assigned weights",
        mistakes=forward_mistakes(Ws, bs, X),
    )


@pytest.mark.shapes
@pytest.mark.parametrize(
    ("sizes", "n"),
    [([3, 8, 6, 4], 1), ([3, 8, 6, 4], 7), ([5, 3], 4), ([2, 16, 2], 4)],
    ids=["deep-N1", "deep-N7", "no-hidden", "xor"],
)
def test_forward_shape_and_rows_sum_to_one(impl, rng, sizes, n):
    """forward returns (N, C) probabilities whose rows sum to 1"""
    model = impl.MLP(list(sizes), seed=int(rng.integers(0, 1000)))
    Ws, bs = read_params(model, sizes, f"MLP({sizes})")
    X = rng.standard_normal((n, sizes[0]))
    call = f"forward(X ({shape_text(X)})) of MLP({sizes})"
    got = expect_array(model.forward(X), call=call, shape=(n, sizes[-1]))
    mistakes = forward_mistakes(Ws, bs, X)
    row_sums = {message: wrong.sum(axis=1) for message, wrong in mistakes.items()}
    expect_close(got.sum(axis=1), np.ones(n), call=f"the row sums of {call}", mistakes=row_sums)
    expect_close(got, oracle_probs(Ws, bs, X), call=call, mistakes=mistakes)


@pytest.mark.values
def test_loss_hand_checked_example(impl):
    """loss on a hand-checked [2, 3, 2] network"""
    model = built(impl, [2, 3, 2], HAND_W, HAND_B)
    X, y = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]), np.array([0, 1, 1])
    expect_scalar(
        model.loss(X, y),
        (np.log(4 / 3) + 2 * np.log(4.0)) / 3,
        call="loss([[1, 2], [1, 2], [1, 2]], y=[0, 1, 1]) (weights in the prompt)",
        mistakes=loss_mistakes(HAND_W, HAND_B, X, y),
    )


@pytest.mark.values
def test_loss_random_values(impl, rng):
    """loss is the mean cross-entropy on random weights and labels"""
    sizes = [3, 7, 5]
    Ws, bs, X, y = random_problem(rng, sizes, 6)
    model = built(impl, sizes, Ws, bs)
    expect_scalar(
        model.loss(X, y),
        oracle_loss(Ws, bs, X, y),
        call=f"loss(X ({shape_text(X)}), y) of MLP({sizes}) with assigned weights",
        mistakes=loss_mistakes(Ws, bs, X, y),
    )


@pytest.mark.values
def test_loss_deeper_net_values(impl, rng):
    """loss on a deeper net [4, 6, 5, 3]"""
    sizes = [4, 6, 5, 3]
    Ws, bs, X, y = random_problem(rng, sizes, 7)
    model = built(impl, sizes, Ws, bs)
    expect_scalar(
        model.loss(X, y),
        oracle_loss(Ws, bs, X, y),
        call=f"loss(X ({shape_text(X)}), y) of MLP({sizes}) with assigned weights",
        mistakes=loss_mistakes(Ws, bs, X, y),
    )


# -- gradients --------------------------------------------------------------------------


@pytest.mark.gradients
def test_gradients_deeper_net_match_exact_loss(impl, rng):
    """gradients of a deeper net [4, 6, 5, 3] agree with finite differences of the exact loss"""
    sizes = [4, 6, 5, 3]
    Ws, bs, X, y = random_problem(rng, sizes, 7)
    model = built(impl, sizes, Ws, bs)
    call = f"gradients(X ({shape_text(X)}), y) of MLP({sizes})"
    got = gradient_lists(model.gradients(X, y), Ws, bs, call)
    numeric_W = [
        numerical_gradient(lambda v, i=i: oracle_loss(Ws[:i] + [v] + Ws[i + 1 :], bs, X, y), W)
        for i, W in enumerate(Ws)
    ]
    numeric_b = [
        numerical_gradient(lambda v, i=i: oracle_loss(Ws, bs[:i] + [v] + bs[i + 1 :], X, y), b)
        for i, b in enumerate(bs)
    ]
    expect_gradients(
        got,
        numeric_W,
        numeric_b,
        len(X),
        call,
        no_mask=oracle_gradients(Ws, bs, X, y, relu_mask=False),
    )


@pytest.mark.shapes
@pytest.mark.parametrize(
    ("sizes", "n"),
    [([3, 8, 6, 4], 1), ([3, 8, 6, 4], 5), ([5, 3], 3)],
    ids=["deep-N1", "deep-N5", "no-hidden"],
)
def test_gradients_shapes(impl, rng, sizes, n):
    """gradients returns two lists shaped like weights and biases, for any depth and batch"""
    Ws, bs, X, y = random_problem(rng, sizes, n)
    model = built(impl, sizes, Ws, bs)
    call = f"gradients(X ({shape_text(X)}), y) of MLP({sizes})"
    got_W, got_b = gradient_lists(model.gradients(X, y), Ws, bs, call)
    want_W, want_b = oracle_gradients(Ws, bs, X, y)
    for i in range(len(Ws)):
        expect_close(got_W[i], want_W[i], call=f"{call}, gradient of weights[{i}],")
        expect_close(got_b[i], want_b[i], call=f"{call}, gradient of biases[{i}],")


# -- predict ----------------------------------------------------------------------------


@pytest.mark.values
def test_predict_values(impl, rng):
    """predict returns the most probable class of each row"""
    sizes = [3, 7, 5]
    Ws, bs, X, _ = random_problem(rng, sizes, 9)
    model = built(impl, sizes, Ws, bs)
    call = f"predict(X ({shape_text(X)})) of MLP({sizes})"
    got = expect_labels(model.predict(X), 9, 5, call)
    want = np.argmax(oracle_probs(Ws, bs, X), axis=1)
    if not np.array_equal(got, want):
        raise Mistake(
            f"{call} returned {got.tolist()}; expected {want.tolist()} "
            "(the argmax of each row of forward(X))"
        )


@pytest.mark.shapes
@pytest.mark.parametrize("n", [1, 6])
def test_predict_shape_and_integer_dtype(impl, rng, n):
    """predict returns integer labels of shape (N,)"""
    sizes = [3, 8, 6, 4]
    model = impl.MLP(sizes, seed=int(rng.integers(0, 1000)))
    Ws, bs = read_params(model, sizes, f"MLP({sizes})")
    X = rng.standard_normal((n, 3))
    call = f"predict(X ({shape_text(X)})) of MLP({sizes})"
    got = expect_labels(model.predict(X), n, 4, call)
    want = np.argmax(oracle_probs(Ws, bs, X), axis=1)
    if not np.array_equal(got, want):
        raise Mistake(f"{call} returned {got.tolist()}; expected {want.tolist()}")


# -- stability --------------------------------------------------------------------------


def huge_logit_net(rng, size):
    """Random weights whose output layer is scaled so that the largest |logit| is ``size``."""
    sizes = [3, 6, 4]
    Ws, bs, X, _ = random_problem(rng, sizes, 5)
    scale = size / np.abs(oracle_layers(Ws, bs, X)[1][-1]).max()
    return sizes, Ws[:-1] + [Ws[-1] * scale], bs[:-1] + [bs[-1] * scale], X


@pytest.mark.stability
@pytest.mark.parametrize("size", [1e3, 1e4], ids=["1e3", "1e4"])
def test_forward_huge_logits_stable(impl, rng, size):
    """forward and predict stay finite and warning-free for logits of magnitude 1e3 and 1e4"""
    sizes, Ws, bs, X = huge_logit_net(rng, size)
    model = built(impl, sizes, Ws, bs)
    call = f"forward(X) with logits up to ±{size:g}"
    with warning_free(model, call):
        probs = model.forward(X)
    expect_close(probs, oracle_probs(Ws, bs, X), call=call)
    with warning_free(model, f"predict(X) with logits up to ±{size:g}"):
        labels = model.predict(X)
    want = np.argmax(oracle_layers(Ws, bs, X)[1][-1], axis=1)
    got = expect_labels(labels, len(X), 4, f"predict(X) with logits up to ±{size:g}")
    if not np.array_equal(got, want):
        raise Mistake(
            f"predict(X) with logits up to ±{size:g} returned {got.tolist()}; "
            f"expected {want.tolist()}"
        )


@pytest.mark.stability
@pytest.mark.parametrize("size", [1e3, 1e4], ids=["1e3", "1e4"])
def test_loss_and_gradients_huge_logits_stable(impl, rng, size):
    """a confidently right model (huge logits) has a near-0 loss, finite gradients, no warnings"""
    sizes, Ws, bs, X = huge_logit_net(rng, size)
    y = np.argmax(oracle_layers(Ws, bs, X)[1][-1], axis=1)
    model = built(impl, sizes, Ws, bs)
    what = f"with logits up to ±{size:g} and y = the predicted classes"
    with warning_free(model, f"loss(X, y) {what}"):
        loss = model.loss(X, y)
    expect_scalar(loss, oracle_loss(Ws, bs, X, y), call=f"loss(X, y) {what}", atol=1e-6)
    with warning_free(model, f"gradients(X, y) {what}"):
        got = model.gradients(X, y)
    got_W, got_b = gradient_lists(got, Ws, bs, f"gradients(X, y) {what}")
    for i, g in enumerate(got_W + got_b):
        if not np.all(np.isfinite(g)):
            name = f"weights[{i}]" if i < len(Ws) else f"biases[{i - len(Ws)}]"
            raise Mistake(f"gradients(X, y) {what}: the gradient of {name} has NaN or inf entries")


# -- fit's contract: return type, errors, inputs ----------------------------------------


@pytest.mark.contract
def test_fit_returns_list_of_floats(impl, rng):
    """fit returns a Python list with one float per epoch, for both optimizers"""
    sizes = [3, 5, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 6)
    model = built(impl, sizes, Ws, bs)
    for optimizer in ("adam", "sgd"):
        call = fit_call(X, 4, 0.01, optimizer)
        got = model.fit(X, y, epochs=4, lr=0.01, optimizer=optimizer)
        if type(got) is not list:
            raise Mistake(
                f"{call} returned {describe(got)}; it must return a Python list "
                "with one float per epoch"
            )
        if len(got) != 4:
            raise Mistake(
                f"{call} returned a list of {len(got)} entries; expected 4, one per epoch"
            )
        for value in got:
            if isinstance(value, bool) or not isinstance(value, (float, np.floating)):
                raise Mistake(
                    f"{call} returned a list holding {describe(value)}; each entry "
                    "must be a float (the epoch's mean loss)"
                )


@pytest.mark.contract
@pytest.mark.parametrize("name", ["rmsprop", "momentum"])
def test_unknown_optimizer_raises_value_error(impl, rng, name):
    """fit raises ValueError for an optimizer other than 'adam' and 'sgd'"""
    sizes = [3, 5, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 6)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, 2, 0.01, name)
    expect_raises(
        lambda: model.fit(X, y, epochs=2, lr=0.01, optimizer=name),
        "ValueError",
        call=call,
        why="for an unknown optimizer",
    )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward, loss, gradients, predict and fit leave X and y untouched"""
    sizes = [3, 5, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 8)
    model = built(impl, sizes, Ws, bs)
    expect_inputs_unchanged(model, "forward", X, arg_names=("X",))
    expect_inputs_unchanged(model, "loss", X, y, arg_names=("X", "y"))
    expect_inputs_unchanged(model, "gradients", X, y, arg_names=("X", "y"))
    expect_inputs_unchanged(model, "predict", X, arg_names=("X",))
    expect_inputs_unchanged(model, "fit", X, y, arg_names=("X", "y"), epochs=2)
    expect_inputs_unchanged(model, "fit", X, y, arg_names=("X", "y"), epochs=2, batch_size=3)


# -- training, a few epochs against the oracle ------------------------------------------


@pytest.mark.values
def test_fit_sgd_full_batch_matches_oracle(impl, rng):
    """fit with optimizer='sgd' follows plain gradient descent from assigned weights"""
    sizes, epochs, lr = [3, 6, 4], 6, 0.5
    Ws, bs, X, y = random_problem(rng, sizes, 10)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, epochs, lr, "sgd")
    history = history_array(model.fit(X, y, epochs=epochs, lr=lr, optimizer="sgd"), epochs, call)
    want, final_W, final_b, _ = oracle_fit(Ws, bs, X, y, epochs, lr, "sgd")
    expect_close(
        history,
        want,
        call=f"the loss history of {call}",
        mistakes=lambda: {
            IGNORED_SGD: oracle_fit(Ws, bs, X, y, epochs, lr, "adam")[0],
            HISTORY_AFTER: oracle_fit(Ws, bs, X, y, epochs + 1, lr, "sgd")[0][1:],
        },
    )
    expect_params_close(model, sizes, final_W, final_b, f"after {call}")


@pytest.mark.values
def test_fit_adam_full_batch_matches_oracle(impl, rng):
    """fit with optimizer='adam' follows Adam (bias-corrected, t from 1) from assigned weights"""
    sizes, epochs, lr = [3, 6, 4], 6, 0.05
    Ws, bs, X, y = random_problem(rng, sizes, 10)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, epochs, lr, "adam")
    history = history_array(model.fit(X, y, epochs=epochs, lr=lr, optimizer="adam"), epochs, call)
    want, final_W, final_b, _ = oracle_fit(Ws, bs, X, y, epochs, lr, "adam")

    def mistakes():
        uncorrected, *_ = oracle_fit(Ws, bs, X, y, epochs, lr, "adam", bias_correction=False)
        return {
            IGNORED_ADAM: oracle_fit(Ws, bs, X, y, epochs, lr, "sgd")[0],
            NO_BIAS_CORRECTION: uncorrected,
            HISTORY_AFTER: oracle_fit(Ws, bs, X, y, epochs + 1, lr, "adam")[0][1:],
            ADAM_NAN: not_finite,
        }

    expect_close(history, want, call=f"the loss history of {call}", mistakes=mistakes)
    expect_params_close(model, sizes, final_W, final_b, f"after {call}", rtol=1e-5, atol=1e-8)


@pytest.mark.values
def test_fit_minibatch_history_is_mean_of_batch_losses(impl, rng):
    """with lr=0, every epoch's mini-batch loss mean equals the full-data loss"""
    sizes = [3, 5, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 8)
    model = built(impl, sizes, Ws, bs, seed=int(rng.integers(0, 1000)))
    full = oracle_loss(Ws, bs, X, y)
    for optimizer in ("sgd", "adam"):
        call = fit_call(X, 2, 0.0, optimizer, batch_size=2)
        history = model.fit(X, y, epochs=2, lr=0.0, batch_size=2, optimizer=optimizer)
        expect_close(
            history_array(history, 2, call),
            [full, full],
            call=f"the loss history of {call} (4 equal batches, no learning)",
            mistakes={ADAM_NAN: not_finite} if optimizer == "adam" else None,
        )
        expect_params_close(model, sizes, Ws, bs, f"after {call} (lr=0 must not move them)")


@pytest.mark.values
def test_fit_minibatch_makes_one_step_per_batch(impl, rng):
    """with batch_size=1 and SGD, one epoch makes one small step per sample"""
    sizes, n, lr = [3, 5, 4], 8, 1e-4
    Ws, bs, X, y = random_problem(rng, sizes, n)
    model = built(impl, sizes, Ws, bs, seed=int(rng.integers(0, 1000)))
    call = fit_call(X, 1, lr, "sgd", batch_size=1)
    model.fit(X, y, epochs=1, lr=lr, batch_size=1, optimizer="sgd")
    got_W, got_b = read_params(model, sizes, f"MLP after {call}")
    moved = np.concatenate([(a - b).ravel() for a, b in zip(got_W + got_b, Ws + bs, strict=True)])
    dWs, dbs = oracle_gradients(Ws, bs, X, y)
    full_step = -lr * np.concatenate([g.ravel() for g in dWs + dbs])
    # N steps of size lr on single samples: to first order in lr, N times one full-batch step
    # (the order of the samples only enters at second order).
    want = n * full_step
    error = np.linalg.norm(moved - want) / np.linalg.norm(want)
    if error > 0.05:
        hint = ""
        if np.linalg.norm(moved - full_step) < 0.05 * np.linalg.norm(full_step):
            hint = f" Likely mistake: {IGNORED_BATCH}"
        raise Mistake(
            f"{call} moved the parameters by a vector of norm {np.linalg.norm(moved):.3g}; "
            f"{n} single-sample SGD steps move them by about {np.linalg.norm(want):.3g} "
            f"(N times one full-batch step; relative difference {error:.2g}).{hint}"
        )


@pytest.mark.values
def test_predict_is_argmax_of_forward_after_fit(impl, rng):
    """after fit, predict(X) is the argmax of forward(X), on training and new points"""
    sizes = [3, 6, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 10)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, 5, 0.05, "adam")
    model.fit(X, y, epochs=5, lr=0.05, optimizer="adam")
    for points, what in ((X, "the training X"), (rng.standard_normal((12, 3)), "12 new points")):
        n = len(points)
        probs = expect_array(
            model.forward(points), call=f"forward({what}) after {call}", shape=(n, 4)
        )
        got = expect_labels(model.predict(points), n, 4, f"predict({what}) after {call}")
        want = np.argmax(probs, axis=1)
        if not np.array_equal(got, want):
            raise Mistake(
                f"after {call}, predict({what}) returned {got.tolist()} but the argmax of each "
                f"row of forward({what}) is {want.tolist()}. Likely mistake: {NOT_FROM_NETWORK}"
            )


@pytest.mark.contract
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fit_changes_weights_and_biases(impl, rng, optimizer):
    """fit trains the model in place: every weight and bias with a gradient changes"""
    sizes = [3, 6, 4]
    Ws, bs, X, y = random_problem(rng, sizes, 10)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, 3, 0.1, optimizer)
    model.fit(X, y, epochs=3, lr=0.1, optimizer=optimizer)
    got_W, got_b = read_params(model, sizes, f"the MLP after {call}")
    _, want_W, want_b, _ = oracle_fit(Ws, bs, X, y, 3, 0.1, optimizer)
    names = [f"weights[{i}]" for i in range(len(Ws))] + [f"biases[{i}]" for i in range(len(bs))]
    stale = [
        name
        for name, before, after, trained in zip(
            names, Ws + bs, got_W + got_b, want_W + want_b, strict=True
        )
        if np.array_equal(after, before) and not np.array_equal(trained, before)
    ]
    if stale:
        which = "every weight and bias" if len(stale) == len(names) else ", ".join(stale)
        raise Mistake(f"{call} left {which} unchanged. Likely mistake: {NOT_TRAINED}")


@pytest.mark.contract
def test_fit_adam_starts_fresh_each_call(impl, rng):
    """each fit call starts Adam afresh (m = v = 0, t = 1): two calls of 3 epochs"""
    sizes, lr = [3, 6, 4], 0.05
    Ws, bs, X, y = random_problem(rng, sizes, 10)
    model = built(impl, sizes, Ws, bs)
    call = fit_call(X, 3, lr, "adam")
    first = history_array(model.fit(X, y, epochs=3, lr=lr, optimizer="adam"), 3, call)
    want_first, mid_W, mid_b, state = oracle_fit(Ws, bs, X, y, 3, lr, "adam")
    expect_close(
        first,
        want_first,
        call=f"the loss history of a first {call}",
        mistakes={ADAM_NAN: not_finite},
    )
    second = history_array(model.fit(X, y, epochs=3, lr=lr, optimizer="adam"), 3, call)
    want_second = oracle_fit(mid_W, mid_b, X, y, 3, lr, "adam")[0]

    def mistakes():
        """Adam's state carried over from the first call: moments and t, or t alone."""
        carried = {k: [a.copy() for a in v] if isinstance(v, list) else v for k, v in state.items()}
        fresh_moments = fresh_adam(mid_W + mid_b) | {"t": state["t"]}
        return {
            NOT_FRESH: oracle_fit(mid_W, mid_b, X, y, 3, lr, "adam", state=carried)[0],
            T_NOT_RESET: oracle_fit(mid_W, mid_b, X, y, 3, lr, "adam", state=fresh_moments)[0],
        }

    expect_close(
        second,
        want_second,
        mistakes=mistakes,
        call=f"the loss history of a second {call} on the same model",
    )


@pytest.mark.contract
def test_minibatch_fit_is_deterministic(impl, rng):
    """two models with the same seed train identically with shuffled mini-batches"""
    sizes = [3, 5, 4]
    _, _, X, y = random_problem(rng, sizes, 7)
    seed = int(rng.integers(0, 10_000))
    call = f"MLP({sizes}, seed={seed}).{fit_call(X, 4, 0.05, 'adam', batch_size=3)}"
    runs = []
    for _ in range(2):
        model = impl.MLP(list(sizes), seed=seed)
        initial = read_params(model, sizes, f"MLP({sizes}, seed={seed})")
        history = model.fit(X, y, epochs=4, lr=0.05, batch_size=3, optimizer="adam")
        values = history_array(history, 4, call)
        if not np.all(np.isfinite(values)):
            raise Mistake(
                f"{call} returned non-finite losses {values.tolist()}. Likely mistake: {ADAM_NAN}"
            )
        runs.append((values, *expect_trained(model, sizes, initial, call)))
    (h1, W1, b1), (h2, W2, b2) = runs
    same = np.array_equal(h1, h2) and all(
        np.array_equal(a, b) for a, b in zip(W1 + b1, W2 + b2, strict=True)
    )
    if not same:
        raise Mistake(
            f"two runs of {call} gave different results (histories {h1.tolist()} and "
            f"{h2.tolist()}). Likely mistake: {GLOBAL_RNG}"
        )


@pytest.mark.contract
def test_minibatches_are_shuffled(impl, rng):
    """mini-batches come from a fresh shuffle of the rows, not from the data's order"""
    sizes, n, lr = [3, 5, 4], 8, 0.5
    Ws, bs, X, y = random_problem(rng, sizes, n)
    model = built(impl, sizes, Ws, bs, seed=int(rng.integers(0, 10_000)))
    call = fit_call(X, 2, lr, "sgd", batch_size=2)
    model.fit(X, y, epochs=2, lr=lr, batch_size=2, optimizer="sgd")
    got_W, got_b = expect_trained(model, sizes, (Ws, bs), call)
    in_order = oracle_sgd_in_data_order(Ws, bs, X, y, 2, lr, 2)
    # A real shuffle repeats the data's batch order in both epochs with probability ~1e-7.
    pairs = zip(got_W + got_b, in_order, strict=True)
    if all(np.allclose(got, unshuffled, rtol=1e-9, atol=1e-12) for got, unshuffled in pairs):
        raise Mistake(
            f"{call} took rows 0-1, 2-3, 4-5, 6-7 in this order in both epochs. "
            f"Likely mistake: {NOT_SHUFFLED}"
        )


# -- the costliest last: finite differences through your own loss, then learning XOR ----


@pytest.mark.gradients
def test_gradients_match_finite_differences_of_own_loss(impl, rng):
    """gradients agree with finite differences of your own loss, for every weight and bias"""
    sizes = [3, 7, 5]
    Ws, bs, X, y = random_problem(rng, sizes, 6)
    model = built(impl, sizes, Ws, bs)
    call = f"gradients(X ({shape_text(X)}), y) of MLP({sizes})"
    got = gradient_lists(model.gradients(X, y), Ws, bs, call)
    expect_loss_of_own_forward(model, X, y, Ws, bs, call)

    def loss_with(name, params, i):
        def f(value):
            setattr(model, name, params[:i] + [value] + params[i + 1 :])
            return as_float(model.loss(X, y), "loss(X, y)")

        return f

    numeric_W = [numerical_gradient(loss_with("weights", Ws, i), W) for i, W in enumerate(Ws)]
    model.weights = Ws
    numeric_b = [numerical_gradient(loss_with("biases", bs, i), b) for i, b in enumerate(bs)]
    model.biases = bs
    exact_W, exact_b = oracle_gradients(Ws, bs, X, y)
    for name, numerics, exact in (("weights", numeric_W, exact_W), ("biases", numeric_b, exact_b)):
        for i, (numeric, want) in enumerate(zip(numerics, exact, strict=True)):
            if np.any(want != 0) and np.all(np.abs(numeric) < 1e-9):
                raise Mistake(
                    f"{call}: loss(X, y) stays the same when {name}[{i}] changes, so its finite "
                    f"differences cannot check gradients. Likely mistake: {LOSS_IGNORES_PARAMS}"
                )
    expect_gradients(
        got,
        numeric_W,
        numeric_b,
        len(X),
        call,
        no_mask=oracle_gradients(Ws, bs, X, y, relu_mask=False),
    )


def expect_loss_of_own_forward(model, X, y, Ws, bs, call):
    """loss(X, y) must be the mean cross-entropy of the model's own forward(X).

    Finite differences of a wrong loss (0 everywhere, say) would confirm equally wrong
    gradients (all 0), so gradients are checked against the learner's own loss only once
    that loss is what the learner's own forward implies (whatever forward computes).
    """
    n, classes = len(X), Ws[-1].shape[0]
    probs = expect_array(
        model.forward(X), call=f"forward(X ({shape_text(X)}))", shape=(n, classes)
    ).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = float(-np.mean(np.log(probs[np.arange(n), y])))
    what = f"{call} is checked against finite differences of your loss, so that loss must be right"
    if not np.isfinite(want):
        raise Mistake(
            f"{what}; but forward(X) gave a probability that is 0, negative or not finite for a "
            "true class, so no cross-entropy follows from it"
        )
    expect_scalar(
        model.loss(X, y),
        want,
        call=f"{what}: loss(X, y), the mean cross-entropy of your own forward(X),",
        mistakes=loss_mistakes(Ws, bs, X, y),
    )


def trainable_seed(impl, rng, X, y, what):
    """A learner's MLP([2, 16, 2], seed=s) whose initial weights the oracle can train on X, y.

    A careful implementation fails on about 1 seed in 1000, so seeds the oracle itself
    cannot train from the learner's own initial weights are skipped (at most 10 tries).
    Returns the seed, the untrained model, its initial parameters and the oracle's
    trained parameters (the ones the learner's full-batch training must also reach).
    """
    tried = []
    for _ in range(10):
        seed = int(rng.integers(0, 1000))
        model = impl.MLP(list(XOR_SIZES), seed=seed)
        Ws, bs = read_params(model, XOR_SIZES, f"MLP({XOR_SIZES}, seed={seed})")
        _, final_W, final_b, _ = oracle_fit(Ws, bs, X, y, 500, 0.01, "adam")
        if np.array_equal(np.argmax(oracle_probs(final_W, final_b, X), axis=1), y):
            return seed, model, Ws + bs, (final_W, final_b)
        tried.append(seed)
    raise Mistake(
        f"Adam with the defaults, started from the initial weights of MLP({XOR_SIZES}, seed=s), "
        f"does not learn {what} for seeds {tried}: check the He-normal initial weights "
        "(N(0, 2 / fan_in), biases zeros)"
    )


def unseen_points(rng, trained):
    """Noisy copies of the four corners (sigma 0.1) that fit never saw, with their XOR labels.

    Only points the oracle's trained network labels right with probability at least 0.75
    are kept (about 60 of 64): a network that learned XOR may still draw its boundary near
    a corner, and the learner's network, trained the same way, is judged where the answer
    is clear.
    """
    rows = np.tile(np.arange(4), 16)
    X, y = XOR_X[rows] + 0.1 * rng.standard_normal((len(rows), 2)), XOR_Y[rows]
    confident = oracle_probs(*trained, X)[np.arange(len(y)), y] >= 0.75
    return X[confident], y[confident]


def draw_training(figures, reference, model, history, seed, X, y, what):
    """The learner's loss per epoch beside the reference's, and the learned regions (unscored)."""
    ours = reference.MLP(XOR_SIZES, seed=seed).fit(X, y)
    series = {"your fit": [float(v) for v in history], "reference": [float(v) for v in ours]}
    figures.append(Figure("curves", f"training loss per epoch ({what})", series))
    cells = np.linspace(0.0, 1.0, 24)
    grid = np.array([(x, y_) for y_ in cells[::2][::-1] for x in cells])
    try:
        labels = model.predict(grid)
    except LearnerFailure:
        return  # predict's own test says what is wrong with it
    if (
        isinstance(labels, np.ndarray)
        and labels.shape == (len(grid),)
        and labels.dtype.kind in "iu"
    ):
        rows = np.clip(labels, 0, 1).reshape(12, 24).tolist()
        figures.append(Figure("regions", "learned classes over the unit square", grid=rows))


def expect_learns(impl, rng, X, y, what, runs, figures=None, reference=None):
    """fit with the defaults learns XOR: the TRAINED network labels seen and unseen points.

    Right labels without learning are told apart: remembered training points fail on
    unseen points, and a lookup or a hard-coded rule in predict gives labels that the
    model's own weights and biases do not.
    """
    for _ in range(runs):
        seed, model, initial, trained = trainable_seed(impl, rng, X, y, what)
        call = f"MLP({XOR_SIZES}, seed={seed}).fit(X, y) with the defaults on {what}"
        history = history_array(model.fit(X, y), 500, call)
        if figures is not None and not figures:
            draw_training(figures, reference, model, history, seed, X, y, what)
        got = expect_labels(model.predict(X), len(y), 2, f"predict(X) after {call}")
        right = int(np.sum(got == y))
        if right != len(y):
            trend = f"the loss went from {history[0]:.4g} to {history[-1]:.4g}"
            raise Mistake(
                f"after {call}, predict(X) is right on {right} of {len(y)} points; "
                f"expected 100% training accuracy ({trend})"
            )
        Ws, bs = read_params(model, XOR_SIZES, f"the MLP after {call}")
        untrained = all(np.array_equal(a, b) for a, b in zip(Ws + bs, initial, strict=True))
        X_new, y_new = unseen_points(rng, trained)
        got_new = expect_labels(
            model.predict(X_new), len(y_new), 2, f"predict on new points after {call}"
        )
        right = int(np.sum(got_new == y_new))
        if right != len(y_new):
            hint = f" Likely mistake: {REMEMBERED}" if untrained else ""
            raise Mistake(
                f"after {call}, predict is right on only {right} of {len(y_new)} new noisy copies "
                f"of the corners (points fit did not see); a network that learned XOR labels "
                f"them all.{hint}"
            )
        points = np.concatenate([X, X_new])
        own = np.argmax(oracle_probs(Ws, bs, points), axis=1)
        differ = np.flatnonzero(own != np.concatenate([got, got_new]))
        if differ.size:
            point = np.round(points[differ[0]], 3).tolist()
            raise Mistake(
                f"after {call}, predict does not follow the trained network: on {differ.size} "
                f"of {len(points)} points (e.g. {point}) the model's own weights and biases "
                f"give the other label. Likely mistake: {NOT_FROM_NETWORK}"
            )


@pytest.mark.values
def test_xor_corners_learned_with_defaults(impl, rng, figures, reference):
    """MLP([2, 16, 2]).fit with the defaults learns XOR from the four corners"""
    expect_learns(impl, rng, XOR_X, XOR_Y, "the four XOR corners", 3, figures, reference)


@pytest.mark.values
def test_xor_noisy_copies_learned_with_defaults(impl, rng):
    """MLP([2, 16, 2]).fit with the defaults learns XOR from noisy copies (sigma 0.1)"""
    rows = np.tile(np.arange(4), 8)
    X = XOR_X[rows] + 0.1 * rng.standard_normal((len(rows), 2))
    expect_learns(impl, rng, X, XOR_Y[rows], "32 noisy copies of the XOR corners", runs=2)
