"""kata watch: one check per save, however the editor saves; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.watch import SaveWatcher


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_three_quick_writes_are_one_save(tmp_path):
    path = tmp_path / "relu_backward.py"
    path.write_text("a")
    clock = FakeClock()
    watcher = SaveWatcher(lambda: [path], settle_s=0.3, clock=clock)
    assert watcher.poll() == []  # what was there before is not a save
    for text in ("b", "bb", "bbb"):
        path.write_text(text)
        clock.now += 0.05
        assert watcher.poll() == []
    clock.now += 0.4
    assert watcher.poll() == [path]
    clock.now += 1.0
    assert watcher.poll() == []


def test_a_save_by_rename_is_seen_and_a_missing_file_is_not(tmp_path):
    path = tmp_path / "k.py"
    path.write_text("same size")
    clock = FakeClock()
    watcher = SaveWatcher(lambda: [path], settle_s=0.1, clock=clock)
    other = tmp_path / "k.py.swp"
    other.write_text("same size")
    os.replace(other, path)  # a new inode, maybe the same size and second
    watcher.poll()
    clock.now += 0.2
    assert watcher.poll() == [path]
    path.unlink()
    clock.now += 1.0
    assert watcher.poll() == [] and watcher.poll() == []


def kata_command() -> list[str]:
    return [sys.executable, "-c", "from grader.cli import main; main()"]


def start_relu(fast_bank, work: Path) -> None:
    subprocess.run(
        [
            *kata_command(),
            "--bank",
            str(fast_bank.root),
            "start",
            "relu_backward",
            "--dir",
            str(work),
        ],
        check=True,
        capture_output=True,
    )


def wait_for(predicate, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_checks_once_per_save_and_stops_cleanly_on_ctrl_c(fast_bank, tmp_path):
    work = tmp_path / "work"
    start_relu(fast_bank, work)
    log = tmp_path / "watch.log"
    with open(log, "w") as out:
        watch = subprocess.Popen(
            [
                *kata_command(),
                "--bank",
                str(fast_bank.root),
                "watch",
                "relu_backward",
                "--dir",
                str(work),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
        )
    try:
        assert wait_for(lambda: log.read_text().count("Score:") == 1), log.read_text()
        solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
        for text in (solution[:10], solution[:50], solution):  # three quick writes
            (work / "relu_backward.py").write_text(text)
        assert wait_for(lambda: "Score: 100/100" in log.read_text()), log.read_text()
        time.sleep(1.5)  # room for a second, wrong check
        assert log.read_text().count("Score:") == 2, log.read_text()
    finally:
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=30) == 0
    assert log.read_text().rstrip().endswith("Stopped watching.")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_watch_redraws_in_a_real_terminal_after_a_save(fast_bank, tmp_path):
    work = tmp_path / "work"
    start_relu(fast_bank, work)
    session = f"kata-watch-{os.getpid()}"
    command = " ".join(
        [*kata_command()[:2], '"from grader.cli import main; main()"']
        + ["--bank", str(fast_bank.root), "watch", "relu_backward", "--dir", str(work)]
    )
    tmux = ["tmux", "-L", session]
    # The pane outlives the command (a sleep after it), so its last screen can still be read.
    shell = f"{command}; sleep 60"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shell], check=True
    )

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout

    try:
        assert wait_for(lambda: "Score: 0/100" in screen()), screen()
        solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
        (work / "relu_backward.py").write_text(solution)
        assert wait_for(lambda: "Score: 100/100" in screen()), screen()
        assert "Score: 0/100" not in screen()  # the screen was cleared, not appended to
        subprocess.run([*tmux, "send-keys", "-t", session, "C-c"], check=True)
        assert wait_for(lambda: "Stopped watching." in screen()), screen()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
