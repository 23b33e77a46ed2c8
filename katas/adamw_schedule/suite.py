"""Hidden suite for adamw_schedule.

Oracles, written differently from the reference:
- clip_grad_norm: the norm of the concatenation of every flattened array (np.linalg.norm);
- cosine_lr: the decay as a squared cosine of half the angle,
  min_lr + (base_lr - min_lr) * cos(pi * progress / 2)**2, equal to the contract's
  0.5 * (1 + cos(pi * progress)) form;
- adamw_step: Kingma & Ba's folded step size lr * sqrt(1 - beta2**t) / (1 - beta1**t) with
  eps rescaled by sqrt(1 - beta2**t), the moments in interpolation form, 1 - beta**t as
  -expm1(t * log(beta)), and the decoupled decay as a separate term -lr * weight_decay * param.
AdamW updates are compared as new_param - param (relative tolerance 1e-6), so that an update
wrong by 1% is not hidden inside a param of size 1. Likely mistakes are the textbook formulas
with one classic error each. Nothing here is random beyond the inputs: no statistical test.
"""

import math

import numpy as np
import pytest

from grader.sandbox.parent import RemoteObject
from grader.suite import (
    ANY_SHAPES,
    Mistake,
    declared_mistakes,
    describe,
    expect_array,
    expect_close,
    expect_inputs_unchanged,
    expect_scalar,
    hint_on_error,
    near,
    no_fp_warnings,
    shape_id,
)

named = declared_mistakes(__file__)

ADAM_DEFAULTS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}
NAMES = ("new_param", "new_m", "new_v")

# ----- likely mistakes: clip_grad_norm -----

PER_ARRAY = named("per-array")
NORM_AFTER = named("norm-after")
NORM_SQUARED = named("norm-squared")
NORM_SUMMED = named("norm-summed")
NORM_MEAN = named("norm-mean")
NORM_MAX = named("norm-max")
SCALED_UP = named("scaled-up")
SCALE_INVERTED = named("scale-inverted")
CLIPPED_VALUES = named("clipped-values")
NOT_CLIPPED = named("not-clipped")
TORCH_EPS = named("torch-eps")
ZERO_NORM = named("zero-norm")
CLIP_SHAPES = named("clip-shapes")

# ----- likely mistakes: cosine_lr -----

WARMUP_FROM_ZERO = named("warmup-from-zero")
WARMUP_INCLUSIVE = named("warmup-inclusive")
COSINE_LATE = named("cosine-late")
COSINE_EARLY = named("cosine-early")
COSINE_FROM_ZERO = named("cosine-from-zero")
NOT_CLAMPED = named("not-clamped")
MIN_LR_IGNORED = named("min-lr-ignored")
MIN_LR_ADDED = named("min-lr-added")
COSINE_NO_PI = named("cosine-no-pi")
COSINE_RISING = named("cosine-rising")
COSINE_LINEAR = named("cosine-linear")
NO_DECAY_STEPS = named("no-decay-steps")
NOT_A_FLOAT = named("not-a-float")

# ----- likely mistakes: adamw_step -----

L2_COUPLED = named("l2-coupled")
DECAY_TWICE = named("decay-twice")
DECAY_AFTER = named("decay-after")
DECAY_NO_LR = named("decay-no-lr")
DECAY_SIGN = named("decay-sign")
NO_DECAY = named("no-decay")
DECAY_DEFAULT = named("decay-default")
NO_CORRECTION = named("no-bias-correction")
T_MINUS_ONE = named("t-minus-one")
EPS_INSIDE = named("eps-inside")
ADAM_SIGN = named("adam-sign")
RAW_MOMENTS = named("raw-moments")
KEYWORD_IGNORED = named("keyword-ignored")
HIDDEN_STATE = named("hidden-state")


# ===== clip_grad_norm =====


def oracle_clip(grads, max_norm) -> tuple[list, float]:
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    norm = float(np.linalg.norm(flat))
    factor = max_norm / norm if norm > max_norm else 1.0
    return [factor * g for g in grads], norm


def clip_norm_mistakes(grads, max_norm) -> dict:
    squares = [float(np.sum(np.square(g))) for g in grads]
    size = sum(np.size(g) for g in grads)
    norm = math.sqrt(sum(squares))
    found = {
        NORM_SQUARED: sum(squares),
        NORM_SUMMED: sum(math.sqrt(s) for s in squares),
        NORM_MAX: max(float(np.max(np.abs(g), initial=0.0)) for g in grads),
    }
    if size:
        found[NORM_MEAN] = math.sqrt(sum(squares) / size)
    if norm > max_norm:
        found = {NORM_AFTER: max_norm, **found}
    return found


def clip_array_mistakes(grads, max_norm, index: int):
    def build() -> dict:
        g = grads[index]
        with np.errstate(all="ignore"):
            norm = math.sqrt(sum(float(np.sum(np.square(a))) for a in grads))
            own = float(np.linalg.norm(np.ravel(g)))
            found = {
                PER_ARRAY: g * min(1.0, max_norm / own) if own > 0 else g,
                SCALED_UP: g * (max_norm / norm) if norm > 0 else g,
                SCALE_INVERTED: g * (norm / max_norm),
                CLIPPED_VALUES: np.clip(g, -max_norm, max_norm),
                TORCH_EPS: g * min(1.0, max_norm / (norm + 1e-6)),
                NORM_SQUARED: g * min(1.0, max_norm / norm**2) if norm > 0 else g,
                NORM_SUMMED: g * min(1.0, max_norm / summed_norm(grads)) if norm > 0 else g,
            }
            if norm > max_norm:
                found[NOT_CLIPPED] = g
        return {message: near(value) for message, value in found.items()}

    return build


def summed_norm(grads) -> float:
    return sum(float(np.linalg.norm(np.ravel(g))) for g in grads)


def call_clip(impl, grads, max_norm, *, call: str):
    """The learner's (list of arrays, norm), checked for its structure."""
    with hint_on_error(CLIP_SHAPES, error_type="ValueError", contains=("broadcast", "shape")):
        got = impl.clip_grad_norm(grads, max_norm)
    if not isinstance(got, tuple) or len(got) != 2:
        raise Mistake(
            f"{call} returned {describe(got)}; it must return a tuple (clipped list, norm)"
        )
    clipped, norm = got
    if not isinstance(clipped, list):
        raise Mistake(
            f"{call} returned {describe(clipped)} as its first item; it must be a list of arrays, "
            "one per input array, in the same order"
        )
    if len(clipped) != len(grads):
        raise Mistake(f"{call} returned {len(clipped)} arrays for {len(grads)} gradients")
    return clipped, norm


def check_clip(impl, grads, max_norm, *, call: str) -> None:
    clipped, norm = call_clip(impl, grads, max_norm, call=call)
    want, want_norm = oracle_clip(grads, max_norm)
    expect_scalar(
        norm,
        want_norm,
        call=f"{call}: the returned norm",
        mistakes=clip_norm_mistakes(grads, max_norm),
    )
    for index, (got, expected) in enumerate(zip(clipped, want, strict=True)):
        expect_close(
            got,
            expected,
            call=f"{call}: array {index} of the returned list",
            mistakes=clip_array_mistakes(grads, max_norm, index),
        )


@pytest.mark.values
def test_clip_small_example(impl):
    """clip_grad_norm on a hand-checked example: norm 5 clipped to 1"""
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]
    call = "clip_grad_norm([[3, 0], [[0, 4]]], max_norm=1)"
    clipped, norm = call_clip(impl, grads, 1.0, call=call)
    expect_scalar(
        norm, 5.0, call=f"{call}: the returned norm", mistakes=clip_norm_mistakes(grads, 1.0)
    )
    expect_close(
        clipped[0],
        [0.6, 0.0],
        call=f"{call}: array 0",
        mistakes=clip_array_mistakes(grads, 1.0, 0),
    )
    expect_close(
        clipped[1],
        [[0.0, 0.8]],
        call=f"{call}: array 1",
        mistakes=clip_array_mistakes(grads, 1.0, 1),
    )


def random_grads(rng, shapes=((4, 3), (5,), (2, 3, 2)), scales=(0.1, 3.0, 1.0)) -> list:
    """Arrays of very different norms, so that clipping each by its own norm shows."""
    return [scale * rng.standard_normal(shape) for shape, scale in zip(shapes, scales, strict=True)]


@pytest.mark.values
def test_clip_random_values(impl, rng):
    """gradients whose global norm exceeds max_norm are all scaled by max_norm / norm"""
    grads = random_grads(rng)
    max_norm = 0.5 * oracle_clip(grads, 0.0)[1] * rng.uniform(0.5, 1.5)
    check_clip(
        impl,
        grads,
        max_norm,
        call=f"clip_grad_norm(3 arrays of shapes (4, 3), (5,), (2, 3, 2), max_norm={max_norm:.4g})",
    )


@pytest.mark.values
def test_clip_below_max_norm_unchanged(impl, rng):
    """gradients whose global norm is below max_norm come back unchanged"""
    grads = random_grads(rng)
    norm = oracle_clip(grads, 0.0)[1]
    max_norm = norm * rng.uniform(1.2, 2.0)
    check_clip(
        impl,
        grads,
        max_norm,
        call=f"clip_grad_norm(3 arrays of global norm {norm:.4g}, max_norm={max_norm:.4g})",
    )


@pytest.mark.values
def test_clip_small_norms_exact(impl, rng):
    """gradients of norm near 1e-3 clipped to 1e-4: the scale is exactly max_norm / norm"""
    grads = [1e-3 * g for g in random_grads(rng)]
    norm = oracle_clip(grads, 0.0)[1]
    check_clip(
        impl, grads, 1e-4, call=f"clip_grad_norm(3 arrays of global norm {norm:.3g}, max_norm=1e-4)"
    )


CLIP_SHAPE_SETS = [((),), ((3,), ()), ((2, 0), (4,)), ((1, 1, 5),), ((2, 3), (3, 2), (6,), (1,))]


@pytest.mark.shapes
@pytest.mark.parametrize(
    "shapes", CLIP_SHAPE_SETS, ids=lambda shapes: "_".join(shape_id(s) for s in shapes)
)
def test_clip_any_shapes(impl, rng, shapes):
    """any number of arrays of any shapes (0-d and empty too), clipped or not"""
    grads = [np.array(rng.standard_normal(shape)) for shape in shapes]
    norm = oracle_clip(grads, 0.0)[1]
    for max_norm in (0.5 * norm, 2.0 * norm + 1.0):
        check_clip(
            impl,
            grads,
            max_norm,
            call=f"clip_grad_norm(arrays of shapes {list(shapes)}, max_norm={max_norm:.4g})",
        )


@pytest.mark.stability
def test_clip_zero_gradients(impl, rng):
    """all-zero gradients: norm 0, returned as they are, no floating-point warning"""
    grads = [np.zeros((3, 2)), np.zeros(4)]
    call = "clip_grad_norm([zeros (3, 2), zeros (4,)], max_norm=1)"
    with no_fp_warnings(impl, call, ZERO_NORM):
        clipped, norm = call_clip(impl, grads, 1.0, call=call)
    expect_scalar(norm, 0.0, call=f"{call}: the returned norm")
    for index, (got, g) in enumerate(zip(clipped, grads, strict=True)):
        expect_close(got, g, call=f"{call}: array {index}")


@pytest.mark.contract
def test_clip_inputs_not_modified(impl, rng):
    """clip_grad_norm modifies neither the arrays of the list nor the list"""
    grads = random_grads(rng)
    max_norm = 0.3 * oracle_clip(grads, 0.0)[1]
    sandbox = impl._sandbox
    sent = []
    for g in grads:
        shared = sandbox.share(g)
        sent.append(shared if shared is not None else sandbox.put(g))
    sandbox.call(None, "clip_grad_norm", (sent, max_norm), {})
    for index, (original, handle) in enumerate(zip(grads, sent, strict=True)):
        after = (
            sandbox.fetch(handle)
            if isinstance(handle, RemoteObject)
            else sandbox.shared_now(handle)
        )
        if not (isinstance(after, np.ndarray) and np.array_equal(after, original)):
            raise Mistake(
                f"clip_grad_norm() modified array {index} of its input list in place; it must "
                "return new arrays (g * scale), not scale the caller's (g *= scale)"
            )


# ===== cosine_lr =====


def oracle_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0) -> float:
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    span = max(1, total_steps - 1 - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return min_lr + (base_lr - min_lr) * math.cos(math.pi * progress / 2) ** 2


def variant_lr(step, base_lr, warmup, total, min_lr, **bug) -> float:
    """The textbook schedule with one classic mistake switched on by ``bug``."""
    end = warmup + 1 if bug.get("warmup_inclusive") else warmup
    if step < end:
        numerator = step if bug.get("warmup_from_zero") else step + 1
        return base_lr * numerator / warmup
    start = 0 if bug.get("cosine_from_zero") else warmup
    span = {"late": total - warmup, "early": total - 2 - warmup}.get(bug.get("span"))
    span = max(1, total - 1 - warmup if span is None else span)
    offset = 1 if bug.get("early_start") else 0
    progress = (step - start + offset) / span
    if not bug.get("unclamped"):
        progress = min(1.0, progress)
    low = 0.0 if bug.get("min_ignored") else min_lr
    height = base_lr if bug.get("min_added") else base_lr - low
    angle = progress if bug.get("no_pi") else math.pi * progress
    if bug.get("linear"):
        return low + height * (1 - progress)
    shape = 1 - math.cos(angle) if bug.get("rising") else 1 + math.cos(angle)
    return low + 0.5 * height * shape


SCHEDULE_BUGS = {
    WARMUP_FROM_ZERO: {"warmup_from_zero": True},
    WARMUP_INCLUSIVE: {"warmup_inclusive": True},
    COSINE_LATE: {"span": "late"},
    COSINE_EARLY: {"early_start": True},
    COSINE_FROM_ZERO: {"cosine_from_zero": True},
    NOT_CLAMPED: {"unclamped": True},
    MIN_LR_IGNORED: {"min_ignored": True},
    MIN_LR_ADDED: {"min_added": True},
    COSINE_NO_PI: {"no_pi": True},
    COSINE_RISING: {"rising": True},
    COSINE_LINEAR: {"linear": True},
}


def schedule_mistakes(steps, base_lr, warmup, total, min_lr):
    def build() -> dict:
        found = {}
        for message, bug in SCHEDULE_BUGS.items():
            try:
                found[message] = near(
                    [variant_lr(s, base_lr, warmup, total, min_lr, **bug) for s in steps]
                )
            except ZeroDivisionError:
                continue
        return found

    return build


def learner_schedule(impl, steps, base_lr, warmup, total, min_lr=None, *, call: str):
    """The learner's rates for every step, as an array (each checked to be a float)."""
    got = []
    keywords = {} if min_lr is None else {"min_lr": min_lr}
    for step in steps:
        with hint_on_error(NO_DECAY_STEPS, error_type="ZeroDivisionError"):
            value = impl.cosine_lr(step, base_lr, warmup, total, **keywords)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise Mistake(
                f"{call} at step {step} returned {describe(value)}. Likely mistake: {NOT_A_FLOAT}"
            )
        got.append(float(value))
    return np.array(got)


def check_schedule(impl, base_lr, warmup, total, min_lr=None, *, extra: int = 3) -> None:
    steps = list(range(total + extra))
    low = 0.0 if min_lr is None else min_lr
    keyword = "" if min_lr is None else f", min_lr={min_lr:.4g}"
    call = f"cosine_lr(step, base_lr={base_lr:.4g}, warmup_steps={warmup}, total_steps={total}{keyword})"
    got = learner_schedule(impl, steps, base_lr, warmup, total, min_lr, call=call)
    want = np.array([oracle_lr(s, base_lr, warmup, total, low) for s in steps])
    wrong = [s for s in steps if not np.isclose(got[s], want[s], rtol=1e-9, atol=1e-15)]
    listed = ", ".join(f"step {s}: {got[s]:.6g} (expected {want[s]:.6g})" for s in wrong[:4])
    more = f" and {len(wrong) - 4} more" if len(wrong) > 4 else ""
    expect_close(
        got,
        want,
        call=f"{call} for steps 0 to {steps[-1]} (wrong at {listed}{more})",
        rtol=1e-9,
        atol=1e-15,
        mistakes=schedule_mistakes(steps, base_lr, warmup, total, low),
    )


@pytest.mark.values
def test_cosine_small_example(impl):
    """a hand-checked schedule: warm-up over 2 steps, cosine to 0 at step 6, then flat"""
    call = "cosine_lr(step, base_lr=1, warmup_steps=2, total_steps=7)"
    got = learner_schedule(impl, range(9), 1.0, 2, 7, call=call)
    c = 0.5 + 0.5 * math.cos(math.pi / 4)  # progress 1/4, then 3/4 gives 1 - c
    expect_close(
        got,
        [0.5, 1.0, 1.0, c, 0.5, 1 - c, 0.0, 0.0, 0.0],
        call=f"{call} for steps 0 to 8",
        rtol=1e-9,
        mistakes=schedule_mistakes(range(9), 1.0, 2, 7, 0.0),
    )


@pytest.mark.values
def test_cosine_random_schedule(impl, rng):
    """warm-up then cosine decay to min_lr, for every step and a few past the end"""
    warmup = int(rng.integers(3, 8))
    total = warmup + int(rng.integers(6, 14))
    base_lr = float(rng.uniform(1e-4, 1e-2))
    check_schedule(impl, base_lr, warmup, total, min_lr=base_lr * float(rng.uniform(0.05, 0.3)))


@pytest.mark.values
def test_cosine_default_min_lr(impl, rng):
    """without min_lr the schedule decays to 0"""
    warmup = int(rng.integers(1, 5))
    check_schedule(impl, float(rng.uniform(0.1, 1.0)), warmup, warmup + int(rng.integers(5, 9)))


@pytest.mark.values
def test_cosine_without_warmup(impl, rng):
    """warmup_steps=0: the schedule starts at base_lr at step 0"""
    check_schedule(impl, float(rng.uniform(0.1, 1.0)), 0, int(rng.integers(5, 11)), min_lr=0.01)


@pytest.mark.stability
def test_cosine_edge_schedules(impl):
    """no decay step left (total_steps = warmup_steps + 1), a single step, a warm-up only"""
    check_schedule(impl, 0.5, 3, 4, min_lr=0.1)
    check_schedule(impl, 0.5, 0, 1, min_lr=0.1)
    check_schedule(impl, 0.5, 4, 4, min_lr=0.1)


# ===== adamw_step =====


def oracle_adamw(p, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """(update, new_m, new_v) of one AdamW step, where update = new_param - param."""
    new_m = m + (1 - beta1) * (g - m)
    new_v = v + (1 - beta2) * (np.square(g) - v)
    c1 = -np.expm1(t * np.log(beta1))
    c2 = -np.expm1(t * np.log(beta2))
    size = lr * np.sqrt(c2) / c1
    adam = -size * new_m / (np.sqrt(new_v) + eps * np.sqrt(c2))
    return -lr * weight_decay * p + adam, new_m, new_v


def textbook_adamw(p, g, m, v, t, **kw):
    """(update, m, v) of the textbook formula with one mistake switched on by ``bug=``."""
    bug = kw.pop("bug", "")
    lr, beta1, beta2, eps, wd = (kw.get(n, ADAM_DEFAULTS[n]) for n in ADAM_DEFAULTS)
    grad = g + wd * p if bug in ("l2", "twice") else g
    m1 = beta1 * m + (1 - beta1) * grad
    v1 = beta2 * v + (1 - beta2) * grad**2
    c1 = 1 if bug == "no_correction" else 1 - beta1 ** (t - 1 if bug == "t_minus_one" else t)
    c2 = 1 if bug == "no_correction" else 1 - beta2 ** (t - 1 if bug == "t_minus_one" else t)
    m_hat, v_hat = m1 / c1, v1 / c2
    if bug == "eps_inside":
        step = lr * m_hat / np.sqrt(v_hat + eps)
    else:
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
    if bug == "adam_sign":
        step = -step
    factor = {"no_lr": 1 - wd, "sign": 1 + lr * wd, "l2": 1.0, "none": 1.0}.get(bug, 1 - lr * wd)
    new = (p - step) * factor if bug == "after" else p * factor - step
    returned_m, returned_v = (m_hat, v_hat) if bug == "raw" else (m1, v1)
    return new - p, returned_m, returned_v


ADAMW_BUGS = {
    L2_COUPLED: "l2",
    DECAY_TWICE: "twice",
    DECAY_AFTER: "after",
    DECAY_NO_LR: "no_lr",
    DECAY_SIGN: "sign",
    NO_DECAY: "none",
    NO_CORRECTION: "no_correction",
    T_MINUS_ONE: "t_minus_one",
    EPS_INSIDE: "eps_inside",
    ADAM_SIGN: "adam_sign",
    RAW_MOMENTS: "raw",
}


def adamw_mistakes(p, g, m, v, t, kw, index: int):
    """Signatures of known mistakes for result ``index`` (0: the update, 1: m, 2: v)."""

    def build() -> dict:
        found = {}
        with np.errstate(all="ignore"):
            for name, value in kw.items():
                if value != ADAM_DEFAULTS[name]:
                    message = (
                        DECAY_DEFAULT
                        if name == "weight_decay"
                        else KEYWORD_IGNORED.format(name=name, value=ADAM_DEFAULTS[name])
                    )
                    found[message] = near(
                        textbook_adamw(p, g, m, v, t, **{**kw, name: ADAM_DEFAULTS[name]})[index]
                    )
            for message, bug in ADAMW_BUGS.items():
                found.setdefault(message, near(textbook_adamw(p, g, m, v, t, **kw, bug=bug)[index]))
        return found

    return build


def call_adamw(impl, p, g, m, v, t, kw, *, call: str) -> tuple:
    with hint_on_error(
        "t is an int >= 1 and every array has param's shape",
        error_type="ValueError",
        contains=("broadcast", "shape"),
    ):
        got = impl.adamw_step(p, g, m, v, t, **kw)
    if not isinstance(got, tuple) or len(got) != 3:
        raise Mistake(
            f"{call} returned {describe(got)}; it must return the tuple (new_param, new_m, new_v)"
        )
    return tuple(
        expect_array(value, call=f"{call}: {name}") for name, value in zip(NAMES, got, strict=True)
    )


def check_adamw(impl, p, g, m, v, t, kw=None, *, call: str) -> tuple:
    """The update (new_param - param), then new_m and new_v, against the oracle."""
    kw = kw or {}
    got = call_adamw(impl, p, g, m, v, t, kw, call=call)
    want = oracle_adamw(p, g, m, v, t, **kw)
    scale = float(np.max(np.abs(want[0]), initial=0.0))
    expect_close(
        got[0] - p if got[0].shape == np.shape(p) else got[0],
        want[0],
        call=f"{call}: the update new_param - param",
        atol=1e-12 * scale + 1e-300,
        mistakes=adamw_mistakes(p, g, m, v, t, kw, 0),
    )
    for index in (1, 2):
        expect_close(
            got[index],
            want[index],
            call=f"{call}: {NAMES[index]}",
            mistakes=adamw_mistakes(p, g, m, v, t, kw, index),
        )
    return p + want[0], want[1], want[2]


@pytest.mark.values
def test_adamw_decay_only(impl, rng):
    """a zero gradient with zero moments: only the decoupled decay moves param"""
    p = rng.uniform(1.0, 3.0, 5) * rng.choice([-1.0, 1.0], 5)
    zeros = np.zeros(5)
    kw = {"lr": 0.01, "weight_decay": 0.1}
    check_adamw(
        impl,
        p,
        zeros,
        zeros,
        zeros,
        1,
        kw,
        call="adamw_step(param, grad=zeros, m=zeros, v=zeros, t=1, lr=0.01, weight_decay=0.1)",
    )


@pytest.mark.values
def test_adamw_first_step_hand_checked(impl):
    """a hand-checked first step: decay by lr * weight_decay, then an Adam step of lr"""
    p, g, zeros = np.array([1.0, -2.0]), np.array([0.5, -3.0]), np.zeros(2)
    kw = {"lr": 0.1, "weight_decay": 0.5}
    got = call_adamw(impl, p, g, zeros, zeros, 1, kw, call="adamw_step")
    # decayed = p * (1 - 0.05); the first Adam step is lr * sign(g) up to eps.
    want = p * 0.95 - 0.1 * np.sign(g) * (np.abs(g) / (np.abs(g) + 1e-8))
    call = "adamw_step([1, -2], grad=[0.5, -3], zeros, zeros, t=1, lr=0.1, weight_decay=0.5)"
    expect_close(
        got[0],
        want,
        call=f"{call}: new_param",
        mistakes=adamw_mistakes(p, g, zeros, zeros, 1, kw, 0),
    )
    expect_close(got[1], 0.1 * g, call=f"{call}: new_m")
    expect_close(got[2], 0.001 * g**2, call=f"{call}: new_v")


ADAMW_CASES = [
    (1, {}),
    (3, {"lr": 0.01, "weight_decay": 0.1}),
    (10, {"lr": 0.003, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.05}),
    (40, {"lr": 0.02, "eps": 1e-3, "weight_decay": 0.2}),
]


@pytest.mark.values
@pytest.mark.parametrize("case", range(len(ADAMW_CASES)), ids=lambda i: f"t{ADAMW_CASES[i][0]}")
def test_adamw_random_steps(impl, rng, case):
    """one AdamW step on random inputs, at several t and with keyword arguments"""
    t, kw = ADAMW_CASES[case]
    shape = (4, 3)
    p = 3 * rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    m = 0.3 * rng.standard_normal(shape)
    v = rng.uniform(0.1, 1.0, shape)
    keywords = "".join(f", {k}={val:g}" for k, val in kw.items())
    check_adamw(
        impl, p, g, m, v, t, kw, call=f"adamw_step(param (4, 3), grad, m, v, t={t}{keywords})"
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_adamw_any_shape(impl, rng, shape):
    """adamw_step works for any shape, including 0-d and empty arrays"""
    p, g, m = (np.array(a) for a in rng.standard_normal((3, *shape)))
    v = np.array(rng.uniform(0.1, 1.0, shape))
    check_adamw(impl, p, g, m, v, 2, {"weight_decay": 0.1}, call=f"adamw_step with shape {shape}")


@pytest.mark.stability
def test_adamw_zero_gradient_and_late_step(impl, rng):
    """zero gradients and moments, and a step at t = 10**6: finite, no fp warnings"""
    p = rng.standard_normal(6)
    zeros = np.zeros(6)
    call = "adamw_step(param, zeros, zeros, zeros, t=1)"
    with no_fp_warnings(impl, call, "eps keeps the division safe: sqrt(v_hat) + eps"):
        got = call_adamw(impl, p, zeros, zeros, zeros, 1, {}, call=call)
    expect_close(got[0], p * (1 - 1e-5), call=f"{call}: new_param")
    g = rng.standard_normal(6)
    m, v = 0.1 * rng.standard_normal(6), rng.uniform(0.1, 1.0, 6)
    with no_fp_warnings(impl, "adamw_step(..., t=10**6)"):
        check_adamw(impl, p, g, m, v, 10**6, call="adamw_step(param, grad, m, v, t=10**6)")


@pytest.mark.contract
def test_adamw_inputs_not_modified(impl, rng):
    """adamw_step modifies none of param, grad, m and v"""
    p, g, m = rng.standard_normal((3, 5))
    v = rng.uniform(0.1, 1.0, 5)
    expect_inputs_unchanged(
        impl, "adamw_step", p, g, m, v, 3, arg_names=("param", "grad", "m", "v", "t")
    )


@pytest.mark.contract
def test_adamw_no_hidden_state(impl, rng):
    """the same arguments twice give the same results: no state kept between calls"""
    p, g, m = rng.standard_normal((3, 4))
    v = rng.uniform(0.1, 1.0, 4)
    first = call_adamw(impl, p, g, m, v, 2, {}, call="adamw_step (first call)")
    second = call_adamw(impl, p, g, m, v, 2, {}, call="adamw_step (same arguments again)")
    for name, a, b in zip(NAMES, first, second, strict=True):
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=0):
            raise Mistake(f"{name}: {HIDDEN_STATE}")


# ===== the three together =====


@pytest.mark.contract
def test_training_loop(impl, rng):
    """12 steps of clip, warm-up/cosine schedule and AdamW on a quadratic follow the oracle"""
    shapes = ((3, 2), (4,))
    params = [3 * rng.standard_normal(s) for s in shapes]
    targets = [rng.standard_normal(s) for s in shapes]
    moments = [(np.zeros(s), np.zeros(s)) for s in shapes]
    warmup, total, base_lr, max_norm = 3, 10, 0.1, 1.0
    for step in range(12):
        grads = [2 * (p - c) for p, c in zip(params, targets, strict=True)]
        call = f"training loop, step {step}"
        clipped, norm = call_clip(impl, grads, max_norm, call=f"{call}: clip_grad_norm")
        want_clipped, want_norm = oracle_clip(grads, max_norm)
        expect_scalar(norm, want_norm, call=f"{call}: clip_grad_norm's norm")
        lr = oracle_lr(step, base_lr, warmup, total, 0.01)
        got_lr = impl.cosine_lr(step, base_lr, warmup, total, min_lr=0.01)
        expect_scalar(got_lr, lr, call=f"{call}: cosine_lr", rtol=1e-9)
        new_params, new_moments = [], []
        for index, (p, g, (m, v)) in enumerate(zip(params, want_clipped, moments, strict=True)):
            expect_close(clipped[index], g, call=f"{call}: clipped array {index}")
            new_p, new_m, new_v = check_adamw(
                impl,
                p,
                g,
                m,
                v,
                step + 1,
                {"lr": lr, "weight_decay": 0.1},
                call=f"{call}: adamw_step on parameter {index} (t={step + 1})",
            )
            new_params.append(new_p)
            new_moments.append((new_m, new_v))
        params, moments = new_params, new_moments
