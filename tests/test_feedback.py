"""What students see is the instructor's choice: the feedback policy and its three views."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.errors import KataError
from grader.exports import gradescope_results
from grader.feedback import FeedbackPolicy, kata_view, parse_policy, student_markdown
from grader.results import CheckResult, Speed, TestResult
from grader.suite import Mistake, expect_close

EXPECTED = "0.123457"  # the expected value of a hand-checked input: full feedback only
HINT = "the derivative at exactly 0 must be 0"
MESSAGE = (
    f"relu_backward(g, x=[0, 1]) has wrong values: max abs error 1.5 at index (0,) "
    f"(expected {EXPECTED}, got 1.5). Likely mistake: {HINT}"
)
TITLES = {
    "values": "relu_backward on a hand-checked example",
    "gradients": "relu_backward matches finite differences",
    "contract": "neither function modifies its inputs",
}


def result_json() -> dict:
    """One check: a failed hand-checked value, a passed gradient and contract test."""
    tests = (
        TestResult("test_small", TITLES["values"], "values", "failed", MESSAGE, 0.1, 2.0, HINT),
        TestResult("test_grad", TITLES["gradients"], "gradients", "passed", "", 0.1),
        TestResult("test_inputs", TITLES["contract"], "contract", "passed", "", 0.1),
    )
    speed = Speed(0.002, 0.001, 2.0)
    return CheckResult(
        "relu_backward", "/tmp/kata-x/private/relu_backward.py", 7, tests, speed=speed
    ).to_json()


def shown(policy: str) -> str:
    """Everything the student-facing views hold under ``policy``, as one text."""
    view = kata_view("relu_backward", result_json(), parse_policy(policy))
    return json.dumps(asdict(view)) + student_markdown("ann", 50.0, [view])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("titles", FeedbackPolicy("titles")),
        ("titles,gradients=full", FeedbackPolicy("titles", (("gradients", "full"),))),
        ("values=hidden", FeedbackPolicy("full", (("values", "hidden"),))),
        (
            " summary , stability = after-due ",
            FeedbackPolicy("summary", (("stability", "after-due"),)),
        ),
    ],
)
def test_policies_parse_and_print_back(spec, expected):
    assert parse_policy(spec) == expected
    assert parse_policy(expected.spec) == expected


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("everything", "unknown level 'everything'"),
        ("titles,grads=full", "unknown category 'grads'"),
        ("titles,full", "two default levels"),
        ("values=full,values=titles", "values is given twice"),
    ],
)
def test_a_bad_policy_is_one_line_naming_the_fault(spec, says):
    with pytest.raises(KataError, match=says) as raised:
        parse_policy(spec)
    assert "\n" not in str(raised.value)


def test_a_bad_policy_on_the_command_line_is_exit_2_without_traceback(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(tmp_path), "--feedback", "titles,grads=full"])
    assert result.exit_code == 2
    assert "unknown category 'grads'" in result.output and "Traceback" not in result.output


def test_full_shows_messages_with_expected_values():
    text = shown("full")
    assert EXPECTED in text and TITLES["values"] in text


def test_titles_shows_titles_and_the_named_mistake_but_no_numbers():
    text = shown("titles")
    assert TITLES["values"] in text and TITLES["contract"] in text and HINT in text
    assert EXPECTED not in text and "1.5" not in text and "max abs error" not in text


def test_summary_shows_counts_and_no_titles():
    view = kata_view("relu_backward", result_json(), parse_policy("summary"))
    text = shown("summary")
    assert not any(title in text for title in TITLES.values()) and HINT not in text
    assert [(c.category, c.passed, c.total) for c in view.categories] == [
        ("values", 0, 1),
        ("gradients", 1, 1),
        ("contract", 1, 1),
    ]


def test_a_category_can_be_shown_in_full_under_titles():
    view = kata_view("relu_backward", result_json(), parse_policy("summary,values=full"))
    assert view.categories[0].tests[0].message == MESSAGE
    assert view.categories[1].tests == ()


def test_feedback_files_hold_no_internal_path():
    assert "/tmp/kata-x" not in shown("full")


def test_after_due_and_hidden_categories_are_left_out_of_handed_out_files():
    text = shown("full,values=after-due,contract=hidden")
    assert TITLES["gradients"] in text
    assert TITLES["values"] not in text and EXPECTED not in text and TITLES["contract"] not in text
    assert "Details of values are released after the due date." in text


def test_gradescope_withholds_by_visibility_and_shares_the_points():
    policy = parse_policy("titles,values=after-due,contract=hidden")
    view = kata_view("relu_backward", result_json(), policy, deferred=True)
    results = gradescope_results([view], 1.0, points=20, seed=7, policy=policy)
    tests = {t["name"]: t for t in results["tests"]}
    assert {name: t["visibility"] for name, t in tests.items()} == {
        "relu_backward: values": "after_due_date",
        "relu_backward: gradients": "visible",
        "relu_backward: contract": "hidden",
    }
    assert EXPECTED in tests["relu_backward: values"]["output"]  # Gradescope shows it after
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(20)
    assert results["score"] == pytest.approx(20 * 2 / 4)  # values weighs 2 of 4
    assert results["output_format"] == "md" and results["extra_data"]["seed"] == 7
    assert "seed 7" in results["output"] and "2.00x the reference's time" in results["output"]


def test_gradescope_under_titles_shows_no_expected_values():
    policy = parse_policy("titles")
    view = kata_view("relu_backward", result_json(), policy, deferred=True)
    text = json.dumps(gradescope_results([view], 1.0, seed=7, policy=policy))
    assert EXPECTED not in text and HINT in text
    assert all(t["visibility"] == "visible" for t in json.loads(text)["tests"])


def test_a_helper_names_its_mistake_apart_from_the_message():
    got = np.array([1.0, 1.0])
    with pytest.raises(Mistake) as raised:
        expect_close(got, [0.0, 1.0], call="f(x)", mistakes={HINT: got})
    assert raised.value.hint == HINT
    assert str(raised.value).endswith(f"Likely mistake: {HINT}")


def test_kata_grade_writes_feedback_files_under_the_policy(fast_bank, tmp_path):
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    for student, source in (("ann", solution), ("bob", solution.replace("x > 0", "x >= 0"))):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "relu_backward.py").write_text(source)
    out = tmp_path / "gb"
    args = ["grade", str(tmp_path / "class"), "--out", str(out), "--no-timing"]
    result = CliRunner().invoke(
        main, [*args, "--bank", str(fast_bank.root), "--feedback", "summary,values=titles"]
    )
    assert result.exit_code == 0, result.output
    feedback = (out / "feedback" / "bob.md").read_text()
    assert feedback.startswith("# Feedback for bob")
    assert "the derivative at exactly 0 is 0: failed. Likely mistake:" in feedback
    assert "works for any shape" not in feedback  # shapes: summary only
    assert "expected" not in feedback and str(tmp_path) not in feedback
    detail = json.loads((out / "students" / "bob.json").read_text())
    assert detail["feedback"] == "summary,values=titles"
    assert json.loads((out / "gradescope" / "bob" / "results.json").read_text())["tests"]
