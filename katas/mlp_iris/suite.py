"""Hidden suite for mlp_iris.

The oracles live here and are written their own way: splits are judged by their laws
(per-class counts, disjoint parts covering every sample, pairing of rows and labels,
reproducibility from the generator), never against the reference's draw; standardisation
by math.fsum means and two-pass population variances; one-hot and confusion matrices by
counting loops. The classifier is judged by test accuracy, as the contract says.

Iris is Fisher's data set (150 rows, 50 per class), shipped beside this file as iris.csv
(see README.md there); the learner's file never reads it, the suite passes arrays.

Accuracy tests, and why a correct file does not fail them by bad luck:

- Iris: five stratified 70/30 splits (15 test samples per class), built so that every
  sample is tested once or twice, and so that the 15 samples small classifiers most often
  get wrong (HARD_IRIS) are tested once each, three in every test set. Otherwise random
  splits can pile most of them into one test set: on such a split the reference scored
  exactly 0.8, the contract's threshold (once in 700 seeds, 9 errors, 7 of them hard
  samples), where a slightly weaker correct classifier would fail. With these splits the reference's mean over the five was
  at least 0.94 on each of 1000 seeds (median 0.97) and each split at least 0.867 (6
  errors of 45); the contract asks 0.9 and 0.8.
- Synthetic data of Iris' shape: three Gaussian blobs (unit covariance) whose centres
  form an equilateral triangle of side 6 in a random plane of R^4, so the Bayes error
  is about 2 * Phi(-3) = 0.3%; then each feature gets its own unit (a scale from 0.03
  to 30 and an offset of up to 100 of them), as real measurements do. Drawn from the
  recorded seed, so nothing can be memorised. The reference's mean accuracy over five
  data sets was at least 0.96 on each of 1000 seeds (median 0.996), each data set at
  least 0.91.
- The three correct variants in the bank (softmax regression, 5 nearest neighbours, a
  tanh MLP) did at least as well on 300 seeds each: Iris means of at least 0.947 and
  splits of at least 0.889, synthetic means of at least 0.973 and sets of at least 0.933.
"""

import functools
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from grader.suite import (
    LearnerRaised,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_inputs_unchanged,
    no_fp_warnings,
    shape_id,
)

named = declared_mistakes(__file__)

IRIS_CSV = Path(__file__).with_name("iris.csv")
# The rows of Iris that small correct classifiers get wrong most often (the setosa with a
# narrow sepal, and the overlap of versicolor and virginica): each was misclassified in at
# least 10% of the splits it was tested in by the reference or one of three correct
# variants (an MLP, softmax regression, 5 nearest neighbours, a tanh MLP), 60 seeds each.
# The splits spread them evenly; they are judged like every other sample.
HARD_IRIS = (41, 68, 70, 72, 77, 83, 85, 106, 119, 129, 131, 133, 134, 138, 149)
MIN_MEAN_ACCURACY, MIN_ACCURACY = 0.9, 0.8

# Likely mistakes, by name (the bank's buggy versions check that messages name them).
ORDER = named("order")
ROWS_ALTERED = named("rows-altered")
UNPAIRED = named("unpaired")
OVERLAP = named("overlap")
DROPPED = named("dropped")
REPEATED = named("repeated")
NOT_STRATIFIED = named("not-stratified")
TRUNCATED = named("truncated")
CEILED = named("ceiled")
SWAPPED = named("swapped")
GLOBAL_RNG = named("global-rng")
FIRST_ROWS = named("first-rows")
LAST_ROWS = named("last-rows")
IGNORES_RNG = named("ignores-rng")

TEST_OWN_STATS = named("test-own-stats")
POOLED = named("pooled")
DDOF1 = named("ddof1")
NOT_CENTRED = named("not-centred")
NOT_SCALED = named("not-scaled")
VARIANCE = named("variance")
PER_SAMPLE = named("per-sample")
WHOLE_ARRAY = named("whole-array")
MIN_MAX = named("min-max")
CONST_NAN = named("const-nan")
CONST_ROUNDING = named("const-rounding")
CONST_EPS = named("const-eps")
CONST_ZEROED = named("const-zeroed")

ONE_HOT_TRANSPOSED = named("one-hot-transposed")
ONE_HOT_DTYPE = named("one-hot-dtype")
ONE_HOT_WIDTH = named("one-hot-width")
CM_TRANSPOSED = named("cm-transposed")
CM_DTYPE = named("cm-dtype")
CM_NORMALISED = named("cm-normalised")
CM_DUPLICATES = named("cm-duplicates")
CM_WIDTH = named("cm-width")

PROBABILITIES = named("probabilities")
ARGMAX_AXIS0 = named("argmax-axis0")
FLOAT_LABELS = named("float-labels")
TRAIN_LABELS = named("train-labels")
NONDETERMINISTIC = named("nondeterministic")
OWN_STATS_IN_FIT = named("own-stats-in-fit")
ONE_CLASS = named("one-class")
NOT_STANDARDISED = named("not-standardised")
MEMORISED = named("memorised")


# -- data -------------------------------------------------------------------------------


@functools.cache
def iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris: X (150, 4) in centimetres, y (150,) in 0, 1, 2."""
    table = np.loadtxt(IRIS_CSV, delimiter=",", skiprows=1)
    X, y = table[:, :4], table[:, 4].astype(np.int64)
    if X.shape != (150, 4) or np.bincount(y).tolist() != [50, 50, 50]:
        raise RuntimeError(f"{IRIS_CSV} is not Fisher's Iris (150 rows, 50 per class)")
    return X, y


class Blobs:
    """Three Gaussian blobs in four features, each feature in a unit of its own.

    Points are drawn in a latent space (class centres at the corners of an equilateral
    triangle of side 6 in a random plane, unit noise), then every feature is scaled by a
    factor from 0.03 to 30 and shifted by up to 100 of those units.
    """

    SIDE = 6.0

    def __init__(self, rng: np.random.Generator) -> None:
        angles = 2 * np.pi * np.arange(3) / 3 + rng.uniform(0, 2 * np.pi)
        flat = np.zeros((3, 4))
        flat[:, 0], flat[:, 1] = np.cos(angles), np.sin(angles)
        rotation, _ = np.linalg.qr(rng.standard_normal((4, 4)))
        self.centres = (self.SIDE / np.sqrt(3)) * flat @ rotation.T
        self.scale = 10.0 ** rng.uniform(-1.5, 1.5, 4)
        self.offset = rng.uniform(-100, 100, 4) * self.scale
        self.rng = rng

    def draw(self, labels: np.ndarray, spread: float = 1.0) -> np.ndarray:
        latent = self.centres[labels] + spread * self.rng.standard_normal((len(labels), 4))
        return latent * self.scale + self.offset

    def data_set(self, per_class: int = 50) -> tuple[np.ndarray, np.ndarray]:
        y = self.rng.permutation(np.repeat(np.arange(3), per_class))
        return self.draw(y), y


def shuffled_parts(rng, n, test):
    """(train indices, test indices), each part in random order: a row's position in
    X_train or X_test says nothing about its class."""
    return rng.permutation(np.setdiff1d(np.arange(n), test)), rng.permutation(np.asarray(test))


def stratified_parts(y: np.ndarray, rng: np.random.Generator, fraction: float = 0.3):
    """The suite's own stratified split: (train indices, test indices)."""
    test = np.concatenate(
        [
            rng.permutation(np.flatnonzero(y == label))[: expected_count(fraction, count)]
            for label, count in zip(*np.unique(y, return_counts=True), strict=True)
        ]
    )
    return shuffled_parts(rng, len(y), test)


def iris_splits(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Five stratified 70/30 splits of Iris (15 test samples per class in each), in which
    every sample is tested once or twice and each test set holds 3 of the 15 hard samples.

    Per class, 25 samples are tested once (5 in each split) and 25 twice (in two different
    splits, 10 in each split). The hard samples are among those tested once, dealt to the
    splits in turn. Which samples, and in which splits, is drawn from ``rng``.
    """
    _, y = iris()
    tests: list[list[int]] = [[] for _ in range(5)]
    turn = int(rng.integers(5))
    for label in range(3):
        members = np.flatnonzero(y == label)
        hard = rng.permutation(members[np.isin(members, HARD_IRIS)]).tolist()
        easy = rng.permutation(members[~np.isin(members, HARD_IRIS)]).tolist()
        once_in: list[list[int]] = [[] for _ in range(5)]
        for sample in hard:
            once_in[turn % 5].append(sample)
            turn += 1
        for split in range(5):
            while len(once_in[split]) < 5:
                once_in[split].append(easy.pop())
            tests[split] += once_in[split]
        # The 25 left are tested twice: sample i in splits j and j + d (mod 5), with
        # j = i mod 5 and d = 1 + (i // 5) mod 4, which puts 10 of them in every split.
        for i, sample in enumerate(easy):
            j, d = i % 5, 1 + (i // 5) % 4
            tests[j].append(sample)
            tests[(j + d) % 5].append(sample)
    return [shuffled_parts(rng, 150, test) for test in tests]


def expected_count(fraction: float, count: int) -> int:
    """round(fraction * count), on inputs chosen so that no exact half needs a convention."""
    share = fraction * count
    if abs(share - math.floor(share) - 0.5) < 1e-6:
        raise RuntimeError(f"suite bug: {fraction} * {count} is an exact half")
    return math.floor(share + 0.5)


# -- train_test_split -------------------------------------------------------------------


def labelled_rows(rng, counts, labels=None, features=3):
    """X whose column 0 numbers the rows (a returned row says where it came from), and y
    holding counts[k] samples of labels[k], in random order."""
    labels = list(range(len(counts))) if labels is None else labels
    y = rng.permutation(np.repeat(np.array(labels, dtype=np.int64), counts))
    n = len(y)
    X = np.column_stack([np.arange(n, dtype=np.float64), rng.standard_normal((n, features - 1))])
    return X, y


def split_call(X, fraction):
    return f"train_test_split(X ({X.shape[0]}x{X.shape[1]}), y, {fraction}, rng)"


def read_split(got, X, y, call):
    """The row numbers of the training and test parts, after checking the four arrays."""
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        raise Mistake(f"{call} returned {describe(got)}; expected a tuple of 4 arrays. {ORDER}")
    parts = [expect_array(part, call=f"{call}[{i}]") for i, part in enumerate(got)]
    if parts[1].ndim == 1 and parts[2].ndim == 2:
        raise Mistake(
            f"{call} returned arrays of shapes {[p.shape for p in parts]}. Likely mistake: {ORDER}"
        )
    names = ("X_train", "X_test", "y_train", "y_test")
    for i, (part, name) in enumerate(zip(parts, names, strict=True)):
        want_ndim, width = (2, X.shape[1]) if i < 2 else (1, None)
        if part.ndim != want_ndim or (width is not None and part.shape[1] != width):
            raise Mistake(
                f"{call} returned {name} of shape {part.shape}; expected "
                f"{'(n, ' + str(width) + ')' if width else '(n,)'}. {ORDER}"
            )
    ids = []
    for X_part, y_part, name in ((parts[0], parts[2], "train"), (parts[1], parts[3], "test")):
        if len(X_part) != len(y_part):
            raise Mistake(
                f"{call} returned X_{name} with {len(X_part)} rows and y_{name} with "
                f"{len(y_part)} labels; they must match"
            )
        rows = X_part[:, 0]
        known = (rows >= 0) & (rows < len(X)) & (rows == np.round(rows))
        if not np.all(known) or not np.array_equal(X_part, X[rows.astype(np.int64)]):
            raise Mistake(f"{call}: X_{name} holds rows that are not rows of X. {ROWS_ALTERED}")
        rows = rows.astype(np.int64)
        if not np.array_equal(y_part, y[rows]):
            raise Mistake(
                f"{call}: y_{name} is not the labels of the rows in X_{name}. "
                f"Likely mistake: {UNPAIRED}"
            )
        if len(np.unique(rows)) != len(rows):
            raise Mistake(f"{call}: a sample appears twice in X_{name}. Likely mistake: {REPEATED}")
        ids.append(rows)
    train, test = ids
    shared = np.intersect1d(train, test)
    if shared.size:
        raise Mistake(
            f"{call}: {shared.size} samples are in both parts (rows {shared[:5].tolist()}...). "
            f"Likely mistake: {OVERLAP}"
        )
    missing = np.setdiff1d(np.arange(len(X)), np.concatenate(ids))
    if missing.size:
        raise Mistake(
            f"{call}: {missing.size} samples are in neither part (rows {missing[:5].tolist()}"
            f"...). Likely mistake: {DROPPED}"
        )
    return train, test


def expect_stratified(test_rows, y, fraction, call):
    labels, counts = np.unique(y, return_counts=True)
    got = [int(np.sum(y[test_rows] == label)) for label in labels]
    want = [expected_count(fraction, int(c)) for c in counts]
    if got == want:
        return
    guesses = {
        TRUNCATED: [math.floor(fraction * c) for c in counts],
        CEILED: [math.ceil(fraction * c) for c in counts],
        SWAPPED: [expected_count(1 - fraction, int(c)) for c in counts],
    }
    hint = next((message for message, counted in guesses.items() if got == counted), "")
    if not hint:
        hint = NOT_STRATIFIED
    raise Mistake(
        f"{call} put {got} samples of classes {labels.tolist()} (counts {counts.tolist()}) in "
        f"the test set; expected {want}, round({fraction} * count) for each class. "
        f"Likely mistake: {hint}"
    )


SPLITS = {
    "iris-like": ([50, 50, 50], None, 0.3),
    "unbalanced": ([13, 7, 22], None, 0.3),
    "two-classes": ([9, 16], None, 0.4),
    "labels-2-5-7": ([8, 11, 6], [2, 5, 7], 0.2),
    "tiny": ([3, 4, 3], None, 0.3),
}


@pytest.mark.values
@pytest.mark.parametrize("case", list(SPLITS))
def test_split_is_stratified_disjoint_and_complete(impl, rng, case):
    """train_test_split is stratified, disjoint and complete, and keeps rows with their labels

    Each class gives round(test_fraction * count) samples to the test set.
    """
    counts, labels, fraction = SPLITS[case]
    X, y = labelled_rows(rng, counts, labels)
    call = split_call(X, fraction)
    seed = int(rng.integers(2**31))
    got = impl.train_test_split(X, y, fraction, np.random.default_rng(seed))
    _, test = read_split(got, X, y, call)
    expect_stratified(test, y, fraction, call)


@pytest.mark.contract
def test_split_is_drawn_from_rng(impl, rng):
    """the split is drawn from rng: the same seed gives the same split, other seeds others

    Not always the first or last samples of each class either.
    """
    X, y = labelled_rows(rng, [20, 17, 26], features=2)
    call = split_call(X, 0.3)
    seeds = [int(s) for s in rng.choice(2**31, size=6, replace=False)]
    tests = []
    for seed in seeds:
        _, test = read_split(
            impl.train_test_split(X, y, 0.3, np.random.default_rng(seed)), X, y, call
        )
        _, again = read_split(
            impl.train_test_split(X, y, 0.3, np.random.default_rng(seed)), X, y, call
        )
        if set(test.tolist()) != set(again.tolist()):
            raise Mistake(
                f"{call} with rng = np.random.default_rng({seed}), called twice, gave two "
                f"different test sets. Likely mistake: {GLOBAL_RNG}"
            )
        tests.append(frozenset(test.tolist()))
    firsts, lasts = set(), set()
    for label, count in zip(*np.unique(y, return_counts=True), strict=True):
        members = np.flatnonzero(y == label).tolist()
        k = expected_count(0.3, int(count))
        firsts |= set(members[:k])
        lasts |= set(members[len(members) - k :])
    if all(test == firsts for test in tests):
        raise Mistake(f"{call} gave the same test set for six seeds. Likely mistake: {FIRST_ROWS}")
    if all(test == lasts for test in tests):
        raise Mistake(f"{call} gave the same test set for six seeds. Likely mistake: {LAST_ROWS}")
    # A correct split draws one of C(20, 6) C(17, 5) C(26, 8) = 3.7e14 test sets: two of six
    # draws coincide with probability below 1e-13.
    if len(set(tests)) < len(tests):
        raise Mistake(
            f"{call} gave the same test set for generators of different seeds. "
            f"Likely mistake: {IGNORES_RNG}"
        )


# -- standardize ------------------------------------------------------------------------


def column_stats(X, ddof=0):
    """Per-column mean (math.fsum) and standard deviation (two passes), in plain Python."""
    columns = X.T.tolist()
    means = [math.fsum(col) / len(col) for col in columns]
    stds = [
        math.sqrt(math.fsum((v - m) ** 2 for v in col) / (len(col) - ddof))
        for col, m in zip(columns, means, strict=True)
    ]
    return np.array(means), np.array(stds)


def standardised(X_train, X_test):
    mean, std = column_stats(X_train)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_mistakes(X_train, X_test):
    """What each classic mistake returns, as (train, test) pairs; built only on failure.

    Degenerate inputs (one row, an empty test set) make some of them NaN or inf, which is
    then their signature: a test set standardised with its own statistics is NaN when it
    has a single row.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of an empty test set
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        both = np.vstack([X_train, X_test])
        pooled_mean, pooled_std = both.mean(axis=0), both.std(axis=0)
        own_mean, own_std = X_test.mean(axis=0), X_test.std(axis=0)
        sample_std = X_train.std(axis=0, ddof=1)
        low, high = X_train.min(axis=0), X_train.max(axis=0)
        whole_mean, whole_std = X_train.mean(), X_train.std()

        def per_row(X):
            return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)

        def both_by(centre, scale):
            return (X_train - centre) / scale, (X_test - centre) / scale

        return {
            TEST_OWN_STATS: ((X_train - mean) / std, (X_test - own_mean) / own_std),
            POOLED: both_by(pooled_mean, pooled_std),
            DDOF1: both_by(mean, sample_std),
            NOT_CENTRED: both_by(0.0, std),
            NOT_SCALED: both_by(mean, 1.0),
            VARIANCE: both_by(mean, std**2),
            PER_SAMPLE: (per_row(X_train), per_row(X_test)),
            WHOLE_ARRAY: both_by(whole_mean, whole_std),
            MIN_MAX: both_by(low, high - low),
        }


def read_pair(got, call):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mistake(
            f"{call} returned {describe(got)}; expected a tuple (X_train standardised, "
            "X_test standardised)"
        )
    return got


def not_finite(got):
    return not np.all(np.isfinite(got))


def features_in_units(rng, n, d):
    """Features with offsets and scales of their own (a scale from 0.1 to 10)."""
    offset = rng.uniform(-50, 50, d)
    scale = 10.0 ** rng.uniform(-1, 1, d)
    return offset + scale * rng.standard_normal((n, d))


def expect_standardised(impl, X_train, X_test):
    call = f"standardize(X_train ({shape_id(X_train.shape)}), X_test ({shape_id(X_test.shape)}))"
    got_train, got_test = read_pair(impl.standardize(X_train, X_test), call)
    want_train, want_test = standardised(X_train, X_test)

    def mistakes(which):
        return lambda: {m: pair[which] for m, pair in standardize_mistakes(X_train, X_test).items()}

    expect_close(got_train, want_train, call=f"{call}[0]", mistakes=mistakes(0))
    expect_close(got_test, want_test, call=f"{call}[1]", mistakes=mistakes(1))


@pytest.mark.values
def test_standardize_hand_checked_example(impl):
    """standardize on the prompt's example: training mean and population std for both arrays"""
    X_train = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 40.0], [6.0, 20.0]])
    X_test = np.array([[4.0, 30.0], [0.0, 0.0]])
    # mean (3, 20), population std (sqrt(3.5), sqrt(150)) = (1.8708, 12.247)
    expect_standardised(impl, X_train, X_test)


@pytest.mark.values
def test_standardize_random_values(impl, rng):
    """standardize uses X_train's mean and std (ddof 0) for both arrays, in any units

    The test set is drawn from a shifted, wider law, so its own statistics differ.
    """
    offset, scale = rng.uniform(-50, 50, 4), 10.0 ** rng.uniform(-1, 1, 4)
    X_train = offset + scale * rng.standard_normal((20, 4))
    X_test = offset + scale * (1.5 + 2.0 * rng.standard_normal((7, 4)))
    expect_standardised(impl, X_train, X_test)


def rounding_constants(n):
    """Values whose constant column of length n has a computed np.std that is not 0."""
    candidates = [5.1, 0.1, 2.2, 3.3, 1e4 / 3, 123.456, 0.3, -7.7]
    return [v for v in candidates if np.full(n, v).std() != 0]


@pytest.mark.stability
def test_standardize_constant_features_get_scale_one(impl, rng):
    """a feature constant in X_train gets scale 1: no NaN, inf or huge value, whatever its std

    Also when rounding leaves its computed std a tiny non-zero number.
    """
    n = 12
    inexact = rounding_constants(n)[:2]
    values = [0.0, *inexact]  # std exactly 0, then stds that are rounding residues
    X_train = features_in_units(rng, n, 2)
    X_test = features_in_units(rng, 5, 2)
    for v in values:
        X_train = np.column_stack([X_train, np.full(n, v)])
        X_test = np.column_stack([X_test, v + rng.uniform(-2, 2, 5)])
    constants = [round(v, 3) for v in values]
    call = f"standardize(X_train, X_test) with constant features {constants} in X_train"
    with no_fp_warnings(impl, call, hint={"divide": CONST_NAN, "invalid": CONST_NAN}):
        got_train, got_test = read_pair(impl.standardize(X_train, X_test), call)
    mean, std = column_stats(X_train[:, :2])
    const = slice(2, None)
    want_train = np.column_stack([(X_train[:, :2] - mean) / std, np.zeros((n, len(values)))])
    want_test = np.column_stack([(X_test[:, :2] - mean) / std, X_test[:, const] - values])
    got_train = expect_array(got_train, call=f"{call}[0]", shape=X_train.shape)
    got_test = expect_array(got_test, call=f"{call}[1]", shape=X_test.shape)
    for got, name in ((got_train, "[0]"), (got_test, "[1]")):
        if not np.all(np.isfinite(got)):
            raise Mistake(f"{call}{name} holds NaN or inf. Likely mistake: {CONST_NAN}")
    residue = np.array([np.full(n, v).std() or 1.0 for v in values])
    huge = np.abs(got_test[:, const]).max() > 1e3
    if huge:
        by_residue = (X_test[:, const] - values) / residue
        hint = (
            CONST_ROUNDING if np.allclose(got_test[:, const], by_residue, rtol=1e-3) else CONST_EPS
        )
        raise Mistake(
            f"{call}[1] has values up to {np.abs(got_test).max():.3g} in the constant features. "
            f"Likely mistake: {hint}"
        )
    if np.allclose(got_test[:, const], 0.0, atol=1e-6):
        raise Mistake(
            f"{call}[1] is 0 in the constant features, whatever their test values. "
            f"Likely mistake: {CONST_ZEROED}"
        )
    expect_close(got_train, want_train, call=f"{call}[0]", atol=1e-9)
    expect_close(got_test, want_test, call=f"{call}[1]", atol=1e-9)


STANDARDIZE_SHAPES = [((1, 3), (4, 3)), ((6, 1), (2, 1)), ((10, 5), (1, 5)), ((3, 2), (0, 2))]


@pytest.mark.shapes
@pytest.mark.parametrize(
    ("train_shape", "test_shape"),
    STANDARDIZE_SHAPES,
    ids=[f"{a[0]}x{a[1]}-{b[0]}x{b[1]}" for a, b in STANDARDIZE_SHAPES],
)
def test_standardize_shapes(impl, rng, train_shape, test_shape):
    """standardize keeps both shapes: one training row, one feature, one or no test row"""
    X_train = features_in_units(rng, *train_shape)
    X_test = features_in_units(rng, *test_shape)
    call = f"standardize(X_train {train_shape}, X_test {test_shape})"
    got_train, got_test = read_pair(impl.standardize(X_train, X_test), call)
    mean, std = column_stats(X_train)
    scale = np.where(np.all(X_train == X_train[:1], axis=0), 1.0, std)

    def mistakes(which):
        # One training row makes every feature constant (std 0): scale 1 for all of them.
        def known():
            constant = {}
            if np.all(X_train == X_train[:1]):
                constant = {
                    CONST_NAN: not_finite,
                    CONST_EPS: lambda got: np.abs(got).max(initial=0) > 1e3,
                }
            pairs = standardize_mistakes(X_train, X_test)
            return constant | {message: pair[which] for message, pair in pairs.items()}

        return known

    want_train, want_test = (X_train - mean) / scale, (X_test - mean) / scale
    expect_close(got_train, want_train, call=f"{call}[0]", atol=1e-9, mistakes=mistakes(0))
    expect_close(got_test, want_test, call=f"{call}[1]", atol=1e-9, mistakes=mistakes(1))


# -- one_hot ------------------------------------------------------------------------------


def counted_one_hot(y, num_classes):
    out = np.zeros((len(y), num_classes))
    for row, label in enumerate(y.tolist()):
        out[row, label] = 1.0
    return out


def expect_one_hot(got, y, num_classes, call):
    n = len(y)
    got = expect_array(got, call=call)
    if got.shape == (num_classes, n) and n != num_classes:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n}, {num_classes}). "
            f"Likely mistake: {ONE_HOT_TRANSPOSED}"
        )
    seen = int(y.max(initial=-1)) + 1
    if got.ndim == 2 and got.shape[0] == n and got.shape[1] == seen != num_classes:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n}, {num_classes}). "
            f"Likely mistake: {ONE_HOT_WIDTH}"
        )
    expect_array(got, call=call, shape=(n, num_classes))
    if got.dtype.kind != "f":
        raise Mistake(f"{call} returned dtype {got.dtype}. Likely mistake: {ONE_HOT_DTYPE}")
    want = counted_one_hot(y, num_classes)
    expect_close(
        got, want, call=call, mistakes={ONE_HOT_TRANSPOSED: want.T} if n == num_classes else None
    )


@pytest.mark.values
def test_one_hot_hand_checked_example(impl):
    """one_hot([2, 0, 1, 1], 3) is the 4 x 3 matrix of the prompt"""
    y = np.array([2, 0, 1, 1])
    expect_one_hot(impl.one_hot(y, 3), y, 3, "one_hot([2, 0, 1, 1], 3)")


@pytest.mark.values
def test_one_hot_random_labels(impl, rng):
    """one_hot on random labels, with a class that no label uses"""
    y = rng.integers(0, 4, 11)  # classes 0-3 of 6: the last two never occur
    expect_one_hot(impl.one_hot(y, 6), y, 6, f"one_hot({y.tolist()}, 6)")


@pytest.mark.shapes
@pytest.mark.parametrize(("n", "classes"), [(1, 3), (5, 2), (3, 3), (7, 10)])
def test_one_hot_shapes(impl, rng, n, classes):
    """one_hot returns (N, num_classes) floats, for int64 and int32 labels"""
    for dtype in (np.int64, np.int32):
        y = rng.integers(0, classes, n).astype(dtype)
        expect_one_hot(
            impl.one_hot(y, classes),
            y,
            classes,
            f"one_hot({y.tolist()} ({np.dtype(dtype)}), {classes})",
        )


# -- confusion_matrix ---------------------------------------------------------------------


def counted_confusion(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        cm[t, p] += 1
    return cm


def expect_confusion(got, y_true, y_pred, num_classes, call):
    want = counted_confusion(y_true, y_pred, num_classes)
    got = expect_array(got, call=call)
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if got.shape == (seen, seen) and seen != num_classes:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({num_classes}, {num_classes}). "
            f"Likely mistake: {CM_WIDTH}"
        )
    got = expect_array(got, call=call, shape=want.shape)
    if got.dtype.kind not in "iu":
        rows = got.sum(axis=1)
        rates = np.allclose(rows[want.sum(axis=1) > 0], 1.0)
        hint = CM_NORMALISED if rates and len(y_true) > num_classes else CM_DTYPE
        raise Mistake(f"{call} returned dtype {got.dtype}. Likely mistake: {hint}")
    expect_close(
        got,
        want,
        call=call,
        mistakes={
            CM_TRANSPOSED: want.T,
            CM_DUPLICATES: (want > 0).astype(np.int64),
        },
    )


@pytest.mark.values
def test_confusion_matrix_hand_checked_example(impl):
    """confusion_matrix on the prompt's example: rows true, columns predicted"""
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2])
    expect_confusion(
        impl.confusion_matrix(y_true, y_pred, 3),
        y_true,
        y_pred,
        3,
        f"confusion_matrix({y_true.tolist()}, {y_pred.tolist()}, 3)",
    )


@pytest.mark.values
def test_confusion_matrix_random_labels(impl, rng):
    """confusion_matrix counts every (true, predicted) pair, repeated pairs included"""
    y_true = rng.integers(0, 4, 40)
    y_pred = np.where(rng.random(40) < 0.6, y_true, rng.integers(0, 4, 40))
    expect_confusion(
        impl.confusion_matrix(y_true, y_pred, 4),
        y_true,
        y_pred,
        4,
        "confusion_matrix(y_true (40,), y_pred (40,), 4)",
    )


@pytest.mark.shapes
@pytest.mark.parametrize(("n", "classes"), [(1, 3), (6, 5), (12, 2), (5, 1)])
def test_confusion_matrix_shapes(impl, rng, n, classes):
    """confusion_matrix is an integer (C, C) array, also when some classes never occur"""
    y_true = rng.integers(0, max(1, classes - 1), n)
    y_pred = rng.integers(0, classes, n)
    expect_confusion(
        impl.confusion_matrix(y_true, y_pred, classes),
        y_true,
        y_pred,
        classes,
        f"confusion_matrix({y_true.tolist()}, {y_pred.tolist()}, {classes})",
    )


# -- inputs untouched ---------------------------------------------------------------------


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """train_test_split, standardize, one_hot and confusion_matrix leave their inputs untouched"""
    X, y = labelled_rows(rng, [8, 6, 7])
    expect_inputs_unchanged(
        impl, "train_test_split", X, y, 0.3, np.random.default_rng(1), arg_names=("X", "y")
    )
    X_train, X_test = features_in_units(rng, 9, 3), features_in_units(rng, 4, 3)
    expect_inputs_unchanged(impl, "standardize", X_train, X_test, arg_names=("X_train", "X_test"))
    expect_inputs_unchanged(impl, "one_hot", y, 3, arg_names=("y",))
    y_pred = rng.integers(0, 3, len(y))
    expect_inputs_unchanged(impl, "confusion_matrix", y, y_pred, 3, arg_names=("y_true", "y_pred"))


# -- fit_predict --------------------------------------------------------------------------


def expect_labels(got, n, call, n_train=None):
    """fit_predict's result: integer labels in 0, 1, 2, shape (N,)."""
    got = expect_array(got, call=call)
    if got.ndim == 2 and got.shape == (n, 3):
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n},). Likely mistake: {PROBABILITIES}"
        )
    if got.shape == (3,) and n != 3:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n},). Likely mistake: {ARGMAX_AXIS0}"
        )
    if n_train is not None and got.shape == (n_train,):
        raise Mistake(
            f"{call} returned shape {got.shape}; expected ({n},). Likely mistake: {TRAIN_LABELS}"
        )
    got = expect_array(got, call=call, shape=(n,))
    if got.dtype.kind not in "iu":
        raise Mistake(f"{call} returned dtype {got.dtype}. Likely mistake: {FLOAT_LABELS}")
    outside = got[(got < 0) | (got > 2)]
    if outside.size:
        raise Mistake(f"{call} returned label {int(outside[0])}; the classes are 0, 1 and 2")
    return got


def fit_call(X_train, X_test, seed):
    return (
        f"fit_predict(X_train ({X_train.shape[0]}x{X_train.shape[1]}), y_train, "
        f"X_test ({X_test.shape[0]}x{X_test.shape[1]}), seed={seed})"
    )


def predicted(impl, X_train, y_train, X_test, seed):
    call = fit_call(X_train, X_test, seed)
    return expect_labels(
        impl.fit_predict(X_train, y_train, X_test, seed=seed), len(X_test), call, len(X_train)
    )


def accuracy(impl, X_train, y_train, X_test, y_test, seed):
    return float(np.mean(predicted(impl, X_train, y_train, X_test, seed) == y_test))


def diagnosis(impl, rng, X_train, y_train, X_test, y_test, labels, seed, *, iris_check):
    """The likely reason fit_predict learned poorly here (run only after a failure)."""
    try:
        mean, std = column_stats(X_train)
        if (
            accuracy(impl, (X_train - mean) / std, y_train, (X_test - mean) / std, y_test, seed)
            >= 0.9
        ):
            return NOT_STANDARDISED
        if iris_check:
            X, y = iris()
            train, test = stratified_parts(y, rng)
            if accuracy(impl, X[train], y[train], X[test], y[test], seed) >= 0.9:
                return MEMORISED
    except (Mistake, LearnerRaised):
        pass
    if len(np.unique(labels)) == 1 and len(np.unique(y_test)) > 1:
        return ONE_CLASS
    return ""


def expect_accuracies(accuracies, what, hint):
    text = ", ".join(f"{a:.3f}" for a in accuracies)
    mean = float(np.mean(accuracies))
    if mean >= MIN_MEAN_ACCURACY and min(accuracies) >= MIN_ACCURACY:
        return
    found = hint()
    likely = f" Likely mistake: {found}" if found else ""
    raise Mistake(
        f"fit_predict on {what}: test accuracies {text} (mean {mean:.3f}); expected a mean of "
        f"at least {MIN_MEAN_ACCURACY} and at least {MIN_ACCURACY} on each.{likely}"
    )


def alone_diagnosis(impl, rng, blobs, train, alone, seed):
    """Why points at class centres were mislabelled (run only after that failure): the same
    points among others (the three classes in equal numbers, shuffled), labelled right,
    point to a test set standardised with its own statistics."""
    X_train, y_train = train
    (X_one_class, first), (X_single, second) = alone
    grouped = np.repeat([first, second, 3 - first - second], 6)
    order = rng.permutation(18)
    X_mixed = np.vstack([X_one_class, X_single, blobs.draw(grouped[7:], spread=0.3)])[order]
    mixed_labels = grouped[order]
    try:
        mixed = predicted(impl, X_train, y_train, X_mixed, seed)
    except (Mistake, LearnerRaised):
        return ""
    if np.array_equal(mixed, mixed_labels):
        return f" Likely mistake: {OWN_STATS_IN_FIT}"
    found = diagnosis(
        impl, rng, X_train, y_train, X_mixed, mixed_labels, mixed, seed, iris_check=True
    )
    return f" Likely mistake: {found}" if found else ""


@pytest.mark.shapes
def test_fit_predict_returns_integer_labels(impl, rng):
    """fit_predict returns integer class labels for X_test, shape (N_test,)"""
    blobs = Blobs(rng)
    X, y = blobs.data_set(per_class=20)
    train, test = stratified_parts(y, rng)
    predicted(impl, X[train], y[train], X[test], int(rng.integers(1000)))


@pytest.mark.contract
def test_fit_predict_same_seed_same_labels(impl, rng):
    """fit_predict gives the same labels for the same seed

    On data where labels depend on the initial weights: noise with random labels.
    """
    X_train = rng.standard_normal((30, 4))
    y_train = rng.permutation(np.repeat(np.arange(3), 10))
    X_test = 2.0 * rng.standard_normal((24, 4))
    seed = int(rng.integers(1000))
    first = predicted(impl, X_train, y_train, X_test, seed)
    second = predicted(impl, X_train, y_train, X_test, seed)
    if not np.array_equal(first, second):
        raise Mistake(
            f"{fit_call(X_train, X_test, seed)} called twice returned labels that differ in "
            f"{int(np.sum(first != second))} of 24 places. Likely mistake: {NONDETERMINISTIC}"
        )


@pytest.mark.values
def test_fit_predict_labels_each_test_sample_on_its_own(impl, rng):
    """fit_predict labels points at a class's centre right, also alone or in a one-class X_test

    X_test must be standardised with the training statistics, not its own.
    """
    blobs = Blobs(rng)
    X, y = blobs.data_set()
    train, _ = stratified_parts(y, rng)
    X_train, y_train = X[train], y[train]
    seed = int(rng.integers(1000))
    first, second = rng.permutation(3)[:2]
    X_one_class = blobs.draw(np.full(6, first), spread=0.3)
    X_single = blobs.draw(np.array([second]), spread=0.3)
    for X_test, label, what in ((X_one_class, first, "6 points"), (X_single, second, "1 point")):
        labels = predicted(impl, X_train, y_train, X_test, seed)
        if np.all(labels == label):
            continue
        found = alone_diagnosis(
            impl, rng, blobs, (X_train, y_train), ((X_one_class, first), (X_single, second)), seed
        )
        raise Mistake(
            f"{fit_call(X_train, X_test, seed)}, trained on 105 samples of three well-separated "
            f"classes and tested on {what} at the centre of class {label}, returned "
            f"{labels.tolist()}.{found}"
        )


@pytest.mark.values
def test_iris_accuracy(impl, rng):
    """fit_predict: mean test accuracy >= 0.9 over five 70/30 splits of Iris, >= 0.8 on each"""
    X, y = iris()
    seed = int(rng.integers(1000))
    accuracies, runs = [], []
    for train, test in iris_splits(rng):
        labels = predicted(impl, X[train], y[train], X[test], seed)
        accuracies.append(float(np.mean(labels == y[test])))
        runs.append((train, test, labels))
    worst = runs[int(np.argmin(accuracies))]

    def hint():
        train, test, labels = worst
        return diagnosis(
            impl, rng, X[train], y[train], X[test], y[test], labels, seed, iris_check=False
        )

    expect_accuracies(accuracies, "five stratified 70/30 splits of Iris", hint)


@pytest.mark.values
def test_synthetic_accuracy(impl, rng):
    """fit_predict: mean accuracy >= 0.9 on five fresh data sets of Iris' shape, >= 0.8 on each

    Three Gaussian blobs in 4 features, each feature in a unit of its own.
    """
    seed = int(rng.integers(1000))
    accuracies, runs = [], []
    for _ in range(5):
        X, y = Blobs(rng).data_set()
        train, test = stratified_parts(y, rng)
        labels = predicted(impl, X[train], y[train], X[test], seed)
        accuracies.append(float(np.mean(labels == y[test])))
        runs.append((X[train], y[train], X[test], y[test], labels))
    worst = runs[int(np.argmin(accuracies))]

    def hint():
        return diagnosis(impl, rng, *worst, seed, iris_check=True)

    expect_accuracies(
        accuracies,
        "five synthetic data sets (150 samples, 4 features, 3 classes; 70/30 stratified)",
        hint,
    )
