"""The class report: what a class got wrong, counted from the gradebook, and its page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.class_report import Mistake, class_report, histogram, mistake_of
from grader.cli import main
from grader.gradebook import Gradebook
from grader.report_html import report_html
from tests.class_script import AT_ZERO, EVE, OVERFLOW, write_class


@pytest.fixture
def out(tmp_path: Path) -> Path:
    write_class(tmp_path / "gb")
    return tmp_path / "gb"


@pytest.fixture
def report(out: Path):
    book = Gradebook(out / "gradebook.sqlite3")
    try:
        return class_report(book, clock=lambda: 0.0)
    finally:
        book.close()


def test_a_mistake_is_read_in_its_id_form_and_in_the_older_text_form():
    assert mistake_of({"mistake": AT_ZERO}) == Mistake(AT_ZERO["id"], AT_ZERO["text"])
    assert mistake_of({"mistake": OVERFLOW}) == Mistake(None, OVERFLOW)
    assert mistake_of({"mistake": None}) is None and mistake_of({}) is None


def test_mistakes_are_counted_once_per_student_most_common_first(report):
    relu, softmax = report.katas
    top = relu.mistakes[0]
    assert top.mistake.id == "relu_backward/derivative-at-zero"
    assert top.students == tuple(sorted(("bob", "cy", EVE)))
    assert [(m.mistake.text, len(m.students)) for m in softmax.mistakes] == [(OVERFLOW, 4)]


def test_the_most_failed_tests_count_students(report):
    relu = report.katas[0]
    assert [(t.name, len(t.students)) for t in relu.failed_tests] == [
        ("test_backward_at_zero_is_zero", 3),
        ("test_forward", 1),
    ]


def test_missing_rejected_flagged_and_slow_files_are_listed(report):
    relu, softmax = report.katas
    assert relu.missing == ("dee",) and softmax.missing == ("dee",)
    assert [n.student for n in softmax.rejected] == ["cy", "fay"]
    assert "forbidden_import" in softmax.rejected[0].note
    assert [(n.student, n.note) for n in relu.flagged] == [(EVE, "timeout")]
    assert [(n.student, n.note) for n in relu.slow] == [(EVE, "10.0x")]


def test_full_marks_and_the_histogram_use_final_scores(report):
    relu = report.katas[0]
    assert relu.full_marks == 3  # ada, fay, gus
    assert histogram([0, 9.9, 55, 99.9, 100]) == (2, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1)


def test_copies_are_found_per_kata(report):
    relu, softmax = report.katas
    assert [(p.students, p.exact) for p in relu.copies] == [(("ada", "gus"), False)]
    assert [(p.students, p.exact, p.score) for p in softmax.copies] == [(("ada", "gus"), True, 1.0)]


def test_the_page_escapes_student_names_and_links_their_feedback(report):
    page = report_html(report)
    assert EVE not in page and "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;eve" in page
    assert 'href="feedback/%25{}' not in page
    assert re.search(r'href="feedback/[^"<>]*eve\.md"', page)
    assert '<a href="feedback/ada.md">ada</a>' in page


def test_the_page_makes_no_external_request(report):
    page = report_html(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", page, re.I)
    assert "@import" not in page and "<link" not in page


def test_the_first_screen_names_each_katas_top_mistakes(report):
    page = report_html(report)
    first = page[: page.index('<h2 id="kata-')]
    assert "What the class got wrong" in first
    assert "<strong>3</strong> &times; <code>relu_backward/derivative-at-zero</code>" in first
    assert f"<strong>4</strong> &times; {OVERFLOW}" in first


def test_kata_grade_report_rebuilds_the_page_from_the_gradebook(out):
    result = CliRunner().invoke(main, ["grade", "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 students" in result.output
    assert 'data-mistake="relu_backward/derivative-at-zero"' in (out / "report.html").read_text()


def test_kata_grade_report_needs_a_gradebook(tmp_path):
    result = CliRunner().invoke(main, ["grade", "report", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no gradebook" in result.output


def test_kata_grade_similar_lists_copies_as_text_and_json(out):
    text = CliRunner().invoke(main, ["grade", "similar", "--out", str(out)])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert any("relu_backward" in ln and "near-copy" in ln and "ada ~ gus" in ln for ln in lines)
    assert any("stable_softmax" in ln and "same file" in ln for ln in lines)
    data = json.loads(
        CliRunner().invoke(main, ["grade", "similar", "--out", str(out), "--json"]).output
    )
    assert {(p["kata"], tuple(p["students"]), p["exact"]) for p in data["pairs"]} == {
        ("relu_backward", ("ada", "gus"), False),
        ("stable_softmax", ("ada", "gus"), True),
    }
