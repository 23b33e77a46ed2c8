import json

import pytest

from grader.errors import WorkspaceError
from grader.results import CheckResult, TestResult
from grader.workspace import Workspace


def passed_result(elapsed: float) -> CheckResult:
    test = TestResult("t", "t", "values", "passed", "", 0.0)
    return CheckResult("k", "k.py", 1, tests=(test,), elapsed_since_start_s=elapsed)


def test_progress_goes_from_not_started_to_passed_with_best_time(tmp_path):
    now = [100.0]
    workspace = Workspace(tmp_path, clock=lambda: now[0])
    assert workspace.progress("k").status == "not started"
    workspace.record_start("k")
    assert Workspace(tmp_path).progress("k").status == "started"
    workspace.record_check(passed_result(300.0))
    workspace.record_check(passed_result(500.0))
    progress = Workspace(tmp_path).progress("k")
    assert progress.status == "passed" and progress.checks == 2 and progress.best_time_s == 300.0


def test_corrupt_state_is_set_aside_with_a_warning(tmp_path):
    (tmp_path / ".kata").mkdir()
    (tmp_path / ".kata" / "state.json").write_text("[1, 2")
    workspace = Workspace(tmp_path)
    assert workspace.progress("k").status == "not started"
    assert "unreadable" in workspace.warnings[0]
    workspace.record_start("k")
    assert Workspace(tmp_path).started_at("k") is not None


def test_a_restart_keeps_the_best_time_and_score(tmp_path):
    now = [100.0]
    workspace = Workspace(tmp_path, clock=lambda: now[0])
    workspace.record_start("k")
    workspace.record_check(passed_result(300.0))
    workspace.record_start("k")  # `kata start --force`: a new attempt
    assert Workspace(tmp_path).progress("k").best_time_s == 300.0
    workspace.record_check(passed_result(500.0))  # slower this time
    progress = Workspace(tmp_path).progress("k")
    assert progress.best_time_s == 300.0 and progress.best_score == 100.0
    assert progress.checks == 1  # checks count the current attempt


def test_values_of_the_wrong_type_are_dropped_and_the_rest_kept(tmp_path):
    (tmp_path / ".kata").mkdir()
    state = {"started_at": 5.0, "checks": "many", "passed_after_s": float("nan")}
    (tmp_path / ".kata" / "state.json").write_text(
        json.dumps({"version": 1, "katas": {"k": state, "j": [1]}})
    )
    workspace = Workspace(tmp_path)
    assert workspace.started_at("k") == 5.0 and workspace.progress("k").checks == 0
    assert workspace.progress("k").best_time_s is None
    assert workspace.progress("j").status == "not started"
    (warning,) = workspace.warnings
    assert (
        "k.checks is 'many'" in warning and "k.passed_after_s" in warning and "j is [1]" in warning
    )


def test_a_state_that_cannot_be_written_is_a_workspace_error(tmp_path):
    (tmp_path / ".kata").write_text("")
    with pytest.raises(WorkspaceError, match="cannot write the workspace state"):
        Workspace(tmp_path).record_start("k")
