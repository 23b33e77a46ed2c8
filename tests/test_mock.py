"""Mock interviews end to end, driven by an injected clock (no real waiting)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.engine import check
from grader.errors import KataError
from grader.history import History
from grader.mock import Mock, choose_katas, finish_mock, start_mock


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def history(tmp_path) -> History:
    return History(tmp_path / "history.sqlite3")


def begin(fast_bank, folder: Path, clock: Clock, minutes: float = 5.0) -> Mock:
    return start_mock(
        fast_bank, folder, [fast_bank.get("relu_backward")], minutes, seed=4, clock=clock
    )


def save(path: Path, source: str, at: float) -> None:
    path.write_text(source)
    os.utime(path, (at, at))


def check_in_mock(fast_bank, folder: Path, clock: Clock) -> None:
    """What `kata check` does inside a mock folder."""
    mock = Mock.open(folder, clock)
    path = mock.workspace.file_for("relu_backward")
    result = check(fast_bank.get("relu_backward"), path, seed=4, timing=False)
    mock.record_check(result, path)


def test_solved_before_the_deadline_and_finished_early(fast_bank, tmp_path, clock, history):
    folder = tmp_path / "mock"
    begin(fast_bank, folder, clock)
    assert (folder / "relu_backward.py").exists() and (folder / "relu_backward.md").exists()
    clock.now += 60
    save(
        folder / "relu_backward.py",
        (fast_bank.root / "solutions/relu_backward.py").read_text(),
        clock.now,
    )
    check_in_mock(fast_bank, folder, clock)
    clock.now += 60
    report = finish_mock(fast_bank, Mock.open(folder, clock), history)
    (kata,) = report.katas
    assert report.finished_early and report.overall == 100.0
    assert kata.score == 100.0 and not kata.late and kata.checks == 1
    assert kata.time_to_pass_s == pytest.approx(60, abs=1)
    assert kata.speed_ratio is not None


def test_a_file_saved_after_the_deadline_is_late_and_not_counted(
    fast_bank, tmp_path, clock, history
):
    folder = tmp_path / "mock"
    mock = begin(fast_bank, folder, clock, minutes=5)
    buggy = (fast_bank.root / "solutions/relu_backward.py").read_text().replace("x > 0", "x >= 0")
    clock.now += 120
    save(folder / "relu_backward.py", buggy, clock.now)
    check_in_mock(fast_bank, folder, clock)
    clock.now = mock.deadline + 30
    save(
        folder / "relu_backward.py",
        (fast_bank.root / "solutions/relu_backward.py").read_text(),
        clock.now,
    )
    report = finish_mock(fast_bank, Mock.open(folder, clock), history)
    (kata,) = report.katas
    assert not report.finished_early
    assert kata.late and kata.late_score == 100.0
    assert 0 < kata.score < 100
    assert "last version checked before it" in kata.note


def test_a_late_file_with_no_on_time_check_scores_zero(fast_bank, tmp_path, clock, history):
    folder = tmp_path / "mock"
    mock = begin(fast_bank, folder, clock, minutes=1)
    clock.now = mock.deadline + 5
    save(
        folder / "relu_backward.py",
        (fast_bank.root / "solutions/relu_backward.py").read_text(),
        clock.now,
    )
    (kata,) = finish_mock(fast_bank, Mock.open(folder, clock), history).katas
    assert kata.score == 0 and kata.late_score == 100.0


def test_an_interrupted_mock_resumes_from_disk_and_finish_is_idempotent(
    fast_bank, tmp_path, clock, history
):
    folder = tmp_path / "mock"
    begin(fast_bank, folder, clock)
    clock.now += 30
    check_in_mock(fast_bank, folder, clock)  # the stub: 0 passed
    # A new process (after Ctrl-C, a closed terminal, a reboot) knows only the folder.
    resumed = Mock.open(folder, clock)
    assert resumed.time_left() == pytest.approx(270)
    assert resumed.checks_of("relu_backward")[0]["passed"] == 0
    clock.now += 30
    first = finish_mock(fast_bank, resumed, history)
    clock.now += 600
    again = finish_mock(fast_bank, Mock.open(folder, clock), history)
    assert again == first and len(history.mocks()) == 1


def test_history_across_three_mocks_shows_best_last_and_trend(fast_bank, tmp_path, clock, history):
    solution = (fast_bank.root / "solutions/relu_backward.py").read_text()
    sources = [None, solution.replace("x > 0", "x >= 0"), solution]
    reports = []
    for index, source in enumerate(sources):
        folder = tmp_path / f"mock{index}"
        begin(fast_bank, folder, clock)
        clock.now += 60
        if source:
            save(folder / "relu_backward.py", source, clock.now)
        reports.append(finish_mock(fast_bank, Mock.open(folder, clock), history))
        clock.now += 3600
    assert reports[0].comparison.trend == "first mock"
    last = reports[-1].comparison
    assert (
        last.previous_mocks == 2 and last.best == reports[1].overall and last.trend == "improving"
    )
    assert [m.overall for m in history.mocks()] == [r.overall for r in reports]
    (best,) = history.bests()
    assert best.kata == "relu_backward" and best.best_score == 100.0 and best.attempts == 3


def test_katas_are_picked_to_fit_the_budget_and_seeded(bank):
    first = choose_katas(bank, 30, None, None, seed=1)
    assert sum(k.minutes for k in first) <= 30
    assert [k.id for k in first] == [k.id for k in choose_katas(bank, 30, None, None, seed=1)]


def test_a_track_limits_the_draw_to_its_katas(bank):
    core = {k.id for k in bank.katas.values() if k.track == "core"}
    for seed in range(5):
        chosen = choose_katas(bank, 600, None, None, seed=seed, tracks=("core",))
        assert {k.id for k in chosen} == core
    with pytest.raises(KataError, match="no track named nope; choose from .*core"):
        choose_katas(bank, 30, None, None, seed=1, tracks=("nope",))


@pytest.mark.parametrize(
    "minutes, names, count, words",
    [
        (0, None, None, "--minutes must be more than 0"),
        (-3, None, None, "--minutes must be more than 0"),
        (float("inf"), None, None, "at most 1440"),
        (float("nan"), None, None, "at most 1440"),
        (30, [], None, "--katas names no kata"),
        (30, ["nope"], None, "no kata named 'nope'"),
        (30, None, 99, "--count must be between 1 and"),
        (1, None, None, "no kata fits in 1 minutes"),
    ],
)
def test_bad_choices_are_user_errors(bank, minutes, names, count, words):
    with pytest.raises(KataError, match=words):
        choose_katas(bank, minutes, names, count, seed=1)


@pytest.fixture
def run(fast_bank, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--bank", str(fast_bank.root), *args])

    return invoke


def test_cli_mock_flow_with_a_real_short_deadline(run, tmp_path):
    folder = tmp_path / "m"
    started = run(
        "mock", "start", "--minutes", "0.02", "--katas", "relu_backward", "--dir", str(folder)
    )
    assert started.exit_code == 0, started.output
    assert "Deadline:" in started.output and "kata mock finish" in started.output
    assert "left" in run("mock", "status", "--dir", str(folder)).output
    _move_deadline_into_the_past(folder)  # instead of waiting for it
    finished = run("mock", "finish", "--dir", str(folder))
    assert finished.exit_code == 0 and "graded at the deadline" in finished.output
    assert "relu_backward" in run("history").output
    data = run("history", "--json").output
    assert '"overall": 0.0' in data


def _move_deadline_into_the_past(folder) -> None:
    state = folder / ".kata" / "state.json"
    data = json.loads(state.read_text())
    data["mock"]["deadline"] = time.time() - 1
    state.write_text(json.dumps(data))


def test_cli_refuses_a_second_start_and_a_finish_outside_a_mock(run, tmp_path):
    folder = tmp_path / "m"
    assert run("mock", "start", "--katas", "relu_backward", "--dir", str(folder)).exit_code == 0
    again = run("mock", "start", "--katas", "relu_backward", "--dir", str(folder))
    assert again.exit_code == 2 and "already holds a mock" in again.output
    outside = run("mock", "finish", "--dir", str(tmp_path))
    assert outside.exit_code == 2 and "not a mock folder" in outside.output
    bad = run("mock", "start", "--minutes", "0", "--dir", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "--minutes must be more than 0" in bad.output


def test_check_inside_a_mock_says_the_time_left(run, tmp_path):
    folder = tmp_path / "m"
    run("mock", "start", "--katas", "relu_backward", "--dir", str(folder))
    result = run("check", "relu_backward", "--dir", str(folder), "--no-timing")
    assert "Mock:" in result.output and "left" in result.output
    assert "1 check(s)" in run("mock", "status", "--dir", str(folder)).output


def test_live_countdown_rechecks_a_saved_file_and_grades_at_the_deadline(run, tmp_path, fast_bank):
    import threading

    folder = tmp_path / "m"
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()

    def save_soon() -> None:
        time.sleep(0.8)
        (folder / "relu_backward.py").write_text(solution)

    saver = threading.Thread(target=save_soon)
    saver.start()
    result = run(
        "mock",
        "start",
        "--minutes",
        "0.06",
        "--katas",
        "relu_backward",
        "--dir",
        str(folder),
        "--wait",
    )
    saver.join()
    assert result.exit_code == 0, result.output
    assert "relu_backward: 25/25 passed, score 100" in result.output
    assert "graded at the deadline" in result.output and "Overall: 100/100" in result.output


def test_a_library_caller_cannot_start_a_mock_without_end(fast_bank, tmp_path, clock):
    with pytest.raises(KataError, match="--minutes"):
        begin(fast_bank, tmp_path / "m", clock, minutes=float("inf"))
    assert not (tmp_path / "m").exists()
