"""Hidden suite for dropout.

The mask is random, so this suite never compares outputs with the reference's: it reads
the learner's mask from the zero pattern of their own forward output (every x here has
no zero entry), and checks against an oracle written here that every kept entry is
x / (1 - p), that backward applies that same pattern and scale, and the law of the mask.

Statistical checks and their thresholds (P_EACH = 1e-9 for each random event):

- the fraction of zeroed entries of n independent Bernoulli(p) draws stays within
  deviation_bound(n, P_EACH) of p (Hoeffding) but with probability below P_EACH; two such
  checks per run;
- eight masks of 1,000 entries with p = 0.5 all zero the same number of entries with
  probability at most max_k P(K = k)**7 < 0.0253**7 < 1e-11;
- every other random event is far rarer: two independent masks of n entries coincide,
  or a row of 200 entries comes out all zeroed or all kept, with probability at most
  max(p, 1 - p)**n (n >= 64 here, and p = 0.5 or 0.2, so below 1e-19 each).

By the union bound a correct file fails a run with probability below 3e-9, far under
once in 10**6 seeds.
"""

import numpy as np
import pytest

from grader.suite import (
    ANY_SHAPES,
    Mistake,
    declared_mistakes,
    describe,
    deviation_bound,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_raises,
    hint_on_error,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

BACKWARD_SCALED_IN_EVAL = named("backward-scaled-in-eval")

P_EACH = 1e-9

NO_SCALE = named("no-scale")
SCALE_OVER_P = named("scale-over-p")
SCALE_TIMES_KEEP = named("scale-times-keep")
SCALE_TIMES_P = named("scale-times-p")
P_AS_KEEP = named("p-as-keep")
NOTHING_DROPPED = named("nothing-dropped")
PER_ROW = named("per-row")
PER_COLUMN = named("per-column")
FIXED_COUNT = named("fixed-count")
BACKWARD_UNCHANGED = named("backward-unchanged")
BACKWARD_NO_SCALE = named("backward-no-scale")
BACKWARD_MASK_ONLY = named("backward-mask-only")
BACKWARD_NEW_MASK = named("backward-new-mask")
STALE_MASK = named("stale-mask")
STALE_AFTER_EVAL = named("stale-after-eval")
MASK_REUSED = named("mask-reused")
DROPOUT_IN_EVAL = named("dropout-in-eval")
EVAL_SCALED_BY_KEEP = named("eval-scaled-by-keep")
EVAL_SCALED = named("eval-scaled")
P_ONE_NAN = named("p-one-nan")
P_ONE_REJECTED = named("p-one-rejected")
NOT_DETERMINISTIC = named("not-deterministic")
RNG_IGNORED = named("rng-ignored")
DEFAULT_FIXED = named("default-fixed")


def seed_of(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def layer(impl, p: float, seed: int):
    return impl.Dropout(p=p, rng=np.random.default_rng(seed))


def nonzero(rng: np.random.Generator, shape: tuple, dtype=np.float64) -> np.ndarray:
    """Random values of magnitude in [0.5, 2] and random sign: a zero output means dropped."""
    signs = rng.choice([-1.0, 1.0], shape)
    return np.asarray(signs * rng.uniform(0.5, 2.0, shape), dtype=dtype)


def kept_of(out, shape: tuple) -> np.ndarray:
    """The learner's mask, read from the zero pattern of their forward output."""
    out = np.asarray(out, dtype=np.float64)
    if out.shape != shape:
        return np.ones(shape, dtype=bool)  # the shape check that follows names the problem
    return out != 0


def dropped(kept: np.ndarray, values: np.ndarray, factor: float) -> np.ndarray:
    """The oracle: values * factor where kept, 0 elsewhere."""
    return np.where(kept, values.astype(np.float64) * factor, 0.0)


def forward_mistakes(kept: np.ndarray, x: np.ndarray, p: float):
    return lambda: {
        NO_SCALE: dropped(kept, x, 1.0),
        SCALE_OVER_P: dropped(kept, x, 1 / p),
        SCALE_TIMES_KEEP: dropped(kept, x, 1 - p),
        SCALE_TIMES_P: dropped(kept, x, p),
    }


def backward_mistakes(kept: np.ndarray, g: np.ndarray, p: float):
    def new_mask(got: np.ndarray) -> bool:
        return got.shape == kept.shape and bool(np.any((got != 0) != kept))

    return lambda: {
        BACKWARD_UNCHANGED: g,
        BACKWARD_NO_SCALE: dropped(kept, g, 1.0),
        BACKWARD_MASK_ONLY: dropped(kept, np.ones_like(g), 1 / (1 - p)),
        BACKWARD_NEW_MASK: new_mask,
    }


def run_forward(dropout, x: np.ndarray, **kwargs):
    with hint_on_error(P_ONE_NAN, error_type="ZeroDivisionError"):
        return dropout.forward(x, **kwargs)


def run_backward(dropout, g: np.ndarray):
    with hint_on_error(P_ONE_NAN, error_type="ZeroDivisionError"):
        return dropout.backward(g)


def check_forward(out, x: np.ndarray, p: float, call: str, dtype=None) -> np.ndarray:
    """Every entry of the forward output is 0 or x / (1 - p); returns the mask it shows."""
    kept = kept_of(out, x.shape)
    expect_close(
        out,
        dropped(kept, x, 1 / (1 - p)),
        call=call,
        dtype=dtype,
        mistakes=forward_mistakes(kept, x, p),
    )
    return kept


def check_backward(got, g: np.ndarray, kept: np.ndarray, p: float, call: str, dtype=None):
    expect_close(
        got,
        dropped(kept, g, 1 / (1 - p)),
        call=call,
        dtype=dtype,
        mistakes=backward_mistakes(kept, g, p),
    )


@pytest.mark.values
def test_forward_small_example(impl, rng):
    """forward zeroes some elements and scales the others by 1 / (1 - p)"""
    x = np.arange(1.0, 25.0).reshape(4, 6)
    out = run_forward(layer(impl, 0.25, seed_of(rng)), x)
    check_forward(out, x, 0.25, "Dropout(p=0.25).forward(x = [[1, 2, ..., 6], ..., [19, ..., 24]])")


@pytest.mark.values
def test_backward_uses_forward_mask(impl, rng):
    """backward zeroes the elements forward zeroed and scales the rest by 1 / (1 - p)"""
    p = 0.25
    x, g = nonzero(rng, (5, 8)), rng.standard_normal((5, 8))
    dropout = layer(impl, p, seed_of(rng))
    kept = check_forward(run_forward(dropout, x), x, p, "Dropout(p=0.25).forward(x (5, 8))")
    call = "Dropout(p=0.25): backward(grad_output (5, 8)) after forward(x)"
    check_backward(run_backward(dropout, g), g, kept, p, call)


@pytest.mark.values
def test_evaluation_returns_x(impl, rng):
    """forward(x, training=False) returns x's values, and backward then returns grad_output"""
    p = 0.25
    x, g = nonzero(rng, (6, 10)), rng.standard_normal((6, 10))
    dropout = layer(impl, p, seed_of(rng))
    train_out = run_forward(dropout, x)
    kept = kept_of(train_out, x.shape)
    call = "Dropout(p=0.25).forward(x (6, 10), training=False)"
    expect_close(
        run_forward(dropout, x, training=False),
        x,
        call=call,
        rtol=0,
        atol=0,
        mistakes=lambda: {
            EVAL_SCALED_BY_KEEP: x * (1 - p),
            EVAL_SCALED: x / (1 - p),
            DROPOUT_IN_EVAL: lambda got: bool(np.any(got == 0)),
        },
    )
    expect_close(
        run_backward(dropout, g),
        g,
        call=f"{call}, then backward(grad_output)",
        rtol=0,
        atol=0,
        mistakes=lambda: {
            STALE_AFTER_EVAL: dropped(kept, g, 1 / (1 - p)),
            f"{STALE_AFTER_EVAL} (without its scale)": dropped(kept, g, 1.0),
            BACKWARD_SCALED_IN_EVAL: g / (1 - p),
        },
    )


@pytest.mark.values
@pytest.mark.parametrize("p", [0.2, 0.75])
def test_fraction_dropped_is_p(impl, rng, p):
    """on a large input each element is zeroed independently, a fraction p of them"""
    x = nonzero(rng, (100, 200))
    call = f"Dropout(p={p}).forward(x of shape (100, 200))"
    kept = check_forward(run_forward(layer(impl, p, seed_of(rng)), x), x, p, call)
    dropped_rows = ~kept
    if np.all(dropped_rows == dropped_rows[:, :1]):
        raise Mistake(
            f"{call}: every row is either all zeroed or all kept. Likely mistake: {PER_ROW}"
        )
    if np.all(dropped_rows == dropped_rows[:1]):
        raise Mistake(f"{call}: every row has the same zero pattern. Likely mistake: {PER_COLUMN}")
    fraction = float(dropped_rows.mean())
    bound = deviation_bound(x.size, P_EACH)
    if abs(fraction - p) > bound:
        hint = ""
        if fraction == 0:
            hint = f" Likely mistake: {NOTHING_DROPPED}"
        elif abs(fraction - (1 - p)) <= bound:
            hint = f" Likely mistake: {P_AS_KEEP}"
        raise Mistake(
            f"{call} zeroed a fraction {fraction:.4f} of the elements; each is zeroed with "
            f"probability p = {p}, so a correct mask of {x.size} elements zeroes between "
            f"{p - bound:.4f} and {p + bound:.4f} of them.{hint}"
        )


@pytest.mark.values
def test_p_zero_keeps_everything(impl, rng):
    """p = 0 keeps every element unscaled, in forward and backward"""
    x, g = nonzero(rng, (3, 5)), rng.standard_normal((3, 5))
    dropout = layer(impl, 0.0, seed_of(rng))
    expect_close(run_forward(dropout, x), x, call="Dropout(p=0.0).forward(x (3, 5))")
    expect_close(run_backward(dropout, g), g, call="Dropout(p=0.0).backward(grad_output (3, 5))")


@pytest.mark.gradients
def test_backward_matches_finite_differences(impl, rng):
    """backward is the gradient of x -> sum(forward(x) * G) for the mask forward drew"""
    p = 0.4
    x, G = nonzero(rng, (3, 4)), rng.standard_normal((3, 4))
    dropout = layer(impl, p, seed_of(rng))
    kept = check_forward(run_forward(dropout, x), x, p, "Dropout(p=0.4).forward(x (3, 4))")
    numeric = numerical_gradient(lambda z: float(np.sum(dropped(kept, z, 1 / (1 - p)) * G)), x)
    expect_gradient(
        run_backward(dropout, G),
        numeric,
        call="Dropout(p=0.4): backward(G) after forward(x)",
        wrt="x",
        mistakes=backward_mistakes(kept, G, p),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_any_shape(impl, rng, shape):
    """forward and backward work for any shape, 0-d and empty included"""
    x, g = nonzero(rng, shape), np.asarray(rng.standard_normal(shape))
    dropout = layer(impl, 0.5, seed_of(rng))
    call = f"Dropout(p=0.5) on x of shape {shape}"
    kept = check_forward(run_forward(dropout, x), x, 0.5, f"{call}: forward")
    check_backward(run_backward(dropout, g), g, kept, 0.5, f"{call}: backward")


@pytest.mark.shapes
def test_keeps_float32(impl, rng):
    """float32 in, float32 out: forward, evaluation forward and backward"""
    x, g = nonzero(rng, (4, 6), np.float32), rng.standard_normal((4, 6)).astype(np.float32)
    dropout = layer(impl, 0.25, seed_of(rng))
    call = "Dropout(p=0.25) on float32 x (4, 6)"
    out = run_forward(dropout, x)
    kept = check_forward(out, x, 0.25, f"{call}: forward", dtype=np.float32)
    got = run_backward(dropout, g)
    check_backward(got, g, kept, 0.25, f"{call}: backward(float32 grad_output)", dtype=np.float32)
    expect_close(
        run_forward(dropout, x, training=False),
        x,
        call=f"{call}: forward(x, training=False)",
        dtype=np.float32,
    )


@pytest.mark.stability
def test_p_one_zeroes_everything(impl, rng):
    """p = 1 zeroes everything, with no NaN and no floating-point warning"""
    x, g = nonzero(rng, (3, 4)), rng.standard_normal((3, 4))
    with hint_on_error(P_ONE_REJECTED, error_type="ValueError"):
        dropout = layer(impl, 1.0, seed_of(rng))
    call = "Dropout(p=1.0): forward(x (3, 4)) and backward(grad_output)"
    with no_fp_warnings(dropout, call, hint=P_ONE_NAN):
        out = run_forward(dropout, x)
        back = run_backward(dropout, g)
    nan_hint = {P_ONE_NAN: lambda got: bool(np.any(np.isnan(got)))}
    expect_close(out, np.zeros_like(x), call=f"{call}: forward", mistakes=nan_hint)
    expect_close(back, np.zeros_like(g), call=f"{call}: backward", mistakes=nan_hint)


@pytest.mark.contract
@pytest.mark.parametrize("p", [-0.1, 1.5, 2.0])
def test_p_outside_unit_interval_raises(impl, p):
    """p outside [0, 1] raises ValueError in the constructor"""
    expect_raises(
        lambda: impl.Dropout(p=p, rng=np.random.default_rng(0)),
        "ValueError",
        call=f"Dropout(p={p})",
        why="in the constructor: p is a probability, in [0, 1]",
    )


@pytest.mark.contract
def test_fresh_mask_each_forward(impl, rng):
    """every training forward draws a new mask, and backward follows the last one"""
    p = 0.5
    x1, x2, g = nonzero(rng, (8, 16)), nonzero(rng, (8, 16)), rng.standard_normal((8, 16))
    dropout = layer(impl, p, seed_of(rng))
    call = "Dropout(p=0.5): forward(x1), forward(x2) of shape (8, 16)"
    kept1 = check_forward(run_forward(dropout, x1), x1, p, f"{call}: the first forward")
    kept2 = check_forward(run_forward(dropout, x2), x2, p, f"{call}: the second forward")
    if np.array_equal(kept1, kept2):
        raise Mistake(f"{call} zeroed exactly the same elements. Likely mistake: {MASK_REUSED}")
    expect_close(
        run_backward(dropout, g),
        dropped(kept2, g, 1 / (1 - p)),
        call=f"{call}, then backward(grad_output)",
        # The stale mask first: backward_mistakes would read it as a new mask.
        mistakes=lambda: {
            STALE_MASK: dropped(kept1, g, 1 / (1 - p)),
            **backward_mistakes(kept2, g, p)(),
        },
    )


@pytest.mark.contract
def test_same_seed_same_masks(impl, rng):
    """the mask comes from rng alone: the same seed gives the same masks, another seed others"""
    seed = seed_of(rng)
    x = nonzero(rng, (6, 12))
    call = "Dropout(p=0.5, rng=np.random.default_rng(s)): two forwards of x (6, 12)"

    def outputs(s: int) -> list:
        dropout = layer(impl, 0.5, s)
        return [np.asarray(run_forward(dropout, x)) for _ in range(2)]

    first, again = outputs(seed), outputs(seed)
    if not all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, again, strict=True)
    ):
        raise Mistake(
            f"{call}: two layers with the same seed s = {seed} gave different outputs. "
            f"Likely mistake: {NOT_DETERMINISTIC}"
        )
    other = outputs(seed + 1)
    if all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other, strict=True)):
        raise Mistake(
            f"{call}: the seeds {seed} and {seed + 1} gave the same outputs. "
            f"Likely mistake: {RNG_IGNORED}"
        )


@pytest.mark.contract
def test_default_rng_without_seed(impl, rng):
    """without rng, Dropout works and two layers draw different masks"""
    x = nonzero(rng, (8, 16))
    outs = []
    for _ in range(2):
        dropout = impl.Dropout(p=0.5)
        outs.append(check_forward(run_forward(dropout, x), x, 0.5, "Dropout(p=0.5).forward(x)"))
    if np.array_equal(*outs):
        raise Mistake(
            "Dropout(p=0.5) built twice without rng zeroed the same elements of x (8, 16). "
            f"Likely mistake: {DEFAULT_FIXED}"
        )


@pytest.mark.contract
def test_elements_dropped_independently(impl, rng):
    """the number of zeroed elements varies from call to call (each is dropped on its own)"""
    x = nonzero(rng, (10, 100))
    dropout = layer(impl, 0.5, seed_of(rng))
    call = "Dropout(p=0.5).forward(x of shape (10, 100))"
    counts = {int(np.sum(~check_forward(run_forward(dropout, x), x, 0.5, call))) for _ in range(8)}
    if len(counts) == 1:
        raise Mistake(
            f"{call}, called 8 times, zeroed {counts.pop()} elements every time. "
            f"Likely mistake: {FIXED_COUNT}"
        )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward does not modify x, and backward does not modify grad_output"""
    x, g = nonzero(rng, (5, 6)), rng.standard_normal((5, 6))
    dropout = layer(impl, 0.5, seed_of(rng))
    expect_inputs_unchanged(dropout, "forward", x, arg_names=("x",))
    expect_inputs_unchanged(dropout, "backward", g, arg_names=("grad_output",))
    expect_inputs_unchanged(dropout, "forward", x, arg_names=("x",), training=False)


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward and backward return NumPy arrays (not lists)"""
    x = nonzero(rng, (3, 4))
    dropout = layer(impl, 0.5, seed_of(rng))
    results = {
        "forward(x)": run_forward(dropout, x),
        "backward(grad_output)": run_backward(dropout, np.ones((3, 4))),
        "forward(x, training=False)": run_forward(dropout, x, training=False),
    }
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"Dropout(p=0.5).{name} returned {describe(got)}; return a NumPy array")
        expect_array(got, call=f"Dropout(p=0.5).{name}", shape=(3, 4))
