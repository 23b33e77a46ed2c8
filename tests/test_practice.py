"""What to practise next (Leitner boxes) and practice stats, from a scripted history."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from grader.catalog import Bank, Kata
from grader.cli import main
from grader.history import History, PastCheck
from grader.practice import DAY_S, kata_stats, recommend

DAY0 = 1_800_000_000.0


def passed(kata: str, day: float, hints: int = 0, took: float = 600.0) -> PastCheck:
    return PastCheck(kata, DAY0 + day * DAY_S, 100.0, True, took, hints)


def failed(kata: str, day: float, score: float = 40.0) -> PastCheck:
    return PastCheck(kata, DAY0 + day * DAY_S, score, False, 300.0, 0)


@pytest.fixture
def katas(bank: Bank) -> list[Kata]:
    return [bank.get(k) for k in ("relu_backward", "bce_gradient", "adam_step")]


def test_a_pass_moves_up_a_box_only_when_due():
    stats = kata_stats("k", [failed("k", 0), passed("k", 0.1), passed("k", 0.2), passed("k", 1.2)])
    assert stats.box == 2  # fail -> 0, pass -> 1, same-day pass keeps 1, due pass -> 2
    assert stats.due_at == DAY0 + (1.2 + 3) * DAY_S
    assert stats.first_pass_s == 600.0 and stats.passes == 3 and stats.checks == 4
    assert stats.trend == (40.0, 100.0, 100.0, 100.0)


def test_a_pass_with_hints_is_due_again_tomorrow_and_a_failure_at_once():
    assert kata_stats("k", [passed("k", 0), passed("k", 2, hints=1)]).box == 1
    stats = kata_stats("k", [passed("k", 0), passed("k", 1), failed("k", 5)])
    assert (stats.box, stats.due_at) == (0, DAY0 + 5 * DAY_S)


def test_next_brings_back_a_failed_kata_and_never_the_one_just_done(katas):
    history = [failed("adam_step", 0), passed("relu_backward", 0.1)]
    pick = recommend(katas, history, now=DAY0 + 0.2 * DAY_S)
    assert pick.kata == "adam_step" and pick.reason == "not passed yet (last tried today)"
    # Just failed adam_step again: something else first, adam_step the day after.
    history.append(failed("adam_step", 0.3))
    assert recommend(katas, history, DAY0 + 0.4 * DAY_S).kata == "bce_gradient"
    history.append(passed("bce_gradient", 0.5))
    assert recommend(katas, history, DAY0 + 1.1 * DAY_S).kata == "adam_step"


def test_untried_katas_come_shortest_first(katas):
    pick = recommend(katas, [], DAY0)
    assert (pick.kata, pick.reason) == ("relu_backward", "not tried yet")


def test_due_reviews_come_most_overdue_first_with_the_reason(katas):
    history = [passed("relu_backward", 0), passed("bce_gradient", 0.1), passed("adam_step", 3)]
    pick = recommend(katas, history, DAY0 + 9 * DAY_S)
    assert (pick.kata, pick.reason) == ("relu_backward", "last passed 9 days ago, due 8 days ago")


def test_with_nothing_due_the_soonest_review_is_offered(katas):
    history = [passed("relu_backward", 0), passed("bce_gradient", 0), passed("adam_step", 0)]
    history += [passed("relu_backward", 1), passed("bce_gradient", 1.5)]
    pick = recommend(katas, history, DAY0 + 1.6 * DAY_S)
    assert pick.kata == "adam_step" and pick.reason == "last passed yesterday, due today"
    history.append(passed("adam_step", 1.7))
    pick = recommend(katas, history, DAY0 + 1.8 * DAY_S)
    assert pick.kata == "relu_backward"
    assert pick.reason == "nothing is due; last passed today, due in 2 days"  # day 1 + 3


def test_a_week_of_daily_practice_never_repeats_the_kata_just_passed(katas):
    history: list[PastCheck] = []
    for day in range(7):
        now = DAY0 + day * DAY_S + 3600
        pick = recommend(katas, history, now)
        assert not history or pick.kata != history[-1].kata
        if pick.kata == "adam_step" and day < 3:
            history.append(PastCheck(pick.kata, now, 50.0, False, 900.0, 0))  # hard at first
        else:
            history.append(PastCheck(pick.kata, now, 100.0, True, 900.0, 0))
    assert any(c.kata == "adam_step" and c.passed for c in history)


def test_checks_of_a_workspace_are_recorded_and_shown_by_stats_and_next(fast_bank, tmp_path):
    runner = CliRunner()
    bank = ["--bank", str(fast_bank.root)]
    assert (
        runner.invoke(main, [*bank, "start", "relu_backward", "--dir", str(tmp_path)]).exit_code
        == 0
    )
    (tmp_path / "relu_backward.py").write_text(
        (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    )
    checked = runner.invoke(
        main, [*bank, "check", "relu_backward", "--dir", str(tmp_path), "--no-timing"]
    )
    assert checked.exit_code == 0, checked.output
    (check,) = History().checks()
    assert (check.kata, check.score, check.passed, check.hints) == ("relu_backward", 100.0, True, 0)
    stats = json.loads(runner.invoke(main, [*bank, "stats", "--json"]).output)
    relu = next(item for item in stats["katas"] if item["kata"] == "relu_backward")
    assert relu["checks"] == 1 and relu["box"] == 1 and relu["trend"] == [100.0]
    table = runner.invoke(main, [*bank, "stats"]).output
    row = next(line for line in table.splitlines() if line.startswith("relu_backward"))
    assert row.split()[1] == "1" and "today" in row and "due in 1 day" in row
    pick = runner.invoke(main, [*bank, "next", "--dir", str(tmp_path)])  # the only kata
    assert pick.exit_code == 0
    assert pick.output.startswith("relu_backward: nothing is due; last passed today, due in 1 day")


def test_next_start_starts_the_recommended_kata(fast_bank, tmp_path):
    result = CliRunner().invoke(
        main, ["--bank", str(fast_bank.root), "next", "--start", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("relu_backward: not tried yet")
    assert (tmp_path / "relu_backward.py").is_file()
    assert "The clock is running" in result.output
