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
