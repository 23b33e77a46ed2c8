"""A scripted class written straight into a gradebook: no grading, so report tests are fast.

Seven students at relu_backward and stable_softmax. Three made the derivative-at-zero
mistake (ids, the current JSON form; cy's attempt names it in two tests: counted
once); four failed stable_softmax with a mistake in the older text-only form. Eve's
name is hostile HTML and her file timed out, slowly; dee handed in nothing; fay's
stable_softmax was rejected, cy's used a forbidden import; gus copied ada's
relu_backward with new names and layout, and handed in her stable_softmax as is.
"""

from __future__ import annotations

from pathlib import Path

from grader.gradebook import Gradebook, Status
from grader.results import CheckError, CheckResult, NamedMistake, Speed, TestResult

AT_ZERO = {"id": "relu_backward/derivative-at-zero", "text": "the derivative at exactly 0 is 0"}
OVERFLOW = "exp overflows for large inputs: subtract the max first"  # the older text-only form
EVE = '<img src=x onerror="alert(1)">&eve'
STUDENTS = ("ada", "bob", "cy", "dee", EVE, "fay", "gus")
KATAS = ("relu_backward", "stable_softmax")

ADA = """import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    # slope 1 where positive
    return grad_output * (x > 0)
"""
GUS = """import numpy as np
def relu_forward(inputs):
    '''my own relu'''
    return np.maximum(inputs,0)
def relu_backward(upstream, inputs):
    return upstream*(inputs>0)
"""

COPIED = {("gus", "stable_softmax"): "ada-stable_softmax"}  # the same bytes: the same hash


def graded_test(
    name: str, passed: bool = True, mistake: dict[str, str] | str | None = None
) -> TestResult:
    """A test's result; ``mistake`` in its JSON form, or the bare text older results hold."""
    outcome = "passed" if passed else "failed"
    named = NamedMistake.from_json(mistake) if mistake is not None else None
    return TestResult(name, name.replace("_", " "), "values", outcome, "", 0.01, mistake=named)


def result(kata: str, *tests: TestResult, **extra: object) -> CheckResult:
    return CheckResult(kata=kata, file=f"{kata}.py", seed=1, tests=tests, **extra)  # type: ignore[arg-type]


def write_class(out: Path) -> Path:
    """The gradebook of the scripted class in ``out``; returns its path."""
    book = Gradebook(out / "gradebook.sqlite3")
    book.enrol(list(STUDENTS), list(KATAS))
    ok, at_zero = (
        graded_test("test_forward"),
        graded_test("test_backward_at_zero_is_zero", False, AT_ZERO),
    )
    relu = {
        "ada": (ADA, result("relu_backward", ok, graded_test("test_backward_at_zero_is_zero"))),
        "bob": ("bob 1", result("relu_backward", ok, at_zero)),
        "cy": (
            "cy 1",
            result("relu_backward", graded_test("test_forward", False, AT_ZERO), at_zero),
        ),
        EVE: (
            "eve 1",
            result(
                "relu_backward",
                ok,
                at_zero,
                flags=("timeout",),
                speed=Speed(1.0, 0.1, 10.0),
            ),
        ),
        "fay": ("fay 1", result("relu_backward", ok, graded_test("test_backward_at_zero_is_zero"))),
        "gus": (GUS, result("relu_backward", ok, graded_test("test_backward_at_zero_is_zero"))),
    }
    softmax = {
        student: (
            f"{student} 2",
            result("stable_softmax", graded_test("test_large", False, OVERFLOW)),
        )
        for student in ("ada", "bob", EVE, "gus")
    }
    softmax["cy"] = (
        "cy 2",
        result("stable_softmax", error=CheckError("forbidden_import", "line 1: torch")),
    )
    for kata, files in (("relu_backward", relu), ("stable_softmax", softmax)):
        for student, (source, graded) in files.items():
            digest = COPIED.get((student, kata), f"{student}-{kata}")
            book.keep_sources({digest: source.encode()})
            book.record(student, digest, graded)
            book.note_status(student, kata, Status("scored"))
    book.note_status("fay", "stable_softmax", Status("rejected", "not UTF-8"))
    for kata in KATAS:
        book.note_status("dee", kata, Status("missing"))
    book.close()
    return out / "gradebook.sqlite3"
