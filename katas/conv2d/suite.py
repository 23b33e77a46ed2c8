"""Hidden suite for conv2d.

The oracle is written here as explicit loops: the forward sums one shifted slice of the
padded input per kernel entry (i, j); the backward loops over output pixels and sends each
pixel's gradient back onto its window. Both differ from the im2col a solution would use.
Finite differences (float64, step 1e-5) run on the oracle's forward.

Convolution is linear in x, W and b, so finite differences are exact up to rounding, an
absolute error near 1e-9 here; the contract's relative error would magnify it for a gradient
entry that happens to be almost 0, so the upstream gradient G is drawn again until every
entry of dx, dW and db is at least 0.01 from 0 (entries of x that no window reads have a
gradient of exactly 0, and finite differences give exactly 0 there too). Every size is
non-square (H != W, KH != KW, C != F, N differs from all), so a swapped axis cannot hide.
"""

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
    near,
    no_fp_warnings,
    numerical_gradient,
)

named = declared_mistakes(__file__)

# Likely mistakes, named the way the learner should read them.
FLIPPED = named("flipped")
NO_BIAS = named("no-bias")
PAD_AT_END = named("pad-at-end")
PAD_AT_START = named("pad-at-start")
PAD_EDGE = named("pad-edge")
STRIDE_START = named("stride-start")
SHAPE_NO_PLUS_ONE = named("shape-no-plus-one")
SHAPE_ONE_SIDE = named("shape-one-side")
SHAPE_NO_PAD = named("shape-no-pad")
SHAPE_NO_STRIDE = named("shape-no-stride")
SHAPE_CEIL = named("shape-ceil")
SHAPE_SAME = named("shape-same")
SHAPE_HW = named("shape-hw")
SHAPE_NHWC = named("shape-nhwc")
DW_AVERAGED = named("dw-averaged")
DW_PIXEL_MEAN = named("dw-pixel-mean")
DW_FLIPPED = named("dw-flipped")
DW_TRANSPOSED = named("dw-transposed")
DW_PER_SAMPLE = named("dw-per-sample")
DB_AVERAGED = named("db-averaged")
DB_MEAN = named("db-mean")
DB_BATCH_ONLY = named("db-batch-only")
DB_PIXELS_ONLY = named("db-pixels-only")
DX_FLIPPED = named("dx-flipped")
DX_OVERWRITTEN = named("dx-overwritten")
DX_AVERAGED = named("dx-averaged")
DX_PADDED = named("dx-padded")
DX_EMPTY = named("dx-empty")
DX_ZERO_BORDER = named("dx-zero-border")
ORDER = named("order")
LAYOUT = named("layout")
FLOAT32 = named("float32")
SHAPE_ERRORS = ("broadcast", "shape", "matmul", "aligned", "dimension", "size", "index")


def out_size(size: int, k: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - k) // stride + 1


def padded(x: np.ndarray, padding: int, mode: str = "constant", where: str = "both") -> np.ndarray:
    before = {"both": padding, "end": 0, "start": 2 * padding}[where]
    after = 2 * padding - before
    return np.pad(x, ((0, 0), (0, 0), (before, after), (before, after)), mode=mode)


def oracle_forward(x, W, b, stride=1, padding=0, *, pad_mode="constant", pad_where="both"):
    """Sum over kernel entries (i, j) of W[:, :, i, j] times one strided slice of the input."""
    n, _, h, w = x.shape
    f, _, kh, kw = W.shape
    oh, ow = out_size(h, kh, stride, padding), out_size(w, kw, stride, padding)
    xp = padded(x, padding, pad_mode, pad_where)
    out = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            part = xp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]
            out += np.einsum("nchw,fc->nfhw", part, W[:, :, i, j])
    return out + b.reshape(1, f, 1, 1)


def oracle_backward(g, x, W, stride=1, padding=0, *, overwrite=False):
    """Loop over output pixels: each sends g * W back onto its window (or overwrites it)."""
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = padded(x, padding)
    dxp = np.zeros_like(xp)
    dW = np.zeros(W.shape)
    for r in range(g.shape[2]):
        for s in range(g.shape[3]):
            rows = slice(r * stride, r * stride + kh)
            cols = slice(s * stride, s * stride + kw)
            here = np.einsum("nf,fcij->ncij", g[:, :, r, s], W)
            if overwrite:
                dxp[:, :, rows, cols] = here
            else:
                dxp[:, :, rows, cols] += here
            dW += np.einsum("nf,ncij->fcij", g[:, :, r, s], xp[:, :, rows, cols])
    dx = dxp[:, :, padding : padding + h, padding : padding + w]
    return dx, dW, np.einsum("nfhw->f", g)


def either(*alternatives):
    """A mistake signature matching any of several arrays (one mistake, several loop orders)."""
    tests = [near(alternative) for alternative in alternatives]
    return lambda got: any(test(got) for test in tests)


def dx_overwritten_by_kernel_entry(g, x, W, stride, padding):
    """The mistake: one strided slice per kernel entry (i, j), assigned instead of added."""
    n, c, h, w = x.shape
    dxp = np.zeros_like(padded(x, padding))
    oh, ow = g.shape[2:]
    for i in range(W.shape[2]):
        for j in range(W.shape[3]):
            here = np.einsum("nfhw,fc->nchw", g, W[:, :, i, j])
            dxp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] = here
    return dxp[:, :, padding : padding + h, padding : padding + w]


def output_shape_mistakes(x_shape, W_shape, stride, padding) -> dict:
    """Predicates on the shape alone: a mistake in the output size formula."""
    n, _, h, w = x_shape
    f, _, kh, kw = W_shape
    oh, ow = out_size(h, kh, stride, padding), out_size(w, kw, stride, padding)

    def sized(rule):
        return (n, f, rule(h, kh), rule(w, kw))

    shapes = {
        SHAPE_NO_PLUS_ONE: sized(lambda a, k: (a + 2 * padding - k) // stride),
        SHAPE_ONE_SIDE: sized(lambda a, k: (a + padding - k) // stride + 1),
        SHAPE_NO_PAD: sized(lambda a, k: (a - k) // stride + 1),
        SHAPE_NO_STRIDE: sized(lambda a, k: a + 2 * padding - k + 1),
        SHAPE_CEIL: sized(lambda a, k: -(-(a + 2 * padding - k) // stride) + 1),
        SHAPE_SAME: sized(lambda a, k: a),
        SHAPE_HW: (n, f, ow, oh),
        SHAPE_NHWC: (n, oh, ow, f),
    }
    expected = (n, f, oh, ow)
    return {
        message: (lambda got, s=shape: got.shape == s)
        for message, shape in shapes.items()
        if shape != expected
    }


def forward_mistakes(x, W, b, stride, padding):
    def build():
        found = {
            FLIPPED: oracle_forward(x, W[:, :, ::-1, ::-1], b, stride, padding),
            NO_BIAS: oracle_forward(x, W, 0 * b, stride, padding),
        }
        if padding:
            found[PAD_AT_END] = oracle_forward(x, W, b, stride, padding, pad_where="end")
            found[PAD_AT_START] = oracle_forward(x, W, b, stride, padding, pad_where="start")
            found[PAD_EDGE] = oracle_forward(x, W, b, stride, padding, pad_mode="edge")
        if stride > 1:
            expected = oracle_forward(x, W, b, stride, padding)
            dense = oracle_forward(x, W, b, 1, padding)
            found[STRIDE_START] = dense[:, :, : expected.shape[2], : expected.shape[3]]
        return {**found, **output_shape_mistakes(x.shape, W.shape, stride, padding)}

    return build


def dx_mistakes(g, x, W, stride, padding):
    n, c, h, w = x.shape

    def build():
        want = oracle_backward(g, x, W, stride, padding)[0]
        found = {
            DX_FLIPPED: oracle_backward(g, x, W[:, :, ::-1, ::-1], stride, padding)[0],
            DX_OVERWRITTEN: either(
                oracle_backward(g, x, W, stride, padding, overwrite=True)[0],
                dx_overwritten_by_kernel_entry(g, x, W, stride, padding),
            ),
            DX_AVERAGED: want / n,
            DX_EMPTY: lambda got: got.size == 0,
        }
        if padding:
            bigger = (n, c, h + 2 * padding, w + 2 * padding)
            found[DX_PADDED] = lambda got: got.shape == bigger
            border = want.copy()
            border[:, :, :padding] = border[:, :, -padding:] = 0
            border[:, :, :, :padding] = border[:, :, :, -padding:] = 0
            found[DX_ZERO_BORDER] = border
        return found

    return build


def dw_mistakes(g, x, W, stride, padding):
    n = x.shape[0]
    pixels = g.shape[2] * g.shape[3]

    def build():
        want = oracle_backward(g, x, W, stride, padding)[1]
        return {
            DW_AVERAGED: want / n,
            DW_PIXEL_MEAN: want / pixels,
            DW_FLIPPED: want[:, :, ::-1, ::-1],
            DW_TRANSPOSED: lambda got: got.shape == (W.shape[1], W.shape[0], *W.shape[2:]),
            DW_PER_SAMPLE: lambda got: got.shape == (n, *W.shape),
        }

    return build


def db_mistakes(g):
    n = g.shape[0]
    return {
        DB_AVERAGED: g.sum(axis=(0, 2, 3)) / n,
        DB_MEAN: g.mean(axis=(0, 2, 3)),
        DB_BATCH_ONLY: lambda got: got.shape == g.shape[1:],
        DB_PIXELS_ONLY: lambda got: got.shape == g.shape[:2],
    }


def expect_values(got, expected: np.ndarray, *, call: str, mistakes=None) -> np.ndarray:
    """expect_close in float64, naming a known mistake for wrong shapes and dtypes too."""
    expect_shape(got, expected.shape, call=call, mistakes=mistakes)
    if isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.dtype != np.float64:
        raise Mistake(
            f"{call} returned dtype {got.dtype}; expected float64. Likely mistake: {FLOAT32}"
        )
    return expect_close(got, expected, call=call, mistakes=mistakes)


def config_text(stride: int, padding: int) -> str:
    return f"stride={stride}, padding={padding}"


def call_text(name: str, x, W, stride: int, padding: int) -> str:
    return f"{name} with x of shape {x.shape}, W of shape {W.shape}, {config_text(stride, padding)}"


def run_forward(impl, x, W, b, stride, padding):
    with hint_on_error(LAYOUT, contains=SHAPE_ERRORS):
        return impl.conv2d_forward(x, W, b, stride=stride, padding=padding)


def run_backward(impl, g, x, W, b, stride, padding, call: str) -> tuple:
    with hint_on_error(LAYOUT, contains=SHAPE_ERRORS):
        result = impl.conv2d_backward(g, x, W, b, stride=stride, padding=padding)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Mistake(f"{call} returned {describe(result)}; it must return a tuple (dx, dW, db)")
    dx, dW, db = result
    shapes = [np.shape(part) for part in result]
    if shapes != [x.shape, W.shape, b.shape] and sorted(map(str, shapes)) == sorted(
        map(str, [x.shape, W.shape, b.shape])
    ):
        raise Mistake(f"{call} returned arrays of shapes {shapes}. Likely mistake: {ORDER}")
    return dx, dW, db


def check_backward(impl, g, x, W, b, stride, padding, call: str) -> None:
    dx, dW, db = run_backward(impl, g, x, W, b, stride, padding, call)
    dx_want, dw_want, db_want = oracle_backward(g, x, W, stride, padding)
    expect_values(dx, dx_want, call=f"{call}: dx", mistakes=dx_mistakes(g, x, W, stride, padding))
    expect_values(dW, dw_want, call=f"{call}: dW", mistakes=dw_mistakes(g, x, W, stride, padding))
    expect_values(db, db_want, call=f"{call}: db", mistakes=db_mistakes(g))


def random_case(rng, stride: int, padding: int, n=2, c=3, f=4, h=7, w=6, kh=3, kw=2):
    x = rng.standard_normal((n, c, h, w))
    W = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f)
    shape = (n, f, out_size(h, kh, stride, padding), out_size(w, kw, stride, padding))
    return x, W, b, rng.standard_normal(shape)


# (stride, padding): every pair of stride 1, 2 and padding 0, 1, then a wide pad and stride 3.
CONFIGS = [(1, 0), (1, 1), (2, 0), (2, 1), (1, 2), (3, 1)]
GRADIENT_CONFIGS = CONFIGS[:4]


def config_id(config: tuple) -> str:
    return f"stride{config[0]}-pad{config[1]}"


HAND_X = np.arange(12.0).reshape(1, 1, 3, 4)
HAND_W = np.array([[[[1.0, 2.0], [0.0, -1.0]]]])
HAND_B = np.array([0.5])
HAND_CALL = (
    "conv2d_forward(x = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] as (1, 1, 3, 4), "
    "W = [[1, 2], [0, -1]] as (1, 1, 2, 2), b = [0.5])"
)


@pytest.mark.values
def test_forward_small_example(impl):
    """conv2d_forward on a hand-checked example (stride 1, no padding)"""
    expected = np.array([[[[-2.5, -0.5, 1.5], [5.5, 7.5, 9.5]]]])
    expect_values(
        run_forward(impl, HAND_X, HAND_W, HAND_B, 1, 0),
        expected,
        call=HAND_CALL,
        mistakes=forward_mistakes(HAND_X, HAND_W, HAND_B, 1, 0),
    )


@pytest.mark.values
def test_forward_small_example_padding_and_stride(impl):
    """conv2d_forward on a hand-checked example with stride 2 and padding 1"""
    expected = np.array([[[[0.5, -1.5, 0.5], [0.5, 7.5, 7.5]]]])
    expect_values(
        run_forward(impl, HAND_X, HAND_W, HAND_B, 2, 1),
        expected,
        call=f"{HAND_CALL[:-1]}, stride=2, padding=1)",
        mistakes=forward_mistakes(HAND_X, HAND_W, HAND_B, 2, 1),
    )


@pytest.mark.values
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_forward_random_values(impl, rng, config):
    """conv2d_forward matches the cross-correlation on random inputs"""
    stride, padding = config
    x, W, b, _ = random_case(rng, stride, padding)
    expect_values(
        run_forward(impl, x, W, b, stride, padding),
        oracle_forward(x, W, b, stride, padding),
        call=call_text("conv2d_forward", x, W, stride, padding),
        mistakes=forward_mistakes(x, W, b, stride, padding),
    )


@pytest.mark.values
def test_backward_small_example(impl):
    """conv2d_backward on a hand-checked example: dx, dW and db"""
    g = np.array([[[[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]]])
    call = f"conv2d_backward(grad_output = [[1, 0, -1], [2, 1, 0]], x, W, b) for {HAND_CALL}"
    dx, dW, db = run_backward(impl, g, HAND_X, HAND_W, HAND_B, 1, 0, call)
    dx_want = np.array([[[[1.0, 2.0, -1.0, -2.0], [2.0, 4.0, 2.0, 1.0], [0.0, -2.0, -1.0, 0.0]]]])
    expect_values(dx, dx_want, call=f"{call}: dx", mistakes=dx_mistakes(g, HAND_X, HAND_W, 1, 0))
    dw_want = np.array([[[[11.0, 14.0], [23.0, 26.0]]]])
    expect_values(dW, dw_want, call=f"{call}: dW", mistakes=dw_mistakes(g, HAND_X, HAND_W, 1, 0))
    expect_values(db, np.array([3.0]), call=f"{call}: db", mistakes=db_mistakes(g))


@pytest.mark.values
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_backward_random_values(impl, rng, config):
    """conv2d_backward gives dx, dW and db (summed over the batch) on random inputs"""
    stride, padding = config
    x, W, b, g = random_case(rng, stride, padding)
    check_backward(
        impl, g, x, W, b, stride, padding, call_text("conv2d_backward", x, W, stride, padding)
    )


# (N, C, H, W), (F, KH, KW), stride, padding: edge cases of the output size.
SHAPE_CASES = [
    ((1, 1, 5, 4), (1, 1, 1), 1, 0),  # 1x1 kernel
    ((3, 2, 4, 5), (5, 4, 5), 1, 0),  # the kernel covers the whole image: one output pixel
    ((2, 3, 8, 5), (1, 2, 3), 2, 2),  # wide padding, stride 2
    ((1, 4, 9, 7), (2, 3, 2), 3, 0),  # stride 3 with rows and columns left over
    ((2, 1, 3, 3), (3, 3, 3), 1, 1),  # "same" padding
]


def shape_case_id(case) -> str:
    (n, c, h, w), (f, kh, kw), stride, padding = case
    return f"x{n}x{c}x{h}x{w}-W{f}x{c}x{kh}x{kw}-s{stride}p{padding}"


@pytest.mark.shapes
@pytest.mark.parametrize("case", SHAPE_CASES, ids=shape_case_id)
def test_shapes_and_values(impl, rng, case):
    """forward and backward give the right shapes (and values) for edge-case sizes"""
    x_shape, (f, kh, kw), stride, padding = case
    x = rng.standard_normal(x_shape)
    W = rng.standard_normal((f, x_shape[1], kh, kw))
    b = rng.standard_normal(f)
    call = call_text("conv2d_forward", x, W, stride, padding)
    out = oracle_forward(x, W, b, stride, padding)
    expect_values(
        run_forward(impl, x, W, b, stride, padding),
        out,
        call=call,
        mistakes=forward_mistakes(x, W, b, stride, padding),
    )
    g = rng.standard_normal(out.shape)
    check_backward(
        impl, g, x, W, b, stride, padding, call_text("conv2d_backward", x, W, stride, padding)
    )


def gradient_setup(impl, rng, stride: int, padding: int):
    """Random x, W, b and an upstream G whose oracle gradients keep 0.01 away from 0.

    Smaller than the other tests (finite differences cost two forwards per entry), still
    non-square, with a row and a column left over by stride 2 without padding.
    """
    x, W, b, G = random_case(rng, stride, padding, n=2, c=2, f=3, h=6, w=5)
    for _ in range(1000):
        wants = oracle_backward(G, x, W, stride, padding)
        dx_want = wants[0]
        smallest = min(
            float(np.min(np.abs(dx_want[dx_want != 0]), initial=1.0)),
            float(np.min(np.abs(wants[1]))),
            float(np.min(np.abs(wants[2]))),
        )
        if smallest >= 0.01:
            break
        G = rng.standard_normal(G.shape)
    else:  # pragma: no cover - a draw qualifies with probability above one half
        raise RuntimeError("no upstream gradient away from 0 in 1000 draws")
    call = f"{call_text('conv2d_backward', x, W, stride, padding)} and grad_output G"
    dx, dW, db = run_backward(impl, G, x, W, b, stride, padding, call)
    return x, W, b, G, (dx, dW, db), call


def loss(G, x, W, b, stride, padding) -> float:
    return float(np.sum(G * oracle_forward(x, W, b, stride, padding)))


def loss_in_x(G, W, b, stride, padding):
    """x -> sum(G * forward(x)), with G already sent through each kernel entry (i, j).

    The same function as ``loss`` at fixed W and b, regrouped: sum(G * out) is, over the
    kernel entries (i, j), the dot product of one strided slice of the padded x with
    G contracted against W[:, :, i, j]. Finite differences call it twice per entry of x.
    """
    oh, ow = G.shape[2:]
    parts = [
        (i, j, np.einsum("nfhw,fc->nchw", G, W[:, :, i, j]))
        for i in range(W.shape[2])
        for j in range(W.shape[3])
    ]
    bias = float(np.sum(G.sum(axis=(0, 2, 3)) * b))

    def of(x):
        xp = padded(x, padding)
        return bias + sum(
            float(np.vdot(xp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride], a))
            for i, j, a in parts
        )

    return of


def expect_gradient_of(got, numeric, *, call: str, wrt: str, mistakes) -> None:
    expect_shape(got, numeric.shape, call=call, mistakes=mistakes)
    expect_gradient(got, numeric, call=call, wrt=wrt, mistakes=mistakes)


@pytest.mark.gradients
@pytest.mark.parametrize("config", GRADIENT_CONFIGS, ids=config_id)
def test_dx_matches_finite_differences(impl, rng, config):
    """dx is the gradient of sum(G * forward(x)) with respect to x (finite differences)"""
    stride, padding = config
    x, W, b, G, (dx, _, _), call = gradient_setup(impl, rng, stride, padding)
    numeric = numerical_gradient(loss_in_x(G, W, b, stride, padding), x)
    expect_gradient_of(
        dx,
        numeric,
        call=f"{call}: dx",
        wrt="x",
        mistakes=dx_mistakes(G, x, W, stride, padding),
    )


@pytest.mark.gradients
@pytest.mark.parametrize("config", GRADIENT_CONFIGS, ids=config_id)
def test_dw_matches_finite_differences(impl, rng, config):
    """dW is the gradient of sum(G * forward(x)) with respect to W (finite differences)"""
    stride, padding = config
    x, W, b, G, (_, dW, _), call = gradient_setup(impl, rng, stride, padding)
    numeric = numerical_gradient(lambda z: loss(G, x, z, b, stride, padding), W)
    expect_gradient_of(
        dW,
        numeric,
        call=f"{call}: dW",
        wrt="W",
        mistakes=dw_mistakes(G, x, W, stride, padding),
    )


@pytest.mark.gradients
@pytest.mark.parametrize("config", GRADIENT_CONFIGS, ids=config_id)
def test_db_matches_finite_differences(impl, rng, config):
    """db is the gradient of sum(G * forward(x)) with respect to b (finite differences)"""
    stride, padding = config
    x, W, b, G, (_, _, db), call = gradient_setup(impl, rng, stride, padding)
    numeric = numerical_gradient(lambda z: loss(G, x, W, z, stride, padding), b)
    expect_gradient_of(db, numeric, call=f"{call}: db", wrt="b", mistakes=db_mistakes(G))


@pytest.mark.stability
def test_huge_values_stay_finite(impl, rng):
    """entries of magnitude 1e150 give finite results and no floating-point warning"""
    stride, padding = 1, 1
    x, W, b, g = random_case(rng, stride, padding)
    x, W, b, g = 1e150 * x, 1e150 * W, 1e150 * b, 1e150 * g
    call = f"{call_text('conv2d_forward', x, W, stride, padding)}, entries near 1e150"
    with no_fp_warnings(impl, call, hint=FLOAT32):
        out = run_forward(impl, x, W, b, stride, padding)
    expect_values(out, oracle_forward(x, W, b, stride, padding), call=call)
    call = call.replace("conv2d_forward", "conv2d_backward")
    with no_fp_warnings(impl, call, hint=FLOAT32):
        dx, dW, db = run_backward(impl, g, x, W, b, stride, padding, call)
    for name, got, want in zip(
        ("dx", "dW", "db"), (dx, dW, db), oracle_backward(g, x, W, stride, padding), strict=True
    ):
        expect_values(got, want, call=f"{call}: {name}")


@pytest.mark.contract
def test_inputs_not_modified(impl, rng):
    """forward and backward leave x, W, b and grad_output untouched"""
    stride, padding = 2, 1
    x, W, b, g = random_case(rng, stride, padding)
    names = ("x", "W", "b")
    expect_inputs_unchanged(
        impl, "conv2d_forward", x, W, b, arg_names=names, stride=stride, padding=padding
    )
    expect_inputs_unchanged(
        impl,
        "conv2d_backward",
        g,
        x,
        W,
        b,
        arg_names=("grad_output", *names),
        stride=stride,
        padding=padding,
    )


@pytest.mark.contract
def test_defaults_are_stride_1_padding_0(impl, rng):
    """without stride and padding, the defaults are stride 1 and padding 0"""
    x, W, b, g = random_case(rng, 1, 0)
    call = f"conv2d_forward(x of shape {x.shape}, W of shape {W.shape}, b) (no stride, padding)"
    with hint_on_error(LAYOUT, contains=SHAPE_ERRORS):
        out = impl.conv2d_forward(x, W, b)
    expect_values(out, oracle_forward(x, W, b), call=call, mistakes=forward_mistakes(x, W, b, 1, 0))
    with hint_on_error(LAYOUT, contains=SHAPE_ERRORS):
        result = impl.conv2d_backward(g, x, W, b)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Mistake(f"conv2d_backward returned {describe(result)}; it must return (dx, dW, db)")
    for name, got, want in zip(("dx", "dW", "db"), result, oracle_backward(g, x, W), strict=True):
        expect_values(got, want, call=f"conv2d_backward(grad_output, x, W, b): {name}")


@pytest.mark.contract
def test_results_are_arrays(impl, rng):
    """forward returns a NumPy array; backward a tuple of three NumPy arrays"""
    x, W, b, g = random_case(rng, 1, 1)
    results = {"conv2d_forward": run_forward(impl, x, W, b, 1, 1)}
    call = "conv2d_backward(..., stride=1, padding=1)"
    for name, got in zip(
        ("dx", "dW", "db"), run_backward(impl, g, x, W, b, 1, 1, call), strict=True
    ):
        results[f"{call}: {name}"] = got
    for name, got in results.items():
        if not isinstance(got, np.ndarray):
            raise Mistake(f"{name} is {describe(got)}; it must be a NumPy array")
