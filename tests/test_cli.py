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
    assert "Mistakes:" in result.output  # the distinct mistakes, each once, at the end


def test_every_command_has_help_with_an_example(run):
    for command in ("list", "start", "show", "check", "solution", "demo", "validate"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, command


def test_list_shows_the_best_time_over_restarts(run, tmp_path, fast_bank):
    solution = fast_bank.get("relu_backward").solution.read_text()
    state_path = tmp_path / ".kata" / "state.json"
    for started_ago in (0, 3600):  # a quick first attempt, then a slow one after a restart
        assert run("start", "relu_backward", "--dir", str(tmp_path), "--force").exit_code == 0
        state = json.loads(state_path.read_text())
        state["katas"]["relu_backward"]["started_at"] -= started_ago
        state_path.write_text(json.dumps(state))
        (tmp_path / "relu_backward.py").write_text(solution)
        assert run("check", "relu_backward", "--dir", str(tmp_path), "--no-timing").exit_code == 0
    row = next(
        line for line in run("list", "--dir", str(tmp_path)).output.splitlines() if "relu" in line
    )
    assert row.split()[-2:] in (["0", "s"], ["1", "s"], ["2", "s"]), row  # not "1 h 00 min"


def test_check_json_file_is_absolute_and_normalised(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "relu_backward.py").write_text("import torch\n")
    for args in (["--file", "sub/../relu_backward.py"], ["--dir", "."], ["--dir", "sub/.."]):
        data = json.loads(run("check", "relu_backward", "--json", *args).output)
        assert data["file"] == str(tmp_path / "relu_backward.py"), args


def test_a_rejected_file_reports_how_many_tests_the_kata_has(run, tmp_path):
    path = tmp_path / "relu_backward.py"
    path.write_text("def relu_forward(:\n")
    result = run("check", "relu_backward", "--file", str(path))
    assert result.exit_code == 1
    assert "Score: 0/100  (the file was rejected: none of the kata's 25 tests ran)" in result.output
    assert "0 of 0" not in result.output
    data = json.loads(run("check", "relu_backward", "--file", str(path), "--json").output)
    assert data["total"] == 0 and data["error"]["kind"] == "syntax"


def test_a_file_with_a_byte_order_mark_is_checked_like_any_other(run, tmp_path, fast_bank):
    path = tmp_path / "relu_backward.py"
    path.write_bytes(b"\xef\xbb\xbf" + fast_bank.get("relu_backward").solution.read_bytes())
    result = run("check", "relu_backward", "--file", str(path), "--no-timing")
    assert result.exit_code == 0, result.output
    assert "Score: 100/100" in result.output


def test_failed_only_and_k_choose_what_is_shown_not_what_counts(run, fast_bank):
    buggy = str(fast_bank.get("relu_backward").example("buggy"))
    every = run("check", "relu_backward", "--file", buggy, "--no-timing", "--seed", "3").output
    failing = run(
        "check", "relu_backward", "--file", buggy, "--no-timing", "--seed", "3", "--failed-only"
    ).output
    assert "✓" in every and "✓" not in failing and "Showing failing tests:" in failing
    score = next(line for line in every.splitlines() if line.startswith("Score:"))
    assert score in failing.splitlines()
    chosen = run(
        "check", "relu_backward", "--file", buggy, "--no-timing", "--seed", "3", "-k", "dtype"
    ).output
    assert "keeps the dtype of grad_output" in chosen and "hand-checked" not in chosen
    assert score in chosen.splitlines()


def test_check_help_says_k_filters_what_is_shown(run):
    text = run("check", "--help").output
    assert "--failed-only" in text and "-k PATTERN" in text and "every test still runs" in text
