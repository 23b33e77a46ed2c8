"""The kata command as a person uses it, through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from grader.cli import main


@pytest.fixture
def run(fast_bank, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, ["--bank", str(fast_bank.root), *args], input=input)

    return invoke


def test_list_shows_every_kata_with_status(run, tmp_path):
    result = run("list", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert "relu_backward" in result.output and "not started" in result.output
    assert "warm-up" in result.output


def test_start_writes_stub_prints_prompt_and_records_time(run, tmp_path):
    result = run("start", "relu_backward", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "relu_backward.py").read_text().count("NotImplementedError") >= 2
    assert "derivative at exactly 0 is 0" in result.output
    state = json.loads((tmp_path / ".kata" / "state.json").read_text())
    assert "started_at" in state["katas"]["relu_backward"]
    assert "started" in run("list", "--dir", str(tmp_path)).output


def test_start_never_overwrites_without_force(run, tmp_path):
    (tmp_path / "relu_backward.py").write_text("# my work\n")
    result = run("start", "relu_backward", "--dir", str(tmp_path))
    assert result.exit_code == 2 and "--force" in result.output
    assert (tmp_path / "relu_backward.py").read_text() == "# my work\n"
    assert run("start", "relu_backward", "--dir", str(tmp_path), "--force").exit_code == 0
    assert "NotImplementedError" in (tmp_path / "relu_backward.py").read_text()


def test_show_prints_the_prompt(run):
    result = run("show", "relu_backward")
    assert result.exit_code == 0 and "relu_backward(grad_output" in result.output


def test_check_of_the_stub_fails_with_exit_1_and_readable_report(run, tmp_path):
    run("start", "relu_backward", "--dir", str(tmp_path))
    result = run("check", "relu_backward", "--dir", str(tmp_path), "--no-timing")
    assert result.exit_code == 1
    assert "✗" in result.output and "NotImplementedError" in result.output
    assert "Score: 0/100" in result.output and "Time since start:" in result.output
    assert "def test_" not in result.output  # never the hidden suite's source


def test_check_of_a_correct_file_passes_with_exit_0_and_marks_passed(run, tmp_path, fast_bank):
    run("start", "relu_backward", "--dir", str(tmp_path))
    solution = fast_bank.get("relu_backward").solution
    (tmp_path / "relu_backward.py").write_text(solution.read_text())
    result = run("check", "relu_backward", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Score: 100/100" in result.output and "Speed:" in result.output
    listing = run("list", "--dir", str(tmp_path)).output
    assert "passed" in listing


def test_check_json_is_one_object(run, tmp_path, fast_bank):
    solution = fast_bank.get("relu_backward").solution
    result = run(
        "check", "relu_backward", "--file", str(solution), "--json", "--no-timing", "--seed", "9"
    )
    data = json.loads(result.output)
    assert data["seed"] == 9 and data["score"] == 100.0 and data["speed"] is None


def test_check_of_a_rejected_file_says_why(run, tmp_path):
    path = tmp_path / "relu_backward.py"
    path.write_text("import torch\n")
    result = run("check", "relu_backward", "--file", str(path))
    assert result.exit_code == 1
    assert "Forbidden import" in result.output and "'torch'" in result.output


def test_unknown_kata_is_exit_2_with_the_ids(run):
    result = run("check", "relu_backwards")
    assert result.exit_code == 2
    assert "no kata named 'relu_backwards'" in result.output and "relu_backward" in result.output
    assert "Traceback" not in result.output


def test_missing_file_says_how_to_start(run, tmp_path):
    result = run("check", "relu_backward", "--dir", str(tmp_path))
    assert result.exit_code == 2 and "kata start relu_backward" in result.output


def test_corrupt_state_is_reported_and_work_goes_on(run, tmp_path):
    (tmp_path / ".kata").mkdir()
    (tmp_path / ".kata" / "state.json").write_text("{not json")
    result = run("list", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert "warning" in result.output and "unreadable" in result.output
    assert (tmp_path / ".kata" / "state.json.corrupt").exists()


def test_solution_asks_first_and_shows_with_yes(run, tmp_path):
    refused = run("solution", "relu_backward", "--dir", str(tmp_path), input="n\n")
    assert refused.exit_code != 0 and "def relu_backward" not in refused.output
    shown = run("solution", "relu_backward", "--dir", str(tmp_path), "--yes")
    assert shown.exit_code == 0 and "def relu_backward" in shown.output


def test_demo_checks_a_correct_and_a_buggy_example(run):
    result = run("demo")
    assert result.exit_code == 0
    assert "Score: 100/100" in result.output
    assert "Likely mistake" in result.output


def test_every_command_has_help_with_an_example(run):
    for command in ("list", "start", "show", "check", "solution", "demo", "validate"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, command
