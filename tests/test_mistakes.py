"""Named mistakes as data: declared ids, carried by failed tests, stored, validated."""

from __future__ import annotations

import ast
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader.catalog import open_bank
from grader.engine import check
from grader.errors import BadBank
from grader.gradebook import Gradebook
from grader.mistakes import by_text, declared_mistakes, identify
from grader.results import CheckResult, NamedMistake, TestResult
from grader.suite import Mistake, expect_close
from grader.suite_lint import mistake_problems
from grader.validate import Subject, judge

AT_ZERO = NamedMistake(
    "relu_backward/derivative-at-zero",
    "the derivative at exactly 0 must be 0: use x > 0, not x >= 0",
)


def failing(name: str, mistake: NamedMistake | None) -> TestResult:
    return TestResult(name, name, "values", "failed", "wrong", 0.0, mistake=mistake)


@pytest.fixture
def declared(tmp_path: Path) -> Path:
    folder = tmp_path / "katas" / "double"
    folder.mkdir(parents=True)
    (folder / "mistakes.toml").write_text(
        '[[mistake]]\nid = "squared"\ntext = "x * x, not x + x"\n'
    )
    return folder


def test_the_json_carries_id_and_text_and_old_text_only_results_still_read():
    result = CheckResult("relu_backward", "f.py", 1, tests=(failing("test_zero", AT_ZERO),))
    entry = result.to_json()["tests"][0]
    assert entry["mistake"] == {"id": AT_ZERO.id, "text": AT_ZERO.text}
    assert CheckResult.from_json(result.to_json()) == result
    old = {**entry, "mistake": AT_ZERO.text}  # as results recorded before ids hold it
    assert TestResult.from_json(old).mistake == NamedMistake(None, AT_ZERO.text)


def test_named_gives_declared_and_common_ids_and_refuses_an_undeclared_one(declared):
    named = declared_mistakes(declared / "suite.py")
    assert (named("squared"), named("squared").id) == ("x * x, not x + x", "double/squared")
    assert named("common/wrong-dtype").id == "common/wrong-dtype"
    with pytest.raises(BadBank, match="does not declare the mistake 'cubed'"):
        named("cubed")


def test_a_check_raising_a_named_mistake_keeps_its_id():
    named = declared_mistakes(open_bank().get("relu_backward").suite_path)
    x = np.array([0.0, 1.0])
    with pytest.raises(Mistake) as raised:
        expect_close(x >= 0, x > 0, call="f(x)", mistakes={named("derivative-at-zero"): x >= 0})
    assert raised.value.hint.named() == AT_ZERO
    assert str(raised.value).endswith(f"Likely mistake: {AT_ZERO.text}")


def test_a_message_quoting_a_declared_text_gets_its_id(declared):
    known = by_text(declared)
    assert identify("x * x, not x + x", known).id == "double/squared"
    assert identify("dW: x * x, not x + x (twice)", known).id == "double/squared"
    assert identify("something else", known) == NamedMistake(None, "something else")


def test_validate_lints_undeclared_and_unused_mistakes(tmp_path):
    kata = open_bank().get("relu_backward")
    folder = tmp_path / "relu_backward"
    shutil.copytree(kata.folder, folder)
    source = kata.suite_path.read_text().replace('named("times-x")', 'named("times-y")')
    problems = mistake_problems(replace(kata, folder=folder), ast.parse(source))
    assert problems == [
        "katas/relu_backward/suite.py names the mistake 'times-y', which "
        "katas/relu_backward/mistakes.toml does not declare",
        "katas/relu_backward/mistakes.toml declares 'times-x', which no test of the suite uses",
    ]
    assert mistake_problems(kata, ast.parse(kata.suite_path.read_text())) == []


def test_a_mutant_may_expect_the_id_of_its_first_failure(bank):
    kata = bank.get("relu_backward")
    subject = Subject("mutant", Path("m.py"), "m.py", expect=AT_ZERO.id)
    other = NamedMistake("relu_backward/mask-only", "mask")
    right = CheckResult("relu_backward", "m.py", 1, tests=(failing("a", AT_ZERO),))
    wrong = CheckResult(
        "relu_backward", "m.py", 1, tests=(failing("a", other), failing("b", AT_ZERO))
    )
    assert judge(kata, subject, right).ok
    verdict = judge(kata, subject, wrong)
    assert not verdict.ok and "names relu_backward/mask-only" in verdict.detail


def test_the_gradebook_records_each_attempts_mistakes_with_it(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    tests = (failing("test_zero", AT_ZERO), failing("test_other", None))
    book.record("ada", "h1", CheckResult("relu_backward", "f.py", 1, tests=tests))
    book.record("bob", "h2", CheckResult("relu_backward", "f.py", 1, tests=tests[:1]))
    assert book.mistakes() == [
        ("ada", "relu_backward", "test_zero", AT_ZERO.id),
        ("bob", "relu_backward", "test_zero", AT_ZERO.id),
    ]
    fixed = CheckResult("relu_backward", "f.py", 1, tests=(replace(tests[0], outcome="passed"),))
    book.record("ada", "h3", replace(fixed, tests=(failing("test_zero", None),)))
    assert [row[0] for row in book.mistakes()] == ["bob"]  # the latest attempt counts


def test_checking_a_buggy_file_names_its_mistakes_by_id(relu, learner_file):
    source = (relu.solution or Path()).read_text()
    buggy = source.replace(
        "    return grad_output * (x > 0)", "    grad_output[x < 0] = 0\n    return grad_output"
    )
    result = check(relu, learner_file(buggy), seed=3, timing=False)
    named = {test.mistake.id for test in result.tests if test.mistake}
    assert {AT_ZERO.id, "common/modified-input-in-place"} <= named


def test_an_expect_is_a_mistake_id_only_when_it_names_this_kata_or_common():
    from grader.validate import names_a_mistake

    assert names_a_mistake("bce_gradient/missing-size", "bce_gradient")
    assert names_a_mistake("common/modified-input-in-place", "bce_gradient")
    assert not names_a_mistake("1/size", "bce_gradient")  # message text with a slash
    assert not names_a_mistake("relu_backward/derivative-at-zero", "bce_gradient")
