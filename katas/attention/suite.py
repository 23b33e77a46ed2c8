"""Hidden suite for attention.

The oracle is written here independently of the reference: scores are einsum contractions,
the softmax is exp(s - logsumexp(s)) over the keys, and the backward goes through each
row's full softmax Jacobian diag(p) - p p^T, where the reference uses the compact
P * (dP - sum(dP * P)). Finite differences use the oracle forward.

Shapes are chosen so that no transpose can hide: B, Tq, Tk, d and dv all differ. Gradient
checks draw their inputs again until every entry of dQ, dK and dV is exactly 0 (a query
with a single allowed key, whose weights cannot move) or at least 1e-3 away from 0 (by the
oracle): finite differences carry an absolute error near 1e-10, which the contract's
relative error would magnify for an entry that happens to be almost 0. Attention is smooth
(no kinks); over 600 seeds (1800 checks, half of them masked) the oracle's relative error
against finite differences stayed below 3.4e-8, 30 times below the contract's 1e-6.
"""

import math

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

# Likely mistakes, named the way the learner should read them.
NO_SCALE = named("no-scale")
SCALE_BY_D = named("scale-by-d")
SCALE_WRONG_SIZE = named("scale-wrong-size")
QUERY_AXIS = named("query-axis")
WHOLE_SOFTMAX = named("whole-softmax")
WEIGHTS_TRANSPOSED = named("weights-transposed")
MASK_IGNORED = named("mask-ignored")
MASK_ZERO = named("mask-zero")
MASK_AFTER = named("mask-after")
MASK_INVERTED = named("mask-inverted")
MASK_LEAK = named("mask-leak")
RENORMALISED_UNDERFLOW = named("renormalised-underflow")
OVERFLOW = named("overflow")
SWAPPED_RESULTS = named("swapped-results")
TRANSPOSE_HINT = named("transpose-hint")
BW_NO_SCALE = named("bw-no-scale")
BW_SCALE_TWICE = named("bw-scale-twice")
BW_DIAGONAL = named("bw-diagonal")
BW_NO_SOFTMAX = named("bw-no-softmax")
BW_NO_SUBTRACT = named("bw-no-subtract")
BW_SUM_AXIS = named("bw-sum-axis")
BW_MASK_IGNORED = named("bw-mask-ignored")
BW_UNSCALED_WEIGHTS = named("bw-unscaled-weights")
DV_TRANSPOSE = named("dv-transpose")
DK_TRANSPOSE = named("dk-transpose")
DQ_DK_SWAPPED = named("dq-dk-swapped")
SHAPE_ERRORS = ("mismatch", "broadcast", "shapes", "aligned", "dimension")


# ----- the oracle -----


def masked_scores(Q, K, mask=None, scale=None):
    d = Q.shape[-1]
    s = np.einsum("bqd,bkd->bqk", Q, K) / (math.sqrt(d) if scale is None else scale)
    if mask is not None:
        s = np.where(np.broadcast_to(mask, s.shape), s, -np.inf)
    return s


def softmax_keys(s: np.ndarray) -> np.ndarray:
    m = np.max(s, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(s - m), axis=-1, keepdims=True))
    return np.exp(s - lse)


def oracle(Q, K, V, mask=None) -> tuple:
    p = softmax_keys(masked_scores(Q, K, mask))
    return np.einsum("bqk,bkv->bqv", p, V), p


def softmax_vjp(p: np.ndarray, dp: np.ndarray) -> np.ndarray:
    """Each row's full Jacobian (diag(p) - p p^T) applied to dp."""
    jac = np.einsum("bqk,kl->bqkl", p, np.eye(p.shape[-1])) - np.einsum("bqk,bql->bqkl", p, p)
    return np.einsum("bqkl,bql->bqk", jac, dp)


def oracle_backward(g, Q, K, V, mask=None) -> tuple:
    p = oracle(Q, K, V, mask)[1]
    dv = np.einsum("bqk,bqv->bkv", p, g)
    ds = softmax_vjp(p, np.einsum("bqv,bkv->bqk", g, V)) / math.sqrt(Q.shape[-1])
    return np.einsum("bqk,bkd->bqd", ds, K), np.einsum("bqk,bqd->bkd", ds, Q), dv


def causal_mask(tq: int, tk: int) -> np.ndarray:
    """Query i (the last tq of tk positions) may see keys 0 .. i + tk - tq: at least one."""
    return np.tril(np.ones((tq, tk), dtype=bool), k=tk - tq)


def random_mask(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Random True/False, with at least one True in every row (the contract tests no other)."""
    mask = rng.random(shape) < 0.6
    first = rng.integers(0, shape[-1], shape[:-1])
    np.put_along_axis(mask, first[..., None], True, axis=-1)
    return mask


# ----- likely mistakes -----


def any_of(*alternatives):
    """A predicate: ``got`` matches one of several arrays a single mistake may give."""

    def matches(got: np.ndarray) -> bool:
        return any(
            got.shape == np.shape(a) and np.allclose(got, a, rtol=1e-6, atol=1e-9, equal_nan=True)
            for a in alternatives
        )

    return matches


def leaks(allowed: np.ndarray):
    """A predicate: some weight at a masked position is not 0."""

    def matches(got: np.ndarray) -> bool:
        return got.shape == allowed.shape and bool(np.any(got[~allowed] != 0))

    return matches


def weight_alternatives(Q, K, V, mask=None) -> dict:
    """What each forward mistake makes of the weights (arrays, NaN where the mistake gives NaN)."""
    d, dv, (_, tq, _), tk = Q.shape[-1], V.shape[-1], Q.shape, K.shape[1]
    with np.errstate(all="ignore"):
        raw = masked_scores(Q, K, None)
        found = {
            NO_SCALE: softmax_keys(masked_scores(Q, K, mask, scale=1.0)),
            SCALE_BY_D: softmax_keys(masked_scores(Q, K, mask, scale=d)),
            SCALE_WRONG_SIZE: any_of(
                *(softmax_keys(masked_scores(Q, K, mask, scale=math.sqrt(n))) for n in (dv, tq, tk))
            ),
        }
        s = masked_scores(Q, K, mask)
        e = np.exp(s - np.max(s, axis=-2, keepdims=True))
        found[QUERY_AXIS] = np.where(np.isnan(e), 0.0, e) / np.nansum(e, axis=-2, keepdims=True)
        e = np.exp(s - np.max(s))
        found[WHOLE_SOFTMAX] = any_of(e / e.sum(), e / e.sum(axis=(-2, -1), keepdims=True))
        if mask is not None:
            allowed = np.broadcast_to(mask, raw.shape)
            plain = softmax_keys(raw)
            found[MASK_IGNORED] = plain
            found[MASK_ZERO] = softmax_keys(np.where(allowed, raw, 0.0))
            found[MASK_AFTER] = plain * allowed
            found[MASK_INVERTED] = softmax_keys(np.where(allowed, -np.inf, raw))
            found[MASK_LEAK] = leaks(allowed)
    return found


def forward_mistakes(Q, K, V, mask=None):
    def weights() -> dict:
        return weight_alternatives(Q, K, V, mask)

    def out() -> dict:
        found = {}
        for message, w in weight_alternatives(Q, K, V, mask).items():
            if isinstance(w, np.ndarray):
                with np.errstate(all="ignore"):
                    found[message] = np.einsum("bqk,bkv->bqv", w, V)
        return found

    return weights, out


def backward_alternatives(g, Q, K, V, mask=None) -> dict:
    """What each backward mistake makes of (dQ, dK, dV), one triple per mistake."""
    d = Q.shape[-1]
    root = math.sqrt(d)
    p = oracle(Q, K, V, mask)[1]
    dp = np.einsum("bqv,bkv->bqk", g, V)

    def from_ds(ds, weights=p):
        return (
            np.einsum("bqk,bkd->bqd", ds, K),
            np.einsum("bqk,bqd->bkd", ds, Q),
            np.einsum("bqk,bqv->bkv", weights, g),
        )

    right = softmax_vjp(p, dp)
    found = {
        BW_NO_SCALE: from_ds(right),
        BW_SCALE_TWICE: from_ds(right / d),
        BW_DIAGONAL: from_ds(p * (1 - p) * dp / root),
        BW_NO_SOFTMAX: from_ds(dp / root),
        BW_NO_SUBTRACT: from_ds(p * dp / root),
        BW_SUM_AXIS: from_ds(p * (dp - (dp * p).sum(axis=-2, keepdims=True)) / root),
    }
    unscaled = softmax_keys(masked_scores(Q, K, mask, scale=1.0))
    found[BW_UNSCALED_WEIGHTS] = from_ds(softmax_vjp(unscaled, dp) / root, unscaled)
    if mask is not None:
        plain = softmax_keys(masked_scores(Q, K, None))
        found[BW_MASK_IGNORED] = from_ds(softmax_vjp(plain, dp) / root, plain)
    return found


def backward_mistakes(g, Q, K, V, mask, which: int):
    """The mistakes of dQ (which = 0), dK (1) or dV (2), built only when a check fails."""

    def build() -> dict:
        found = {m: t[which] for m, t in backward_alternatives(g, Q, K, V, mask).items()}
        p = oracle(Q, K, V, mask)[1]
        if which == 2:
            found = {m: a for m, a in found.items() if m in (BW_MASK_IGNORED, BW_UNSCALED_WEIGHTS)}
            # dV = weights^T @ grad_out shows which weights the backward used.
            for message, w in weight_alternatives(Q, K, V, mask).items():
                if isinstance(w, np.ndarray) and message not in (MASK_IGNORED, NO_SCALE):
                    with np.errstate(all="ignore"):
                        found[f"(in the weights the backward used) {message}"] = np.einsum(
                            "bqk,bqv->bkv", w, g
                        )
        if which == 1:
            ds = softmax_vjp(p, np.einsum("bqv,bkv->bqk", g, V)) / math.sqrt(Q.shape[-1])
            found[DK_TRANSPOSE] = lambda got: (
                got.shape == Q.shape[:2] + K.shape[2:] and (Q.shape[1] != K.shape[1])
            )
            found[DQ_DK_SWAPPED] = np.einsum("bqk,bkd->bqd", ds, K)
        if which == 0:
            ds = softmax_vjp(p, np.einsum("bqv,bkv->bqk", g, V)) / math.sqrt(Q.shape[-1])
            found[DQ_DK_SWAPPED] = np.einsum("bqk,bqd->bkd", ds, Q)
        if which == 2:
            found[DV_TRANSPOSE] = lambda got: (
                got.shape == Q.shape[:2] + V.shape[2:] and (Q.shape[1] != K.shape[1])
            )
        return found

    return build


# ----- calling the learner's functions -----


def expect_values(got, expected: np.ndarray, *, call: str, mistakes=None):
    """expect_close, naming a known mistake for wrong shapes too."""
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    return expect_close(got, expected, call=call, mistakes=mistakes)


def unpack(result, count: int, call: str, what: str) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != count:
        raise Mistake(f"{call} returned {describe(result)}; it must return a tuple {what}")
    return tuple(result)


def describe_call(name: str, Q, K, V, mask=None) -> str:
    args = f"Q {Q.shape}, K {K.shape}, V {V.shape}"
    if mask is not None:
        args += f", mask={np.shape(mask)} boolean"
    return f"{name}({args})"


def run_attention(impl, Q, K, V, mask=None) -> tuple:
    call = describe_call("attention", Q, K, V, mask)
    options = {} if mask is None else {"mask": mask}
    with hint_on_error(TRANSPOSE_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        result = impl.attention(Q, K, V, **options)
    out, weights = unpack(result, 2, call, "(out, weights)")
    out_shape = Q.shape[:2] + V.shape[2:]
    weights_shape = Q.shape[:2] + K.shape[1:2]
    if (
        out_shape != weights_shape
        and isinstance(out, np.ndarray)
        and isinstance(weights, np.ndarray)
        and out.shape == weights_shape
        and weights.shape == out_shape
    ):
        raise Mistake(f"{call} returned shapes {out.shape}, {weights.shape}. {SWAPPED_RESULTS}")
    return out, weights, call


def check_attention(impl, Q, K, V, mask=None) -> None:
    """The learner's weights, then out, against the oracle, naming known mistakes."""
    verify_attention(run_attention(impl, Q, K, V, mask), Q, K, V, mask)


def verify_attention(result: tuple, Q, K, V, mask=None) -> None:
    out, weights, call = result
    want_out, want_weights = oracle(Q, K, V, mask)
    weight_found, out_found = forward_mistakes(Q, K, V, mask)
    transposed = {WEIGHTS_TRANSPOSED: want_weights.swapaxes(-1, -2)}
    expect_values(
        weights,
        want_weights,
        call=f"{call}[1] (weights)",
        mistakes=lambda: {**transposed, **weight_found()},
    )
    if mask is not None:
        blocked = ~np.broadcast_to(mask, want_weights.shape)
        if np.any(weights[blocked] != 0):
            raise Mistake(
                f"{call}[1] (weights) must be exactly 0 at masked (False) positions, got up to "
                f"{float(np.max(np.abs(weights[blocked]))):.3g}. Likely mistake: {MASK_LEAK}"
            )
    expect_values(out, want_out, call=f"{call}[0] (out)", mistakes=out_found)


def run_backward(impl, g, Q, K, V, mask=None) -> tuple:
    call = describe_call("attention_backward", Q, K, V, mask).replace("(", "(grad_out, ", 1)
    options = {} if mask is None else {"mask": mask}
    with hint_on_error(TRANSPOSE_HINT, error_type="ValueError", contains=SHAPE_ERRORS):
        result = impl.attention_backward(g, Q, K, V, **options)
    return (*unpack(result, 3, call, "(dQ, dK, dV)"), call)


NAMES = ("dQ", "dK", "dV")


def check_backward(impl, g, Q, K, V, mask=None) -> None:
    verify_backward(run_backward(impl, g, Q, K, V, mask), g, Q, K, V, mask)


def verify_backward(result: tuple, g, Q, K, V, mask=None) -> None:
    *got, call = result
    want = oracle_backward(g, Q, K, V, mask)
    for which in (2, 0, 1):  # dV first: it does not go through the softmax
        expect_values(
            got[which],
            want[which],
            call=f"{call}[{which}] ({NAMES[which]})",
            mistakes=backward_mistakes(g, Q, K, V, mask, which),
        )


def qkv(rng, b=2, tq=3, tk=5, d=4, dv=6) -> tuple:
    return (
        rng.standard_normal((b, tq, d)),
        rng.standard_normal((b, tk, d)),
        rng.standard_normal((b, tk, dv)),
    )


# ----- hand-checked examples -----

# Scores / sqrt(4) are [0, 0, 0] for query 0 and [ln 3, 0, 0] for query 1, so the weights are
# [1/3, 1/3, 1/3] and [3/5, 1/5, 1/5]. The mask hides key 2 from query 0 and key 0 (the one
# that scores ln 3) from query 1: [1/2, 1/2, 0] and [0, 1/2, 1/2].
LN3 = math.log(3.0)
HAND_Q = np.array([[[0.0, 0.0, 0.0, 0.0], [2 * LN3, 0.0, 0.0, 0.0]]])
HAND_K = np.array([[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]])
HAND_V = np.array([[[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]])
HAND_MASK = np.array([[True, True, False], [False, True, True]])


def hand_check(impl, mask, weights: np.ndarray, out: np.ndarray) -> None:
    got_out, got_weights, call = run_attention(impl, HAND_Q, HAND_K, HAND_V, mask)
    weight_found, out_found = forward_mistakes(HAND_Q, HAND_K, HAND_V, mask)
    call = call.replace("Q (1, 2, 4)", "Q = [[0, 0, 0, 0], [2 ln 3, 0, 0, 0]]").replace(
        "K (1, 3, 4)", "K = the first three rows of I_4"
    )
    expect_values(got_weights, weights, call=f"{call}[1] (weights)", mistakes=weight_found)
    expect_values(got_out, out, call=f"{call}[0] (out)", mistakes=out_found)


@pytest.mark.values
def test_small_example(impl):
    """attention on a hand-checked example: scores / sqrt(d), softmax over the keys"""
    weights = np.array([[[1 / 3, 1 / 3, 1 / 3], [0.6, 0.2, 0.2]]])
    hand_check(impl, None, weights, np.array([[[1.0, 1.0], [1.0, 0.6]]]))


@pytest.mark.values
def test_small_example_masked(impl):
    """attention on a hand-checked example with a mask: False positions get weight 0"""
    weights = np.array([[[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]])
    hand_check(impl, HAND_MASK, weights, np.array([[[0.5, 0.5], [1.0, 1.5]]]))


@pytest.mark.values
def test_random_values(impl, rng):
    """out and weights on random inputs, without a mask (Tq != Tk, d != dv)"""
    check_attention(impl, *qkv(rng))


@pytest.mark.values
def test_causal_mask(impl, rng):
    """a causal (Tq, Tk) mask, broadcast over the batch"""
    Q, K, V = qkv(rng, b=2, tq=4, tk=6, d=3, dv=5)
    check_attention(impl, Q, K, V, causal_mask(4, 6))


@pytest.mark.values
def test_padding_mask(impl, rng):
    """a padding mask of shape (B, 1, Tk): some keys hidden from every query of a sequence"""
    Q, K, V = qkv(rng, b=3, tq=2, tk=5, d=4, dv=3)
    mask = np.ones((3, 1, 5), dtype=bool)
    mask[0, 0, 3:] = False
    mask[2, 0, 1:] = False
    check_attention(impl, Q, K, V, mask)


@pytest.mark.values
def test_full_mask(impl, rng):
    """a random (B, Tq, Tk) mask with at least one allowed key per query"""
    Q, K, V = qkv(rng, b=2, tq=3, tk=6, d=5, dv=4)
    check_attention(impl, Q, K, V, random_mask(rng, (2, 3, 6)))


@pytest.mark.values
def test_backward_random_values(impl, rng):
    """dQ, dK and dV on random inputs, without a mask"""
    Q, K, V = qkv(rng)
    check_backward(impl, rng.standard_normal((2, 3, 6)), Q, K, V)


@pytest.mark.values
def test_backward_causal_values(impl, rng):
    """dQ, dK and dV with a causal mask"""
    Q, K, V = qkv(rng, b=2, tq=4, tk=6, d=3, dv=5)
    check_backward(impl, rng.standard_normal((2, 4, 5)), Q, K, V, causal_mask(4, 6))


# ----- shapes -----

SIZES = [
    (1, 1, 1, 1, 1),
    (1, 2, 7, 3, 1),
    (3, 5, 1, 2, 4),
    (2, 6, 3, 8, 2),
    (4, 3, 3, 2, 5),
]


@pytest.mark.shapes
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "B{}_Tq{}_Tk{}_d{}_dv{}".format(*s))
def test_shapes(impl, rng, sizes):
    """forward and backward for many sizes: one query, one key, d = 1, Tq = Tk, ..."""
    b, tq, tk, d, dv = sizes
    Q, K, V = qkv(rng, b, tq, tk, d, dv)
    check_attention(impl, Q, K, V)
    check_backward(impl, rng.standard_normal((b, tq, dv)), Q, K, V)


MASK_SHAPES = [(5,), (3, 5), (2, 1, 5), (1, 3, 5)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", MASK_SHAPES, ids=shape_id)
def test_mask_broadcasts(impl, rng, shape):
    """a mask of any shape that broadcasts to (B, Tq, Tk), in forward and backward"""
    Q, K, V = qkv(rng, b=2, tq=3, tk=5, d=4, dv=2)
    mask = random_mask(rng, shape)
    check_attention(impl, Q, K, V, mask)
    check_backward(impl, rng.standard_normal((2, 3, 2)), Q, K, V, mask)


# ----- gradients -----

GRAD_SIZES = (2, 3, 4, 5, 2)


def gradient_setup(rng, masked: bool) -> tuple:
    """Inputs whose gradients are 0 exactly or well away from it, and the oracle's gradients."""
    b, tq, tk, d, dv = GRAD_SIZES
    mask = causal_mask(tq, tk) if masked else None
    for _ in range(200):
        Q, K, V = qkv(rng, b, tq, tk, d, dv)
        g = rng.standard_normal((b, tq, dv))
        want = oracle_backward(g, Q, K, V, mask)
        if all(np.all((a == 0) | (np.abs(a) >= 1e-3)) for a in want):
            break
    return g, Q, K, V, mask


MASKS = [pytest.param(False, id="no_mask"), pytest.param(True, id="causal")]


def check_gradient(impl, rng, masked: bool, which: int) -> None:
    g, Q, K, V, mask = gradient_setup(rng, masked)
    *got, call = run_backward(impl, g, Q, K, V, mask)
    inputs = [Q, K, V]

    def loss(changed: np.ndarray) -> float:
        args = inputs[:which] + [changed] + inputs[which + 1 :]
        return float(np.sum(g * oracle(*args, mask)[0]))

    numeric = numerical_gradient(loss, inputs[which])
    mistakes = backward_mistakes(g, Q, K, V, mask, which)
    expect_shape(
        got[which], numeric.shape, call=f"{call}[{which}] ({NAMES[which]})", mistakes=mistakes
    )
    expect_gradient(
        got[which],
        numeric,
        call=f"{call}, grad_out = w, L = sum(w * out): {NAMES[which]}",
        wrt="QKV"[which],
        mistakes=mistakes,
    )


@pytest.mark.gradients
@pytest.mark.parametrize("masked", MASKS)
def test_dq_matches_finite_differences(impl, rng, masked):
    """dQ is the gradient of sum(w * out) with respect to Q (finite differences)"""
    check_gradient(impl, rng, masked, 0)


@pytest.mark.gradients
@pytest.mark.parametrize("masked", MASKS)
def test_dk_matches_finite_differences(impl, rng, masked):
    """dK is the gradient of sum(w * out) with respect to K (finite differences)"""
    check_gradient(impl, rng, masked, 1)


@pytest.mark.gradients
@pytest.mark.parametrize("masked", MASKS)
def test_dv_matches_finite_differences(impl, rng, masked):
    """dV is the gradient of sum(w * out) with respect to V (finite differences)"""
    check_gradient(impl, rng, masked, 2)


# ----- stability -----


def huge_inputs(rng) -> tuple:
    """Scores of magnitude up to about 1e4, with distinct maxima (so weights are not all 0/1)."""
    Q, K, V = qkv(rng, b=2, tq=3, tk=5, d=4, dv=3)
    return 100 * Q, 100 * K, V


@pytest.mark.stability
def test_huge_scores(impl, rng):
    """scores of magnitude 1e4 give finite weights and no floating-point warning"""
    Q, K, V = huge_inputs(rng)
    with no_fp_warnings(impl, describe_call("attention", Q, K, V), OVERFLOW):
        result = run_attention(impl, Q, K, V)
    verify_attention(result, Q, K, V)


@pytest.mark.stability
def test_huge_scores_masked(impl, rng):
    """scores of magnitude 1e4 whose masked keys score far above the allowed ones"""
    Q, K, V = huge_inputs(rng)
    mask = random_mask(rng, (2, 3, 5))
    # Make every masked key the best match of its query: a finite fill or a softmax taken
    # before masking would then show.
    allowed = np.broadcast_to(mask, (2, 3, 5))
    for b, i, j in zip(*np.nonzero(~allowed), strict=True):
        K[b, j] = Q[b, i] * 3 / (np.linalg.norm(Q[b, i]) / 100)
    call = describe_call("attention", Q, K, V, mask)
    hints = {"invalid": RENORMALISED_UNDERFLOW, "overflow": OVERFLOW, "divide": OVERFLOW}
    with no_fp_warnings(impl, call, hints):
        out, weights, call = run_attention(impl, Q, K, V, mask)
    want_out, want_weights = oracle(Q, K, V, mask)
    mistakes = {MASK_LEAK: leaks(allowed)}
    expect_values(weights, want_weights, call=f"{call}[1] (weights)", mistakes=mistakes)
    expect_values(out, want_out, call=f"{call}[0] (out)")


@pytest.mark.stability
def test_huge_scores_backward(impl, rng):
    """the backward on scores of magnitude 1e4 is finite and raises no floating-point warning"""
    Q, K, V = huge_inputs(rng)
    mask = causal_mask(3, 5)
    g = rng.standard_normal((2, 3, 3))
    call = describe_call("attention_backward", Q, K, V, mask)
    with no_fp_warnings(impl, call, OVERFLOW):
        result = run_backward(impl, g, Q, K, V, mask)
    verify_backward(result, g, Q, K, V, mask)


# ----- the contract -----


@pytest.mark.contract
def test_all_true_mask_changes_nothing(impl, rng):
    """a mask that allows every key gives the same results as no mask"""
    Q, K, V = qkv(rng)
    check_attention(impl, Q, K, V, np.ones((2, 3, 5), dtype=bool))


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """attention and attention_backward leave Q, K, V, the mask and grad_out untouched"""
    Q, K, V = qkv(rng)
    mask = random_mask(rng, (3, 5))
    g = rng.standard_normal((2, 3, 6))
    # The mask is optional, so it goes by keyword (only positional arrays are watched).
    expect_inputs_unchanged(impl, "attention", Q, K, V, arg_names=("Q", "K", "V"), mask=mask)
    expect_inputs_unchanged(
        impl,
        "attention_backward",
        g,
        Q,
        K,
        V,
        arg_names=("grad_out", "Q", "K", "V"),
        mask=mask,
    )


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """attention returns a tuple of two arrays, attention_backward a tuple of three"""
    Q, K, V = qkv(rng)
    out, weights, _ = run_attention(impl, Q, K, V)
    *grads, _ = run_backward(impl, rng.standard_normal((2, 3, 6)), Q, K, V)
    for name, got in zip(("out", "weights", *NAMES), (out, weights, *grads), strict=True):
        if not isinstance(got, np.ndarray):
            raise Mistake(f"attention: {name} is {describe(got)}; it must be a NumPy array")
