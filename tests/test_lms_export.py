"""Late-work rules, LMS times, Canvas's roster and import CSV, chosen columns."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from grader.errors import KataError
from grader.exports import chosen_columns, write_canvas, write_columns
from grader.gradebook import Gradebook, Status
from grader.grades import grades_of
from grader.late import parse_penalty, parse_time, read_submission_times, updated_policy
from grader.results import CheckResult, TestResult
from grader.roster import name_key, read_roster

DUE = parse_time("2026-12-01T23:59:00+00:00", "--due")
HOUR = 3600.0


@pytest.mark.parametrize(
    "rule, late_s, penalty",
    [
        ("10%/day", 1, 10),
        ("10%/day", 24 * HOUR + 1, 20),
        ("10%/day,max=15%", 5 * 24 * HOUR, 15),
        ("5%/hour", 2.5 * HOUR, 15),
        ("10%/day,grace=15m", 14 * 60, 0),
        ("10%/day,grace=15m", 16 * 60, 10),
        ("10%/day", -1, 0),
    ],
)
def test_the_penalty_counts_started_periods_past_due_and_grace(rule, late_s, penalty):
    assert parse_penalty(rule, DUE).penalty_pct(DUE + late_s) == penalty


@pytest.mark.parametrize("rule", ["10 percent", "10%/week", "max=50%", "10%/day,max=150%"])
def test_a_penalty_rule_that_cannot_be_read_is_one_line(rule):
    with pytest.raises(KataError, match="--late-penalty") as raised:
        parse_penalty(rule, DUE)
    assert "\n" not in str(raised.value)


def test_times_are_read_with_an_offset_or_as_local_time(monkeypatch):
    assert parse_time("2026-12-02 00:59:00 +0100", "t") == DUE
    assert parse_time("2026-12-01T23:59:00Z", "t") == DUE
    with pytest.raises(KataError, match="not a date and time"):
        parse_time("yesterday", "--due")


def test_the_rule_is_kept_and_a_new_due_date_keeps_the_rate():
    policy = updated_policy(None, "2026-12-01T23:59Z", "10%/day,max=50%")
    moved = updated_policy(policy, "2026-12-08T23:59Z", None)
    assert moved.rate_pct == 10 and moved.cap_pct == 50 and moved.due == policy.due + 7 * 86400
    with pytest.raises(KataError, match="--due needs --late-penalty"):
        updated_policy(None, "2026-12-01T23:59Z", None)


def test_gradescope_like_submission_times_match_folders_by_name(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text(
        "\ufeffFirst Name,Last Name,Email,Submission Time\n"
        "José,García,jgarcia@uni.edu,2026-12-03 10:00:00 +0000\n"
        "Ada,Lovelace,ada@uni.edu,2026-12-01 09:00:00 +0000\n"
        "Ada,Lovelace,ada@uni.edu,2026-12-02 09:00:00 +0000\n"
        "No,Body,nobody@uni.edu,2026-12-01 09:00:00 +0000\n",
        encoding="utf-8",
    )
    nfd = unicodedata.normalize("NFD", "José García")
    times, unmatched = read_submission_times(path, [nfd, "ada"])
    assert times[nfd] == parse_time("2026-12-03T10:00Z", "t")
    assert times["ada"] == parse_time("2026-12-02T09:00Z", "t")  # the latest resubmission
    assert len(unmatched) == 1 and "nobody" in unmatched[0]


def test_a_times_csv_without_a_time_column_says_what_it_needs(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text("student,grade\nada,10\n")
    with pytest.raises(KataError, match="a time column"):
        read_submission_times(path, ["ada"])


def test_names_match_across_case_accents_normal_forms_and_separators():
    assert name_key(unicodedata.normalize("NFD", "José García")) == name_key("jose_garcia")
    assert name_key("JOSE.GARCIA") == "jose garcia"


ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,HW3 (1234),Current Score\n"
    "    Points Possible,,,,,10,(read only)\n"
    '"García, José",101,S101,jgarcia,Sec 1,,\n'
    '"Lovelace, Ada",102,S102,ada,Sec 1,,\n'
    '"Hopper, Grace",103,S103,ghopper,Sec 2,,\n'
)


@pytest.fixture
def grades(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite3")
    students = ["José García", "ada", "=cmd|stranger"]
    book.enrol(students, ["relu_backward"])
    for student, passed in zip(students, (4, 3, 4), strict=True):
        book.note_status(student, "relu_backward", Status("scored"))
        tests = tuple(
            TestResult(f"t{i}", "t", "edge", "passed" if i < passed else "failed", "", 0.0)
            for i in range(4)
        )
        book.record(student, "h", CheckResult("relu_backward", "f.py", 1, tests))
    yield grades_of(book)
    book.close()


def test_the_canvas_csv_has_canvas_columns_and_matched_rows_only(grades, tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    roster, assignments = read_roster(tmp_path / "roster.csv")
    assert [entry.id for entry in roster] == ["101", "102", "103"]
    assert "HW3 (1234)" in assignments
    written = write_canvas(tmp_path / "canvas.csv", grades, roster, "HW3 (1234)", 10)
    lines = list(csv.reader((tmp_path / "canvas.csv").read_text().splitlines()))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW3 (1234)"]
    assert lines[1] == ["Points Possible", "", "", "", "", "10"]
    assert lines[2:] == [
        ["García, José", "101", "S101", "jgarcia", "Sec 1", "10"],
        ["Lovelace, Ada", "102", "S102", "ada", "Sec 1", "7.5"],
    ]
    assert written.unmatched_students == ["=cmd|stranger"]
    assert [entry.student for entry in written.unmatched_roster] == ["Hopper, Grace"]


def test_a_roster_that_is_not_a_canvas_export_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("name,email\nada,ada@uni.edu\n")
    with pytest.raises(KataError, match="no Student or ID column"):
        read_roster(tmp_path / "roster.csv")


def test_chosen_columns_are_written_in_order_and_cells_are_never_formulas(grades, tmp_path):
    columns = chosen_columns("student,total,relu_backward_status", ["relu_backward"])
    write_columns(tmp_path / "out.csv", grades, columns)
    lines = list(csv.reader((tmp_path / "out.csv").read_text().splitlines()))
    assert lines[0] == ["student", "total", "relu_backward_status"]
    assert ["'=cmd|stranger", "100", "scored"] in lines
    with pytest.raises(KataError, match="no column grade; choose from student"):
        chosen_columns("student,grade", ["relu_backward"])
