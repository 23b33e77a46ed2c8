"""``kill -9`` of a real ``kata grade`` midway: nothing left running or lost, a rerun finishes.

The grader runs as a subprocess in a session of its own, with its own TMPDIR (a
folder unique to the test), so every process it starts can be found by its
session or by that folder in its command line or environment (learner children
start sessions of their own, but their files and TMPDIR live under it). Every
wait has a deadline, and whatever is still alive at the end is killed here.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

STUDENTS = 12
BUGGY = "x >= 0"
HARD_TIMEOUT_S = 240  # the whole test, both runs included
SETTLE_S = 15  # how long the grader's processes get to die after the kill


def make_class(folder: Path, solution: str) -> dict[str, bool]:
    """Twelve students, every third one buggy, two of them handing in a zip: name -> correct."""
    correct = {}
    for i in range(STUDENTS):
        student = f"s{i:02d}"
        correct[student] = i % 3 != 1
        source = solution if correct[student] else solution.replace("x > 0", BUGGY)
        if i in (4, 9):
            folder.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(folder / f"{student}.zip", "w") as zipped:
                zipped.writestr(f"{student}/relu_backward.py", source)
        else:
            (folder / student).mkdir(parents=True)
            (folder / student / "relu_backward.py").write_text(source)
    return correct


def session_of(pid: int) -> tuple[str, int] | None:
    """(state, session id) of a process, from /proc; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[3])


def mentions(pid: int, marker: bytes) -> bool:
    for name in ("cmdline", "environ"):
        with contextlib.suppress(OSError):
            if marker in Path(f"/proc/{pid}/{name}").read_bytes():
                return True
    return False


def processes_of(session: int, marker: str) -> list[int]:
    """Live processes of the grader's session, or whose command line or environment names marker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        seen = session_of(pid)
        if seen is None or seen[0] in ("Z", "X"):  # gone, or a zombie: not running
            continue
        if seen[1] == session or mentions(pid, marker.encode()):
            found.append(pid)
    return found


def wait_for(condition, deadline: float, step: float = 0.05) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def jobs_recorded(book: Path) -> int:
    if not book.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(book, timeout=1)) as db:
            return db.execute("SELECT count(*) FROM latest").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or locked for a moment
        return 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc")
@pytest.mark.parametrize("target", ["the coordinator", "its process group"])
def test_kill_9_midway_leaves_no_process_and_a_rerun_grades_only_the_rest(
    fast_bank, tmp_path, target
):
    deadline = time.monotonic() + HARD_TIMEOUT_S
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    klass, out = tmp_path / "submissions", tmp_path / "gb"
    correct = make_class(klass, solution)
    marker = tmp_path / "grader-tmp"  # unique to this test: in every grader process's TMPDIR
    marker.mkdir()
    env = {**os.environ, "TMPDIR": str(marker), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "grader", "--bank", str(fast_bank.root), "grade"]
    command += [str(klass), "--out", str(out), "--workers", "2", "--no-timing"]
    book = out / "gradebook.sqlite3"
    grader = None
    try:
        with open(tmp_path / "first-run.log", "wb") as log:
            grader = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        assert wait_for(lambda: jobs_recorded(book) > 0, deadline), "no job was ever recorded"
        if target == "the coordinator":
            os.kill(grader.pid, signal.SIGKILL)  # as `kill -9 PID` or the OOM killer does
        else:
            os.killpg(grader.pid, signal.SIGKILL)
        assert grader.wait(timeout=10) == -signal.SIGKILL

        def gone() -> bool:
            return not processes_of(grader.pid, str(marker))

        settled = min(deadline, time.monotonic() + SETTLE_S)
        assert wait_for(gone, settled, step=0.2), (
            f"still running {SETTLE_S} s after the kill: "
            f"{describe(processes_of(grader.pid, str(marker)))}"
        )
        recorded = jobs_recorded(book)
        assert 0 < recorded < STUDENTS, "the kill came too late to test anything"
        assert_consistent(book, correct)
        assert not list(marker.glob("kata-unzipped-*")), "unzipped submissions left in TMPDIR"

        rerun = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=max(1.0, deadline - time.monotonic()),
            start_new_session=True,
        )
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert f"{STUDENTS - recorded} jobs to grade, {recorded} already graded" in rerun.stdout, (
            rerun.stdout
        )
        assert jobs_recorded(book) == STUDENTS
        assert_consistent(book, correct)
        with open(out / "grades.csv", newline="") as handle:
            scores = {row["student"]: float(row["relu_backward"]) for row in csv.DictReader(handle)}
        assert set(scores) == set(correct)
        assert all((scores[s] == 100) == correct[s] for s in correct), scores
        assert not any((out / ".staged").iterdir()), "staged copies left after the rerun"
    finally:
        if grader is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(grader.pid, signal.SIGKILL)
            grader.wait()
            for pid in processes_of(grader.pid, str(marker)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def assert_consistent(book: Path, correct: dict[str, bool]) -> None:
    """One well-formed row per graded job, each with the score its file deserves."""
    with contextlib.closing(sqlite3.connect(book)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT student, kata, score, result FROM latest").fetchall()
    assert len({(student, kata) for student, kata, _, _ in rows}) == len(rows)
    for student, kata, score, result in rows:
        assert kata == "relu_backward" and json.loads(result)["kata"] == kata
        assert (score == 100) == correct[student], (student, score)


def describe(pids: list[int]) -> str:
    """Each process's id and command line, for the failure message."""
    described = []
    for pid in pids:
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            described.append(f"{pid}: {command.decode(errors='replace')[:150]}")
    return "; ".join(described)


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from each thread's /proc children list."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{parent}/task"):
                with contextlib.suppress(OSError):
                    text = Path(f"/proc/{parent}/task/{task}/children").read_text()
                    for child in map(int, text.split()):
                        if child not in found:
                            found.add(child)
                            todo.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds processes in /proc")
def test_kill_9_as_a_user_runs_it_leaves_no_descendant_within_seconds(fast_bank, tmp_path):
    """The way an instructor runs it (suites in pool workers, no KATA_RUNNER), killed at once.

    Every process the grader started (workers, the resource tracker, bubblewrap, learner
    children) is collected from /proc while it runs; within a few seconds of the kill
    none may be left. The first student's file loops until its budget is spent, so a
    worker is busy at the kill: one that did not die with the grader would finish it.
    """
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    klass, out = tmp_path / "submissions", tmp_path / "gb"
    make_class(klass, solution)
    (klass / "a_slow").mkdir()
    (klass / "a_slow" / "relu_backward.py").write_text(
        solution.replace(
            "def relu_backward(", "def relu_backward(*a):\n    while True: pass\n\n\ndef _("
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "KATA_RUNNER"}
    command = [sys.executable, "-m", "grader", "--bank", str(fast_bank.root), "grade"]
    command += [str(klass), "--out", str(out), "--workers", "2", "--no-timing"]
    deadline = time.monotonic() + 60
    grader = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen: set[int] = set()
    try:

        def working() -> bool:
            seen.update(descendants(grader.pid))
            return jobs_recorded(out / "gradebook.sqlite3") > 0

        assert wait_for(working, deadline), "no job was ever recorded"
        seen.update(descendants(grader.pid))
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait(timeout=10)

        def alive() -> list[int]:
            return [pid for pid in seen if (session_of(pid) or ("X",))[0] not in ("Z", "X")]

        assert len(seen) >= 3, describe(list(seen))  # two workers and the resource tracker
        assert wait_for(lambda: not alive(), time.monotonic() + 3, step=0.1), (
            f"alive 3 s after kill -9: {describe(alive())}"
        )
    finally:
        for pid in [grader.pid, *seen]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        grader.wait()
