"""Hidden suite for softmax_cross_entropy.

The oracles take another route than the reference's max shift: log-softmax as
z - logaddexp.reduce(z, axis=1), one-hot rows by comparing the labels with arange(C), the
per-sample loss summed only over the classes whose label is non-zero (so 0 * -inf never
arises), and the softmax as the exponential of the log-softmax. Gradient checks build their
soft labels so that every entry of (softmax - y) / N is far from 0, where the contract's
relative error is well conditioned.
"""

import contextlib
from collections.abc import Iterator

import numpy as np
import pytest

from grader.suite import (
    LearnerRaised,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_gradient,
    expect_inputs_unchanged,
    expect_scalar,
    near,
    no_fp_warnings,
    numerical_gradient,
    shape_id,
)

named = declared_mistakes(__file__)

# Likely mistakes, named in failure messages.
NO_SHIFT = named("no-shift")
ROW_MAX = named("row-max")
GLOBAL_MAX = named("global-max")
LOG_OF_SOFTMAX = named("log-of-softmax")
CLIPPED_LOG = named("clipped-log")
LOG_ZERO = named("log-zero")
ZERO_TIMES_INF = named("zero-times-inf")
SUMMED = named("summed")
MEAN_OVER_CLASSES = named("mean-over-classes")
LOSS_SIGN = named("loss-sign")
PER_SAMPLE = named("per-sample")
GRAD_NOT_DIVIDED = named("grad-not-divided")
GRAD_SIGN = named("grad-sign")
GRAD_MEAN_OVER_CLASSES = named("grad-mean-over-classes")
SIGMOID_DERIVATIVE = named("sigmoid-derivative")
GRAD_NO_SOFTMAX = named("grad-no-softmax")
GRAD_NO_LABELS = named("grad-no-labels")
GRAD_TRUE_CLASS_ONLY = named("grad-true-class-only")
SOFT_ROUNDED = named("soft-rounded")
ONE_HOT_SHAPE = named("one-hot-shape")
ONE_HOT_WRONG_AXIS = named("one-hot-wrong-axis")
NUM_CLASSES = named("num-classes")
FLOAT_INDEX = named("float-index")
DTYPE_DISPATCH = named("dtype-dispatch")
BOOL_LABELS = named("bool-labels")

INDEX_ERRORS = ("could not be broadcast", "shape mismatch", "out of bounds")
FLOAT_INDEX_ERRORS = ("must be of integer", "only integers", "integer scalar")

# The learner's exceptions worth a hint, by the kind of labels passed: (hint, needles).
ERROR_HINTS = {
    "indices": ((ONE_HOT_SHAPE, INDEX_ERRORS),),
    "indices missing classes": ((NUM_CLASSES, INDEX_ERRORS),),
    "float indices": ((FLOAT_INDEX, FLOAT_INDEX_ERRORS), (DTYPE_DISPATCH, INDEX_ERRORS)),
    "integer rows": (
        (BOOL_LABELS, ("boolean negative", "boolean subtract")),
        (DTYPE_DISPATCH, INDEX_ERRORS + FLOAT_INDEX_ERRORS),
    ),
    "rows": (),
}
# A gradient of the wrong shape, by the kind of labels passed.
SHAPE_HINTS = {
    "indices": ONE_HOT_SHAPE,
    "indices missing classes": NUM_CLASSES,
    "float indices": DTYPE_DISPATCH,
    "integer rows": DTYPE_DISPATCH,
}


# --- Oracles ----------------------------------------------------------------------------------


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return (np.asarray(labels)[:, None] == np.arange(num_classes)).astype(np.float64)


def rows(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """The labels as float64 probability rows (N, C)."""
    labels = np.asarray(labels)
    if labels.ndim == 1:
        return one_hot(labels, num_classes)
    return labels.astype(np.float64)


def oracle_log_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore", invalid="ignore"):
        return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def oracle_loss(z: np.ndarray, labels: np.ndarray) -> float:
    y = rows(labels, z.shape[1])
    # Only where y is non-zero: a 0 label on a -inf logit adds nothing (never 0 * -inf).
    terms = np.multiply(y, oracle_log_softmax(z), out=np.zeros_like(y), where=y != 0)
    return float(np.mean(-np.sum(terms, axis=1)))


def oracle_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        return np.exp(oracle_log_softmax(z))


def oracle_grad(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return (oracle_softmax(z) - rows(labels, z.shape[1])) / z.shape[0]


# --- Likely mistakes --------------------------------------------------------------------------


def hard(y: np.ndarray) -> list[np.ndarray]:
    """Soft rows made hard: by argmax, and by rounding."""
    return [one_hot(np.argmax(y, axis=1), y.shape[1]), np.round(y)]


def transposed(z: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    """Class indices one-hot encoded along the wrong axis (only possible when N = C)."""
    if np.asarray(labels).ndim != 1 or z.shape[0] != z.shape[1]:
        return []
    return [one_hot(labels, z.shape[1]).T]


def rows_as_indices(z: np.ndarray, labels: np.ndarray) -> tuple[list[float], list[np.ndarray]]:
    """Losses and gradients when (N, C) integer rows are used as class indices (N = C only).

    log_p[np.arange(N), labels] broadcasts arange(N) along the rows: entry (n, j) is
    log_p[j, labels[n, j]].
    """
    labels = np.asarray(labels)
    n, c = z.shape
    if labels.ndim != 2 or labels.dtype.kind not in "iub" or n != c:
        return [], []
    log_p = oracle_log_softmax(z)
    total = float(np.sum(log_p[np.arange(n), labels.astype(np.intp)]))
    grad = oracle_softmax(z)
    grad[np.arange(n), labels.astype(np.intp)] -= 1
    return [-total / n, -total / (n * c)], [grad / n]


def loss_mistakes(z: np.ndarray, labels: np.ndarray) -> dict:
    n, c = z.shape
    loss = oracle_loss(z, labels)
    found: dict = {LOSS_SIGN: -loss}
    if n > 1:
        found[SUMMED] = loss * n
    if c > 1:
        found[MEAN_OVER_CLASSES] = loss / c
    y = rows(labels, c)
    values = {
        ONE_HOT_WRONG_AXIS: [loss_of_rows(z, other) for other in transposed(z, labels)],
        DTYPE_DISPATCH: rows_as_indices(z, labels)[0],
    }
    if np.any((y != 0) & (y != 1)):
        values[SOFT_ROUNDED] = [loss_of_rows(z, other) for other in hard(y)]
    for message, alternatives in values.items():
        if alternatives:
            found[message] = lambda v, a=alternatives: any(close_to(v, w) for w in a)
    return found


def loss_of_rows(z: np.ndarray, y: np.ndarray) -> float:
    log_p = np.where(y != 0, oracle_log_softmax(z), 0.0)
    return float(-np.sum(y * log_p) / z.shape[0])


def close_to(value: float, alternative: float) -> bool:
    return bool(np.isfinite(alternative)) and abs(value - alternative) <= 1e-9 + 1e-6 * abs(
        alternative
    )


def grad_mistakes(z: np.ndarray, labels: np.ndarray) -> dict:
    n, c = z.shape
    y = rows(labels, c)
    p = oracle_softmax(z)
    grad = (p - y) / n
    found = {
        GRAD_SIGN: -grad,
        SIGMOID_DERIVATIVE: lambda got: any(
            near(alternative)(got) for alternative in ((p - y) * p * (1 - p) / n, p * (1 - p) / n)
        ),
        GRAD_NO_SOFTMAX: (z - y) / n,
        GRAD_NO_LABELS: p / n,
    }
    if n > 1:
        found[GRAD_NOT_DIVIDED] = grad * n
    if c > 1:
        found[GRAD_MEAN_OVER_CLASSES] = grad / c
    if np.all((y == 0) | (y == 1)):
        found[GRAD_TRUE_CLASS_ONLY] = np.where(y == 1, p - 1, 0.0) / n
    else:
        found[SOFT_ROUNDED] = lambda got: any(near((p - other) / n)(got) for other in hard(y))
    wrong_axis = transposed(z, labels)
    if wrong_axis:
        found[ONE_HOT_WRONG_AXIS] = lambda got: any(near((p - o) / n)(got) for o in wrong_axis)
    as_indices = rows_as_indices(z, labels)[1]
    if as_indices:
        found[DTYPE_DISPATCH] = lambda got: any(near(o)(got) for o in as_indices)
    return {message: near(v) if isinstance(v, np.ndarray) else v for message, v in found.items()}


# --- Inputs and calls -------------------------------------------------------------------------


def class_indices(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    """n class indices in [0, c), using every class when n >= c."""
    if n < c:
        return rng.choice(c, size=n, replace=False)
    return rng.permutation(np.concatenate([np.arange(c), rng.integers(0, c, n - c)]))


def soft_rows(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.dirichlet(np.ones(c), size=n)


def logits_like(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return 2.0 * rng.standard_normal((n, c))


def labels_text(labels: np.ndarray) -> str:
    labels = np.asarray(labels)
    if labels.ndim == 1:
        return f"class indices of shape {labels.shape} ({labels.dtype})"
    return f"probability rows of shape {labels.shape} ({labels.dtype})"


def call_text(name: str, z: np.ndarray, labels: np.ndarray, where: str = "") -> str:
    return f"{name}(logits of shape {z.shape}, {labels_text(labels)}){where}"


@contextlib.contextmanager
def hints(kind: str) -> Iterator[None]:
    """Name the likely mistake behind an exception the learner's code raises for ``kind``."""
    try:
        yield
    except LearnerRaised as raised:
        message = str(raised.error.get("message", ""))
        for hint, needles in ERROR_HINTS[kind]:
            if any(needle in message for needle in needles):
                raise LearnerRaised(f"{raised} Likely mistake: {hint}", raised.error) from None
        raise


def kind_of(labels: np.ndarray) -> str:
    labels = np.asarray(labels)
    if labels.ndim == 2:
        return "rows" if labels.dtype.kind == "f" else "integer rows"
    return "indices" if labels.dtype.kind in "iu" else "float indices"


def expect_loss(got, expected: float, *, call: str, mistakes, not_finite: str = "") -> float:
    """expect_scalar, naming the mistake of returning per-sample losses."""
    if isinstance(got, np.ndarray) and got.size > 1:
        raise Mistake(
            f"{call} returned {describe(got)}; it must return a single float. "
            f"Likely mistake: {PER_SAMPLE}"
        )
    return expect_scalar(got, expected, call=call, mistakes=mistakes, not_finite=not_finite)


def expect_grad(got, z: np.ndarray, labels: np.ndarray, *, call: str, kind: str, mistakes=None):
    """expect_close against the oracle; a wrong shape names how the labels were misread."""
    if isinstance(got, np.ndarray) and got.shape != z.shape and kind in SHAPE_HINTS:
        raise Mistake(
            f"{call} returned shape {got.shape}; expected {z.shape}. "
            f"Likely mistake: {SHAPE_HINTS[kind]}"
        )
    return expect_close(got, oracle_grad(z, labels), call=call, mistakes=mistakes)


def check_loss(impl, z, labels, *, where="", kind=None) -> float:
    call = call_text("cross_entropy_loss", z, labels, where)
    with hints(kind or kind_of(labels)):
        got = impl.cross_entropy_loss(z, labels)
    return expect_loss(
        got, oracle_loss(z, labels), call=call, mistakes=lambda: loss_mistakes(z, labels)
    )


def check_grad(impl, z, labels, *, where="", kind=None) -> np.ndarray:
    call = call_text("cross_entropy_grad", z, labels, where)
    kind = kind or kind_of(labels)
    with hints(kind):
        got = impl.cross_entropy_grad(z, labels)
    return expect_grad(
        got, z, labels, call=call, kind=kind, mistakes=lambda: grad_mistakes(z, labels)
    )


def check_both(impl, z, labels, *, where="", kind=None) -> None:
    check_loss(impl, z, labels, where=where, kind=kind)
    check_grad(impl, z, labels, where=where, kind=kind)


# --- values -----------------------------------------------------------------------------------

EXAMPLE_Z = np.array([[0.0, np.log(2.0), np.log(5.0)], [3.0, 3.0, 3.0]])
EXAMPLE_LABELS = np.array([2, 0])
# softmax rows: [1/8, 2/8, 5/8] and [1/3, 1/3, 1/3]
EXAMPLE_TEXT = "logits=[[0, ln 2, ln 5], [3, 3, 3]], labels=[2, 0]"


@pytest.mark.values
def test_loss_small_example(impl):
    """cross_entropy_loss on a hand-checked example with class indices"""
    with hints("indices"):
        got = impl.cross_entropy_loss(EXAMPLE_Z, EXAMPLE_LABELS)
    expect_loss(
        got,
        (np.log(8 / 5) + np.log(3.0)) / 2,
        call=f"cross_entropy_loss({EXAMPLE_TEXT})",
        mistakes=loss_mistakes(EXAMPLE_Z, EXAMPLE_LABELS),
    )


@pytest.mark.values
def test_grad_small_example(impl):
    """cross_entropy_grad on a hand-checked example with class indices"""
    with hints("indices"):
        got = impl.cross_entropy_grad(EXAMPLE_Z, EXAMPLE_LABELS)
    expect_close(
        got,
        np.array([[1 / 8, 2 / 8, -3 / 8], [-2 / 3, 1 / 3, 1 / 3]]) / 2,
        call=f"cross_entropy_grad({EXAMPLE_TEXT})",
        mistakes=grad_mistakes(EXAMPLE_Z, EXAMPLE_LABELS),
    )


@pytest.mark.values
def test_soft_labels_small_example(impl):
    """loss and gradient on a hand-checked example with soft labels"""
    y = np.array([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5]])
    text = f"logits=[[0, ln 2, ln 5], [3, 3, 3]], labels={y.tolist()}"
    loss = -(0.2 * np.log(1 / 8) + 0.3 * np.log(2 / 8) + 0.5 * np.log(5 / 8) + np.log(1 / 3)) / 2
    with hints("rows"):
        got = impl.cross_entropy_loss(EXAMPLE_Z, y)
    expect_loss(
        got,
        loss,
        call=f"cross_entropy_loss({text})",
        mistakes=loss_mistakes(EXAMPLE_Z, y),
    )
    with hints("rows"):
        got = impl.cross_entropy_grad(EXAMPLE_Z, y)
    expect_close(
        got,
        np.array([[1 / 8 - 0.2, 2 / 8 - 0.3, 5 / 8 - 0.5], [1 / 3, 1 / 3 - 0.5, 1 / 3 - 0.5]]) / 2,
        call=f"cross_entropy_grad({text})",
        mistakes=grad_mistakes(EXAMPLE_Z, y),
    )


@pytest.mark.values
def test_random_class_indices(impl, rng):
    """loss and gradient on random logits with integer class indices"""
    z = logits_like(rng, 6, 4)
    check_both(impl, z, class_indices(rng, 6, 4))


@pytest.mark.values
def test_random_one_hot_rows(impl, rng):
    """loss and gradient on random logits with one-hot probability rows"""
    z = logits_like(rng, 5, 3)
    check_both(impl, z, one_hot(class_indices(rng, 5, 3), 3))


@pytest.mark.values
def test_random_soft_labels(impl, rng):
    """loss and gradient on random logits with soft labels, used as they are"""
    z = logits_like(rng, 5, 4)
    check_both(impl, z, soft_rows(rng, 5, 4))


@pytest.mark.values
def test_classes_missing_from_the_batch(impl, rng):
    """the number of classes is the logits', even when the labels never use the last ones"""
    z = logits_like(rng, 6, 5)
    labels = rng.permutation(np.array([0, 1, 2, 0, 1, 2]))
    where = " whose labels use classes 0, 1, 2 of 5"
    check_both(impl, z, labels, where=where, kind="indices missing classes")


@pytest.mark.values
def test_square_batch(impl, rng):
    """with as many samples as classes, rows stay samples and columns classes"""
    z = logits_like(rng, 4, 4)
    labels = rng.permutation(4)
    labels[0] = labels[1]  # not a permutation: its one-hot is not symmetric under transposition
    check_both(impl, z, labels)
    check_both(impl, z, one_hot(labels, 4).astype(np.int64))


# --- shapes -----------------------------------------------------------------------------------

SHAPES = [(1, 3), (7, 2), (3, 1), (2, 10), (40, 6), (1, 1)]


@pytest.mark.shapes
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_any_batch_and_class_count(impl, rng, shape):
    """any N >= 1 and C >= 1: the loss is one float, the gradient has the logits' shape"""
    n, c = shape
    z = logits_like(rng, n, c)
    check_both(impl, z, class_indices(rng, n, c) if n % 2 else soft_rows(rng, n, c))


# --- gradients --------------------------------------------------------------------------------


def gradient_problem(rng: np.random.Generator, n: int, c: int, soft: bool) -> tuple:
    """Logits and labels for which every entry of (softmax - y) / N is far from 0.

    The contract's relative error is ill-conditioned near 0, so the draw is built, not
    filtered. Logits in [-1, 1] with C <= 5 keep every probability above e**-2 / 5 > 0.027.
    Hard labels then give p - 1 < -0.1 and p > 0.027. Soft labels take y = p + e: half
    of each row's classes lose a fraction a in [0.5, 0.9] of their probability, and the other
    half share that mass in proportion to u * p, u in [0.5, 1], so y >= 0 sums to 1 and
    every |e| is above 0.25 * 0.027 * 0.027 * 2 / 5 > 1e-4 (more than 1e4 times the
    finite-difference error of about 1e-10 / N).
    """
    z = rng.uniform(-1.0, 1.0, (n, c))
    p = oracle_softmax(z)
    if not soft:
        return z, class_indices(rng, n, c)
    losing = rng.permuted(np.broadcast_to(np.arange(c) % 2 == 0, (n, c)), axis=1)
    a = rng.uniform(0.5, 0.9, (n, c))
    u = rng.uniform(0.5, 1.0, (n, c))
    mass = np.sum(np.where(losing, a * p, 0.0), axis=1, keepdims=True)
    weights = np.where(losing, 0.0, u * p)
    gain = mass * weights / np.sum(weights, axis=1, keepdims=True)
    return z, np.where(losing, (1 - a) * p, p + gain)


@pytest.mark.gradients
@pytest.mark.parametrize("soft", [False, True], ids=["indices", "soft"])
def test_grad_matches_finite_differences(impl, rng, soft):
    """cross_entropy_grad is the gradient of the loss (finite differences)"""
    z, labels = gradient_problem(rng, 4, 5 if soft else 3, soft)
    numeric = numerical_gradient(lambda x: oracle_loss(x, labels), z)
    with hints(kind_of(labels)):
        got = impl.cross_entropy_grad(z, labels)
    expect_gradient(
        got,
        numeric,
        call=call_text("cross_entropy_grad", z, labels),
        wrt="logits",
        mistakes=grad_mistakes(z, labels),
    )


# --- stability --------------------------------------------------------------------------------


def quiet_calls(impl, z, labels, text: str, warnings: dict) -> tuple:
    """The learner's loss and gradient, each required to raise no floating-point warning."""
    results = []
    for name in ("cross_entropy_loss", "cross_entropy_grad"):
        with no_fp_warnings(impl, f"{name}({text})", warnings), hints(kind_of(labels)):
            results.append(getattr(impl, name)(z, labels))
    return tuple(results)


def loss_far_below(expected: float) -> dict:
    return {CLIPPED_LOG: lambda v: np.isfinite(v) and v < 0.5 * expected}


@pytest.mark.stability
def test_rows_far_apart(impl, rng):
    """rows 1000 apart: each row is shifted by its own max (finite, no warnings)"""
    z = rng.standard_normal((3, 4)) + np.array([[0.0], [1000.0], [-1000.0]])
    labels = class_indices(rng, 3, 4)
    text = f"logits of shape (3, 4) with rows near 0, 1000 and -1000, labels={labels.tolist()}"
    warnings = {"overflow": NO_SHIFT, "divide": GLOBAL_MAX, "invalid": GLOBAL_MAX}
    loss, grad = quiet_calls(impl, z, labels, text, warnings)
    expect_loss(
        loss,
        oracle_loss(z, labels),
        call=f"cross_entropy_loss({text})",
        mistakes={},
        not_finite=ROW_MAX,
    )
    expect_grad(grad, z, labels, call=f"cross_entropy_grad({text})", kind="indices")


FAR_Z = np.array([[0.0, -1000.0, 3.0, -5.0], [2.0, 1.0, -800.0, 0.0], [0.0, 1.0, 2.0, 3.0]])
FAR_TEXT = "logits=[[0, -1000, 3, -5], [2, 1, -800, 0], [0, 1, 2, 3]]"
FAR_LABELS = {
    "indices": np.array([1, 2, 3]),
    "soft": np.array([[0.0, 0.7, 0.3, 0.0], [0.1, 0.0, 0.9, 0.0], [0.25, 0.25, 0.25, 0.25]]),
}


@pytest.mark.stability
@pytest.mark.parametrize("form", list(FAR_LABELS))
def test_true_class_far_below_the_max(impl, form):
    """a labelled class 1000 below the best gives a loss near 1000, finite and exact"""
    labels = FAR_LABELS[form]
    text = f"{FAR_TEXT}, labels={labels.tolist()}"
    warnings = {"divide": LOG_OF_SOFTMAX, "invalid": LOG_OF_SOFTMAX, "overflow": NO_SHIFT}
    loss, grad = quiet_calls(impl, FAR_Z, labels, text, warnings)
    expected = oracle_loss(FAR_Z, labels)
    expect_loss(
        loss,
        expected,
        call=f"cross_entropy_loss({text})",
        mistakes=loss_far_below(expected),
        not_finite=LOG_OF_SOFTMAX,
    )
    expect_grad(grad, FAR_Z, labels, call=f"cross_entropy_grad({text})", kind=kind_of(labels))


HUGE_Z = np.array(
    [[1e4, -1e4, 0.0, 1e4 - 3], [-1e4, -1e4 + 1, -1e4 + 5, -1e4 - 2], [5e3, 1e4, -3e3, -1e4]]
)
HUGE_TEXT = "logits=[[1e4, -1e4, 0, 1e4-3], [-1e4, -1e4+1, -1e4+5, -1e4-2], [5e3, 1e4, -3e3, -1e4]]"
HUGE_LABELS = {
    "indices": np.array([1, 2, 0]),
    "soft": np.array([[0.5, 0.0, 0.25, 0.25], [0.25, 0.25, 0.5, 0.0], [0.0, 0.6, 0.4, 0.0]]),
}


@pytest.mark.stability
@pytest.mark.parametrize("form", list(HUGE_LABELS))
def test_huge_logits(impl, form):
    """logits of magnitude 1e4 give exact, finite results without warnings"""
    labels = HUGE_LABELS[form]
    text = f"{HUGE_TEXT}, labels={labels.tolist()}"
    warnings = {"overflow": NO_SHIFT, "divide": LOG_ZERO, "invalid": ZERO_TIMES_INF}
    loss, grad = quiet_calls(impl, HUGE_Z, labels, text, warnings)
    expected = oracle_loss(HUGE_Z, labels)
    expect_loss(
        loss,
        expected,
        call=f"cross_entropy_loss({text})",
        mistakes=loss_far_below(expected),
        not_finite=LOG_ZERO,
    )
    expect_grad(grad, HUGE_Z, labels, call=f"cross_entropy_grad({text})", kind=kind_of(labels))


INF = np.inf
INF_Z = np.array([[0.0, -INF, 1.0, 2.0], [-INF, 0.0, -INF, 3.0], [1.0, 1.0, 1.0, -INF]])
INF_TEXT = "logits=[[0, -inf, 1, 2], [-inf, 0, -inf, 3], [1, 1, 1, -inf]]"
INF_LABELS = {
    "soft": np.array([[0.5, 0.0, 0.25, 0.25], [0.0, 0.7, 0.0, 0.3], [0.2, 0.3, 0.5, 0.0]]),
    "one-hot": one_hot(np.array([2, 3, 0]), 4),
    "indices": np.array([2, 3, 0]),
}


@pytest.mark.stability
@pytest.mark.parametrize("form", list(INF_LABELS))
def test_zero_label_on_minus_inf_logit(impl, form):
    """a label of 0 on a class with logit -inf contributes 0: no NaN, no warnings"""
    labels = INF_LABELS[form]
    text = f"{INF_TEXT}, labels={labels.tolist()}"
    warnings = {"invalid": ZERO_TIMES_INF, "divide": LOG_ZERO, "overflow": NO_SHIFT}
    loss, grad = quiet_calls(impl, INF_Z, labels, text, warnings)
    expect_loss(
        loss,
        oracle_loss(INF_Z, labels),
        call=f"cross_entropy_loss({text})",
        mistakes={ZERO_TIMES_INF: lambda v: np.isnan(v)},
        not_finite=ZERO_TIMES_INF,
    )
    expect_grad(
        grad,
        INF_Z,
        labels,
        call=f"cross_entropy_grad({text})",
        kind=kind_of(labels),
        mistakes={ZERO_TIMES_INF: lambda got: bool(np.isnan(got).any())},
    )


# --- contract ---------------------------------------------------------------------------------

FORMS = {
    "int64-indices": lambda labels: labels.astype(np.int64),
    "uint8-indices": lambda labels: labels.astype(np.uint8),
    "float-indices": lambda labels: labels.astype(np.float64),
    "float-one-hot": lambda labels: one_hot(labels, 3),
    "int-one-hot": lambda labels: one_hot(labels, 3).astype(np.int64),
    "bool-one-hot": lambda labels: one_hot(labels, 3).astype(bool),
}


@pytest.mark.contract
@pytest.mark.parametrize("form", list(FORMS))
def test_labels_kind_is_decided_by_ndim(impl, rng, form):
    """labels of shape (N,) are indices and (N, C) are probability rows, whatever the dtype"""
    z = logits_like(rng, 5, 3)
    labels = FORMS[form](class_indices(rng, 5, 3))
    check_both(impl, z, labels)


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """neither function modifies logits or labels"""
    z = logits_like(rng, 4, 3)
    names = ("logits", "labels")
    for labels in (class_indices(rng, 4, 3), soft_rows(rng, 4, 3)):
        with hints(kind_of(labels)):
            expect_inputs_unchanged(impl, "cross_entropy_loss", z, labels, arg_names=names)
            expect_inputs_unchanged(impl, "cross_entropy_grad", z, labels, arg_names=names)


@pytest.mark.contract
def test_return_types(impl, rng):
    """the loss is a single float, the gradient a float64 NumPy array of the logits' shape"""
    z, labels = logits_like(rng, 4, 3), class_indices(rng, 4, 3)
    with hints("indices"):
        loss = impl.cross_entropy_loss(z, labels)
        grad = impl.cross_entropy_grad(z, labels)
    if isinstance(loss, np.ndarray) and loss.ndim == 0:
        loss = loss[()]
    if isinstance(loss, bool) or not isinstance(loss, (float, np.floating)):
        raise Mistake(
            f"{call_text('cross_entropy_loss', z, labels)} returned {describe(loss)}; it must "
            "return a single float (the mean over the samples)"
        )
    if not isinstance(grad, np.ndarray):
        raise Mistake(
            f"{call_text('cross_entropy_grad', z, labels)} returned {describe(grad)}; return a "
            "NumPy array (not a list)"
        )
    expect_array(
        grad, call=call_text("cross_entropy_grad", z, labels), shape=z.shape, dtype=np.float64
    )
