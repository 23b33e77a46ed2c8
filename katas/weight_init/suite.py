"""Hidden suite for weight_init.

Initial weights are random draws, so this suite tests laws, never values: the reference
and a correct file draw differently (rng.uniform, rng.random * 2 - 1, Box-Muller, ...).
Each law test draws a large matrix (40,000 entries) for two pairs of fans chosen far
apart (so fan_in-only, fan_out-only and transposed mistakes all show), and checks:

- the bound of a uniform law: exact, a correct draw never leaves [-a, a];
- the mean: Hoeffding's bound for a uniform (entries in [-a, a], so |mean| stays below
  2a * sqrt(ln(2 / P) / (2n)) but with probability P), the normal tail for a normal (the
  mean of n N(0, s**2) draws is N(0, s**2 / n), and P(|Z| > sqrt(2 ln(2 / P))) < P);
- the spread, as the mean of the squares: Hoeffding again for a uniform (squares in
  [0, a**2], mean a**2 / 3); for a normal, sum(w**2) / s**2 is chi-square with n degrees
  of freedom, and Laurent and Massart's bounds (2000) put it within
  [n - 2 sqrt(n x), n + 2 sqrt(n x) + 2x] but with probability 2 exp(-x), x = ln(2 / P);
- the shape of the distribution: the Kolmogorov-Smirnov distance between the draw and
  the law's CDF stays below deviation_bound(n, P) (Dvoretzky-Kiefer-Wolfowitz-Massart).

Each of these random events has probability below P = 1e-9 for a correct file. A run
makes 24 of them (4 functions x 2 pairs of fans x mean, spread and KS), so by the union
bound a correct file fails a run with probability below 2.4e-8, well under once in 10**6
seeds. The other checks are exact (shape, dtype, bounds, determinism for one seed) or fail
only if two independent continuous draws coincide (different seeds give different
arrays), which has probability 0 up to float64 rounding.

A failed law names the likely mistake when the draw is consistent with the law that
mistake gives (its KS distance to that law is within the same threshold).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    declared_mistakes,
    describe,
    deviation_bound,
    ks_distance,
    normal_cdf,
    uniform_cdf,
)

named = declared_mistakes(__file__)

FUNCTIONS = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal")

# The probability that one statistical check fails for a correct file (see the docstring).
P_EACH = 1e-9
# Pairs (fan_in, fan_out), far apart so that either fan alone gives a very different law.
LAW_FANS = ((50, 800), (400, 100))
SMALL_FANS = ((1, 1), (1, 9), (9, 1), (3, 5))

TRANSPOSED = named("transposed")
FLOAT32 = named("float32")
NOT_DETERMINISTIC = named("not-deterministic")
RNG_IGNORED = named("rng-ignored")
ALL_ZERO = named("all-zero")

XAVIER_FAN_IN_ONLY = named("xavier-fan-in-only")
XAVIER_FAN_OUT_ONLY = named("xavier-fan-out-only")
XAVIER_NO_TWO = named("xavier-no-two")
HE_FAN_OUT = named("he-fan-out")
HE_BOTH_FANS = named("he-both-fans")
LECUN_NORMAL = named("lecun-normal")
LECUN_UNIFORM = named("lecun-uniform")
VARIANCE_AS_STD = named("variance-as-std")
NO_SQRT_BOUND = named("no-sqrt-bound")
STD_AS_BOUND = named("std-as-bound")
SQRT3_BOUND = named("sqrt3-bound")
BOUND_AS_STD = named("bound-as-std")
NORMAL_FOR_UNIFORM = named("normal-for-uniform")
UNIFORM_FOR_NORMAL = named("uniform-for-normal")
NOT_CENTRED = named("not-centred")
UNSCALED = named("unscaled")


@dataclass(frozen=True)
class Law:
    """A law a draw may follow: its family, its scale (bound or std), its CDF and its text."""

    family: str  # "uniform" (on [low, high]) or "normal" (mean 0)
    scale: float  # the bound a of U(-a, a), or the std of N(0, std**2)
    cdf: Callable[[np.ndarray], np.ndarray]
    text: str
    low: float | None = None

    @property
    def bound(self) -> float | None:
        return self.scale if self.family == "uniform" else None

    @property
    def std(self) -> float:
        return self.scale / math.sqrt(3) if self.family == "uniform" else self.scale


def uniform(bound: float, formula: str = "") -> Law:
    text = f"U(-a, a) with a = {formula} = {bound:.4g}" if formula else f"U(-{bound:.4g}, ...)"
    return Law("uniform", bound, uniform_cdf(bound), text)


def normal(std: float, formula: str = "") -> Law:
    text = f"N(0, std**2) with std = {formula} = {std:.4g}" if formula else f"N(0, {std:.4g}**2)"
    return Law("normal", std, normal_cdf(std), text)


def from_zero(bound: float) -> Law:
    """U(0, bound): a uniform draw that was never centred."""
    return Law(
        "uniform",
        bound,
        lambda x: np.clip(np.asarray(x) / bound, 0.0, 1.0),
        f"U(0, {bound:.4g})",
        low=0.0,
    )


def law_of(name: str, fan_in: int, fan_out: int) -> Law:
    """The contract's law for each function."""
    both = fan_in + fan_out
    return {
        "xavier_uniform": uniform(math.sqrt(6 / both), "sqrt(6 / (fan_in + fan_out))"),
        "xavier_normal": normal(math.sqrt(2 / both), "sqrt(2 / (fan_in + fan_out))"),
        "he_uniform": uniform(math.sqrt(6 / fan_in), "sqrt(6 / fan_in)"),
        "he_normal": normal(math.sqrt(2 / fan_in), "sqrt(2 / fan_in)"),
    }[name]


def mistaken_laws(name: str, fan_in: int, fan_out: int) -> dict[str, Law]:
    """The laws the classic mistakes give, for each function."""
    i, o, both = fan_in, fan_out, fan_in + fan_out
    sqrt = math.sqrt
    if name == "xavier_uniform":
        return {
            XAVIER_FAN_IN_ONLY: uniform(sqrt(6 / i)),
            XAVIER_FAN_OUT_ONLY: uniform(sqrt(6 / o)),
            STD_AS_BOUND: uniform(sqrt(2 / both)),
            SQRT3_BOUND: uniform(sqrt(3 / both)),
            NO_SQRT_BOUND: uniform(6 / both),
            NORMAL_FOR_UNIFORM: normal(sqrt(2 / both)),
            f"{NORMAL_FOR_UNIFORM} (and its std is sqrt(2 / ...), not the bound)": normal(
                sqrt(6 / both)
            ),
            NOT_CENTRED: from_zero(sqrt(6 / both)),
            UNSCALED: uniform(1.0),
        }
    if name == "xavier_normal":
        return {
            XAVIER_FAN_IN_ONLY: normal(sqrt(2 / i)),
            XAVIER_FAN_OUT_ONLY: normal(sqrt(2 / o)),
            VARIANCE_AS_STD: normal(2 / both),
            XAVIER_NO_TWO: normal(sqrt(1 / both)),
            BOUND_AS_STD: normal(sqrt(6 / both)),
            UNIFORM_FOR_NORMAL: uniform(sqrt(6 / both)),
            f"{UNIFORM_FOR_NORMAL} (with the std as the bound)": uniform(sqrt(2 / both)),
            UNSCALED: normal(1.0),
        }
    if name == "he_uniform":
        return {
            HE_FAN_OUT: uniform(sqrt(6 / o)),
            HE_BOTH_FANS: uniform(sqrt(6 / both)),
            LECUN_UNIFORM: uniform(sqrt(3 / i)),
            STD_AS_BOUND: uniform(sqrt(2 / i)),
            NO_SQRT_BOUND: uniform(6 / i),
            NORMAL_FOR_UNIFORM: normal(sqrt(2 / i)),
            f"{NORMAL_FOR_UNIFORM} (and its std is sqrt(2 / fan_in), not the bound)": normal(
                sqrt(6 / i)
            ),
            NOT_CENTRED: from_zero(sqrt(6 / i)),
            UNSCALED: uniform(1.0),
        }
    return {
        VARIANCE_AS_STD: normal(2 / i),
        LECUN_NORMAL: normal(sqrt(1 / i)),
        HE_FAN_OUT: normal(sqrt(2 / o)),
        HE_BOTH_FANS: normal(sqrt(2 / both)),
        BOUND_AS_STD: normal(sqrt(6 / i)),
        UNIFORM_FOR_NORMAL: uniform(sqrt(6 / i)),
        f"{UNIFORM_FOR_NORMAL} (with the std as the bound)": uniform(sqrt(2 / i)),
        UNSCALED: normal(1.0),
    }


def seed_of(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def call_text(name: str, fan_in: int, fan_out: int) -> str:
    return f"{name}({fan_in}, {fan_out}, rng)"


def drawn(impl, name: str, fan_in: int, fan_out: int, seed: int) -> np.ndarray:
    """The learner's array for these fans, with a fresh generator of this seed.

    Checked for type, shape (naming a transposed result), dtype and finiteness.
    """
    call = call_text(name, fan_in, fan_out)
    got = getattr(impl, name)(fan_in, fan_out, np.random.default_rng(seed))
    if not isinstance(got, np.ndarray):
        raise Mistake(f"{call} returned {describe(got)}; it must return a NumPy array")
    if got.shape != (fan_out, fan_in):
        hint = f" Likely mistake: {TRANSPOSED}" if got.shape == (fan_in, fan_out) else ""
        raise Mistake(f"{call} returned shape {got.shape}; expected ({fan_out}, {fan_in}).{hint}")
    if got.dtype != np.float64:
        hint = f" Likely mistake: {FLOAT32}" if got.dtype == np.float32 else ""
        raise Mistake(f"{call} returned dtype {got.dtype}; expected float64.{hint}")
    if not np.all(np.isfinite(got)):
        raise Mistake(f"{call} returned NaN or inf entries")
    if got.size > 1 and np.all(got == 0):
        raise Mistake(f"{call} returned only zeros. Likely mistake: {ALL_ZERO}")
    return got


def mean_tolerance(law: Law, n: int) -> float:
    """|mean| beyond this has probability below P_EACH for a correct draw of n entries."""
    if law.family == "uniform":  # Hoeffding, entries in [-a, a]
        return 2 * law.scale * deviation_bound(n, P_EACH)
    return law.scale * math.sqrt(2 * math.log(2 / P_EACH) / n)  # the mean is N(0, s**2 / n)


def square_mean_range(law: Law, n: int) -> tuple[float, float]:
    """The range the mean of the squares stays in but with probability below P_EACH."""
    if law.family == "uniform":  # Hoeffding, squares in [0, a**2] with mean a**2 / 3
        spread = law.scale**2 * deviation_bound(n, P_EACH)
        return law.scale**2 / 3 - spread, law.scale**2 / 3 + spread
    x = math.log(2 / P_EACH)  # Laurent-Massart, one chi-square tail of exp(-x) each side
    var = law.scale**2
    return var * (1 - 2 * math.sqrt(x / n)), var * (1 + 2 * math.sqrt(x / n) + 2 * x / n)


def likely_law(sample: np.ndarray, mistakes: dict[str, Law], threshold: float) -> str:
    """The mistake whose law the sample is consistent with (KS within threshold), or ''."""
    distances = {message: ks_distance(sample, law.cdf) for message, law in mistakes.items()}
    message, distance = min(distances.items(), key=lambda item: item[1])
    return f" Likely mistake: {message}" if distance <= threshold else ""


def expect_law(w: np.ndarray, law: Law, mistakes: dict[str, Law], call: str) -> None:
    """The draw w must follow ``law``: bound, mean, spread and KS distance."""
    n = w.size
    threshold = deviation_bound(n, P_EACH)
    top, mean, square_mean = float(np.max(np.abs(w))), float(w.mean()), float(np.mean(w * w))
    low, high = square_mean_range(law, n)
    distance = ks_distance(w, law.cdf)
    problem = ""
    if law.bound is not None and top > law.bound * (1 + 1e-12):
        problem = f"an entry of magnitude {top:.4g} lies beyond the bound a = {law.bound:.4g}"
    elif abs(mean) > mean_tolerance(law, n):
        problem = (
            f"the mean is {mean:.3g}; the law's is 0 (a correct draw of this size stays within "
            f"±{mean_tolerance(law, n):.2g})"
        )
    elif not low <= square_mean <= high:
        problem = (
            f"the spread is wrong: std {math.sqrt(square_mean):.4g} (root mean square), the "
            f"law's is {law.std:.4g} (a correct draw of this size stays within "
            f"[{math.sqrt(low):.4g}, {math.sqrt(high):.4g}])"
        )
    elif distance > threshold:
        problem = (
            f"the values are not distributed as the law: Kolmogorov-Smirnov distance "
            f"{distance:.3g} to its CDF (a correct draw of this size stays below {threshold:.3g})"
        )
    if problem:
        raise Mistake(
            f"{call}, {n} entries, should follow {law.text}, but {problem}. Seen: largest "
            f"|entry| {top:.4g}, mean {mean:.3g}, std {float(w.std()):.4g}."
            f"{likely_law(w, mistakes, threshold)}"
        )


@pytest.mark.shapes
@pytest.mark.parametrize("name", FUNCTIONS)
def test_shape_and_dtype(impl, rng, name):
    """each function returns a float64 array of shape (fan_out, fan_in), small fans too"""
    for fan_in, fan_out in SMALL_FANS:
        drawn(impl, name, fan_in, fan_out, seed_of(rng))


@pytest.mark.values
@pytest.mark.parametrize("name", FUNCTIONS)
def test_law_on_large_draws(impl, rng, name):
    """large draws follow the law: bounds, mean 0, the right spread, the right distribution"""
    for fan_in, fan_out in LAW_FANS:
        w = drawn(impl, name, fan_in, fan_out, seed_of(rng))
        expect_law(
            w,
            law_of(name, fan_in, fan_out),
            mistaken_laws(name, fan_in, fan_out),
            call=call_text(name, fan_in, fan_out),
        )


@pytest.mark.contract
@pytest.mark.parametrize("name", FUNCTIONS)
def test_same_seed_same_weights(impl, rng, name):
    """the same seed gives the same array, another seed another array"""
    seed = seed_of(rng)
    fan_in, fan_out = 6, 4
    call = f"{name}({fan_in}, {fan_out}, np.random.default_rng(s))"
    first = drawn(impl, name, fan_in, fan_out, seed)
    again = drawn(impl, name, fan_in, fan_out, seed)
    if not np.array_equal(first, again):
        raise Mistake(
            f"{call} called twice with the same seed s = {seed} gave different arrays. "
            f"Likely mistake: {NOT_DETERMINISTIC}"
        )
    other = drawn(impl, name, fan_in, fan_out, seed + 1)
    if np.array_equal(first, other):
        raise Mistake(
            f"{call} gave the same array for the seeds {seed} and {seed + 1}. "
            f"Likely mistake: {RNG_IGNORED}"
        )


@pytest.mark.values
@pytest.mark.parametrize("name", ["xavier_uniform", "he_uniform"])
def test_small_fans_stay_within_bounds(impl, rng, name):
    """uniform laws stay within their bound for small fans too (fan_in = 1, fan_out = 1)"""
    for fan_in, fan_out in SMALL_FANS:
        w = drawn(impl, name, fan_in, fan_out, seed_of(rng))
        law = law_of(name, fan_in, fan_out)
        top = float(np.max(np.abs(w)))
        if top > law.bound * (1 + 1e-12):
            raise Mistake(
                f"{call_text(name, fan_in, fan_out)} has an entry of magnitude {top:.4g}, "
                f"beyond the bound of {law.text}"
            )
