"""Every mistake of the tool's user is one line and exit status 2, never a traceback.

Tests run as root here, and root writes through file modes, so a folder that
cannot be written is simulated by a path whose parent is a regular file, or by
patching the write to fail as a read-only folder would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli import main
from grader.history import History, PastMock


@pytest.fixture
def run(fast_bank, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    def invoke(*args: str, bank: Path | None = None) -> Result:
        return CliRunner().invoke(main, ["--bank", str(bank or fast_bank.root), *args])

    return invoke


def assert_one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("kata: error: "), line
    for word in words:
        assert word in line, line


@pytest.fixture
def a_file(tmp_path) -> Path:
    """A regular file: any path below it is a folder that cannot be created."""
    path = tmp_path / "a-file"
    path.write_text("")
    return path


def read_only(monkeypatch) -> None:
    """Every Path.write_text fails as it does in a read-only folder."""

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)


# -- kata start ---------------------------------------------------------------------


def test_start_where_the_folder_cannot_be_made(run, a_file):
    assert_one_line_error(run("start", "relu_backward", "--dir", str(a_file / "ws")), "a-file")


def test_start_in_a_read_only_folder(run, tmp_path, monkeypatch):
    read_only(monkeypatch)
    result = run("start", "relu_backward", "--dir", str(tmp_path))
    assert_one_line_error(result, "cannot write", "Permission denied")


def test_start_where_the_kata_file_is_a_folder(run, tmp_path):
    (tmp_path / "relu_backward.py").mkdir()
    result = run("start", "relu_backward", "--dir", str(tmp_path), "--force")
    assert_one_line_error(result, "is a folder")


def test_start_where_the_state_folder_is_a_file(run, tmp_path):
    (tmp_path / ".kata").write_text("")
    assert_one_line_error(run("start", "relu_backward", "--dir", str(tmp_path)), ".kata")
    assert not (tmp_path / "relu_backward.py").exists()  # no file without a running clock


# -- workspace state of the wrong shape ---------------------------------------------


def write_state(folder: Path, state: object) -> None:
    (folder / ".kata").mkdir(exist_ok=True)
    (folder / ".kata" / "state.json").write_text(json.dumps(state))


@pytest.mark.parametrize(
    "entry",
    [
        5,
        "started",
        [1, 2],
        None,
        {"started_at": "yesterday", "checks": "y", "best_score": [], "passed_after_s": "z"},
        {"started_at": 1e400, "passed": 1, "last_check": {"at": 1}},
        {"checks": True, "best_score": None, "passed_after_s": {"a": 1}},
    ],
    ids=["int", "str", "list", "null", "wrong-types", "infinite-start", "more-wrong-types"],
)
def test_a_state_entry_of_the_wrong_shape_is_dropped_with_a_warning(run, tmp_path, entry):
    write_state(tmp_path, {"version": 1, "katas": {"relu_backward": entry}})
    listed = run("list", "--dir", str(tmp_path))
    assert listed.exit_code == 0, listed.output
    assert "wrong type" in listed.stderr and "relu_backward" in listed.stderr
    started = run("start", "relu_backward", "--dir", str(tmp_path))
    assert started.exit_code == 0, started.output
    state = json.loads((tmp_path / ".kata" / "state.json").read_text())
    assert isinstance(state["katas"]["relu_backward"]["started_at"], float)


def test_check_with_a_state_entry_that_is_not_a_table_still_records(run, tmp_path, fast_bank):
    shutil.copy(fast_bank.get("relu_backward").stub_path, tmp_path / "relu_backward.py")
    write_state(tmp_path, {"version": 1, "katas": {"relu_backward": 7}})
    result = run("check", "relu_backward", "--dir", str(tmp_path), "--no-timing")
    assert result.exit_code == 1 and "Score: 0/100" in result.output
    state = json.loads((tmp_path / ".kata" / "state.json").read_text())
    assert state["katas"]["relu_backward"]["checks"] == 1


@pytest.mark.parametrize(
    "mock",
    [
        5,
        {},
        {"id": "m", "started_at": 0, "deadline": "soon", "minutes": 5, "seed": 1},
        {
            "id": "m",
            "started_at": 0,
            "deadline": 1,
            "minutes": 5,
            "seed": 1,
            "katas": [],
            "events": [],
            "report": None,
        },
        {
            "id": "m",
            "started_at": 0,
            "deadline": 1,
            "minutes": 5,
            "seed": 1,
            "katas": ["relu_backward"],
            "events": [{"type": "check", "at": 1}],
            "report": None,
        },
        {
            "id": "m",
            "started_at": 0,
            "deadline": 1,
            "minutes": 5,
            "seed": 1,
            "katas": ["relu_backward"],
            "events": [],
            "report": {"overall": "all of it"},
        },
    ],
    ids=["int", "empty", "deadline-text", "no-katas", "check-event-short", "report-wrong"],
)
def test_a_damaged_mock_state_is_one_line(run, tmp_path, mock):
    write_state(tmp_path, {"version": 1, "katas": {}, "mock": mock})
    for command in ("status", "finish"):
        assert_one_line_error(run("mock", command, "--dir", str(tmp_path)), "is damaged (mock")


def test_check_in_a_damaged_mock_prints_the_verdict_and_warns(run, tmp_path, fast_bank):
    shutil.copy(fast_bank.get("relu_backward").stub_path, tmp_path / "relu_backward.py")
    write_state(tmp_path, {"version": 1, "katas": {}, "mock": {"id": 3}})
    result = run("check", "relu_backward", "--dir", str(tmp_path), "--no-timing")
    assert result.exit_code == 1 and "Score: 0/100" in result.output
    assert "not recorded" in result.stderr and "is damaged (mock lacks deadline" in result.stderr


# -- kata check ---------------------------------------------------------------------


def test_check_where_the_state_cannot_be_written_prints_the_verdict_and_warns(
    run, tmp_path, fast_bank
):
    shutil.copy(fast_bank.get("relu_backward").stub_path, tmp_path / "relu_backward.py")
    (tmp_path / ".kata").write_text("")  # the state's folder cannot be made
    result = run("check", "relu_backward", "--dir", str(tmp_path), "--no-timing")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Score: 0/100" in result.stdout
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("kata: warning: this check was not recorded")


def test_check_where_the_kata_file_is_a_folder(run, tmp_path):
    (tmp_path / "relu_backward.py").mkdir()
    result = run("check", "relu_backward", "--dir", str(tmp_path))
    assert_one_line_error(result, "is a folder, not a file")


def test_check_json_usage_errors_are_json_objects(run, tmp_path):
    for args in (
        ["check", "relu_backward", "--json", "--seed", "-1"],
        ["check", "no_such_kata", "--json"],
        ["check", "relu_backward", "--json", "--dir", str(tmp_path)],  # no file
        ["check", "relu_backward", "--json", "-k", "and or"],
        ["check", "--json"],  # no KATA
        ["check", "relu_backward", "--json", "--no-such-option"],
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        data = json.loads(result.stdout)
        assert data["error"]["kind"] == "usage" and data["error"]["message"], args


def test_usage_errors_without_json_keep_clicks_usage_line(run):
    result = run("check", "relu_backward", "--seed", "-1")
    assert result.exit_code == 2 and "Usage:" in result.output and "{" not in result.output


# -- kata mock start ----------------------------------------------------------------


@pytest.mark.parametrize("minutes", ["inf", "-inf", "nan", "1e300", "0", "-5", "100000"])
def test_mock_start_refuses_absurd_minutes_and_leaves_nothing(run, tmp_path, minutes):
    folder = tmp_path / "m"
    result = run("mock", "start", "--minutes", minutes, "--dir", str(folder), "--no-wait")
    assert_one_line_error(result, "--minutes")
    assert not folder.exists()


def test_mock_start_where_the_folder_cannot_be_made(run, a_file):
    result = run("mock", "start", "--katas", "relu_backward", "--dir", str(a_file / "m"))
    assert_one_line_error(result, "cannot start a mock")


def test_mock_start_in_a_read_only_folder_leaves_nothing(run, tmp_path, monkeypatch):
    import grader.mock

    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(grader.mock.shutil, "copyfile", refuse)
    folder = tmp_path / "m"
    result = run("mock", "start", "--katas", "relu_backward", "--dir", str(folder), "--no-wait")
    assert_one_line_error(result, "cannot start a mock", "Permission denied")
    assert not folder.exists()


def test_a_mock_start_that_fails_midway_removes_only_what_it_added(run, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "relu_backward.md").mkdir()  # the prompt cannot be written there
    result = run("mock", "start", "--katas", "relu_backward", "--dir", str(tmp_path), "--no-wait")
    assert_one_line_error(result, "relu_backward.md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "relu_backward.md"]


def test_mock_start_with_an_empty_katas_list(run, tmp_path):
    result = run("mock", "start", "--katas", ",", "--dir", str(tmp_path / "m"))
    assert_one_line_error(result, "--katas names no kata")


# -- kata mock finish and kata history ----------------------------------------------


def test_mock_finish_where_the_history_cannot_be_written_prints_the_report_and_warns(
    run, tmp_path, a_file, monkeypatch
):
    folder = tmp_path / "m"
    run("mock", "start", "--katas", "relu_backward", "--dir", str(folder), "--no-wait")
    monkeypatch.setenv("XDG_DATA_HOME", str(a_file))
    result = run("mock", "finish", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "Overall: 0/100" in result.stdout and "could not be used" in result.stdout
    (warning,) = result.stderr.splitlines()
    assert "not saved in your history" in warning and "tries again" in warning
    as_json = json.loads(run("mock", "finish", "--dir", str(folder), "--json").stdout)
    assert "a-file" in as_json["history_error"]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # a history that works again
    retried = run("mock", "finish", "--dir", str(folder), "--json")
    assert retried.stderr == "" and json.loads(retried.stdout)["history_error"] is None
    assert len(json.loads(run("history", "--json").stdout)["mocks"]) == 1


@pytest.mark.parametrize("what", ["folder", "garbage", "other-schema", "wrong-types"])
def test_a_history_that_cannot_be_read_is_one_line(run, tmp_path, what):
    path = tmp_path / "xdg" / "kata" / "history.sqlite3"
    path.parent.mkdir(parents=True)
    if what == "folder":
        path.mkdir()
    elif what == "garbage":
        path.write_text("not a database")
    else:
        import sqlite3

        with sqlite3.connect(path) as db:
            if what == "other-schema":
                db.execute("CREATE TABLE mocks (id TEXT, score REAL)")
                db.execute("INSERT INTO mocks VALUES ('m', 1)")
            else:
                History(path).record(PastMock("m", "/f", 0.0, 1.0, 5.0, 50.0, {}), [])
                db.execute("UPDATE mocks SET overall = 'lots'")
    assert_one_line_error(run("history"), "history")
    as_json = run("history", "--json")
    assert as_json.exit_code == 2 and "history" in json.loads(as_json.stdout)["error"]["message"]


def test_history_json_is_json_even_after_an_infinite_budget_was_stored(run, tmp_path):
    path = tmp_path / "xdg" / "kata" / "history.sqlite3"
    History(path).record(PastMock("m", "/f", 0.0, 1.0, float("inf"), 50.0, {}), [])
    text = run("history", "--json").stdout
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text)["mocks"][0]["minutes"] is None
    assert "50" in run("history").stdout


# -- a bank of the wrong shape ------------------------------------------------------


@pytest.mark.parametrize(
    "line, new",
    [
        ("minutes = 10", "minutes = inf"),
        ("minutes = 10", 'minutes = "ten"'),
        ("budget_s = 10", "budget_s = nan"),
        ("call_timeout_s = 1", "call_timeout_s = -1"),
    ],
)
def test_a_bank_with_absurd_numbers_is_one_line(run, fast_bank, tmp_path, line, new):
    bank = tmp_path / "bank"
    shutil.copytree(fast_bank.root, bank)
    meta = bank / "katas" / "relu_backward" / "kata.toml"
    assert line in meta.read_text()
    meta.write_text(meta.read_text().replace(line, new))
    assert_one_line_error(run("list", bank=bank), "kata.toml", "finite numbers")


# -- instructor commands --------------------------------------------------------------


def test_grade_with_a_gradebook_that_is_not_a_database(run, tmp_path, fast_bank):
    student = tmp_path / "submissions" / "ada"
    student.mkdir(parents=True)
    shutil.copy(fast_bank.get("relu_backward").stub_path, student / "relu_backward.py")
    out = tmp_path / "book"
    out.mkdir()
    (out / "gradebook.sqlite3").write_text("a spreadsheet, perhaps")
    result = run("grade", str(tmp_path / "submissions"), "--out", str(out))
    assert_one_line_error(result, "gradebook", "not a database")


def test_a_refused_file_operation_anywhere_is_one_line_unless_debugging(run, a_file, monkeypatch):
    assert_one_line_error(run("gradescope-bundle", str(a_file / "x.zip")), "Not a directory")
    monkeypatch.setenv("KATA_DEBUG", "1")
    result = run("gradescope-bundle", str(a_file / "x.zip"))
    assert isinstance(result.exception, OSError)  # the traceback, for whoever debugs
