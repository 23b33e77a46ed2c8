"""The helpers hidden suites judge with: their verdicts and messages."""

import numpy as np
import pytest

from grader.suite import Mistake, expect_close, expect_gradient, relative_error


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
