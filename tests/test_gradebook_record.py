"""The gradebook as the course's record, on recorded results (no grading needed)."""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from pathlib import Path

import pytest

from grader.errors import KataError
from grader.exports import grades_columns, write_columns
from grader.gradebook import Gradebook, Override, Status
from grader.grades import grades_of
from grader.late import parse_penalty, parse_time, policy_text
from grader.lock import writing
from grader.overrides import FILE, set_override, sync_overrides
from grader.results import CheckResult, TestResult

# The first schema, as gradebooks made before the course record have it.
OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE jobs (
    student TEXT NOT NULL, kata TEXT NOT NULL, file_hash TEXT NOT NULL, seed INTEGER NOT NULL,
    score REAL NOT NULL, passed INTEGER NOT NULL, total INTEGER NOT NULL, flags TEXT NOT NULL,
    error_kind TEXT, speed_ratio REAL, duration_s REAL NOT NULL, graded_at REAL NOT NULL,
    result TEXT NOT NULL, PRIMARY KEY (student, kata)
);
"""


def result(kata: str, passed: int, of: int = 4, flags: tuple[str, ...] = ()) -> CheckResult:
    tests = tuple(
        TestResult(f"test_{i}", f"test {i}", "edge", "passed" if i < passed else "failed", "", 0.0)
        for i in range(of)
    )
    return CheckResult(kata, f"{kata}.py", 7, tests, flags=flags)


@pytest.fixture
def book(tmp_path) -> Gradebook:
    """ada and bob on relu_backward and stable_softmax; ada full marks, bob half on relu."""
    book = Gradebook(tmp_path / "gb" / "gradebook.sqlite3")
    book.enrol(["ada", "bob"], ["relu_backward", "stable_softmax"])
    for student, kata, passed in (
        ("ada", "relu_backward", 4),
        ("ada", "stable_softmax", 4),
        ("bob", "relu_backward", 2),
    ):
        book.note_status(student, kata, Status("scored"))
        book.record(student, "hash", result(kata, passed))
    book.note_status("bob", "stable_softmax", Status("missing"))
    yield book
    book.close()


def by_student(book: Gradebook):
    return {grade.student: grade for grade in grades_of(book)}


def test_an_old_schema_gradebook_migrates_with_its_jobs_as_attempts(tmp_path):
    path = tmp_path / "gradebook.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('seed', '42')")
        data = result("relu_backward", 3).to_json()
        db.execute(
            "INSERT INTO jobs VALUES ('ada', 'relu_backward', 'h1', 42, 75, 3, 4, '[]', NULL, "
            "NULL, 1.5, 1000.0, ?)",
            (json.dumps(data),),
        )
    book = Gradebook(path)
    assert book.seed(None, 0) == 42
    assert book.students() == ["ada"] and book.katas() == ["relu_backward"]
    assert book.hashes() == {("ada", "relu_backward"): ("h1", 42)}
    assert by_student(book)["ada"].katas["relu_backward"].status == "scored"
    assert by_student(book)["ada"].total == 75
    book.record("ada", "h2", result("relu_backward", 4))
    assert [row.score for row in book.history("ada")] == [75, 100]
    book.close()
    reopened = Gradebook(path)  # migrating twice changes nothing
    assert len(reopened.history("ada")) == 2
    reopened.close()


def test_a_regrade_adds_an_attempt_and_the_latest_counts(book):
    book.record("bob", "hash2", result("relu_backward", 4))
    assert [row.score for row in book.history("bob", "relu_backward")] == [50, 100]
    assert by_student(book)["bob"].katas["relu_backward"].raw == 100


def test_a_later_run_without_the_file_keeps_what_was_graded(book):
    book.note_status("ada", "relu_backward", Status("missing"))
    assert by_student(book)["ada"].katas["relu_backward"].status == "scored"


def test_a_rejected_file_replaces_a_graded_one_and_scores_zero(book):
    book.note_status("ada", "relu_backward", Status("rejected", "a second copy in hw3/"))
    grade = by_student(book)["ada"]
    assert grade.katas["relu_backward"].status == "rejected" and grade.total == 50
    assert "relu_backward: rejected (a second copy in hw3/)" in grade.flags


def test_grades_csv_tells_scored_missing_and_rejected_apart(book, tmp_path):
    book.note_status("ada", "stable_softmax", Status("rejected", "a notebook"))
    path = tmp_path / "grades.csv"
    write_columns(path, grades_of(book), grades_columns(book.katas()))
    rows = {row["student"]: row for row in csv.DictReader(path.read_text().splitlines())}
    assert rows["ada"]["relu_backward_status"] == "scored"
    assert rows["ada"]["stable_softmax_status"] == "rejected"
    assert rows["bob"]["stable_softmax_status"] == "missing"
    assert rows["bob"]["relu_backward"] == "50" and rows["bob"]["total"] == "25"


def test_an_override_replaces_the_score_and_is_marked(book, tmp_path):
    out = book.path.parent
    set_override(book, out, Override("bob", "relu_backward", 90, "regraded by hand"), clear=False)
    grade = by_student(book)["bob"]
    assert grade.katas["relu_backward"].raw == 50 and grade.katas["relu_backward"].final == 90
    assert grade.total == 45 and "relu_backward: override 90 (regraded by hand)" in grade.flags
    assert "bob,relu_backward,90,regraded by hand" in (out / FILE).read_text()
    set_override(book, out, Override("bob", "relu_backward", 0, ""), clear=True)
    assert by_student(book)["bob"].total == 25
    assert [entry[1] for entry in book.override_log("bob")] == [90, None]


def test_overrides_csv_edited_by_hand_wins_at_the_next_sync(book):
    out = book.path.parent
    (out / FILE).write_text("student,kata,score,reason\nada,stable_softmax,80,copied a peer\n")
    sync_overrides(book, out)
    assert by_student(book)["ada"].katas["stable_softmax"].final == 80
    (out / FILE).write_text("student,kata,score,reason\n")
    sync_overrides(book, out)
    assert by_student(book)["ada"].katas["stable_softmax"].override is None


@pytest.mark.parametrize(
    "row, words",
    [
        ("ada,relu,80,why", "no kata 'relu'"),
        ("ada,relu_backward,eighty,why", "not a number from 0 to 100"),
        ("ada,relu_backward,80,", "give a reason"),
    ],
)
def test_a_bad_overrides_csv_row_is_one_clear_line(book, row, words):
    out = book.path.parent
    (out / FILE).write_text(f"student,kata,score,reason\n{row}\n")
    with pytest.raises(KataError, match=words) as raised:
        sync_overrides(book, out)
    assert "line 2" in str(raised.value)


def test_a_late_student_loses_the_penalty_on_raw_scores_not_on_overrides(book):
    due = parse_time("2026-12-01T23:59+00:00", "--due")
    book.set_setting("late_policy", policy_text(parse_penalty("10%/day,max=50%", due)))
    two_days_late = parse_time("2026-12-03T12:00+00:00", "t")
    book.set_submission_times({"ada": two_days_late, "bob": due - 60}, "times.csv")
    set_override(book, book.path.parent, Override("ada", "stable_softmax", 100, "ok"), False)
    grades = by_student(book)
    ada = grades["ada"]
    assert ada.late_penalty == 20 and ada.raw_total == 100
    assert ada.katas["relu_backward"].final == 80 and ada.katas["stable_softmax"].final == 100
    assert ada.total == 90
    assert grades["bob"].late_penalty == 0


def test_the_lock_refuses_a_second_writer_and_names_the_first(tmp_path):
    second = pytest.raises(KataError, match=r"another kata grade \(pid \d+\) is writing")
    with writing(tmp_path), second, writing(tmp_path):
        pass
    with writing(tmp_path):  # released when the holder is done
        pass


def test_a_read_only_view_of_an_unknown_student_is_a_clear_error(book, tmp_path):
    with pytest.raises(KataError, match="no student 'zed'"):
        set_override(book, book.path.parent, Override("zed", "relu_backward", 1, "x"), False)
    assert not (Path(book.path.parent) / FILE).exists()
