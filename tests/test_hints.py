"""Hints: revealed one at a time, counted beside the score, in the history and in mocks."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from grader.catalog import BadBank, load_coaching
from grader.cli import main
from grader.history import History
from tests.conftest import relu_bank

HINTS = """hints = ["Look at where x is positive.", "dL/dx = g * 1[x > 0].", "At x = 0 the slope is 0."]

[[followup]]
question = "Why does ReLU help deep networks train?"
answer = "Its gradient is 1 where it is active, so it does not shrink through layers."
"""


@pytest.fixture
def hinted(tmp_path):
    bank = relu_bank(tmp_path / "bank", "call_timeout_s = 2\nbudget_s = 20")
    (bank.root / "katas" / "relu_backward" / "hints.toml").write_text(HINTS)
    return ["--bank", str(bank.root)], tmp_path / "work"


def test_hints_come_one_at_a_time_then_all(hinted):
    bank, work = hinted
    runner = CliRunner()
    first = runner.invoke(main, [*bank, "hint", "relu_backward", "--dir", str(work)])
    assert first.output.strip() == "Hint 1 of 3 (a nudge): Look at where x is positive."
    second = runner.invoke(main, [*bank, "hint", "relu_backward", "--dir", str(work)]).output
    assert "Hint 2 of 3 (the key idea)" in second and "Hint 1" not in second
    everything = runner.invoke(main, [*bank, "hint", "relu_backward", "--all", "--dir", str(work)])
    assert everything.output.count("Hint ") == 3
    last = runner.invoke(main, [*bank, "hint", "relu_backward", "--dir", str(work)]).output
    assert "Hint 3 of 3" in last and "That was the last hint" in last


def test_hints_used_show_beside_the_score_in_check_list_and_history(hinted):
    bank, work = hinted
    runner = CliRunner()
    assert runner.invoke(main, [*bank, "start", "relu_backward", "--dir", str(work)]).exit_code == 0
    runner.invoke(main, [*bank, "hint", "relu_backward", "--dir", str(work)])
    solution = (work.parent / "bank" / "solutions" / "relu_backward.py").read_text()
    (work / "relu_backward.py").write_text(solution)
    checked = runner.invoke(
        main, [*bank, "check", "relu_backward", "--dir", str(work), "--no-timing"]
    )
    assert "Score: 100/100, 1 hint" in checked.output, checked.output
    listed = runner.invoke(main, [*bank, "list", "--dir", str(work)]).output
    assert "passed, 1 hint" in listed
    (check,) = History().checks()
    assert check.hints == 1
    # A new start is a new attempt: no hint yet.
    runner.invoke(main, [*bank, "start", "relu_backward", "--dir", str(work), "--force"])
    assert "1 hint" not in runner.invoke(main, [*bank, "list", "--dir", str(work)]).output


def test_a_mock_counts_its_hints_in_the_report_and_history(hinted):
    bank, work = hinted
    runner = CliRunner()
    started = runner.invoke(
        main, [*bank, "mock", "start", "--katas", "relu_backward", "--dir", str(work), "--no-wait"]
    )
    assert started.exit_code == 0, started.output
    shown = runner.invoke(main, [*bank, "hint", "relu_backward", "--dir", str(work)]).output
    assert "counted in the report" in shown
    report = runner.invoke(main, [*bank, "mock", "finish", "--dir", str(work)]).output
    assert "0, 1 hint" in report
    assert "relu_backward 0 (1 hint)" in runner.invoke(main, ["history"]).output


def test_an_older_history_gains_the_hints_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE mock_katas (mock_id TEXT NOT NULL, kata TEXT NOT NULL, score REAL NOT NULL,"
            " late_score REAL, time_to_pass_s REAL, checks INTEGER NOT NULL, speed_ratio REAL,"
            " PRIMARY KEY (mock_id, kata))"
        )
    assert History(path).mocks() == []
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(mock_katas)")]
    assert columns[-1] == "hints"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('hints = "one"\n', "hints must be a list of texts"),
        ('hints = ["a"]\n[[followup]]\nquestion = "q"\n', "needs a question and an answer"),
        ('hint = ["a"]\n', "expected only hints"),
    ],
)
def test_a_malformed_hints_file_is_a_bank_error(tmp_path, text, problem):
    (tmp_path / "hints.toml").write_text(text)
    with pytest.raises(BadBank, match=problem):
        load_coaching(tmp_path / "hints.toml")


def test_the_first_full_pass_asks_a_follow_up_and_show_answers_gives_the_model_answer(hinted):
    bank, work = hinted
    runner = CliRunner()
    runner.invoke(main, [*bank, "start", "relu_backward", "--dir", str(work)])
    solution = (work.parent / "bank" / "solutions" / "relu_backward.py").read_text()
    (work / "relu_backward.py").write_text(solution)
    args = [*bank, "check", "relu_backward", "--dir", str(work), "--no-timing"]
    first = runner.invoke(main, args).output
    assert "An interviewer would now ask: Why does ReLU help deep networks train?" in first
    assert "kata show relu_backward --answers" in first
    assert "interviewer" not in runner.invoke(main, args).output  # only after the first pass
    answers = runner.invoke(main, [*bank, "show", "relu_backward", "--answers"]).output
    assert "1. Why does ReLU help" in answers and "does not shrink through layers" in answers


def test_mock_finish_asks_follow_ups_in_turn_and_keeps_the_marks(hinted):
    bank, work = hinted
    runner = CliRunner()
    args = ["--katas", "relu_backward", "--dir", str(work), "--no-wait"]
    assert runner.invoke(main, [*bank, "mock", "start", *args]).exit_code == 0
    finish = [*bank, "mock", "finish", "--dir", str(work), "--questions"]
    result = runner.invoke(main, finish, input="\ny\n")
    assert result.exit_code == 0, result.output
    assert "1 of 1 (relu_backward): Why does ReLU help deep networks train?" in result.output
    assert "Model answer: Its gradient is 1" in result.output
    assert "Follow-ups: 1 of 1 got." in result.output
    ((_, kata, question, got),) = History().followup_marks()
    assert (kata, got) == ("relu_backward", True) and question.startswith("Why does ReLU")
    again = runner.invoke(main, finish, input="\nn\n")  # asked once per mock
    assert "Follow-ups" not in again.output
    assert (
        "Why does ReLU"
        not in runner.invoke(main, [*bank, "mock", "finish", "--dir", str(work)]).output
    )
