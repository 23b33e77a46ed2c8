"""Hidden suite for embedding.

The oracle reads the learner's own table (``layer.weight``) and computes the lookup with
np.take and the backward as a one-hot matrix product (one_hot(ids).T @ grad), not with the
scatter-add a solution would use.

The initial table is a random draw, so it is tested by its law, N(0, 1), never by values:
on 20,000 entries, |mean| stays below sqrt(2 ln(2 / P) / n) (the mean is N(0, 1 / n)), the
sum of squares within Laurent and Massart's chi-square bounds [n - 2 sqrt(n x),
n + 2 sqrt(n x) + 2x] with x = ln(2 / P), and the Kolmogorov-Smirnov distance to the
normal CDF below deviation_bound(n, P) (Dvoretzky-Kiefer-Wolfowitz-Massart), each but with
probability below P = 1e-9 for a correct file; by the union bound a correct file fails that
test with probability below 3e-9. Every other check is exact.

The backward is linear in the table, so finite differences are exact up to rounding; the
upstream gradient has one sign per column and magnitudes in [0.5, 1.5], so no row of dweight
that an id touches can cancel to almost 0 (untouched rows are exactly 0 on both sides).
"""

import math

import numpy as np
import pytest

from grader.suite import (
    LearnerRaised,
    Mistake,
    declared_mistakes,
    describe,
    deviation_bound,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_shape,
    hint_on_error,
    ks_distance,
    normal_cdf,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

INIT_UNIFORM_SYMMETRIC = named("init-uniform-symmetric")
INIT_SCALED_BY_DIM = named("init-scaled-by-dim")
INIT_GPT2 = named("init-gpt2")
INIT_UNIFORM_POSITIVE = named("init-uniform-positive")

# Likely mistakes, named the way the learner should read them.
REPEATS_LOST = named("repeats-lost")
COUNT_AVERAGED = named("count-averaged")
DIVIDED_BY_N = named("divided-by-n")
NOT_SCATTERED = named("not-scattered")
ACCUMULATED = named("accumulated")
STALE_IDS = named("stale-ids")
ZERO_D = named("zero-d")
FLATTENED = named("flattened")
WEIGHT_TRANSPOSED = named("weight-transposed")
ONE_BASED = named("one-based")
NEGATIVE_WRAPS = named("negative-wraps")
EMPTY_MINMAX = named("empty-minmax")
NOT_DETERMINISTIC = named("not-deterministic")
FIXED_SEED = named("fixed-seed")
DEFAULT_SEED = named("default-seed")
SHAPE_ERRORS = ("shape", "broadcast", "reshape", "index", "dimension")
SHAPE_HINT = named("shape-hint")

# The probability that one statistical check fails for a correct file (see the docstring).
P_EACH = 1e-9


def seed_of(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def one_hot(ids: np.ndarray, num: int) -> np.ndarray:
    return (ids.reshape(-1, 1) == np.arange(num)).astype(np.float64)


def oracle_dweight(ids: np.ndarray, g: np.ndarray, num: int) -> np.ndarray:
    return one_hot(ids, num).T @ g.reshape(-1, g.shape[-1])


def dweight_mistakes(ids: np.ndarray, g: np.ndarray, num: int):
    def build():
        flat, rows = ids.reshape(-1), g.reshape(-1, g.shape[-1])
        lost = np.zeros((num, rows.shape[1]))
        lost[flat] += rows
        counts = np.maximum(np.bincount(flat, minlength=num), 1)[:, None]
        want = oracle_dweight(ids, g, num)
        return {
            REPEATS_LOST: lost,
            COUNT_AVERAGED: want / counts,
            DIVIDED_BY_N: want / max(ids.size, 1),
            NOT_SCATTERED: lambda got: got.shape == g.shape and got.shape != want.shape,
        }

    return build


def forward_mistakes(weight: np.ndarray, ids: np.ndarray):
    dim = weight.shape[1]

    def build():
        found = {
            ZERO_D: lambda got: ids.ndim == 0 and got.shape == (1, dim),
            FLATTENED: lambda got: ids.ndim != 1 and got.shape == (ids.size, dim),
        }
        if ids.size and ids.min() >= 1:
            found[ONE_BASED] = np.take(weight, ids - 1, axis=0)
        return found

    return build


def expect_values(got, expected, *, call: str, mistakes=None) -> np.ndarray:
    expected = np.asarray(expected)
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    return expect_close(got, expected, call=call, mistakes=mistakes, dtype=np.float64)


def table_of(layer, num: int, dim: int, name: str) -> np.ndarray:
    """The learner's table, checked for shape and dtype."""
    weight = layer.weight
    if not isinstance(weight, np.ndarray):
        raise Mistake(f"{name}.weight is {describe(weight)}; it must be a NumPy array")
    if weight.shape != (num, dim):
        hint = f" Likely mistake: {WEIGHT_TRANSPOSED}" if weight.shape == (dim, num) else ""
        raise Mistake(f"{name}.weight has shape {weight.shape}; expected ({num}, {dim}).{hint}")
    if weight.dtype != np.float64:
        raise Mistake(f"{name}.weight has dtype {weight.dtype}; expected float64")
    return weight


def make(impl, rng, num: int, dim: int):
    name = f"Embedding({num}, {dim}, rng=...)"
    layer = impl.Embedding(num, dim, rng=np.random.default_rng(seed_of(rng)))
    return layer, table_of(layer, num, dim, name), name


def run_forward(layer, ids):
    with (
        hint_on_error(EMPTY_MINMAX, error_type="ValueError", contains="zero-size"),
        hint_on_error(SHAPE_HINT, contains=SHAPE_ERRORS),
    ):
        return layer.forward(ids)


def run_backward(layer, g, call: str) -> np.ndarray:
    with hint_on_error(SHAPE_HINT, contains=SHAPE_ERRORS):
        layer.backward(g)
    dweight = layer.dweight
    if not isinstance(dweight, np.ndarray):
        raise Mistake(f"after {call}, dweight is {describe(dweight)}; it must be a NumPy array")
    return dweight


def check_lookup_and_backward(layer, weight, ids, g, call: str) -> None:
    num = weight.shape[0]
    expect_values(
        run_forward(layer, ids),
        np.take(weight, ids, axis=0),
        call=f"{call}: forward",
        mistakes=forward_mistakes(weight, ids),
    )
    expect_values(
        run_backward(layer, g, f"{call}: backward"),
        oracle_dweight(ids, g, num),
        call=f"{call}: dweight after backward",
        mistakes=dweight_mistakes(ids, g, num),
    )


@pytest.mark.values
def test_forward_small_example(impl, rng):
    """forward([2, 0, 2]) returns rows 2, 0 and 2 of weight"""
    layer, weight, name = make(impl, rng, 4, 3)
    ids = np.array([2, 0, 2])
    expect_values(
        run_forward(layer, ids),
        weight[[2, 0, 2]],
        call=f"{name}: forward([2, 0, 2])",
        mistakes=forward_mistakes(weight, ids),
    )


@pytest.mark.values
def test_backward_small_example_repeated_id(impl, rng):
    """backward after forward([2, 0, 2]): row 2 of dweight gets the SUM of two gradients"""
    layer, weight, name = make(impl, rng, 4, 3)
    ids = np.array([2, 0, 2])
    g = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0], [100.0, 200.0, 300.0]])
    run_forward(layer, ids)
    call = f"{name}: forward([2, 0, 2]), backward([[1, 2, 3], [10, 20, 30], [100, 200, 300]])"
    expected = [[10.0, 20.0, 30.0], [0.0, 0.0, 0.0], [101.0, 202.0, 303.0], [0.0, 0.0, 0.0]]
    expect_values(
        run_backward(layer, g, call),
        expected,
        call=f"{call}: dweight",
        mistakes=dweight_mistakes(ids, g, 4),
    )


@pytest.mark.values
def test_forward_and_backward_random_repeats(impl, rng):
    """forward and backward on a (4, 6) batch of ids with many repeats"""
    num, dim = 7, 5
    layer, weight, name = make(impl, rng, num, dim)
    ids = rng.integers(0, num, (4, 6))
    g = rng.standard_normal((4, 6, dim))
    check_lookup_and_backward(layer, weight, ids, g, f"{name}, ids of shape (4, 6) in [0, 7)")


ID_SHAPES = [(), (0,), (5,), (2, 3), (2, 0), (3, 1, 4)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ID_SHAPES, ids=shape_id)
def test_any_shape_of_ids(impl, rng, shape):
    """ids of any shape S (0-d and empty too) give S + (dim,), and backward fills dweight"""
    num, dim = 6, 4
    layer, weight, name = make(impl, rng, num, dim)
    ids = rng.integers(0, num, shape)
    g = rng.standard_normal((*shape, dim))
    check_lookup_and_backward(layer, weight, ids, g, f"{name}, ids of shape {shape}")


@pytest.mark.shapes
@pytest.mark.parametrize("dtype", ["int32", "uint8", "int16"])
def test_other_integer_dtypes(impl, rng, dtype):
    """ids of other integer dtypes work the same"""
    num, dim = 9, 3
    layer, weight, name = make(impl, rng, num, dim)
    ids = rng.integers(0, num, (3, 4)).astype(dtype)
    g = rng.standard_normal((3, 4, dim))
    check_lookup_and_backward(layer, weight, ids, g, f"{name}, ids of dtype {dtype}")


@pytest.mark.shapes
@pytest.mark.parametrize(
    "sizes", [(1, 1), (10, 1), (1, 8), (50, 16)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_table_shapes(impl, rng, sizes):
    """weight has shape (num_embeddings, dim) and dtype float64"""
    make(impl, rng, *sizes)


def laws() -> dict:
    """Tables learners draw by mistake, as CDFs."""
    return {
        INIT_UNIFORM_SYMMETRIC: (lambda x: np.clip((np.asarray(x) + 1) / 2, 0.0, 1.0)),
        INIT_SCALED_BY_DIM: normal_cdf(0.1),
        INIT_GPT2: normal_cdf(0.02),
        INIT_UNIFORM_POSITIVE: (lambda x: np.clip(np.asarray(x), 0.0, 1.0)),
    }


@pytest.mark.values
def test_initial_table_is_standard_normal(impl, rng):
    """weight starts N(0, 1): mean 0, standard deviation 1, normally distributed"""
    num, dim = 200, 100
    _, weight, name = make(impl, rng, num, dim)
    w = weight.reshape(-1)
    n = w.size
    x = math.log(2 / P_EACH)
    mean_limit = math.sqrt(2 * x / n)
    low, high = 1 - 2 * math.sqrt(x / n), 1 + 2 * math.sqrt(x / n) + 2 * x / n
    threshold = deviation_bound(n, P_EACH)
    mean, square_mean = float(w.mean()), float(np.mean(w * w))
    distance = ks_distance(w, normal_cdf(1.0))
    if not np.all(np.isfinite(w)):
        raise Mistake(f"{name}.weight contains NaN or inf")
    if np.all(w == 0):
        raise Mistake(f"{name}.weight is all zeros; it must start N(0, 1)")
    problem = ""
    if abs(mean) > mean_limit:
        problem = f"the mean is {mean:.3g} (a correct draw stays within ±{mean_limit:.2g})"
    elif not low <= square_mean <= high:
        problem = (
            f"the standard deviation is {math.sqrt(square_mean):.4g} (root mean square; a correct "
            f"draw stays within [{math.sqrt(low):.4g}, {math.sqrt(high):.4g}])"
        )
    elif distance > threshold:
        problem = (
            f"the values are not normally distributed: Kolmogorov-Smirnov distance {distance:.3g} "
            f"to N(0, 1) (a correct draw stays below {threshold:.3g})"
        )
    if problem:
        distances = {message: ks_distance(w, cdf) for message, cdf in laws().items()}
        message, closest = min(distances.items(), key=lambda item: item[1])
        hint = f" Likely mistake: {message}" if closest <= threshold else ""
        raise Mistake(f"{name}.weight, {n} entries, should be N(0, 1), but {problem}.{hint}")


@pytest.mark.gradients
def test_dweight_matches_finite_differences(impl, rng):
    """dweight is the gradient of sum(G * forward(ids)) with respect to weight"""
    num, dim = 6, 4
    layer, weight, name = make(impl, rng, num, dim)
    ids = rng.integers(0, num, (3, 5))
    signs = rng.choice([-1.0, 1.0], dim)
    G = signs * rng.uniform(0.5, 1.5, (3, 5, dim))
    run_forward(layer, ids)
    call = f"{name}: backward(G) after forward(ids of shape (3, 5))"
    dweight = run_backward(layer, G, call)
    numeric = numerical_gradient(lambda t: float(np.sum(G * np.take(t, ids, axis=0))), weight)
    mistakes = dweight_mistakes(ids, G, num)
    expect_shape(dweight, numeric.shape, call=f"{call}: dweight", mistakes=mistakes)
    expect_gradient(dweight, numeric, call=call, wrt="weight", mistakes=mistakes)


@pytest.mark.contract
def test_backward_overwrites_dweight(impl, rng):
    """a second forward and backward overwrite dweight (no += across calls)"""
    num, dim = 5, 3
    layer, weight, name = make(impl, rng, num, dim)
    first_ids, ids = rng.integers(0, num, 6), rng.integers(0, num, 6)
    first_g, g = rng.standard_normal((2, 6, dim))
    run_forward(layer, first_ids)
    run_backward(layer, first_g, f"{name}: first backward")
    run_forward(layer, ids)
    call = f"{name}: forward, backward, then forward(ids2), backward(g2)"
    want = oracle_dweight(ids, g, num)
    earlier = oracle_dweight(first_ids, first_g, num)

    def mistakes():
        return {ACCUMULATED: want + earlier, **dweight_mistakes(ids, g, num)()}

    expect_values(run_backward(layer, g, call), want, call=f"{call}: dweight", mistakes=mistakes)


@pytest.mark.contract
def test_backward_uses_last_forward(impl, rng):
    """backward follows the LAST forward call's ids"""
    num, dim = 8, 3
    layer, weight, name = make(impl, rng, num, dim)
    first_ids, ids = rng.integers(0, num, (2, 5))
    g = rng.standard_normal((5, dim))
    run_forward(layer, first_ids)
    run_forward(layer, ids)
    call = f"{name}: forward(ids1), forward(ids2), backward(g)"
    stale = oracle_dweight(first_ids, g, num)

    def mistakes():
        return {STALE_IDS: stale, **dweight_mistakes(ids, g, num)()}

    expect_values(
        run_backward(layer, g, call),
        oracle_dweight(ids, g, num),
        call=f"{call}: dweight",
        mistakes=mistakes,
    )


@pytest.mark.contract
@pytest.mark.parametrize("bad", ["negative", "too_large", "one_past_the_end"])
def test_out_of_range_ids_raise_index_error(impl, rng, bad):
    """ids outside [0, num_embeddings) raise IndexError, negative ones included"""
    num, dim = 5, 2
    layer, _, name = make(impl, rng, num, dim)
    bad_id = {"negative": -1, "too_large": 12, "one_past_the_end": num}[bad]
    ids = np.array([[0, 3], [bad_id, 1]])
    call = f"{name}: forward([[0, 3], [{bad_id}, 1]])"
    try:
        got = layer.forward(ids)
    except LearnerRaised as raised:
        kind = raised.error.get("type")
        if kind != "IndexError":
            raise Mistake(f"{call} raised {kind}; it must raise IndexError") from None
        return
    hint = f" Likely mistake: {NEGATIVE_WRAPS}" if bad == "negative" else ""
    raise Mistake(f"{call} returned {describe(got)}; it must raise IndexError.{hint}")


@pytest.mark.contract
def test_same_seed_same_table(impl, rng):
    """the same seed gives the same table, another seed another one, no seed a fresh one"""
    seed = seed_of(rng)
    tables = [
        np.asarray(impl.Embedding(6, 4, rng=np.random.default_rng(s)).weight)
        for s in (seed, seed, seed + 1)
    ]
    call = "Embedding(6, 4, rng=np.random.default_rng(s)).weight"
    if tables[0].shape != tables[1].shape or not np.array_equal(tables[0], tables[1]):
        raise Mistake(
            f"{call}, built twice with the same seed, differs. Likely mistake: {NOT_DETERMINISTIC}"
        )
    if np.array_equal(tables[0], tables[2]):
        raise Mistake(
            f"{call} is the same for seeds {seed} and {seed + 1}. Likely mistake: {FIXED_SEED}"
        )
    unseeded = [np.asarray(impl.Embedding(6, 4).weight) for _ in range(2)]
    if np.array_equal(*unseeded):
        raise Mistake(
            f"Embedding(6, 4) built twice without rng gave the same table. Likely mistake: "
            f"{DEFAULT_SEED}"
        )


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward leaves ids untouched, and backward grad_output"""
    layer, _, _ = make(impl, rng, 7, 3)
    ids = rng.integers(0, 7, (3, 4))
    expect_inputs_unchanged(layer, "forward", ids, arg_names=("ids",))
    expect_inputs_unchanged(
        layer, "backward", rng.standard_normal((3, 4, 3)), arg_names=("grad_output",)
    )


@pytest.mark.contract
def test_results_are_arrays_and_backward_returns_none(impl, rng):
    """forward returns a NumPy array, backward returns None and sets dweight, an array"""
    layer, _, name = make(impl, rng, 5, 2)
    out = run_forward(layer, np.array([1, 1, 4]))
    if not isinstance(out, np.ndarray):
        raise Mistake(f"{name}: forward returned {describe(out)}; it must return a NumPy array")
    with hint_on_error(SHAPE_HINT, contains=SHAPE_ERRORS):
        returned = layer.backward(np.ones((3, 2)))
    if returned is not None:
        raise Mistake(
            f"{name}: backward returned {describe(returned)}; it must return None (ids are "
            "integers and have no gradient) and set dweight"
        )
    dweight = layer.dweight
    if not isinstance(dweight, np.ndarray) or dweight.dtype != np.float64:
        raise Mistake(f"{name}: dweight is {describe(dweight)}; it must be a float64 NumPy array")
