"""The trusted side always finishes: a suite that hangs ends as the grader's failure.

A tiny bank holds one kata whose hidden suite never returns, in two ways: a plain
Python loop (an alarm interrupts it, and the report says where it was) and a loop
with the alarm signal blocked (only killing the worker ends it). Every mode has a
hard limit: a runner process of its own, and the pool, which replaces the worker
and goes on with the class.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from grader import pool
from grader.catalog import Bank, open_bank
from grader.engine import check
from grader.pool import CheckTask, run_checks
from grader.sandbox.reaper import descendants

SUITES = {
    "loops": """
        import time
        import pytest

        @pytest.mark.values
        def test_forever(impl):
            '''never ends (asleep, so that the test burns no CPU)'''
            while True:
                time.sleep(0.5)
        """,
    "loops_deaf": """
        import signal
        import time
        import pytest

        @pytest.mark.values
        def test_forever(impl):
            '''never ends, deaf to alarms'''
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            while True:
                time.sleep(0.5)
        """,
    "fine": """
        import pytest

        @pytest.mark.values
        def test_answer(impl):
            '''answers 42'''
            assert impl.answer() == 42
        """,
}


@pytest.fixture(scope="module")
def hanging_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    root = tmp_path_factory.mktemp("hanging-bank")
    (root / "solutions").mkdir()
    for kata, suite in SUITES.items():
        folder = root / "katas" / kata
        folder.mkdir(parents=True)
        (folder / "kata.toml").write_text(
            f'id = "{kata}"\ntitle = "{kata}"\ndifficulty = "warm-up"\nminutes = 1\n'
            'requires = ["answer"]\n\n[limits]\nbudget_s = 1\nload_timeout_s = 10\n'
        )
        (folder / "prompt.md").write_text("Return 42.\n")
        (folder / "stub.py").write_text("def answer():\n    raise NotImplementedError\n")
        (folder / "suite.py").write_text(textwrap.dedent(suite))
        (root / "solutions" / f"{kata}.py").write_text("def answer():\n    return 42\n")
    return open_bank(root)


def test_a_hanging_suite_in_a_runner_process_ends_as_the_graders_failure(hanging_bank):
    kata = hanging_bank.get("loops")
    result = check(kata, kata.solution, seed=1, timing=False)
    assert result.error is not None and result.error.kind == "internal"
    assert "did not finish within" in result.error.message
    assert "suite.py" in result.error.message  # where it was stuck
    assert result.score == 0


def test_the_pool_replaces_a_stuck_worker_and_goes_on(hanging_bank, monkeypatch):
    monkeypatch.setattr(pool, "GRACE_S", 5.0)  # past the worker's own alarm, which must win
    tasks = [
        CheckTask("loops_deaf", str(hanging_bank.get("loops_deaf").solution)),
        CheckTask("loops", str(hanging_bank.get("loops").solution)),
        CheckTask("fine", str(hanging_bank.get("fine").solution)),
        CheckTask("fine", str(hanging_bank.get("fine").stub_path)),
    ]
    seen: dict[int, tuple] = {}

    def collect(index, _progress, result, error):
        seen[index] = (result, error)

    before = _ours()
    run_checks(hanging_bank, tasks, seed=1, workers=2, timing=False, on_done=collect)
    assert _ours() <= before  # the stuck worker is gone too
    assert sorted(seen) == [0, 1, 2, 3]
    deaf_result, deaf_error = seen[0]
    assert deaf_result is None and "hard limit" in deaf_error
    loop_result, _ = seen[1]
    assert loop_result.error.kind == "internal"
    assert "did not finish within" in loop_result.error.message
    assert "suite.py" in loop_result.error.message  # where it was stuck
    assert seen[2][0].score == 100 and seen[3][0].score == 0


def _ours() -> set[int]:
    """Processes below this one, but multiprocessing's resource tracker (it lives on)."""
    found = set()
    for pid in descendants(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            found.add(pid)
    return found
