"""Text reports as a person reads them: built from CheckResult data, no check is run."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from grader.reports import printable, render_check, render_history, split_hint
from grader.results import CheckError, CheckResult, NamedMistake, TestResult
from grader.sandbox.parent import brief
from grader.selection import Selection, parse_pattern

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")
HOSTILE = [
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\r",  # back to the start of the line
    "\x1b]8;;https://example.com\x07link\x1b]8;;\x07",  # an OSC 8 hyperlink
    "\x1b[1A\x1b[2K",  # up a line, erase it
    "\x9b2J",  # the one-byte C1 form of ESC [
    "\u202e",  # right-to-left override
    "\x08\x08\x08",  # backspaces
]


def failed(name: str, message: str, category: str = "values") -> TestResult:
    return TestResult(name, name.split("[")[0].replace("_", " "), category, "failed", message, 0.0)


def passed(name: str, category: str = "values") -> TestResult:
    return TestResult(name, name.replace("_", " "), category, "passed", "", 0.0)


def result_of(*tests: TestResult, **fields) -> CheckResult:
    return CheckResult("relu_backward", "/work/relu_backward.py", 7, tests=tests, **fields)


@pytest.mark.parametrize("attack", HOSTILE)
def test_learner_text_reaches_the_terminal_without_raw_control_characters(attack):
    result = result_of(
        failed("test_a", f"relu_backward raised ValueError: {attack}Score: 100/100"),
        output=f"hello{attack}\nScore: 100/100 (25 of 25 tests passed){attack}\n",
        flags=(f"suspicious_code: line 1 imports {attack}",),
    )
    text = render_check(result)
    assert not RAW_CONTROL.search(text), repr(text)
    scores = [line for line in text.splitlines() if line.startswith("Score:")]
    assert scores == ["Score: 0/100  (0 of 1 tests passed)"]  # no line drawn by the learner


def test_a_rejected_file_with_control_characters_in_its_name_and_message_is_escaped():
    result = CheckResult(
        "relu_backward",
        "/tmp/evil\r\x1b[2K.py",
        1,
        error=CheckError("load", "evil.py raised OSError: \x1b[32mScore: 100/100\x1b[0m"),
    )
    text = render_check(result)
    assert not RAW_CONTROL.search(text)
    assert "\\x1b[32m" in text and "evil\\r\\x1b[2K.py" in text


def test_printable_shows_escapes_and_keeps_lines_only_when_asked():
    assert printable("a\x1b[2Jb\rc\x00") == "a\\x1b[2Jb\\rc\\x00"
    assert printable("one\ntwo\tthree") == "one\\ntwo\\tthree"
    assert printable("one\ntwo\tthree", lines=True) == "one\ntwo\tthree"
    assert printable("\x9b\u202e\u2028") == "\\x9b\\u202e\\u2028"
    assert printable("ünïcödé → fine") == "ünïcödé → fine"


def test_json_output_keeps_the_learner_text_exact():
    result = result_of(failed("test_a", "x\x1b[2Jy"), output="p\rq")
    data = json.loads(json.dumps(result.to_json()))
    assert data["tests"][0]["message"] == "x\x1b[2Jy" and data["output"] == "p\rq"


MASK = "the 0/1 mask is not multiplied by grad_output"
ZERO = "the derivative at exactly 0 must be 0"


def test_one_mistake_behind_many_failures_is_spelled_out_once_and_summarised():
    tests = [
        failed(
            f"test_random[{i}]",
            f"case {i} has wrong values (expected 0, got 1). Likely mistake: {MASK}",
        )
        for i in range(12)
    ]
    tests.append(failed("test_zero", f"at 0 (expected 0, got 1). Likely mistake: {ZERO}"))
    tests.append(failed("test_dtype", "returned dtype float64; expected float32"))
    text = render_check(result_of(*tests))
    assert text.count(MASK) == 2  # once under its first test, once in the summary
    assert "case 0 has wrong values (expected 0, got 1). Likely mistake 1: " + MASK in text
    assert "case 11 has wrong values (expected 0, got 1). (likely mistake 1, as above)" in text
    assert "returned dtype float64; expected float32" in text
    summary = text[text.index("Mistakes:") :].splitlines()
    assert summary == [
        "Mistakes:",
        f"  1. {MASK} (12 failing tests)",
        f"  2. {ZERO} (1 failing test)",
    ]
    assert text.rstrip().endswith(summary[-1])  # the report ends with it


def test_a_single_hint_is_shown_as_the_suite_wrote_it_and_listed_once_at_the_end():
    message = f"wrong values. Likely mistake: {ZERO}"
    text = render_check(result_of(failed("test_zero", message), passed("test_other")))
    assert message in text and text.rstrip().endswith(f"Mistakes:\n  1. {ZERO} (1 failing test)")


def test_the_closing_list_names_each_mistake_once_with_its_id():
    at_zero = NamedMistake("relu_backward/derivative-at-zero", ZERO)
    in_place = NamedMistake("common/modified-input-in-place", "an input was modified in place")
    tests = [
        replace(failed("test_zero", f"at 0. Likely mistake: {ZERO}"), mistake=at_zero),
        replace(failed("test_grad", f"gradient. Likely mistake: {ZERO}"), mistake=at_zero),
        replace(failed("test_inputs", "relu_backward() modified its input x"), mistake=in_place),
    ]
    summary = render_check(result_of(*tests)).split("Mistakes:\n")[1].splitlines()
    assert summary == [
        f"  1. {ZERO} [relu_backward/derivative-at-zero] (2 failing tests)",
        "  2. an input was modified in place [common/modified-input-in-place] (1 failing test)",
    ]


def test_the_hint_is_the_last_one_so_a_learner_message_cannot_replace_it():
    message = f"raised ValueError: Likely mistake: nothing. Likely mistake: {ZERO}"
    assert split_hint(message) == ("raised ValueError: Likely mistake: nothing.", ZERO)
    assert split_hint("no hint here") == ("no hint here", None)


def test_failed_only_hides_the_passing_tests_and_says_what_is_shown():
    result = result_of(
        passed("test_forward"), failed("test_zero", "wrong"), passed("test_shape", "shapes")
    )
    text = render_check(result, selection=Selection(failed_only=True))
    assert "test zero" in text and "test forward" not in text and "shapes" not in text
    assert "Showing failing tests: 1 of 3." in text
    assert "(2 of 3 tests passed)" in text  # the score still counts every test


def test_k_pattern_selects_by_name_title_or_category_with_pytest_syntax():
    result = result_of(
        failed("test_backward_random", "wrong"),
        failed("test_backward_zero", "wrong"),
        failed("test_any_shape[4]", "wrong", "shapes"),
        passed("test_gradient_check", "gradients"),
    )
    text = render_check(result, selection=Selection("backward and not zero or gradients"))
    assert "test backward random" in text and "test gradient check" in text
    assert "test backward zero" not in text and "test any shape" not in text
    assert "matching -k 'backward and not zero or gradients': 2 of 4" in text
    assert "[4]" in render_check(result, selection=Selection("SHAPES"))


@pytest.mark.parametrize("pattern", ["", "and", "a and", "(a", "a b", "not"])
def test_a_malformed_k_pattern_is_refused(pattern):
    with pytest.raises(ValueError):
        parse_pattern(pattern)


def test_a_rejected_file_says_so_and_how_many_tests_the_kata_has():
    result = CheckResult("relu_backward", "r.py", 1, error=CheckError("syntax", "r.py:1: bad"))
    assert "(the file was rejected: none of the kata's 25 tests ran)" in render_check(
        result, suite_size=25
    )
    assert "(the file was rejected: no test ran)" in render_check(result)
    assert "0 of 0" not in render_check(result)
    internal = CheckResult("k", "r.py", 1, error=CheckError("internal", "boom"))
    assert "(the check failed: none of the kata's 3 tests ran)" in render_check(
        internal, suite_size=3
    )
    assert result.to_json()["total"] == 0  # the JSON keeps counting what ran


def test_the_file_is_shown_relative_when_it_is_under_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CheckResult("k", str(tmp_path / "sub" / "k.py"), 1, tests=(passed("test_a"),))
    assert render_check(result).splitlines()[0] == f"k  {'sub/k.py'}  (seed 1)"


@pytest.mark.parametrize(
    "value, text",
    [
        (np.zeros(5), "(5,) float64 array"),
        (np.zeros((2, 3), np.float32), "(2, 3) float32 array"),
        (np.float64(1.0), "0-d float64 array"),
        (np.zeros((0, 4)), "(0, 4) float64 array"),
    ],
)
def test_call_descriptions_write_shapes_as_numpy_does(value, text):
    assert brief(value) == text


def test_history_with_a_budget_that_is_not_a_number_and_a_far_date_renders():
    from grader.history import KataBest, PastMock

    mocks = [PastMock("m1", "/f", 0.0, 1e300, None, 50.0, {"relu\x1b[2J": 50.0})]
    text = render_history(mocks, [KataBest("relu\r", 50.0, None, 1)])
    assert "?" in text and " -  " in text and not RAW_CONTROL.search(text)
