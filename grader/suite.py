"""What hidden suites use to judge learner results and word their failures.

Every check raises ``Mistake`` with a message for the learner: which call, on
what input, what was expected and what came back, and, where a suite can
recognise the signature of a classic error, the likely mistake by name. The
suite's own source is never shown, so messages must stand alone.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from grader.mistakes import MistakeText, common, declared_mistakes
from grader.sandbox.parent import LearnerFailure, LearnerRaised, RemoteModule, RemoteObject

__all__ = [
    "ANY_SHAPES",
    "LearnerFailure",
    "LearnerRaised",
    "Mistake",
    "MistakeText",
    "declared_mistakes",
    "deviation_bound",
    "ks_distance",
    "jittered",
    "near",
    "normal_cdf",
    "shape_hint",
    "shape_id",
    "uniform_cdf",
    "call_watching_inputs",
    "describe",
    "expect_array",
    "expect_close",
    "expect_gradient",
    "expect_inputs_unchanged",
    "expect_raises",
    "expect_scalar",
    "expect_shape",
    "hint_on_error",
    "likely_mistake",
    "no_fp_warnings",
    "numerical_gradient",
    "relative_error",
]

# Likely mistakes: each message, and either the array the mistake would return or a
# predicate on what came back. A suite may pass a function that builds the mapping
# instead: it is then computed only when a check fails.
Mistakes = Mapping[str, Any] | Callable[[], Mapping[str, Any]]

# Shapes an elementwise function must accept: 0-d, empty, vectors, batches, more axes.
ANY_SHAPES = [(), (0,), (4,), (1, 5), (3, 0), (2, 3, 4), (2, 1, 3, 2)]


LIKELY = "Likely mistake"  # the label that ends a message naming a mistake (results.HINT)
CLOSEST = "Closest known mistake (perhaps with another)"


class Mistake(AssertionError):
    """A failed check; its message is shown to the learner as it is, under full feedback.

    ``hint`` is the named likely mistake, kept apart so a feedback policy that hides
    values (``--feedback titles``) can still show it, and so its id reaches the verdict
    (a ``MistakeText``): "" when the check names none. ``likely`` is the same, said at
    the end of the message too: ``Mistake("dW is wrong.", likely=TRANSPOSED)``. A suite
    may also end its own message with "Likely mistake: <a declared text>"; the runner
    reads that part and finds the id of the text it quotes.
    """

    def __init__(self, message: str, *, hint: str | None = None, likely: str = "") -> None:
        super().__init__(f"{message} {LIKELY}: {likely}" if likely else message)
        self.hint = likely or hint


def _mistake(head: str, label: str = "", text: str = "") -> Mistake:
    """A Mistake whose message is ``head`` then "<label>: <text>", with ``text`` as its hint.

    Only a mistake the result matches (``LIKELY``) is the hint; the closest of several is
    said in the message only.
    """
    if not text:
        return Mistake(head, hint="")
    return Mistake(f"{head} {label}: {text}", hint=text if label == LIKELY else "")


def _known(mistakes: Mistakes | None) -> Mapping[str, Any]:
    """The mapping of likely mistakes, built now if the suite passed a function."""
    if mistakes is None:
        return {}
    return mistakes() if callable(mistakes) else mistakes


def shape_id(shape: tuple) -> str:
    """A readable test id for a shape: ``2x3``, ``0d`` for a 0-d array."""
    return "x".join(map(str, shape)) or "0d"


def jittered(rng: np.random.Generator, shape: tuple, away: float = 0.1, at: float = 0.0):
    """Standard normal draws kept at least ``away`` from the kink at ``at`` (gradient checks)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < away, np.sign(x) * away + x, x) + at


def near(alternative: Any, rtol: float = 1e-6) -> Callable[[np.ndarray], bool]:
    """A mistake signature: ``got`` equals ``alternative`` relative to its largest entry.

    Plain ``allclose`` with a fixed ``atol`` cannot tell mistakes apart when every value
    is tiny (a learning-rate-sized update); this scales the tolerance with the values.
    """
    alternative = np.asarray(alternative, dtype=np.float64)
    finite = alternative[np.isfinite(alternative)]
    scale = float(np.max(np.abs(finite), initial=0.0))

    def matches(got: np.ndarray) -> bool:
        return (
            got.shape == alternative.shape
            and bool(np.all(np.isfinite(got) == np.isfinite(alternative)))
            and np.allclose(got, alternative, rtol=rtol, atol=1e-9 * scale, equal_nan=True)
        )

    return matches


def describe(value: Any) -> str:
    """A short, source-free description of a value for messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} ({value.dtype})"
    if isinstance(value, np.generic):
        return f"NumPy {type(value).__name__} {value!r}"
    if isinstance(value, RemoteObject):
        return f"an object of type {value._ref.type_name}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, (int, float, bool)) or value is None:
        return f"{type(value).__name__} {value!r}"
    return f"a {type(value).__name__}"


def expect_array(
    got: Any, *, call: str, shape: tuple | None = None, dtype: Any = None
) -> np.ndarray:
    """The result must be an ndarray (a NumPy scalar counts as 0-d), of ``shape`` and ``dtype``."""
    if isinstance(got, np.generic) and not isinstance(got, np.object_):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{call} returned {describe(got)}; it must return a NumPy array",
            hint=common("returns-non-array"),
        )
    if shape is not None and got.shape != tuple(shape):
        hint = _shape_mistake(got.shape, tuple(shape))
        head = f"{call} returned shape {got.shape}; expected {tuple(shape)}"
        raise _mistake(f"{head}." if hint else head, LIKELY, hint)
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise Mistake(
            f"{call} returned dtype {got.dtype}; expected {np.dtype(dtype)} (keep the input's dtype)",
            hint=common("wrong-dtype"),
        )
    return got


def shape_hint(got: tuple, expected: tuple) -> str:
    """The likely cause of a wrong shape, from the two shapes alone, as " Likely mistake: ...", or ''."""
    text = _shape_mistake(got, expected)
    return f" {LIKELY}: {text}" if text else ""


def _shape_mistake(got: tuple, expected: tuple) -> str:
    """The common mistake two shapes betray (a ``MistakeText``), or ''."""
    if len(got) == 2 and got[0] == got[1] and expected in ((got[0],), (got[0], 1)):
        return MistakeText(
            f"a ({got[0]}, 1) array met a ({got[0]},) array and NumPy "
            f"broadcast them to {got}; make both the same shape first",
            common("broadcast-column-row").id,
        )
    if got == expected[::-1] and len(expected) > 1:
        return common("transposed")
    if got == () and expected != ():
        return common("reduced-every-axis")
    if len(got) == len(expected) - 1 and any(
        expected[:i] + expected[i + 1 :] == got for i in range(len(expected))
    ):
        return common("dropped-keepdims")
    if (
        len(got) == len(expected) + 1
        and 1 in got
        and tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1)
    ):
        return common("extra-axis")
    return ""


def _index_text(array: np.ndarray, flat: int) -> str:
    if array.ndim == 0:
        return "(the only entry)"
    return "at index " + str(tuple(int(i) for i in np.unravel_index(flat, array.shape)))


def _matches(got: np.ndarray, alternative: Any) -> bool:
    if callable(alternative):
        try:
            return bool(alternative(got))
        except (ValueError, TypeError, FloatingPointError):
            return False
    alternative = np.asarray(alternative)
    return (
        alternative.shape == got.shape
        and bool(np.all(np.isfinite(got) == np.isfinite(alternative)))
        and np.allclose(got, alternative, rtol=1e-6, atol=1e-9, equal_nan=True)
    )


def likely_mistake(got: Any, mistakes: Mistakes | None, expected: Any = None) -> str:
    """The message of the first known mistake whose signature ``got`` matches, or ''.

    With ``expected``, when no mistake matches alone (two mistakes at once, say), the
    known mistake whose answer lies much closer to ``got`` than the right answer does
    is named as the closest, so the learner still learns where to look first.
    """
    label, text = _named_mistake(got, mistakes, expected)
    return f" {label}: {text}" if text else ""


def _named_mistake(got: Any, mistakes: Mistakes | None, expected: Any = None) -> tuple[str, str]:
    """``likely_mistake``'s label (``LIKELY`` or ``CLOSEST``) and text, or ("", "")."""
    if not mistakes or not isinstance(got, np.ndarray):
        return "", ""
    mistakes = _known(mistakes)
    for message, alternative in mistakes.items():
        if _matches(got, alternative):
            return LIKELY, message
    closest = _closest_mistake(got, mistakes, expected)
    return (CLOSEST, closest) if closest else ("", "")


def _closest_mistake(got: np.ndarray, mistakes: Mapping[str, Any], expected: Any) -> str:
    if expected is None:
        return ""
    try:
        with np.errstate(all="ignore"):
            got64 = got.astype(np.float64)
            miss = float(np.nanmax(np.abs(got64 - np.asarray(expected, dtype=np.float64))))
            best, best_error = "", miss / 4  # a mistake must explain most of the miss
            for message, alternative in mistakes.items():
                if callable(alternative) or np.shape(alternative) != got.shape:
                    continue
                error = float(np.nanmax(np.abs(got64 - np.asarray(alternative, np.float64))))
                if error < best_error:
                    best, best_error = message, error
    except (TypeError, ValueError):
        return ""
    return best


def expect_shape(got: Any, shape: tuple, *, call: str, mistakes: Mistakes | None) -> None:
    """A wrong shape that matches a known mistake names that mistake (expect_close would not).

    Any other wrong shape is left to ``expect_close``, which reports it plainly.
    """
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if isinstance(got, np.ndarray) and got.shape != shape:
        hint = likely_mistake(got, mistakes)
        if hint:
            raise Mistake(f"{call} has shape {got.shape}; expected {shape}.{hint}")


def expect_close(
    got: Any,
    expected: Any,
    *,
    call: str,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    dtype: Any = None,
    mistakes: Mistakes | None = None,
) -> np.ndarray:
    """Values must match ``expected`` elementwise; the message gives the worst entry."""
    expected = np.asarray(expected)
    got = expect_array(got, call=call, shape=expected.shape, dtype=dtype)
    if got.dtype.kind not in "fiub" or expected.size == 0:
        if got.dtype.kind not in "fiub":
            raise Mistake(f"{call} returned an array of dtype {got.dtype}; expected numbers")
        return got
    got64 = got.astype(np.float64)
    want64 = expected.astype(np.float64)
    bad_finite = np.isfinite(want64) & ~np.isfinite(got64)
    if bad_finite.any():
        flat = int(np.flatnonzero(bad_finite)[0])
        value = got64.reshape(-1)[flat]
        what = "NaN" if np.isnan(value) else str(value)
        raise _mistake(
            f"{call} returned {what} {_index_text(got, flat)} where {want64.reshape(-1)[flat]:.6g} "
            f"was expected ({int(bad_finite.sum())} non-finite entries).",
            *_named_mistake(got, mistakes, want64),
        )
    with np.errstate(invalid="ignore"):
        # An infinite expected entry (e.g. log 0 = -inf) must be matched exactly.
        exact = np.where(got64 == want64, 0.0, np.inf)
        error = np.where(np.isfinite(want64), np.abs(got64 - want64), exact)
    allowed = atol + rtol * np.abs(np.where(np.isfinite(want64), want64, 0))
    if np.all(error <= allowed):
        return got
    flat = int(np.argmax(error - allowed))
    raise _mistake(
        f"{call} has wrong values: max abs error {float(error.reshape(-1)[flat]):.3g} "
        f"{_index_text(got, flat)} (expected {want64.reshape(-1)[flat]:.6g}, "
        f"got {got64.reshape(-1)[flat]:.6g}).",
        *_named_mistake(got, mistakes, want64),
    )


def expect_scalar(
    got: Any,
    expected: float,
    *,
    call: str,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    mistakes: Mapping[str, float | Callable[[float], bool]]
    | Callable[[], Mapping[str, float | Callable[[float], bool]]]
    | None = None,
    not_finite: str = "",
) -> float:
    """A scalar result (a loss): a Python or NumPy float, or a 0-d array, close to ``expected``.

    ``mistakes`` maps a message to the value a mistake gives, or to a predicate on
    the value; ``not_finite`` is the likely mistake behind an inf or NaN.
    """
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, bool) or not isinstance(got, (int, float, np.floating, np.integer)):
        raise Mistake(
            f"{call} returned {describe(got)}; it must return a single float",
            hint=common("not-a-float"),
        )
    value = float(got)
    if np.isfinite(value) and abs(value - expected) <= atol + rtol * abs(expected):
        return value
    hint = _scalar_mistake(value, _known(mistakes), not_finite)
    if not np.isfinite(value):
        raise _mistake(
            f"{call} returned {value}; expected the finite value {expected:.6g}.", LIKELY, hint
        )
    raise _mistake(f"{call} returned {value:.8g}; expected {expected:.8g}.", LIKELY, hint)


def _scalar_mistake(value: float, mistakes: Mapping[str, Any], not_finite: str) -> str:
    for message, alternative in mistakes.items():
        if callable(alternative):
            try:
                matched = bool(alternative(value))
            except (ValueError, ArithmeticError):
                matched = False
        else:
            matched = bool(np.isfinite(value)) and abs(value - alternative) <= 1e-9 + 1e-6 * abs(
                alternative
            )
        if matched:
            return message
    return not_finite if not np.isfinite(value) else ""


def deviation_bound(n: int, p_fail: float = 1e-9) -> float:
    """How far a correct file's empirical frequency, or empirical CDF, may stray from the law.

    Hoeffding (a frequency of n independent draws) and Dvoretzky-Kiefer-Wolfowitz-Massart
    (the whole empirical CDF) give the same bound: a deviation beyond
    sqrt(ln(2 / p_fail) / (2 n)) happens with probability below ``p_fail``. Statistical
    tests use it as their threshold so that a correct file fails less than once in 1e9.
    """
    return math.sqrt(math.log(2 / p_fail) / (2 * n))


def ks_distance(sample: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """The Kolmogorov-Smirnov distance between a sample's empirical CDF and ``cdf``."""
    x = np.sort(np.asarray(sample, dtype=np.float64).reshape(-1))
    n = x.size
    if n == 0:
        return 0.0
    f = cdf(x)
    above = np.arange(1, n + 1) / n - f
    below = f - np.arange(n) / n
    return float(max(above.max(), below.max()))


def normal_cdf(std: float) -> Callable[[np.ndarray], np.ndarray]:
    """The CDF of N(0, std**2), for ``ks_distance``."""
    erf = np.frompyfunc(math.erf, 1, 1)
    return lambda x: 0.5 * (1.0 + erf(np.asarray(x) / (std * math.sqrt(2))).astype(np.float64))


def uniform_cdf(bound: float) -> Callable[[np.ndarray], np.ndarray]:
    """The CDF of U(-bound, bound), for ``ks_distance``."""
    return lambda x: np.clip((np.asarray(x) + bound) / (2 * bound), 0.0, 1.0)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-5
) -> np.ndarray:
    """Central finite differences of the scalar ``f`` at ``x``, in float64 (the contract's step)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + step
        plus = f(x)
        x[index] = original - step
        minus = f(x)
        x[index] = original
        grad[index] = (plus - minus) / (2 * step)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """The contract's ``max |a - n| / max(1e-8, |a| + |n|)`` over all entries."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.size == 0:
        return 0.0
    return float(
        np.max(np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric)))
    )


def expect_gradient(
    analytic: Any,
    numeric: np.ndarray,
    *,
    call: str,
    wrt: str,
    threshold: float = 1e-6,
    mistakes: Mistakes | None = None,
) -> np.ndarray:
    """An analytic gradient must agree with finite differences within ``threshold``."""
    analytic = expect_array(analytic, call=call, shape=numeric.shape)
    if not np.all(np.isfinite(analytic)):
        raise Mistake(f"{call}: the gradient with respect to {wrt} contains NaN or inf")
    error = relative_error(analytic, numeric)
    if error < threshold:
        return analytic
    raise _mistake(
        f"{call}: the gradient with respect to {wrt} disagrees with finite differences: "
        f"relative error {error:.2e} (must be below {threshold:.0e}).",
        *_named_mistake(analytic, mistakes),
    )


def _sandbox_of(owner: RemoteModule | RemoteObject):
    return owner._sandbox


@contextlib.contextmanager
def no_fp_warnings(
    owner: RemoteModule | RemoteObject, call: str, hint: str | Mapping[str, str] = ""
) -> Iterator[None]:
    """Calls inside the block must raise no overflow, invalid-value or divide-by-zero warning.

    ``hint`` names the likely mistake when they do: one text, or one per kind of
    warning ("overflow", "divide", "invalid"), the first kind raised in its order.
    """
    with _sandbox_of(owner).recording_fp_warnings() as log:
        yield
    kinds = sorted({kind for entry in log for kind in entry})
    if kinds:
        names = {
            "overflow": "overflow",
            "invalid": "invalid value (NaN)",
            "divide": "divide by zero",
        }
        listed = ", ".join(names.get(kind, kind) for kind in kinds)
        if not isinstance(hint, str):
            hint = next((text for kind, text in hint.items() if kind in kinds), "")
        head = f"{call} raised floating-point warnings: {listed}"
        raise _mistake(f"{head}." if hint else head, LIKELY, hint)


def call_watching_inputs(
    owner: RemoteModule | RemoteObject, name: str, *args: Any, **kwargs: Any
) -> tuple[Any, list[int]]:
    """Call ``name`` and return its result and the positions of array arguments it modified.

    The arrays are placed in memory the grader shares with the learner's process
    and reads back itself after the call, so the learner's process has no say in
    whether a change is seen. Where that memory is full or missing, they are
    stored in the child and read back through it instead.
    """
    sandbox = _sandbox_of(owner)
    passed = []
    for arg in args:
        if isinstance(arg, np.ndarray):
            shared = sandbox.share(arg)
            passed.append(shared if shared is not None else sandbox.put(arg))
        else:
            passed.append(arg)
    target = owner if isinstance(owner, RemoteObject) else None
    result = sandbox.call(target, name, tuple(passed), kwargs)
    changed = []
    for position, (original, sent) in enumerate(zip(args, passed, strict=True)):
        if isinstance(original, np.ndarray):
            after = (
                sandbox.fetch(sent) if isinstance(sent, RemoteObject) else sandbox.shared_now(sent)
            )
            if not (
                isinstance(after, np.ndarray)
                and after.shape == original.shape
                and np.array_equal(after, original, equal_nan=original.dtype.kind in "fc")
            ):
                changed.append(position)
    return result, changed


def expect_inputs_unchanged(
    owner: RemoteModule | RemoteObject,
    name: str,
    *args: Any,
    arg_names: tuple[str, ...],
    **kwargs: Any,
) -> Any:
    """Call ``name`` and fail if it modified any of its array arguments."""
    result, changed = call_watching_inputs(owner, name, *args, **kwargs)
    if changed:
        which = ", ".join(arg_names[i] for i in changed)
        raise Mistake(
            f"{name}() modified its input {which} in place; functions must leave their inputs "
            "untouched (work on a copy, or avoid in-place operators like `x[...] = ` and `*=`)",
            hint=common("modified-input-in-place"),
        )
    return result


@contextlib.contextmanager
def hint_on_error(
    hint: str, *, error_type: str | None = None, contains: str | tuple[str, ...] = ""
) -> Iterator[None]:
    """Name the likely mistake behind an exception the learner's code raises in the block.

    Only exceptions of ``error_type`` (its class name, e.g. "ValueError") whose
    message contains ``contains`` (or one of them) get the hint; the test still
    counts as an error.
    """
    needles = (contains,) if isinstance(contains, str) else contains
    try:
        yield
    except LearnerRaised as raised:
        kind = raised.error.get("type")
        message = str(raised.error.get("message", ""))
        if (error_type is None or kind == error_type) and any(n in message for n in needles):
            named = LearnerRaised(f"{raised} {LIKELY}: {hint}", raised.error)
            named.hint = hint  # the plugin reads it as it reads a Mistake's
            raise named from None
        raise


def expect_raises(run: Callable[[], Any], error_type: str, *, call: str, why: str) -> None:
    """``run()`` must make the learner's code raise ``error_type`` (by class name)."""
    try:
        got = run()
    except LearnerRaised as raised:
        kind = raised.error.get("type")
        if kind != error_type:
            raise Mistake(f"{call} raised {kind}; it must raise {error_type} {why}") from None
        return
    raise Mistake(f"{call} returned {describe(got)}; it must raise {error_type} {why}")
