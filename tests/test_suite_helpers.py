"""The helpers hidden suites judge with: their verdicts and messages."""

import numpy as np
import pytest

from grader.suite import (
    Mistake,
    deviation_bound,
    expect_array,
    expect_close,
    expect_gradient,
    ks_distance,
    normal_cdf,
    relative_error,
    uniform_cdf,
)


def test_expect_close_accepts_matching_infinities_and_names_a_wrong_one():
    expect_close(np.array([0.0, -np.inf]), np.array([0.0, -np.inf]), call="log_softmax(z)")
    with pytest.raises(Mistake, match="returned -inf at index"):
        expect_close(np.array([0.0, -np.inf]), np.array([0.0, -1000.0]), call="log_softmax(z)")


def test_expect_close_names_the_likely_mistake():
    expected = np.arange(6.0).reshape(2, 3)
    with pytest.raises(Mistake, match="Likely mistake: averaged over the batch"):
        expect_close(
            expected / 2, expected, call="f(x)", mistakes={"averaged over the batch": expected / 2}
        )


def test_expect_close_reports_shape_and_type_first():
    with pytest.raises(Mistake, match="returned shape \\(3, 2\\); expected \\(2, 3\\)"):
        expect_close(np.zeros((3, 2)), np.zeros((2, 3)), call="f(x)")
    with pytest.raises(Mistake, match="returned a list of length 2; it must return a NumPy array"):
        expect_close([1.0, 2.0], np.zeros(2), call="f(x)")


def test_relative_error_follows_the_contract_formula():
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([2.0]), np.array([1.0])) == pytest.approx(1 / 3)
    with pytest.raises(Mistake, match="relative error 3.33e-01"):
        expect_gradient(np.array([2.0]), np.array([1.0]), call="f", wrt="x")


def raising(kind: str, message: str):
    from grader.suite import LearnerRaised

    def run():
        raise LearnerRaised(f"f() raised {kind}: {message}", {"type": kind, "message": message})

    return run


def test_hint_on_error_names_the_mistake_only_for_matching_errors():
    from grader.suite import LearnerRaised, hint_on_error

    hint = hint_on_error("use keepdims=True", error_type="ValueError", contains=("broadcast",))
    with pytest.raises(LearnerRaised, match="Likely mistake: use keepdims=True"), hint:
        raising("ValueError", "operands could not be broadcast together")()
    hint = hint_on_error("use keepdims=True", error_type="ValueError", contains="broadcast")
    with pytest.raises(LearnerRaised) as unchanged, hint:
        raising("TypeError", "operands could not be broadcast together")()
    assert "Likely mistake" not in str(unchanged.value)


def test_expect_raises_wants_that_exception_and_no_other():
    from grader.suite import expect_raises

    expect_raises(raising("ValueError", "bad optimizer"), "ValueError", call="fit()", why="for 'x'")
    with pytest.raises(Mistake, match="raised KeyError; it must raise ValueError for 'x'"):
        expect_raises(raising("KeyError", "x"), "ValueError", call="fit()", why="for 'x'")
    with pytest.raises(Mistake, match="returned a list of length 0; it must raise ValueError"):
        expect_raises(lambda: [], "ValueError", call="fit()", why="for 'x'")


def test_expect_scalar_names_mistakes_by_value_predicate_or_non_finite_result():
    from grader.suite import expect_scalar

    with pytest.raises(Mistake, match="Likely mistake: summed, not averaged"):
        expect_scalar(6.0, 1.5, call="loss", mistakes={"summed, not averaged": 6.0})
    with pytest.raises(Mistake, match="Likely mistake: negative loss"):
        expect_scalar(-1.0, 1.5, call="loss", mistakes={"negative loss": lambda v: v < 0})
    with pytest.raises(Mistake, match="finite value 1.5. Likely mistake: clip before the log"):
        expect_scalar(float("inf"), 1.5, call="loss", not_finite="clip before the log")
    assert expect_scalar(np.float32(1.5), 1.5, call="loss") == 1.5


def test_no_fp_warnings_names_the_mistake_by_kind_of_warning(tmp_path):
    from grader.sandbox.parent import RemoteModule, Sandbox
    from grader.suite import no_fp_warnings

    learner = tmp_path / "k.py"
    learner.write_text("import numpy as np\ndef f(x):\n    return np.log(x)\n")
    sandbox = Sandbox(learner, tmp_path / "child")
    impl = RemoteModule(sandbox)
    try:
        hints = {"overflow": "subtract the max", "divide": "clip before the log"}
        expected = pytest.raises(
            Mistake, match="divide by zero. Likely mistake: clip before the log"
        )
        with expected, no_fp_warnings(impl, "f([0])", hint=hints):
            impl.f(np.array([0.0]))
        with no_fp_warnings(impl, "f([1])", hint=hints):
            impl.f(np.array([1.0]))
    finally:
        sandbox.close()


def test_two_mistakes_at_once_name_the_closest_known_one():
    import numpy as np

    from grader.suite import likely_mistake

    expected = np.array([1.0, 2.0, 3.0])
    no_correction = np.array([10.0, 20.0, 30.0])
    both = no_correction + 0.01  # that mistake, and a small one of another kind
    mistakes = {"no bias correction": no_correction, "eps inside the root": expected + 0.01}
    assert (
        likely_mistake(no_correction, mistakes, expected) == " Likely mistake: no bias correction"
    )
    closest = likely_mistake(both, mistakes, expected)
    assert "Closest known mistake" in closest and "no bias correction" in closest
    assert likely_mistake(expected + 5.0, mistakes, expected) == ""


@pytest.mark.parametrize(
    ("got", "expected", "hint"),
    [
        ((5, 5), (5,), "a (5, 1) array met a (5,) array"),
        ((3, 2), (2, 3), "transposed"),
        ((), (4,), "reduced over every axis"),
        ((4,), (4, 1), "keepdims=True"),
        ((4, 1, 3), (4, 3), "extra axis of length 1"),
        ((2,), (3,), ""),
    ],
)
def test_a_wrong_shape_names_its_likely_cause(got, expected, hint):
    message = f"returned shape {got}; expected {expected}"
    with pytest.raises(Mistake) as error:
        expect_array(np.zeros(got), call="f(x)", shape=expected)
    text = str(error.value)
    assert text.startswith(f"f(x) {message}")
    assert (hint in text) if hint else "Likely" not in text


def test_ks_distance_and_deviation_bound_tell_a_law_from_a_near_miss():
    rng = np.random.default_rng(7)
    sample = rng.normal(0.0, 2.0, 20_000)
    bound = deviation_bound(sample.size, p_fail=1e-9)
    assert ks_distance(sample, normal_cdf(2.0)) < bound
    assert ks_distance(sample, normal_cdf(2.0 * 1.15)) > bound
    assert ks_distance(rng.uniform(-3, 3, 20_000), uniform_cdf(3.0)) < bound
    assert ks_distance(sample, uniform_cdf(2.0 * 3**0.5)) > bound


def test_mistakes_given_as_a_function_are_built_only_on_failure():
    built = []

    def mistakes():
        built.append(1)
        return {"doubled": np.array([2.0, 4.0])}

    expect_close(np.array([1.0, 2.0]), [1.0, 2.0], call="f(x)", mistakes=mistakes)
    assert built == []
    with pytest.raises(Mistake, match="Likely mistake: doubled"):
        expect_close(np.array([2.0, 4.0]), [1.0, 2.0], call="f(x)", mistakes=mistakes)
    assert built == [1]
